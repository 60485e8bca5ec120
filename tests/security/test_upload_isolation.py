"""A decompression bomb hidden outside word/document.xml is refused before any parser runs,
and every upload is parsed in a worker process whose memory is capped: the server's own peak
memory barely moves."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from ingest.documents import DocumentError
from ingest.isolation import run_isolated
from ingest.loaders import load_bytes
from tests.fixtures import make_docx
from tests.live import live_server

TRAINER_KEY = "isolation-test-trainer-key"


def styles_bomb_docx(expanded_mb: int = 600) -> bytes:
    """A valid small DOCX whose styles.xml expands to `expanded_mb` MB."""
    good = zipfile.ZipFile(io.BytesIO(make_docx("PA guide", {"Pay": ["Pay the minimum wage."]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            if info.filename != "word/styles.xml":
                archive.writestr(info, good.read(info))
        with archive.open("word/styles.xml", "w", force_zip64=True) as styles:
            styles.write(b'<?xml version="1.0"?><w:styles xmlns:w="x">')
            block = b"<!--" + b" " * (2**20 - 7) + b"-->"
            for _ in range(expanded_mb):
                styles.write(block)
            styles.write(b"</w:styles>")
    return out.getvalue()


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


@pytest.mark.parametrize(
    ("expanded_mb", "reason"),
    [(150, "styles.xml expands .* times: refused as a possible zip bomb"), (300, "limit is 200")],
)
def test_a_styles_bomb_is_refused_before_parsing(expanded_mb: int, reason: str) -> None:
    data = styles_bomb_docx(expanded_mb)
    assert len(data) < 2 * 2**20
    with pytest.raises(DocumentError, match=reason):
        load_bytes(data, "docx", name="bomb.docx")


def test_a_styles_bomb_upload_leaves_the_server_memory_alone(tmp_path: Path) -> None:
    bomb = styles_bomb_docx(600)
    env = {"SIGNPOST_TRAINER_KEYS": TRAINER_KEY}
    with live_server(tmp_path, env) as server:
        headers = {"Authorization": f"Bearer {TRAINER_KEY}"}
        before = _peak_rss_mb(server.process.pid)
        response = httpx.post(
            f"{server.url}/documents",
            headers=headers,
            files={"file": ("guide.docx", bomb, "application/octet-stream")},
            timeout=120,
        )
        after = _peak_rss_mb(server.process.pid)
        assert response.status_code == 422, response.text
        assert "expands" in response.json()["error"]["message"]
        assert after - before < 200, (before, after)
        good = httpx.post(
            f"{server.url}/documents",
            headers=headers,
            files={"file": ("ok.docx", make_docx("PA pay", {"Pay": ["Pay at least the NLW."]}))},
            timeout=120,
        )
        assert good.status_code == 201, good.text


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 2**20))


def test_a_parser_that_needs_too_much_memory_is_stopped_and_replaced() -> None:
    with pytest.raises(DocumentError, match="more than 300 MB"):
        run_isolated(_allocate, 1500, memory_mb=300)
    assert run_isolated(_allocate, 10, memory_mb=300) == 10 * 2**20
