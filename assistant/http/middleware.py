"""Pure ASGI middleware: request ids, access logs and metrics; request body size limits."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import ErrorCode
from assistant.observability.logs import request_id
from assistant.observability.metrics import Metrics

logger = logging.getLogger("signpost.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContext:
    """Gives every request an id (or keeps a sane incoming X-Request-ID), logs one line per
    request (method, route template, status, ms; never bodies or query strings) and records
    metrics by route template, so no personal data can reach a label."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "method": method,
                    "route": template,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )
            request_id.reset(token)


BODY_IDLE_TIMEOUT_S = 20.0  # the longest wait for the next piece of a request body


class BodyLimit:
    """Refuses bodies over the limit for their path with 413, from Content-Length at once or
    while streaming when there is none; and a body that stalls (a slow upload holding a
    connection and a temp file) with 408."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int],
        idle_timeout_s: float = BODY_IDLE_TIMEOUT_S,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.idle_timeout_s = idle_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _reject(send, limit)
                return
        received = 0
        exceeded = False
        responded = False
        body_done = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded, body_done
            if body_done:  # after the body only a disconnect can come: no time limit
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.idle_timeout_s)
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app made of the interrupted body (a parse error, say), the client
            # is told the truth: 413.
            nonlocal responded
            if exceeded:
                if message["type"] == "http.response.start" and not responded:
                    responded = True
                    await _reject(send, limit)
                return
            if message["type"] == "http.response.start":
                responded = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not responded:
                await _reject(send, limit)
        except _TooSlow:
            if not responded:
                await _error(send, ErrorCode.REQUEST_TIMEOUT, "the request body stopped arriving")


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


async def _error(send: Send, code: ErrorCode, message: str) -> None:
    body = json.dumps({"error": {"code": code.value, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _reject(send: Send, limit: int) -> None:
    message = f"the request body is larger than {limit // (1024 * 1024) or 1} MB"
    await _error(send, ErrorCode.PAYLOAD_TOO_LARGE, message)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Headers every response carries: a Content-Security-Policy with no inline or foreign
    script, no MIME sniffing, no framing, no referrer to other sites; HSTS over https."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                ]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TrainerGate:
    """Checks trainer credentials before a trainer write's body is read: an anonymous upload
    gets its 401 (API) or its redirect to sign in (page) without a byte of it being spooled.
    The routes check again; this only moves the refusal ahead of the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool
        from starlette.requests import Request
        from starlette.responses import RedirectResponse

        from assistant.errors import SignpostError
        from assistant.http.deps import require_trainer, signed_in
        from assistant.http.errors import error_response

        path = str(scope.get("path", ""))
        request = Request(scope)
        if path == "/documents" or path.startswith("/documents/"):
            try:
                require_trainer(request)
            except SignpostError as exc:
                headers = dict(exc.headers or {})
                if exc.status == 401:
                    headers["WWW-Authenticate"] = "Bearer"
                response = error_response(exc.status, exc.code, exc.message, headers or None)
                await response(scope, receive, send)
                return
        elif (
            path.startswith("/trainer/")
            and path != "/trainer/login"
            and not await run_in_threadpool(signed_in, request)  # a database look-up
        ):
            await RedirectResponse("/trainer/login", status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)
