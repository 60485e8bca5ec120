"""The FastAPI application factory. Nothing is built at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from assistant import __version__
from assistant.config import Settings
from assistant.errors import ErrorCode, SignpostError
from assistant.http import errors
from assistant.http.api import answers, ask, documents, health, insights
from assistant.http.docs import register_docs
from assistant.http.errors import ERROR_RESPONSES
from assistant.http.middleware import BodyLimit, RequestContext, SecurityHeaders, TrainerGate
from assistant.http.web import pages
from assistant.observability.metrics import Metrics
from assistant.security.keys import split_keys
from assistant.security.ratelimit import FailedAttempts, RateLimiter
from assistant.services import Signpost

logger = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1 * 1024 * 1024
PURGE_EVERY_S = 6 * 60 * 60
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: Settings, service: Signpost, *, trainer_keys: list[str]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """Retention: purge old questions and feedback at start and every few hours."""

        async def purge_forever() -> None:
            while True:
                try:
                    await run_in_threadpool(service.purge, settings.retention_days)
                except Exception:  # a failed purge must never stop the server
                    logger.exception("retention purge failed")
                await asyncio.sleep(PURGE_EVERY_S)

        task = asyncio.create_task(purge_forever())
        try:
            yield
        finally:
            task.cancel()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served from the package by register_docs: no CDN
        redoc_url=None,
        responses=ERROR_RESPONSES,
        title="Signpost",
        version=__version__,
        description="Cited answers on personalisation, direct payments and personal assistants "
        "for adult social care practitioners in England.",
    )
    metrics = Metrics()
    service.answering.observers.append(metrics.observe_answer)
    app.state.settings = settings
    app.state.service = service
    app.state.metrics = metrics
    app.state.api_keys = split_keys(settings.api_keys)
    app.state.trainer_keys = list(trainer_keys)
    app.state.max_upload_bytes = settings.max_upload_mb * 1024 * 1024
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.failed_attempts = FailedAttempts()

    errors.register(app)
    for router in (ask.router, documents.router, answers.router, insights.router, health.router):
        app.include_router(router)

    register_docs(app)  # before the page's /static, so /static/swagger-ui is matched first
    pages.register(app)

    if settings.slack_bot_token and settings.slack_signing_secret:
        mount_slack(app, service, settings)

    upload_limit = app.state.max_upload_bytes + MULTIPART_OVERHEAD

    def limit_for(path: str) -> int:
        uploads = ("/documents", "/trainer/upload")
        return upload_limit if path.rstrip("/") in uploads else JSON_BODY_LIMIT

    app.add_middleware(TrainerGate)  # inside BodyLimit: credentials before the body
    app.add_middleware(BodyLimit, limit_for=limit_for)
    app.add_middleware(RequestContext, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    return app


def mount_slack(app: FastAPI, service: Signpost, settings: Settings) -> None:
    """Slack over HTTP: events, slash commands and interactivity all POST to /slack/events.
    Bolt checks the signature and the 5-minute timestamp window (401 otherwise)."""
    from slack_bolt.adapter.fastapi import SlackRequestHandler

    from assistant.slack.app import create_slack_app

    handler = SlackRequestHandler(create_slack_app(service, settings))

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        # Bolt turns a non-numeric timestamp into a 500 and a traceback: refuse it as the
        # unsigned request it is
        if not request.headers.get("x-slack-request-timestamp", "").isdigit():
            raise SignpostError(
                ErrorCode.INVALID_SIGNATURE,
                "the Slack request timestamp is missing or invalid",
            )
        return await handler.handle(request)
