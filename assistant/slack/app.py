"""The Bolt app: listeners (messages.py, commands.py, actions.py, each a named function of a
SlackContext and plain Slack payloads) translate Slack to service calls and answers to Block Kit.

Built by `create_slack_app(service, settings)`; served over HTTP at /slack/events by the API
app, or over Socket Mode by `signpost slack`. Slow work (answering) never delays the ack: event
listeners run after Bolt has acknowledged, the slash command uses a lazy listener.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.config import Settings
from assistant.security.ratelimit import RateLimiter
from assistant.services import Signpost
from assistant.slack import actions, commands, messages
from assistant.slack.context import SlackContext

logger = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"


def create_slack_app(service: Signpost, settings: Settings) -> App:
    """The Bolt app with every listener registered; nothing calls Slack at start-up."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or SLACK_API)
    # Slack's 429s are honoured: wait for Retry-After, then try again
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=False,
        process_before_response=False,
    )
    ctx = SlackContext(
        service.answering, service.activity, RateLimiter(settings.rate_limit_per_minute)
    )

    @app.middleware
    def drop_retries(body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        """Slack re-delivers an event it thinks we missed: answer each event id once."""
        event_id = body.get("event_id")
        if event_id and not ctx.activity.claim_event(str(event_id)):
            logger.info("duplicate slack event ignored", extra={"event_id": event_id})
            return BoltResponse(status=200, body="")
        return next()

    messages.register(app, ctx)
    commands.register(app, ctx)
    actions.register(app, ctx)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("slack handler error: %s", error.__class__.__name__, exc_info=error)

    return app
