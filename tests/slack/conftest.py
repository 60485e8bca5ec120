"""A stand-in Slack Web API on loopback, signed request helpers, and the app with Slack on."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.config import Settings
from assistant.http.app import create_app
from assistant.services import Signpost
from tests.conftest import DIRECT_PAYMENTS_MD, SKILLS_ARTICLE, ServiceFactory
from tests.standins import StandIn, serve_standin

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
BOT_USER = "UBOT"


def ok(extra: dict | None = None):
    return lambda body: (200, {"ok": True, **(extra or {})}, 0.0)


@pytest.fixture
def slack_api() -> Iterator[StandIn]:
    with serve_standin() as api:
        api.routes.update(
            {
                "/api/auth.test": ok({"user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1"}),
                "/api/chat.postMessage": ok({"ts": "1700000999.000100", "channel": "C1"}),
                "/api/reactions.add": ok(),
                "/api/reactions.remove": ok(),
                "/api/views.open": ok({"view": {"id": "V1"}}),
                "/respond/1": ok(),
            }
        )
        yield api


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, age_s: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age_s)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def event_body(event: dict, event_id: str = "Ev1") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
        }
    )


def mention(text: str, ts: str = "1700000000.000100", **extra: str) -> dict:
    return {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
        **extra,
    }


def form(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


def wait_for(api: StandIn, path: str, count: int = 1, timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = [c for c in api.calls if c.path.split("?")[0] == path]
        if len(calls) >= count:
            return calls
        time.sleep(0.05)
    raise AssertionError(f"no {count} call(s) to {path} in {timeout}s; saw {api.paths()}")


@pytest.fixture
def slack_service(make_service: ServiceFactory, articles) -> Signpost:
    service = make_service()
    service.curation.ingest([articles / SKILLS_ARTICLE])
    service.curation.upload(
        DIRECT_PAYMENTS_MD.encode(), "markdown", filename="dp-family.md", metadata={}
    )
    return service


@pytest.fixture
def slack_settings(settings: Settings, slack_api: StandIn) -> Settings:
    return settings.model_copy(
        update={
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": f"{slack_api.url}/api/",
        }
    )


@pytest.fixture
async def slack_client(
    slack_settings: Settings, slack_service: Signpost
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(slack_settings, slack_service, trainer_keys=["t"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://signpost.test") as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
