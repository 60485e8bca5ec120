"""The weekly training-needs digest for the trainers' channel: counts and the three largest
gap clusters (no question text for groups under three), with a link to the insights page."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from slack_sdk import WebClient

from assistant.config import Settings
from assistant.insights.service import Report
from assistant.services import Signpost
from assistant.slack.app import SLACK_API
from assistant.slack.blocks import escape

Block = dict[str, Any]
logger = logging.getLogger(__name__)


def digest_blocks(report: Report, page_url: str | None) -> list[Block]:
    helpful = "no votes" if report.helpful_rate is None else f"{report.helpful_rate:.0%} helpful"
    summary = (
        f"*Signpost, {report.since} to {report.until}*\n{report.questions} questions, "
        f"{report.answer_rate:.0%} answered, {helpful}."
    )
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": summary}}]
    lines = []
    for n, cluster in enumerate(report.gap_clusters[:3], 1):
        about = escape(cluster.examples[0]) if cluster.examples else "(fewer than 3 questions)"
        near = f" — nearest: {escape(cluster.nearest_title)}" if cluster.nearest_title else ""
        lines.append(f"{n}. {cluster.size} unanswered like “{about}”{near}")
    blocks.append(
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Largest knowledge gaps*\n" + ("\n".join(lines) or "None this period."),
            },
        }
    )
    if page_url:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{page_url}|Open the insights page>"}],
            }
        )
    return blocks


def post_digest(settings: Settings, report: Report) -> str:
    """Post the digest to SIGNPOST_SLACK_DIGEST_CHANNEL; returns the message ts."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or SLACK_API)
    page = f"{settings.public_url.rstrip('/')}/trainer/insights" if settings.public_url else None
    reply = client.chat_postMessage(
        channel=settings.slack_digest_channel or "",
        text=f"Signpost: {report.questions} questions, {len(report.gap_clusters)} gap groups",
        blocks=digest_blocks(report, page),
        unfurl_links=False,
    )
    return str(reply.get("ts", ""))


DIGEST_HOUR_UTC = 8  # Monday morning
CHECK_EVERY_S = 900.0


def post_weekly_if_due(settings: Settings, service: Signpost, now: dt.datetime) -> bool:
    """Post this week's digest if it is due (Monday 08:00 UTC or later in the week) and no
    process or replica has posted it yet (claimed once in the shared database)."""
    monday = now.date() - dt.timedelta(days=now.weekday())
    if now.weekday() == 0 and now.hour < DIGEST_HOUR_UTC:
        return False
    year, week, _ = monday.isocalendar()
    if not service.activity.claim_event(f"digest-{year}-W{week:02d}"):
        return False
    post_digest(settings, service.insights.report("4w"))
    return True


def start_weekly_digest(settings: Settings, service: Signpost) -> threading.Thread | None:
    """With SIGNPOST_SLACK_DIGEST_CHANNEL and a bot token set, a background thread that posts
    the digest each week (checked every 15 minutes)."""
    if not (settings.slack_digest_channel and settings.slack_bot_token):
        return None

    def loop() -> None:
        while True:
            try:
                post_weekly_if_due(settings, service, dt.datetime.now(dt.UTC))
            except Exception:  # noqa: BLE001 - a failed digest must not stop the service
                logger.exception("weekly digest failed; trying again later")
            time.sleep(CHECK_EVERY_S)

    thread = threading.Thread(target=loop, name="weekly-digest", daemon=True)
    thread.start()
    return thread
