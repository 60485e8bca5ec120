"""Messages: @mentions in channels (answered in the thread), direct messages, and follow-ups in
a thread the bot answered (no new mention needed)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.schemas import TEXT_MAX_CHARS, AskRequest
from assistant.slack import blocks
from assistant.slack.context import SlackContext, question_text

logger = logging.getLogger(__name__)
WORKING_REACTION = "hourglass_flowing_sand"


def answer_in_thread(
    ctx: SlackContext,
    client: WebClient,
    channel: str,
    text: str,
    *,
    thread_ts: str | None,
    react_ts: str,
    user: str | None = None,
) -> None:
    """Show we're working, answer (or apologise with a reference), stop showing it."""
    refusal = ctx.too_fast(user)
    if refusal:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=refusal)
        return
    _react(client, "reactions_add", channel, react_ts)
    try:
        question = question_text(text)
        if not question:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text="Ask me a question",
                blocks=blocks.empty_question_blocks(),
            )
            return
        response = ctx.answering.ask(
            AskRequest(
                question=question[:TEXT_MAX_CHARS],
                conversation_id=thread_conversation(channel, thread_ts),
            ),
            surface="slack",
            start_conversation=True,
        )
        if thread_ts:  # before the answer shows: a quick follow-up must find the thread ours
            ctx.activity.remember_thread(channel, thread_ts)
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.fallback_text(response),
            blocks=blocks.answer_blocks(response),
            unfurl_links=False,
        )
    except Exception:  # never silent: the user gets an apology and a reference
        reference = uuid.uuid4().hex[:10]
        logger.exception("slack answer failed", extra={"reference": reference})
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=f"Sorry, something went wrong (reference {reference}).",
                blocks=blocks.error_blocks(reference),
            )
        except SlackApiError:
            logger.exception("could not post the apology", extra={"reference": reference})
    finally:
        _react(client, "reactions_remove", channel, react_ts)


def thread_conversation(channel: str, thread_ts: str | None) -> str:
    """A thread is a conversation (a direct message channel's top level is one too): its id
    is derived from the thread, so follow-ups there survive restarts and reach any replica."""
    key = f"{channel}:{thread_ts or 'top'}"
    return f"slack-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def on_mention(ctx: SlackContext, event: dict[str, Any], client: WebClient) -> None:
    """An @mention: answered in its thread (a new one under the message if it has none)."""
    answer_in_thread(
        ctx,
        client,
        event["channel"],
        event.get("text", ""),
        thread_ts=event.get("thread_ts") or event["ts"],
        react_ts=event["ts"],
    )


def on_message(
    ctx: SlackContext, event: dict[str, Any], client: WebClient, bot_user_id: str | None
) -> None:
    """A direct message, or a message in a thread the bot answered; anything else is not
    for us (edits, joins, bots, and @mentions, which on_mention answers)."""
    if event.get("subtype") or event.get("bot_id"):
        return
    text = event.get("text", "")
    if bot_user_id and f"<@{bot_user_id}>" in text:
        return
    channel, thread_ts = event["channel"], event.get("thread_ts")
    if event.get("channel_type") == "im" or (
        thread_ts and ctx.activity.is_bot_thread(channel, thread_ts)
    ):
        answer_in_thread(
            ctx,
            client,
            channel,
            text,
            thread_ts=thread_ts,
            react_ts=event["ts"],
            user=event.get("user"),
        )


def register(app: App, ctx: SlackContext) -> None:
    @app.event("app_mention")
    def mention(event: dict[str, Any], client: WebClient) -> None:
        on_mention(ctx, event, client)

    @app.event("message")
    def message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        on_message(ctx, event, client, context.bot_user_id)


def _react(client: WebClient, method: str, channel: str, ts: str) -> None:
    """The 'working on it' sign; a missing scope or a race must not stop the answer."""
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=WORKING_REACTION)
    except SlackApiError as exc:
        logger.info("reaction %s failed: %s", method, exc.response.get("error"))
