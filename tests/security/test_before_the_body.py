"""Anonymous trainer writes are refused before their body is read, stalled bodies are cut off,
and wrong keys cannot be guessed at speed."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from assistant.http.middleware import BodyLimit
from tests.api.conftest import TRAINER
from tests.live import live_server

TRAINER_KEY = "gate-test-trainer-key"


def _headers_only(url: str, request: str, wait_s: float = 10.0) -> tuple[str, float]:
    """Send a request's headers (promising a large body), never the body; return the status
    line the server answers with and how long it took."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait_s) as sock:
        started = time.monotonic()
        sock.sendall(request.encode())
        answer = sock.recv(4096).decode(errors="replace")
        return answer.split("\r\n", 1)[0], time.monotonic() - started


def test_anonymous_uploads_are_refused_before_the_body(tmp_path: Path) -> None:
    with live_server(tmp_path, {"SIGNPOST_TRAINER_KEYS": TRAINER_KEY}) as server:
        ten_mb = 10 * 2**20
        status, took = _headers_only(
            server.url,
            "POST /documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            f"boundary=b\r\nContent-Length: {ten_mb}\r\n\r\n",
        )
        assert status == "HTTP/1.1 401 Unauthorized"
        assert took < 5
        status, _ = _headers_only(
            server.url,
            "POST /documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {ten_mb}\r\n\r\n",
        )
        assert status == "HTTP/1.1 403 Forbidden"
        status, _ = _headers_only(
            server.url,
            "POST /trainer/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            f"boundary=b\r\nContent-Length: {ten_mb}\r\n\r\n",
        )
        assert status == "HTTP/1.1 303 See Other"
        # with the key, the same upload goes on to be read (and parsed) as before
        ok = httpx.post(
            f"{server.url}/documents",
            headers={"Authorization": f"Bearer {TRAINER_KEY}"},
            files={"file": ("n.md", b"# Note\n\nA direct payment is reviewed in six months.")},
            timeout=60,
        )
        assert ok.status_code == 201, ok.text


def test_a_stalled_body_gets_408() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    limited = BodyLimit(app, limit_for=lambda _path: 2**20, idle_timeout_s=0.2)
    chunks = [{"type": "http.request", "body": b"x" * 10, "more_body": True}]
    sent: list[Message] = []

    async def receive() -> Message:
        if chunks:
            return chunks.pop()
        await asyncio.sleep(60)  # the client stops sending
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/documents", "headers": []}
    asyncio.run(asyncio.wait_for(limited(scope, receive, send), 5))
    assert sent[0]["status"] == 408
    assert b"request_timeout" in sent[1]["body"]


@pytest.mark.anyio
async def test_wrong_trainer_keys_are_throttled(client: httpx.AsyncClient) -> None:
    statuses = [
        (await client.get("/documents", headers={"Authorization": f"Bearer guess-{n}"})).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [403] * 10
    assert statuses[10:] == [429, 429]
    blocked = await client.get("/documents", headers=TRAINER)
    assert blocked.status_code == 429, "even the right key waits out the lock-out"
    assert int(blocked.headers["Retry-After"]) > 0


@pytest.mark.anyio
async def test_wrong_sign_ins_on_the_page_are_throttled(client: httpx.AsyncClient) -> None:
    page = await client.get("/trainer/login")
    csrf = page.cookies["signpost_csrf"]
    statuses = [
        (await client.post("/trainer/login", data={"key": f"guess-{n}", "csrf": csrf})).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
