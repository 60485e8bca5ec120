"""Typed dependencies: the service, and the two kinds of key check."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request

from assistant.errors import ErrorCode, SignpostError
from assistant.observability.metrics import Metrics
from assistant.security import session
from assistant.security.keys import key_matches
from assistant.security.ratelimit import retry_after
from assistant.services import Signpost


# The dependencies are `async def`: none of them waits on anything, and FastAPI runs a plain
# `def` one in the thread pool, a hop to another thread and back for each, on every request.
async def get_service(request: Request) -> Signpost:
    return request.app.state.service


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_guess(request: Request, candidate: str, keys: list[str]) -> bool:
    """Whether `candidate` is one of `keys`; a wrong one counts against the client address,
    and past ten wrong ones a minute the address gets 429 without the key being checked."""
    attempts = request.app.state.failed_attempts
    address = client_address(request)
    wait = attempts.wait(address)
    if wait > 0:
        raise SignpostError(
            ErrorCode.TOO_MANY_ATTEMPTS,
            f"too many wrong keys from your address; try again in {retry_after(wait)} s",
            headers={"Retry-After": retry_after(wait)},
        )
    if key_matches(candidate, keys):
        return True
    attempts.record(address)
    return False


def require_api_key(request: Request) -> None:
    """Guards /ask, /search and /feedback when SIGNPOST_API_KEYS is set (trainer keys work too)."""
    api_keys: list[str] = request.app.state.api_keys
    if not api_keys:
        return
    token = _bearer(request)
    if token is None:
        raise SignpostError(ErrorCode.MISSING_KEY, "send an API key as 'Authorization: Bearer KEY'")
    if not check_guess(request, token, api_keys + request.app.state.trainer_keys):
        raise SignpostError(ErrorCode.INVALID_KEY, "that API key is not valid")


def require_trainer(request: Request) -> None:
    """The trainer endpoints are never open."""
    token = _bearer(request)
    if token is None:
        raise SignpostError(
            ErrorCode.MISSING_KEY, "send a trainer key as 'Authorization: Bearer KEY'"
        )
    if not check_guess(request, token, request.app.state.trainer_keys):
        raise SignpostError(ErrorCode.INVALID_KEY, "that trainer key is not valid")


def caller_id(request: Request) -> str:
    """Who is asking, for rate limits: a valid API or trainer key (hashed), or else the client
    address. An unchecked token never gets a bucket of its own: with keys unset, random
    bearer tokens would otherwise each get a fresh allowance."""
    token = _bearer(request)
    known: list[str] = request.app.state.api_keys + request.app.state.trainer_keys
    if token and known and key_matches(token, known):
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "ip:" + client_address(request)


def rate_limit(request: Request) -> None:
    wait = request.app.state.limiter.check(caller_id(request))
    if wait > 0:
        raise SignpostError(
            ErrorCode.RATE_LIMITED,
            f"too many questions from you; try again in {retry_after(wait)} s",
            headers={"Retry-After": retry_after(wait)},
        )


ServiceDep = Annotated[Signpost, Depends(get_service)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]


async def _api_key(request: Request) -> None:
    require_api_key(request)


async def _trainer_key(request: Request) -> None:
    require_trainer(request)


async def _rate_limit(request: Request) -> None:
    rate_limit(request)


ApiKey = Depends(_api_key)
TrainerKey = Depends(_trainer_key)
RateLimit = Depends(_rate_limit)


def signed_in(request: Request) -> bool:
    """A trainer's page session: a valid signed cookie whose id was not signed out."""

    sid = session.session_id(
        request.cookies.get(session.SESSION_COOKIE), request.app.state.trainer_keys
    )
    return sid is not None and not request.app.state.service.activity.session_revoked(sid)
