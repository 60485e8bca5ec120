"""Every error is JSON `{"error": {"code", "message"}}` with the right status; never a 500 for
bad input. One mapping, registered once on the app."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from assistant.errors import GENERIC_CODES, ErrorCode, SignpostError, UnavailableError
from assistant.http.web.pages import error_page, is_page
from assistant.schemas import error_text
from ingest.vector_store import StoreUnavailable

logger = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API returns."""

    error: ErrorDetail


#: Declared on every route, so the OpenAPI schema says what errors look like.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.value.replace("_", " ")}
    for status, code in GENERIC_CODES.items()
    if status not in (406, 408)
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def _validation_message(exc: RequestValidationError) -> tuple[int, ErrorCode, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, ErrorCode.INVALID_JSON, "the request body is not valid JSON"
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    where = ".".join(loc) or "body"
    return 422, ErrorCode.INVALID_REQUEST, f"{where}: {error_text(first)}"


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette only names the first route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


PUBLIC_UNAVAILABLE = {
    ErrorCode.DATABASE_UNAVAILABLE: "the database is unreachable; please try again shortly",
    ErrorCode.INDEX_UNAVAILABLE: "the search index is unreachable; please try again shortly",
}


def register(app: FastAPI) -> None:
    @app.exception_handler(SignpostError)
    async def signpost_error(request: Request, exc: SignpostError) -> Response:
        if exc.status == 503:
            # the detail (a driver's message: host, port, path) is for the log, not the caller
            logger.warning("%s: %s", exc.code, exc.message)
            exc = SignpostError(
                exc.code,
                PUBLIC_UNAVAILABLE.get(exc.code, "a service Signpost needs is unavailable"),
                headers=exc.headers,
            )
        if is_page(request):
            return error_page(request, exc.status, exc.message)
        headers = dict(exc.headers or {})
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return error_response(exc.status, exc.code, exc.message, headers or None)

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> Response:
        logger.warning("index unavailable: %s", exc)
        return await signpost_error(
            request, UnavailableError(ErrorCode.INDEX_UNAVAILABLE, str(exc))
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, message = _validation_message(exc)
        return error_response(status, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        known = GENERIC_CODES.get(exc.status_code)
        code = known.value if known is not None else "http_error"
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
            headers = {"Allow": ", ".join(_allowed_methods(app, request))}
        return error_response(exc.status_code, code, message, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        reference = uuid.uuid4().hex[:12]
        logger.exception("unhandled error", extra={"reference": reference})
        return error_response(
            500,
            ErrorCode.INTERNAL_ERROR,
            f"something went wrong on our side (reference {reference})",
        )
