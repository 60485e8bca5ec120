"""Each Slack listener is a named function of a SlackContext and plain Slack payloads, so it
can be called directly, here with a recording stand-in for the Web API client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.security.ratelimit import RateLimiter
from assistant.services import Signpost
from assistant.slack import actions, commands, messages
from assistant.slack.context import SlackContext, question_text
from tests.slack.test_slack_http import PA_QUESTION


class RecordingClient:
    """Keeps every Web API call a listener makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((method, kwargs))
            return {"ok": True}

        return call

    def posted(self) -> list[dict[str, Any]]:
        return [kwargs for method, kwargs in self.calls if method == "chat_postMessage"]


class Responses(list[dict[str, Any]]):
    def __call__(self, **kwargs: Any) -> None:
        self.append(kwargs)


@pytest.fixture
def ctx(slack_service: Signpost) -> SlackContext:
    return SlackContext(slack_service.answering, slack_service.activity, RateLimiter(0))


def test_question_text_drops_mentions() -> None:
    assert question_text("<@U123> can she pay her son?") == "can she pay her son?"
    assert question_text("<@U123|signpost>   ") == ""


def test_a_direct_message_is_answered(ctx: SlackContext) -> None:
    client = RecordingClient()
    event = {"channel": "D1", "channel_type": "im", "ts": "1.0", "text": PA_QUESTION}
    messages.on_message(ctx, event, client, bot_user_id="UBOT")  # type: ignore[arg-type]
    (posted,) = client.posted()
    assert posted["channel"] == "D1"
    assert "49%" in json.dumps(posted["blocks"])
    reactions = [method for method, _ in client.calls if method.startswith("reactions_")]
    assert reactions == ["reactions_add", "reactions_remove"]


@pytest.mark.parametrize(
    "event",
    [
        {"channel": "C1", "ts": "1.0", "text": PA_QUESTION},  # a channel message, no thread
        {"channel": "C1", "ts": "2.0", "thread_ts": "1.0", "text": PA_QUESTION},  # not our thread
        {"channel": "D1", "channel_type": "im", "ts": "1.0", "text": "hi", "bot_id": "B1"},
        {"channel": "D1", "channel_type": "im", "ts": "1.0", "subtype": "message_changed"},
        {"channel": "C1", "ts": "1.0", "channel_type": "im", "text": "<@UBOT> hello"},
    ],
)
def test_messages_that_are_not_for_us_are_left_alone(
    ctx: SlackContext, event: dict[str, Any]
) -> None:
    client = RecordingClient()
    messages.on_message(ctx, event, client, bot_user_id="UBOT")  # type: ignore[arg-type]
    assert client.calls == []


def test_a_follow_up_in_our_thread_is_answered(ctx: SlackContext) -> None:
    ctx.activity.remember_thread("C1", "1.0")
    client = RecordingClient()
    event = {"channel": "C1", "ts": "2.0", "thread_ts": "1.0", "text": PA_QUESTION}
    messages.on_message(ctx, event, client, bot_user_id="UBOT")  # type: ignore[arg-type]
    assert client.posted()[0]["thread_ts"] == "1.0"


def test_the_slash_command_keeps_its_answer_for_sharing(ctx: SlackContext) -> None:
    respond = Responses()
    commands.answer_command(ctx, respond, {"text": PA_QUESTION, "user_id": "U1"})  # type: ignore[arg-type]
    assert respond[0]["response_type"] == "ephemeral"
    question_id = next(
        e["value"]
        for b in respond[0]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "share_answer"
    )
    shared = Responses()
    actions.on_share(ctx, {"actions": [{"value": question_id}]}, shared)  # type: ignore[arg-type]
    assert shared[0]["response_type"] == "in_channel"
    expired = Responses()
    actions.on_share(ctx, {"actions": [{"value": "no-such-answer"}]}, expired)  # type: ignore[arg-type]
    assert "expired" in expired[0]["text"]
