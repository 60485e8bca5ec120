"""A live server is asked questions full of case details; afterwards none of the identifiers is
anywhere in the data dir or the server's log, in any spacing."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import DIRECT_PAYMENTS_MD, write
from tests.live import live_server
from tests.privacy.cases import make_cases

OKAFOR = (
    "Mr Tom Okafor (NHS 485 777 3457, NI AB123456C, born 02/07/1950) of 3 Mill Lane, York "
    "YO1 7HH, 01632 960123, tom.okafor@example.com, wants his niece as his PA. Can he?"
)
OKAFOR_IDS = [
    "Tom Okafor",
    "Okafor",
    "485 777 3457",
    "AB123456C",
    "02/07/1950",
    "3 Mill Lane",
    "YO1 7HH",
    "01632 960123",
    "tom.okafor@example.com",
]
_ALNUM = re.compile(r"[^0-9a-z]")


def squash(text: str) -> str:
    return _ALNUM.sub("", text.lower())


def everything_written(data_dir: Path, log: str) -> tuple[str, str]:
    """All bytes under the data dir plus the log, as text and squashed (no spacing at all)."""
    parts = [log]
    for path in data_dir.rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("latin-1"))
    text = "\n".join(parts)
    return text, squash(text)


def assert_absent(identifier: str, text: str, squashed: str) -> None:
    if re.search(r"\d", identifier) and len(squash(identifier)) >= 6:
        assert squash(identifier) not in squashed, identifier  # numbers in any spacing
    else:
        for word in identifier.split():
            if len(word) > 3:
                assert not re.search(rf"\b{re.escape(word)}\b", text, re.I), word


def test_no_identifier_reaches_the_data_dir_or_the_log(tmp_path: Path) -> None:
    write(tmp_path / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
    cases = [c for c in make_cases(60, seed=11) if c.pii][:40]
    with live_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        first = http.post("/ask", json={"question": OKAFOR}).json()
        assert any("personal details" in n for n in first["notices"])
        for identifier in OKAFOR_IDS:
            assert identifier not in first["answer"]
        feedback = http.post(
            "/feedback",
            json={
                "question_id": first["question_id"],
                "helpful": False,
                "comment": "Please ring him back on 01632 960 123 or 01632960123",
            },
        )
        assert feedback.status_code == 201
        for case in cases:
            body = http.post("/ask", json={"question": case.text}).json()
            assert body["notices"], case.text
            http.post(
                "/feedback",
                json={"question_id": body["question_id"], "helpful": True, "comment": case.text},
            )
        # metrics labels are route templates only
        assert "Okafor" not in http.get("/metrics").text
    text, squashed = everything_written(tmp_path / "data", server.output())
    assert "[NHS number]" in text, "the redacted question was stored"
    for identifier in OKAFOR_IDS:
        assert_absent(identifier, text, squashed)
    for case in cases:
        for value in case.pii:
            assert_absent(value, text, squashed)
