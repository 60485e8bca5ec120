"""The /signpost slash command: acknowledged at once, answered by a lazy listener through the
response URL, shown only to the asker with a "Share in channel" button."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import Ack, App, Respond

from assistant.schemas import TEXT_MAX_CHARS, AskRequest
from assistant.slack import blocks
from assistant.slack.context import SlackContext, question_text

logger = logging.getLogger(__name__)


def ack_command(ack: Ack, command: dict[str, Any]) -> None:
    if question_text(command.get("text", "")):
        ack(response_type="ephemeral", text="Looking that up…")
    else:
        ack(response_type="ephemeral", blocks=blocks.empty_question_blocks(), text="Ask me")


def answer_command(ctx: SlackContext, respond: Respond, command: dict[str, Any]) -> None:
    question = question_text(command.get("text", ""))
    if not question:
        return
    refusal = ctx.too_fast(command.get("user_id"))
    if refusal:
        respond(response_type="ephemeral", text=refusal)
        return
    try:
        response = ctx.answering.ask(
            AskRequest(question=question[:TEXT_MAX_CHARS]), surface="slack"
        )
    except Exception:
        reference = uuid.uuid4().hex[:10]
        logger.exception("slash command failed", extra={"reference": reference})
        respond(response_type="ephemeral", blocks=blocks.error_blocks(reference), text="Sorry")
        return
    # kept in the database: the Share click may reach another replica
    ctx.activity.remember_answer(response.question_id, response.model_dump_json())
    respond(
        response_type="ephemeral",
        replace_original=True,
        text=blocks.fallback_text(response),
        blocks=blocks.answer_blocks(response, shareable=True),
    )


def register(app: App, ctx: SlackContext) -> None:
    def answer(respond: Respond, command: dict[str, Any]) -> None:
        answer_command(ctx, respond, command)

    app.command("/signpost")(ack=ack_command, lazy=[answer])
