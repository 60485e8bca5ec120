"""Trainer sign-in sessions and CSRF tokens for the web page.

The session cookie never holds the trainer key: it holds a random session id signed and
timestamped with itsdangerous (the trainer keys are the signing keys, so rotating a key ends the
sessions it signed). Signing out records the id as revoked in the database, so a copied cookie
is dead at once on every replica, not after its 8 hours. Cookies are HttpOnly and
SameSite=Strict; every form also carries a CSRF token that must match its cookie.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "signpost_session"
CSRF_COOKIE = "signpost_csrf"
SESSION_SECONDS = 8 * 60 * 60
_SALT = "signpost.trainer-session"


def _serializer(keys: list[str]) -> URLSafeTimedSerializer:
    # signs with the last key; accepts a token signed with any of them
    return URLSafeTimedSerializer(list(keys), salt=_SALT)


def new_session(keys: list[str]) -> str:
    """A signed cookie value for a new session."""
    return _serializer(keys).dumps(secrets.token_hex(16))


def session_id(token: str | None, keys: list[str]) -> str | None:
    """The session id in a valid, unexpired cookie; None for anything else."""
    if not token or not keys:
        return None
    try:
        value = _serializer(keys).loads(token, max_age=SESSION_SECONDS)
    except BadSignature:  # also a bad or expired timestamp
        return None
    return value if isinstance(value, str) else None


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(cookie: str | None, field: str | None) -> bool:
    return bool(cookie and field) and hmac.compare_digest(str(cookie), str(field))
