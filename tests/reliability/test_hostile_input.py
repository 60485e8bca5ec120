"""Loaders and the API against hostile input: each bad file gets a clear error while the
others go in; no request is answered with a 5xx; the server keeps answering."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from assistant.services import Signpost
from tests.conftest import DIRECT_PAYMENTS_MD, write
from tests.fixtures import make_docx, make_pdf


def zip_bomb_docx() -> bytes:
    """A valid-looking DOCX whose document.xml expands to over 50 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "A" * (60 * 2**20) + "</w:document>")
    return buffer.getvalue()


HOSTILE: dict[str, bytes] = {
    "truncated.pdf": make_pdf(["Direct payments are reviewed."])[:200],
    "garbage.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "truncated.docx": make_docx("PA guide", {"Pay": ["Pay at least the minimum wage."]})[:900],
    "bomb.docx": zip_bomb_docx(),
    "binary.txt": bytes(range(256)) * 100,
    "latin1.md": "# Caf\xe9\n\nna\xefve text".encode("latin-1"),
    "types.md": b"---\ntitle: [1, 2]\ntopics: 7\npublished: yesterday\n---\n# T\n\nText.",
    "empty.txt": b"",
}


def test_every_hostile_file_fails_clearly_and_the_good_one_goes_in(
    service: Signpost, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    write(folder / "good.md", DIRECT_PAYMENTS_MD)
    for name, data in HOSTILE.items():
        (folder / name).write_bytes(data)
    big = folder / "huge.txt"
    with big.open("wb") as handle:  # a 50 MB text file
        line = b"Direct payments can pay for personal assistants and short breaks.\n"
        handle.write(line * (50 * 2**20 // len(line)))
    nested = b"<html><body>" + b"<div>" * 50_000 + b"Deeply nested text." + b"</div>" * 50_000
    (folder / "nested.html").write_bytes(nested)
    report = service.curation.ingest([folder])
    assert report.counts["added"] == 2, report.summary()  # the good file, and the nested one
    nested_doc = service.index.chunks("nested")
    assert [c.text for c in nested_doc] == ["Deeply nested text."]
    failed = {Path(o.source).name: o.error or "" for o in report.failed}
    assert set(failed) == set(HOSTILE) | {"huge.txt"}
    assert "limit is 25 MB" in failed["huge.txt"]
    assert "expands" in failed["bomb.docx"]
    assert "UTF-8" in failed["latin1.md"]
    assert "binary" in failed["binary.txt"]
    assert "title" in failed["types.md"]
    for name, error in failed.items():
        assert error, name
        assert "Traceback" not in error, name
    assert sorted(d.doc_id for d in service.curation.documents().documents) == ["good", "nested"]


@pytest.mark.anyio
async def test_malformed_requests_to_every_endpoint_get_4xx(
    client: httpx.AsyncClient,
) -> None:
    trainer = {"Authorization": "Bearer trainer-test-key-0123456789"}
    bad_bodies = [
        b"",
        b"null",
        b"[]",
        b"{",
        b'{"question": null}',
        b'{"question": ["a"]}',
        b'{"question": "' + b"a" * 5000 + b'"}',
        b'{"question": "\\ud800"}',
        b'{"question": "ok", "filters": "nope"}',
        b'{"question": "ok", "top_k": "many"}',
        '{"question": "\u0000\u202e"}'.encode(),
        b"\xff\xfe\xfd",
    ]
    for path in ("/ask", "/search", "/feedback"):
        for body in bad_bodies:
            response = await client.post(
                path, content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code < 500, (path, body, response.text)
    for method, path in [
        ("POST", "/documents"),
        ("GET", "/documents/..%2F..%2Fetc%2Fpasswd"),
        ("DELETE", "/documents/%00"),
        ("GET", "/gaps?limit=-1"),
        ("GET", "/feedback?limit=abc"),
        ("POST", "/documents/sync"),
        ("PUT", "/ask"),
        ("GET", "/static/../../etc/passwd"),
        ("GET", "/trainer/documents/..%2F..%2Fetc%2Fpasswd"),
    ]:
        response = await client.request(method, path, headers=trainer)
        assert response.status_code < 500, (method, path, response.text)
    odd_uploads = [
        {"file": ("../../../etc/passwd", b"# Passwords\n\nnot really")},
        {"file": ("x.md", b"")},
        {"file": ("\u202egpj.md", b"# Right to left\n\ntext")},
    ]
    for files in odd_uploads:
        response = await client.post("/documents", headers=trainer, files=files)
        assert response.status_code < 500, response.text
    listed = (await client.get("/documents", headers=trainer)).json()["documents"]
    assert all("/" not in d["origin"].removeprefix("upload:") for d in listed)
    assert (await client.get("/healthz")).status_code == 200
    ok = await client.post("/ask", json={"question": "still answering?"})
    assert ok.status_code == 200
