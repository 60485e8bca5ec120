"""What every Slack listener needs: the answering service, the activity log (event ids,
threads, shared answers) and the per-user rate limit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.activity.log import ActivityLog
from assistant.answering.service import AnsweringService
from assistant.security.ratelimit import RateLimiter, retry_after

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def question_text(text: str) -> str:
    """A message's question: the @mentions removed."""
    return _MENTION.sub(" ", text or "").strip()


@dataclass
class SlackContext:
    answering: AnsweringService
    activity: ActivityLog
    limiter: RateLimiter

    def too_fast(self, user: str | None) -> str | None:
        """The polite refusal when one person asks faster than the limit, else None."""
        wait = self.limiter.check(f"slack:{user or 'unknown'}")
        if wait <= 0:
            return None
        return (
            "You're asking questions faster than I can take them: please try again in "
            f"{retry_after(wait)} seconds."
        )
