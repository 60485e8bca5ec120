"""A Slack thread is a conversation: a follow-up there is read with the thread's earlier
question (from the database), and a new topic in the same thread is answered on its own."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest

from assistant.services import Signpost
from tests.conftest import REPO, ServiceFactory
from tests.slack.conftest import event_body, mention, signed_headers, wait_for
from tests.standins import StandIn

pytestmark = pytest.mark.anyio
JSON = {"content-type": "application/json"}
THREAD = "1700001000.000100"


@pytest.fixture
def slack_service(make_service: ServiceFactory, tmp_path) -> Signpost:
    service = make_service()
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in (
        "direct-payments/dp-paying-family-members.md",
        "employing-a-pa/pa-pay-holiday-sick-pay.md",
    ):
        shutil.copy(REPO / "knowledge" / name, folder)
    assert service.curation.ingest([folder]).failed == []
    return service


def in_thread(text: str, ts: str) -> dict:
    return {
        "type": "message",
        "channel_type": "channel",
        "user": "U1",
        "text": text,
        "ts": ts,
        "thread_ts": THREAD,
        "channel": "C1",
    }


async def send(client: httpx.AsyncClient, event: dict, event_id: str) -> None:
    body = event_body(event, event_id=event_id)
    response = await client.post("/slack/events", content=body, headers=JSON | signed_headers(body))
    assert response.status_code == 200


async def test_a_thread_is_a_conversation(
    slack_client: httpx.AsyncClient, slack_api: StandIn, slack_service: Signpost
) -> None:
    first = "Can my client pay her daughter as her PA with a direct payment?"
    await send(slack_client, mention(first, ts=THREAD), "EvT1")
    wait_for(slack_api, "/api/chat.postMessage")
    await send(slack_client, in_thread("what if she lives with her?", "1700001100.000100"), "EvT2")
    second = wait_for(slack_api, "/api/chat.postMessage", count=2)[1].body
    assert second["thread_ts"] == THREAD
    shown = json.dumps(second["blocks"])
    assert "Answering:" in shown
    assert "daughter" in second["text"].split("\n")[0]
    answer = second["text"].split("\n", 1)[1]
    assert "same household" in answer.split("[1]")[0]
    assert "necessary" in answer
    await send(
        slack_client, in_thread("how much holiday does a PA get?", "1700001200.000100"), "EvT3"
    )
    third = wait_for(slack_api, "/api/chat.postMessage", count=3)[2].body
    assert "Answering:" not in json.dumps(third["blocks"])
    assert "5.6 weeks" in third["text"]
    assert "household" not in third["text"]
