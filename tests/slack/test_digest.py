"""The weekly training-needs digest reaches the trainers' channel as one chat.postMessage,
once a week whichever process gets there first; and `signpost report --slack` posts it."""

from __future__ import annotations

import datetime as dt
import json

from assistant.config import Settings
from assistant.schemas import AskRequest
from assistant.services import Signpost
from assistant.slack.digest import post_weekly_if_due
from tests.standins import StandIn


def test_the_digest_is_posted_once_a_week_to_the_channel(
    slack_settings: Settings, slack_service: Signpost, slack_api: StandIn
) -> None:
    settings = slack_settings.model_copy(
        update={"slack_digest_channel": "C-TRAINERS", "public_url": "https://signpost.example"}
    )
    for _ in range(4):
        slack_service.answering.ask(AskRequest(question="Can a PA drive my client's car?"))
    monday_early = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
    assert not post_weekly_if_due(settings, slack_service, monday_early)
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert post_weekly_if_due(settings, slack_service, monday)
    assert not post_weekly_if_due(settings, slack_service, monday + dt.timedelta(hours=3))
    posts = [c for c in slack_api.calls if c.path.startswith("/api/chat.postMessage")]
    assert len(posts) == 1
    body = posts[0].body
    assert body["channel"] == "C-TRAINERS"
    shown = json.dumps(body["blocks"])
    assert "4 questions" in shown
    assert "Largest knowledge gaps" in shown
    assert "https://signpost.example/trainer/insights" in shown
    next_week = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    assert post_weekly_if_due(settings, slack_service, next_week)
