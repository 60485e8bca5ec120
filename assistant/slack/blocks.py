"""Block Kit for Signpost's Slack replies, built by pure functions from the service's objects."""

from __future__ import annotations

import re
from typing import Any

from assistant.answering.compose import OUT_OF_SCOPE_MESSAGE
from assistant.schemas import MARKER, AskResponse, Citation

Block = dict[str, Any]

HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
SHARE = "share_answer"
COMMENT_VIEW = "feedback_comment"
COMMENT_BLOCK = "comment_block"
COMMENT_INPUT = "comment_input"
PRIVACY_REMINDER = "Please don't include names or other personal details in questions."
_SECTION_LIMIT = 2900


def escape(text: str) -> str:
    """Slack mrkdwn escaping: &, < and > only."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link_target(url: str) -> str:
    """A URL made safe inside Slack's `<url|text>`: escaped, and `|` (which would end the URL
    and start the text) percent-encoded, so a crafted URL cannot post `<!channel>` or a
    second link."""
    return escape(url).replace("|", "%7C")


def linked_answer(answer: str, citations: list[Citation]) -> str:
    """The answer with each [n] turned into a link to its source, where it has one."""
    urls = {c.n: link_target(c.source_url) for c in citations if c.source_url}

    def link(match: re.Match[str]) -> str:
        url = urls.get(int(match.group(1)))
        return f"<{url}|[{match.group(1)}]>" if url else match.group(0)

    return MARKER.sub(link, escape(answer))


def source_line(c: Citation) -> str:
    title = escape(c.title)
    title = f"<{link_target(c.source_url)}|{title}>" if c.source_url else f"*{title}*"
    where = f" — {escape(c.section)}" if c.section else ""
    date = f" · {c.published}" if c.published else ""
    return f"[{c.n}] {title}{where}\n_{c.kind}{date}_"


def answer_blocks(response: AskResponse, *, shareable: bool = False) -> list[Block]:
    blocks: list[Block] = []
    if response.verified is not None:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f":white_check_mark: *{response.verified.badge}*"}
                ],
            }
        )
    if response.interpreted_as:  # a follow-up read with the thread: say how, so it can be fixed
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Answering: _{escape(response.interpreted_as)}_",
                    }
                ],
            }
        )
    blocks += [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": linked_answer(response.answer, response.citations)[:_SECTION_LIMIT],
            },
        }
    ]
    if not response.answered and response.answer != OUT_OF_SCOPE_MESSAGE:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "The knowledge base has nothing reliable on this yet; the question "
                        "has been logged as a knowledge gap for trainers.",
                    }
                ],
            }
        )
    for notice in response.notices:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f":warning: {escape(notice)}"}],
            }
        )
    if response.citations:
        blocks.append({"type": "divider"})
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": ("*Sources*\n" + "\n".join(source_line(c) for c in response.citations))[
                        :_SECTION_LIMIT
                    ],
                },
            }
        )
    buttons: list[Block] = [
        {
            "type": "button",
            "action_id": HELPFUL,
            "text": {"type": "plain_text", "text": "Helpful"},
            "value": response.question_id,
            "style": "primary",
        },
        {
            "type": "button",
            "action_id": NOT_HELPFUL,
            "text": {"type": "plain_text", "text": "Not helpful"},
            "value": response.question_id,
        },
    ]
    if shareable:
        buttons.append(
            {
                "type": "button",
                "action_id": SHARE,
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": response.question_id,
            }
        )
    blocks.append({"type": "actions", "block_id": "feedback", "elements": buttons})
    return blocks


def fallback_text(response: AskResponse) -> str:
    """Plain text for notifications and clients without blocks."""
    if response.verified is not None:
        return f"{response.verified.badge}\n{response.answer}"[:3000]
    if response.interpreted_as:
        return f"Answering: {response.interpreted_as}\n{response.answer}"[:3000]
    return response.answer[:3000]


def error_blocks(reference: str) -> list[Block]:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Sorry, something went wrong on our side and I couldn't answer that. "
                f"Please try again in a minute. (Reference: `{reference}`)",
            },
        }
    ]


def empty_question_blocks() -> list[Block]:
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Ask me a question about personalisation, direct payments, personal "
                "assistants or risk, for example: _can my client pay her daughter as her PA?_ "
                + PRIVACY_REMINDER,
            },
        }
    ]


def comment_modal(feedback_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": COMMENT_VIEW,
        "private_metadata": str(feedback_id),
        "title": {"type": "plain_text", "text": "Not helpful"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "What was missing or wrong? (optional)"},
                "hint": {"type": "plain_text", "text": PRIVACY_REMINDER},
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_INPUT,
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }
