"""Rate limits per API key and per Slack user, and many concurrent questions at small scale."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.http.app import create_app
from assistant.security.ratelimit import RateLimiter
from assistant.services import Signpost
from tests.conftest import DIRECT_PAYMENTS_MD, ServiceFactory, write
from tests.live import live_server
from tests.slack.conftest import event_body, mention, signed_headers, wait_for
from tests.standins import StandIn

pytestmark = pytest.mark.anyio


def test_token_bucket() -> None:
    limiter = RateLimiter(per_minute=60, burst=3)
    assert [limiter.check("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.check("a")
    assert 0.5 < wait <= 1.0
    assert limiter.check("b") == 0.0, "callers have buckets of their own"
    assert RateLimiter(per_minute=0).check("a") == 0.0, "0 turns the limit off"


async def test_ask_is_limited_per_api_key_with_retry_after(
    make_service: ServiceFactory, settings
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 6, "api_keys": "k1,k2"})
    service = make_service(**limited.model_dump(include={"api_keys"}))
    app = create_app(limited, service, trainer_keys=["t"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        statuses = []
        for _ in range(3):
            r = await client.post(
                "/ask", json={"question": "q?"}, headers={"Authorization": "Bearer k1"}
            )
            statuses.append(r.status_code)
        assert statuses[0] == 200
        assert statuses[-1] == 429
        assert r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) >= 1
        other = await client.post(
            "/ask", json={"question": "q?"}, headers={"Authorization": "Bearer k2"}
        )
        assert other.status_code == 200, "another key has its own allowance"
        assert (await client.get("/healthz")).status_code == 200


async def test_slack_user_asking_too_fast_is_told_to_wait(
    slack_api: StandIn,
    slack_settings,
    slack_service: Signpost,
) -> None:
    limited = slack_settings.model_copy(update={"rate_limit_per_minute": 4})
    app = create_app(limited, slack_service, trainer_keys=["t"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        for i in range(2):
            body = event_body(
                mention(f"question {i} about direct payments?", ts=f"170.{i}"), f"E{i}"
            )
            await client.post(
                "/slack/events",
                content=body,
                headers={"content-type": "application/json"} | signed_headers(body),
            )
        calls = wait_for(slack_api, "/api/chat.postMessage", count=2)
    texts = [json.dumps(c.body) for c in calls]
    assert any("faster than I can take them" in t for t in texts)
    assert any("blocks" in c.body for c in calls), "the first question was answered"


def test_many_concurrent_questions_without_errors_or_growing_memory(tmp_path: Path) -> None:
    write(tmp_path / "knowledge" / "dp-family.md", DIRECT_PAYMENTS_MD)
    questions = [
        "Can my client pay her daughter as her PA?",
        "Can a relative who lives elsewhere be a personal assistant?",
        "When may the council allow paying a close relative?",
        "What is the best recipe for a Victoria sponge?",
    ]
    with live_server(tmp_path) as server:

        def rss_mb() -> float:
            out = subprocess.run(
                ["ps", "-o", "rss=", "-p", str(server.process.pid)], capture_output=True, text=True
            )
            return int(out.stdout.strip()) / 1024

        def burst(n_threads: int, per_thread: int) -> list[int]:
            statuses: list[int] = []
            lock = threading.Lock()

            def run(offset: int) -> None:
                with httpx.Client(base_url=server.url, timeout=60) as http:
                    for i in range(per_thread):
                        q = questions[(offset + i) % len(questions)]
                        code = http.post("/ask", json={"question": q}).status_code
                        with lock:
                            statuses.append(code)

            threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return statuses

        first = burst(16, 10)
        after_first = rss_mb()
        started = time.monotonic()
        second = burst(16, 10)
        elapsed = time.monotonic() - started
        after_second = rss_mb()
    assert first.count(200) == len(first) == 160
    assert second.count(200) == len(second) == 160
    print(
        f"16 clients: {160 / elapsed:.1f} answers/s; RSS {after_first:.0f} -> {after_second:.0f} MB"
    )
    assert after_second - after_first < 100, "memory keeps growing under steady load"
