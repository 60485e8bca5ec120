"""A live `signpost serve` process, spoken to over real HTTP: the issue's must-show list."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import httpx

from tests.conftest import DIRECT_PAYMENTS_MD, write
from tests.live import live_server

PA_QUESTION = "Can my client pay her daughter who lives with her to be her PA?"


def test_live_server_end_to_end(tmp_path: Path) -> None:
    write(tmp_path / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
    with live_server(tmp_path) as server:
        startup = server.output()
        assert f"Signpost is serving on {server.url}" in startup
        assert "1 added" in startup
        key = re.search(r"Trainer key \(shown once; stored in .+?\): (\S+)", startup)
        assert key is not None, startup
        trainer = {"Authorization": f"Bearer {key.group(1)}"}
        key_file = tmp_path / "data" / "trainer_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

        with httpx.Client(base_url=server.url, timeout=60) as http:
            assert http.get("/healthz").status_code == 200
            assert http.get("/readyz").status_code == 200
            assert "/ask" in http.get("/openapi.json").json()["paths"]
            assert "# TYPE signpost_http_requests_total counter" in http.get("/metrics").text

            for body in (
                {"question": ""},
                {"question": "   "},
                {"question": "x" * 3000},
                {},
                {"question": "ok?", "top_k": 999},
            ):
                response = http.post("/ask", json=body)
                assert 400 <= response.status_code < 500
                assert set(response.json()["error"]) == {"code", "message"}
            malformed = http.post(
                "/ask", content=b"{not json", headers={"content-type": "application/json"}
            )
            assert malformed.status_code == 400

            assert http.get("/documents").status_code == 401
            assert http.get("/gaps").status_code == 401
            assert http.get("/documents", headers={"Authorization": "Bearer nope"}).status_code in (
                401,
                403,
            )

            # the synced knowledge document answers
            answer = http.post("/ask", json={"question": PA_QUESTION}).json()
            assert answer["answered"]
            assert answer["citations"][0]["doc_id"] == "dp-family"

            upload = http.post(
                "/documents",
                headers=trainer,
                files={"file": ("contingency.md", CONTINGENCY.encode())},
                data={"source_type": "practice-note", "topics": "contingency"},
            )
            assert upload.status_code == 201, upload.text
            doc_id = upload.json()["doc_id"]
            assert doc_id in {
                d["doc_id"] for d in http.get("/documents", headers=trainer).json()["documents"]
            }
            cited = http.post("/ask", json={"question": "What if my PA is off sick?"}).json()
            assert cited["answered"]
            assert doc_id in {c["doc_id"] for c in cited["citations"]}
            assert http.delete(f"/documents/{doc_id}", headers=trainer).status_code == 200
            assert http.get(f"/documents/{doc_id}", headers=trainer).status_code == 404
            again = http.post("/ask", json={"question": "What if my PA is off sick?"}).json()
            assert doc_id not in {c["doc_id"] for c in again["citations"]}

            binary = http.post(
                "/documents", headers=trainer, files={"file": ("x.txt", bytes(range(256)) * 10)}
            )
            assert binary.status_code == 415
            huge = http.post(
                "/documents",
                headers=trainer,
                files={"file": ("big.txt", b"a" * (30 * 1024 * 1024))},
            )
            assert huge.status_code == 413

            qid = answer["question_id"]
            assert (
                http.post("/feedback", json={"question_id": qid, "helpful": True}).status_code
                == 201
            )
            assert (
                http.post("/feedback", json={"question_id": "0" * 32, "helpful": True}).status_code
                == 404
            )

            http.post("/ask", json={"question": "What is the best recipe for a Victoria sponge?"})
            outside = http.get("/gaps", headers=trainer).json()["out_of_scope"]
            assert any("Victoria sponge" in g["question"] for g in outside)

    log_lines = [line for line in server.output().splitlines() if line.startswith("{")]
    requests = [json.loads(line) for line in log_lines if '"msg": "request"' in line]
    assert requests
    assert all(r["request_id"] for r in requests)
    assert "Victoria sponge" not in server.output()  # questions are never logged

    # a second start prints no key and reuses the stored one
    with live_server(tmp_path) as second:
        assert "Trainer key" not in second.output()
        ok = httpx.get(f"{second.url}/documents", headers=trainer)
        assert ok.status_code == 200


CONTINGENCY = """---
title: Contingency plans for when a PA is ill
source_type: practice-note
---
# Contingency plans for when a PA is ill

Every person employing a personal assistant should have a written contingency plan naming who
covers when the PA is off sick or on holiday, such as a relief PA, an agency, or family.
"""
