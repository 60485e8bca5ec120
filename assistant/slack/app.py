"""The Bolt app: listeners translate Slack events to service calls and answers to Block Kit.

Built by `create_slack_app(service, settings)`; served over HTTP at /slack/events by the API
app, or over Socket Mode by `signpost slack`. Slow work (answering) never delays the ack: event
listeners run after Bolt has acknowledged, the slash command uses a lazy listener.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.config import Settings
from assistant.errors import NotFoundError
from assistant.ratelimit import RateLimiter, retry_after
from assistant.schemas import TEXT_MAX_CHARS, AskRequest, AskResponse, FeedbackRequest
from assistant.service import AssistantService
from assistant.slack import blocks

logger = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
WORKING_REACTION = "hourglass_flowing_sand"
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def question_text(text: str) -> str:
    return _MENTION.sub(" ", text or "").strip()


def create_slack_app(service: AssistantService, settings: Settings) -> App:
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or SLACK_API)
    # Slack's 429s are honoured: wait for Retry-After, then try again
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=False,
        process_before_response=False,
    )
    limiter = RateLimiter(settings.rate_limit_per_minute)

    def too_fast(user: str | None) -> str | None:
        """The polite refusal when one person asks faster than the limit, else None."""
        wait = limiter.check(f"slack:{user or 'unknown'}")
        if wait <= 0:
            return None
        return (
            "You're asking questions faster than I can take them: please try again in "
            f"{retry_after(wait)} seconds."
        )

    @app.middleware
    def drop_retries(body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        """Slack re-delivers an event it thinks we missed: answer each event id once."""
        event_id = body.get("event_id")
        if event_id and not service.claim_event(str(event_id)):
            logger.info("duplicate slack event ignored", extra={"event_id": event_id})
            return BoltResponse(status=200, body="")
        return next()

    def answer_in_thread(
        client: WebClient,
        channel: str,
        text: str,
        *,
        thread_ts: str | None,
        react_ts: str,
        user: str | None = None,
    ) -> None:
        """Show we're working, answer (or apologise with a reference), stop showing it."""
        refusal = too_fast(user)
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
            response = service.ask(AskRequest(question=question[:TEXT_MAX_CHARS]), surface="slack")
            if thread_ts:  # before the answer shows: a quick follow-up must find the thread ours
                service.remember_thread(channel, thread_ts)
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

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        thread_ts = event.get("thread_ts") or event["ts"]
        answer_in_thread(
            client,
            event["channel"],
            event.get("text", ""),
            thread_ts=thread_ts,
            react_ts=event["ts"],
        )

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("subtype") or event.get("bot_id"):
            return  # edits, joins, bots (including ourselves)
        text = event.get("text", "")
        if context.bot_user_id and f"<@{context.bot_user_id}>" in text:
            return  # an @mention: on_mention answers it
        channel, thread_ts = event["channel"], event.get("thread_ts")
        if (
            event.get("channel_type") == "im"
            or thread_ts
            and service.is_bot_thread(channel, thread_ts)
        ):
            answer_in_thread(
                client,
                channel,
                text,
                thread_ts=thread_ts,
                react_ts=event["ts"],
                user=event.get("user"),
            )

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        if question_text(command.get("text", "")):
            ack(response_type="ephemeral", text="Looking that up…")
        else:
            ack(response_type="ephemeral", blocks=blocks.empty_question_blocks(), text="Ask me")

    def answer_command(respond: Respond, command: dict[str, Any]) -> None:
        question = question_text(command.get("text", ""))
        if not question:
            return
        refusal = too_fast(command.get("user_id"))
        if refusal:
            respond(response_type="ephemeral", text=refusal)
            return
        try:
            response = service.ask(AskRequest(question=question[:TEXT_MAX_CHARS]), surface="slack")
        except Exception:
            reference = uuid.uuid4().hex[:10]
            logger.exception("slash command failed", extra={"reference": reference})
            respond(response_type="ephemeral", blocks=blocks.error_blocks(reference), text="Sorry")
            return
        # kept in the database: the Share click may reach another replica
        service.activity.remember_answer(response.question_id, response.model_dump_json())
        respond(
            response_type="ephemeral",
            replace_original=True,
            text=blocks.fallback_text(response),
            blocks=blocks.answer_blocks(response, shareable=True),
        )

    app.command("/signpost")(ack=ack_command, lazy=[answer_command])

    @app.action(blocks.HELPFUL)
    def on_helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        if _store_feedback(service, body, helpful=True, respond=respond) is not None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="Thanks! Trainers see this feedback.",
            )

    @app.action(blocks.NOT_HELPFUL)
    def on_not_helpful(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        feedback_id = _store_feedback(service, body, helpful=False, respond=respond)
        if feedback_id is not None and body.get("trigger_id"):
            client.views_open(trigger_id=body["trigger_id"], view=blocks.comment_modal(feedback_id))

    @app.view(blocks.COMMENT_VIEW)
    def on_comment(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        state = view.get("state", {}).get("values", {})
        comment = state.get(blocks.COMMENT_BLOCK, {}).get(blocks.COMMENT_INPUT, {}).get("value")
        if comment and comment.strip():
            service.add_feedback_comment(int(view["private_metadata"]), comment.strip())

    @app.action(blocks.SHARE)
    def on_share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        stored = service.activity.recall_answer(body["actions"][0]["value"])
        response = AskResponse.model_validate_json(stored) if stored else None
        if response is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="That answer has expired; please ask again.",
            )
            return
        respond(
            response_type="in_channel",
            delete_original=True,
            text=blocks.fallback_text(response),
            blocks=blocks.answer_blocks(response),
        )

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("slack handler error: %s", error.__class__.__name__, exc_info=error)

    return app


def _store_feedback(
    service: AssistantService, body: dict[str, Any], *, helpful: bool, respond: Respond
) -> int | None:
    question_id = body["actions"][0]["value"]
    try:
        return service.feedback(
            FeedbackRequest(question_id=question_id, helpful=helpful)
        ).feedback_id
    except NotFoundError:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="That answer is too old to rate now.",
        )
        return None


def _react(client: WebClient, method: str, channel: str, ts: str) -> None:
    """The 'working on it' sign; a missing scope or a race must not stop the answer."""
    try:
        getattr(client, method)(channel=channel, timestamp=ts, name=WORKING_REACTION)
    except SlackApiError as exc:
        logger.info("reaction %s failed: %s", method, exc.response.get("error"))
