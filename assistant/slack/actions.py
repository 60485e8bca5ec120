"""Buttons and the comment form: Helpful / Not helpful (with an optional comment) and "Share in
channel"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from assistant.errors import NotFoundError
from assistant.schemas import AskResponse, FeedbackRequest
from assistant.slack import blocks
from assistant.slack.context import SlackContext


def on_helpful(ctx: SlackContext, body: dict[str, Any], respond: Respond) -> None:
    if store_feedback(ctx, body, helpful=True, respond=respond) is not None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="Thanks! Trainers see this feedback.",
        )


def on_not_helpful(
    ctx: SlackContext, body: dict[str, Any], client: WebClient, respond: Respond
) -> None:
    feedback_id = store_feedback(ctx, body, helpful=False, respond=respond)
    if feedback_id is not None and body.get("trigger_id"):
        client.views_open(trigger_id=body["trigger_id"], view=blocks.comment_modal(feedback_id))


def on_comment(ctx: SlackContext, view: dict[str, Any]) -> None:
    state = view.get("state", {}).get("values", {})
    comment = state.get(blocks.COMMENT_BLOCK, {}).get(blocks.COMMENT_INPUT, {}).get("value")
    if comment and comment.strip():
        ctx.answering.add_feedback_comment(int(view["private_metadata"]), comment.strip())


def on_share(ctx: SlackContext, body: dict[str, Any], respond: Respond) -> None:
    stored = ctx.activity.recall_answer(body["actions"][0]["value"])
    if stored is None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="That answer has expired; please ask again.",
        )
        return
    response = AskResponse.model_validate_json(stored)
    respond(
        response_type="in_channel",
        delete_original=True,
        text=blocks.fallback_text(response),
        blocks=blocks.answer_blocks(response),
    )


def store_feedback(
    ctx: SlackContext, body: dict[str, Any], *, helpful: bool, respond: Respond
) -> int | None:
    question_id = body["actions"][0]["value"]
    try:
        return ctx.answering.feedback(
            FeedbackRequest(question_id=question_id, helpful=helpful)
        ).feedback_id
    except NotFoundError:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="That answer is too old to rate now.",
        )
        return None


def register(app: App, ctx: SlackContext) -> None:
    @app.action(blocks.HELPFUL)
    def helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        on_helpful(ctx, body, respond)

    @app.action(blocks.NOT_HELPFUL)
    def not_helpful(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        on_not_helpful(ctx, body, client, respond)

    @app.view(blocks.COMMENT_VIEW)
    def comment(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        on_comment(ctx, view)

    @app.action(blocks.SHARE)
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        on_share(ctx, body, respond)
