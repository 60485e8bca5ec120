"""The real Bolt app behind /slack/events, driven with signed requests; every Web API call it
makes lands on a stand-in on loopback."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import httpx
import pytest

from assistant.config import Settings
from assistant.http.app import create_app
from assistant.services import Signpost
from tests.conftest import ServiceFactory
from tests.slack.conftest import (
    BOT_USER,
    event_body,
    form,
    mention,
    signed_headers,
    wait_for,
)
from tests.standins import StandIn

pytestmark = pytest.mark.anyio
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
PA_QUESTION = "How many social workers felt they knew how to employ personal assistants?"


async def post(client: httpx.AsyncClient, body: str, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/slack/events", content=body, headers=headers)


async def test_url_verification_is_echoed(slack_client: httpx.AsyncClient) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    response = await post(slack_client, body, JSON | signed_headers(body))
    assert response.status_code == 200
    assert response.json()["challenge"] == "abc123"


async def test_bad_and_stale_signatures_are_refused(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    body = event_body(mention(PA_QUESTION))
    assert (
        await post(slack_client, body, JSON | signed_headers(body, secret="nope"))
    ).status_code == 401
    assert (
        await post(slack_client, body, JSON | signed_headers(body, age_s=3600))
    ).status_code == 401
    assert (await post(slack_client, body, JSON)).status_code == 401
    for stamp in ("not-a-number", "1.5e9", "", "-1"):
        headers = JSON | signed_headers(body) | {"X-Slack-Request-Timestamp": stamp}
        refused = await post(slack_client, body, headers)
        assert refused.status_code == 401, (stamp, refused.text)
        assert refused.json()["error"]["code"] == "invalid_signature"
    time.sleep(0.5)
    assert "/api/chat.postMessage" not in slack_api.paths()


async def test_mention_is_answered_in_its_thread_with_sources_and_buttons(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    body = event_body(mention(PA_QUESTION, ts="1700000000.000100"))
    response = await post(slack_client, body, JSON | signed_headers(body))
    assert response.status_code == 200
    post_call = wait_for(slack_api, "/api/chat.postMessage")[0].body
    assert post_call["channel"] == "C1"
    assert post_call["thread_ts"] == "1700000000.000100"
    blocks = json.dumps(post_call["blocks"])
    assert "49%" in blocks
    assert "feedback_helpful" in blocks
    assert "feedback_not_helpful" in blocks
    assert "*Sources*" in blocks
    # the working sign went up before the answer and came down after it
    paths = slack_api.paths()
    assert paths.index("/api/reactions.add") < paths.index("/api/chat.postMessage")
    wait_for(slack_api, "/api/reactions.remove")


async def test_retries_never_produce_a_second_answer(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    body = event_body(mention(PA_QUESTION), event_id="EvRetry")
    await post(slack_client, body, JSON | signed_headers(body))
    wait_for(slack_api, "/api/chat.postMessage")
    for attempt in ("1", "2"):
        retry = await post(
            slack_client,
            body,
            JSON
            | signed_headers(body)
            | {"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert retry.status_code == 200
    time.sleep(1.0)
    assert slack_api.paths().count("/api/chat.postMessage") == 1


async def test_follow_up_in_an_answered_thread_needs_no_mention(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    first = event_body(mention(PA_QUESTION, ts="1700000100.000100"), event_id="EvA")
    await post(slack_client, first, JSON | signed_headers(first))
    wait_for(slack_api, "/api/chat.postMessage")
    follow_up = event_body(
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U1",
            "text": "and can she pay her daughter who lives with her?",
            "ts": "1700000200.000100",
            "thread_ts": "1700000100.000100",
            "channel": "C1",
        },
        event_id="EvB",
    )
    await post(slack_client, follow_up, JSON | signed_headers(follow_up))
    second = wait_for(slack_api, "/api/chat.postMessage", count=2)[1].body
    assert second["thread_ts"] == "1700000100.000100"
    assert "dp-family" in json.dumps(second["blocks"]) or "household" in json.dumps(
        second["blocks"]
    )
    # a message in some other thread is not ours to answer
    stranger = event_body(
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U2",
            "text": "lunch?",
            "ts": "1700000300.000100",
            "thread_ts": "1699999999.000100",
            "channel": "C1",
        },
        event_id="EvC",
    )
    await post(slack_client, stranger, JSON | signed_headers(stranger))
    time.sleep(1.0)
    assert slack_api.paths().count("/api/chat.postMessage") == 2


async def test_direct_messages_are_answered(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    body = event_body(
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "text": "Can a close relative in the same household be paid from a direct payment?",
            "ts": "1700000400.000100",
            "channel": "D1",
        },
        event_id="EvDM",
    )
    await post(slack_client, body, JSON | signed_headers(body))
    call = wait_for(slack_api, "/api/chat.postMessage")[0].body
    assert call["channel"] == "D1"
    assert "same household" in json.dumps(call["blocks"])


async def test_an_out_of_scope_question_is_refused_and_kept_apart_from_gaps(
    slack_client: httpx.AsyncClient, slack_api: StandIn, slack_service: Signpost
) -> None:
    body = event_body(mention("What is the best recipe for a Victoria sponge?"), event_id="EvOut")
    await post(slack_client, body, JSON | signed_headers(body))
    blocks = json.dumps(wait_for(slack_api, "/api/chat.postMessage")[0].body["blocks"])
    assert "outside what Signpost covers" in blocks
    assert "logged as a knowledge gap for trainers" not in blocks
    assert any("sponge" in g.question.lower() for g in slack_service.activity.gaps(in_scope=False))
    assert not any("sponge" in g.question.lower() for g in slack_service.activity.gaps())


async def test_backend_error_gets_an_apology_with_a_reference(
    slack_client: httpx.AsyncClient,
    slack_api: StandIn,
    slack_service: Signpost,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(slack_service.answering.retriever, "retrieve", broken)
    body = event_body(mention(PA_QUESTION), event_id="EvErr")
    await post(slack_client, body, JSON | signed_headers(body))
    text = json.dumps(wait_for(slack_api, "/api/chat.postMessage")[0].body)
    assert "Sorry, something went wrong" in text
    assert "Reference" in text
    assert "index on fire" not in text


async def test_rate_limited_post_is_retried_after_retry_after(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    attempts: list[float] = []

    def limited(body: dict) -> tuple:
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            return 429, {"ok": False, "error": "ratelimited"}, 0.0, {"Retry-After": "1"}
        return 200, {"ok": True, "ts": "1.2", "channel": "C1"}, 0.0

    slack_api.routes["/api/chat.postMessage"] = limited
    body = event_body(mention(PA_QUESTION), event_id="EvRate")
    await post(slack_client, body, JSON | signed_headers(body))
    wait_for(slack_api, "/api/chat.postMessage", count=2)
    assert attempts[1] - attempts[0] >= 0.9


async def test_slash_command_acks_fast_and_answers_through_response_url(
    slack_client: httpx.AsyncClient,
    slack_api: StandIn,
    slack_settings: Settings,
    make_service: ServiceFactory,
) -> None:
    body = urlencode(
        {
            "command": "/signpost",
            "text": PA_QUESTION,
            "response_url": f"{slack_api.url}/respond/1",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "trig",
            "team_id": "T1",
        }
    )
    started = time.monotonic()
    ack = await post(slack_client, body, FORM | signed_headers(body))
    assert ack.status_code == 200
    assert time.monotonic() - started < 3.0
    respond = wait_for(slack_api, "/respond/1")[0].body
    assert respond["response_type"] == "ephemeral"
    blocks = json.dumps(respond["blocks"])
    assert "49%" in blocks
    assert "share_answer" in blocks

    question_id = next(
        e["value"]
        for b in respond["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "share_answer"
    )
    share = form(
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "channel": {"id": "C1"},
            "response_url": f"{slack_api.url}/respond/1",
            "trigger_id": "trig2",
            "actions": [{"action_id": "share_answer", "value": question_id, "type": "button"}],
        }
    )
    # the click lands on another replica (same database): the answer is still there to share
    other = create_app(slack_settings, make_service(), trainer_keys=["t"])
    transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://replica-2") as replica:
        await post(replica, share, FORM | signed_headers(share))
    shared = wait_for(slack_api, "/respond/1", count=2)[1].body
    assert shared["response_type"] == "in_channel"
    assert "49%" in json.dumps(shared["blocks"])


async def test_feedback_buttons_store_feedback_and_ask_for_a_comment(
    slack_client: httpx.AsyncClient, slack_api: StandIn, slack_service: Signpost
) -> None:
    body = event_body(mention(PA_QUESTION), event_id="EvFb")
    await post(slack_client, body, JSON | signed_headers(body))
    answer = wait_for(slack_api, "/api/chat.postMessage")[0].body
    question_id = next(
        e["value"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
    )

    def click(action: str) -> str:
        return form(
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "team": {"id": "T1"},
                "channel": {"id": "C1"},
                "response_url": f"{slack_api.url}/respond/1",
                "trigger_id": "trig",
                "actions": [{"action_id": action, "value": question_id, "type": "button"}],
            }
        )

    helpful = click("feedback_helpful")
    assert (await post(slack_client, helpful, FORM | signed_headers(helpful))).status_code == 200
    wait_for(slack_api, "/respond/1")
    not_helpful = click("feedback_not_helpful")
    await post(slack_client, not_helpful, FORM | signed_headers(not_helpful))
    modal = wait_for(slack_api, "/api/views.open")[0].body
    view = json.loads(modal["view"]) if isinstance(modal["view"], str) else modal["view"]
    submission = form(
        {
            "type": "view_submission",
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {
                    "values": {
                        "comment_block": {
                            "comment_input": {
                                "type": "plain_text_input",
                                "value": "Missed the 2013 figure. Call Mrs Hollis on 07700 900123",
                            }
                        }
                    }
                },
            },
        }
    )
    await post(slack_client, submission, FORM | signed_headers(submission))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stored = slack_service.activity.feedback()
        if len(stored) == 2 and any(f.comment for f in stored):
            break
        time.sleep(0.05)
    stored = slack_service.activity.feedback()
    assert sorted(f.helpful for f in stored) == [False, True]
    comment = next(f.comment for f in stored if f.comment)
    assert comment == "Missed the 2013 figure. Call Mrs [name] on [phone]"


async def test_mentions_of_the_bot_in_threads_are_answered_once(
    slack_client: httpx.AsyncClient, slack_api: StandIn
) -> None:
    """Slack sends both app_mention and message for a mention in a thread we answered."""
    first = event_body(mention(PA_QUESTION, ts="1700000500.000100"), event_id="EvM1")
    await post(slack_client, first, JSON | signed_headers(first))
    wait_for(slack_api, "/api/chat.postMessage")
    again = mention("and in 2013?", ts="1700000600.000100", thread_ts="1700000500.000100")
    as_message = dict(again, type="message", channel_type="channel")
    for event_id, event in (("EvM2", again), ("EvM3", as_message)):
        body = event_body(event, event_id=event_id)
        await post(slack_client, body, JSON | signed_headers(body))
    wait_for(slack_api, "/api/chat.postMessage", count=2)
    time.sleep(1.0)
    assert slack_api.paths().count("/api/chat.postMessage") == 2
    assert BOT_USER
