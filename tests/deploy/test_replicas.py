"""Server mode for real: two `signpost serve` replicas sharing one `chroma run` and one
PostgreSQL, and what happens when either goes away and comes back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import DIRECT_PAYMENTS_MD, write
from tests.live import live_server
from tests.servers import chroma_server, postgres_server, start_chroma

KEY = "replica-trainer-key"
TRAINER = {"Authorization": f"Bearer {KEY}"}
UNIQUE_DOC = """---
title: Sleep-in shifts for personal assistants
source_type: practice-note
topics: [personal-assistants, pay]
jurisdiction: England
---
# Sleep-in shifts for personal assistants

A sleep-in shift is one where the PA sleeps at the person's home and is woken only if needed.
Agree in writing how sleep-in hours are paid and what happens when the PA is woken to work.
"""
QUESTION = "How are sleep-in shifts for a PA paid?"


def test_two_replicas_share_index_feedback_and_gaps(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma") as chroma, postgres_server(tmp_path / "pg") as pg:
        env = {
            "SIGNPOST_CHROMA_URL": chroma.url,
            "SIGNPOST_DATABASE_URL": pg.url,
            "SIGNPOST_TRAINER_KEYS": KEY,
        }
        write(tmp_path / "a" / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
        (tmp_path / "b" / "knowledge").mkdir(parents=True)
        with (
            live_server(tmp_path / "a", env) as a,
            live_server(tmp_path / "b", env) as b,
            httpx.Client(timeout=60) as http,
        ):
            # B synced an empty folder and left A's documents alone
            listed = http.get(f"{b.url}/documents", headers=TRAINER).json()["documents"]
            assert [d["doc_id"] for d in listed] == ["dp-family"]

            uploaded = http.post(
                f"{a.url}/documents",
                headers=TRAINER,
                files={"file": ("sleep-ins.md", UNIQUE_DOC.encode())},
            )
            assert uploaded.status_code == 201, uploaded.text
            doc_id = uploaded.json()["doc_id"]
            started = time.monotonic()
            while True:
                answer = http.post(f"{b.url}/ask", json={"question": QUESTION}).json()
                if doc_id in {c["doc_id"] for c in answer["citations"]}:
                    break
                assert time.monotonic() - started < 10, answer
                time.sleep(0.25)
            print(f"replica B cited the upload after {time.monotonic() - started:.2f}s")

            # feedback given on B for a question asked on A lands in the one database
            question_id = http.post(f"{a.url}/ask", json={"question": QUESTION}).json()[
                "question_id"
            ]
            given = http.post(
                f"{b.url}/feedback", json={"question_id": question_id, "helpful": True}
            )
            assert given.status_code == 201
            feedback = http.get(f"{a.url}/feedback", headers=TRAINER).json()["feedback"]
            assert feedback[0]["question_id"] == question_id
            for server in (a, b):
                http.post(f"{server.url}/ask", json={"question": "Best Victoria sponge recipe?"})
            gaps = http.get(f"{a.url}/gaps", headers=TRAINER).json()["out_of_scope"]
            sponge = [g for g in gaps if "sponge" in g["question"].lower()]
            assert [g["count"] for g in sponge] == [2], gaps

            # deletion through B is seen by A
            assert http.delete(f"{b.url}/documents/{doc_id}", headers=TRAINER).status_code == 200
            started = time.monotonic()
            while doc_id in {
                c["doc_id"]
                for c in http.post(f"{a.url}/ask", json={"question": QUESTION}).json()["citations"]
            }:
                assert time.monotonic() - started < 10
                time.sleep(0.25)


def test_dependencies_down_give_503_and_recover_without_restart(tmp_path: Path) -> None:
    chroma = start_chroma(tmp_path / "chroma")
    port = int(chroma.url.rsplit(":", 1)[1])
    try:
        with postgres_server(tmp_path / "pg") as pg:
            env = {"SIGNPOST_CHROMA_URL": chroma.url, "SIGNPOST_DATABASE_URL": pg.url}
            write(tmp_path / "s" / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
            with (
                live_server(tmp_path / "s", env) as server,
                httpx.Client(base_url=server.url, timeout=60) as http,
            ):
                ask = {"question": "Can a close relative in the same household be paid?"}
                assert http.post("/ask", json=ask).json()["answered"]

                chroma.stop()
                ready = http.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["error"]["code"] == "index_unavailable"
                down = http.post("/ask", json=ask)
                assert down.status_code == 503
                assert down.json()["error"]["code"] == "index_unavailable"
                assert str(port) not in down.text

                chroma = start_chroma(tmp_path / "chroma", port=port)
                assert http.get("/readyz").status_code == 200
                assert http.post("/ask", json=ask).json()["answered"]

                pg.ctl("-m", "fast", "stop")
                ready = http.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["error"]["code"] == "database_unavailable"
                # anonymous callers learn which, not where: no host, port or driver text
                message = ready.json()["error"]["message"]
                assert message == "the database is unreachable; please try again shortly"
                assert "127.0.0.1" not in ready.text
                assert str(pg.port) not in ready.text
                assert http.post("/ask", json=ask).status_code == 503
                assert "database_unavailable" in server.output()  # the detail is logged
                pg.start()
                assert http.get("/readyz").status_code == 200
                assert http.post("/ask", json=ask).status_code == 200
    finally:
        chroma.stop()
