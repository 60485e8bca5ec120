"""Behind a reverse proxy: forwarded headers give the client address only when the proxy is
configured (SIGNPOST_FORWARDED_ALLOW_IPS), so practitioners behind one proxy do not share one
rate-limit bucket, and nobody can pick their own bucket by sending X-Forwarded-For."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.live import live_server


def _statuses(url: str, forwarded_for: list[str]) -> list[int]:
    return [
        httpx.post(
            f"{url}/ask",
            json={"question": "Can my client pay her daughter as her PA?"},
            headers={"X-Forwarded-For": address},
            timeout=30,
        ).status_code
        for address in forwarded_for
    ]


def test_a_configured_proxy_gives_each_client_its_own_bucket(tmp_path: Path) -> None:
    env = {"SIGNPOST_RATE_LIMIT_PER_MINUTE": "8", "SIGNPOST_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with live_server(tmp_path, env) as server:
        clients = [f"203.0.113.{n}" for n in range(1, 9)]
        assert _statuses(server.url, clients) == [200] * 8
        # one client alone still meets the limit
        assert 429 in _statuses(server.url, ["198.51.100.7"] * 8)


def test_without_the_setting_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    with live_server(tmp_path, {"SIGNPOST_RATE_LIMIT_PER_MINUTE": "8"}) as server:
        clients = [f"203.0.113.{n}" for n in range(1, 9)]
        assert 429 in _statuses(server.url, clients)
