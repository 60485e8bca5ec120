"""The issue's must-show against a live `signpost serve` with Slack configured."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx

from tests.conftest import SKILLS_ARTICLE
from tests.live import live_server
from tests.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    event_body,
    mention,
    signed_headers,
    wait_for,
)
from tests.standins import StandIn

JSON = {"content-type": "application/json"}


def test_live_server_answers_a_signed_mention(
    tmp_path: Path, slack_api: StandIn, articles: Path
) -> None:
    (tmp_path / "knowledge").mkdir()
    shutil.copy(articles / SKILLS_ARTICLE, tmp_path / "knowledge" / SKILLS_ARTICLE)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"{slack_api.url}/api/",
    }
    with live_server(tmp_path, env) as server, httpx.Client(base_url=server.url) as http:
        challenge = json.dumps({"type": "url_verification", "challenge": "xyz", "token": "t"})
        echoed = http.post(
            "/slack/events", content=challenge, headers=JSON | signed_headers(challenge)
        )
        assert echoed.json()["challenge"] == "xyz"
        bad = http.post(
            "/slack/events", content=challenge, headers=JSON | signed_headers(challenge, secret="x")
        )
        assert bad.status_code == 401
        stale = http.post(
            "/slack/events", content=challenge, headers=JSON | signed_headers(challenge, age_s=3600)
        )
        assert stale.status_code == 401

        ts = "1700001234.000200"
        body = event_body(
            mention(
                "How many social workers felt they knew how to employ personal assistants?", ts=ts
            )
        )
        started = time.monotonic()
        assert (
            http.post(
                "/slack/events", content=body, headers=JSON | signed_headers(body)
            ).status_code
            == 200
        )
        call = wait_for(slack_api, "/api/chat.postMessage", timeout=30)[0].body
        assert time.monotonic() - started < 30
        assert call["thread_ts"] == ts
        blocks = json.dumps(call["blocks"])
        assert "49%" in blocks
        assert "feedback_helpful" in blocks
        assert "feedback_not_helpful" in blocks
        auth = [c for c in slack_api.calls if c.path.startswith("/api/")]
        assert all(c.headers.get("Authorization") == f"Bearer {BOT_TOKEN}" for c in auth)


def test_socket_mode_reaches_the_configured_api_and_reports_refusal(
    tmp_path: Path, slack_api: StandIn
) -> None:
    import os
    import subprocess
    import sys

    slack_api.routes["/api/apps.connections.open"] = lambda body: (
        200,
        {"ok": False, "error": "invalid_auth"},
        0.0,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNPOST_", "SLACK_"))} | {
        "HF_HUB_OFFLINE": "1",
        "SIGNPOST_DATA_DIR": str(tmp_path / "data"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_API_URL": f"{slack_api.url}/api/",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "slack"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Slack refused the connection: invalid_auth" in result.stderr
    opened = [c for c in slack_api.calls if c.path.startswith("/api/apps.connections.open")]
    assert opened
    assert opened[0].headers.get("Authorization") == "Bearer xapp-test"
