"""Trainer sign-in sessions and CSRF tokens for the web page.

The session cookie never holds the trainer key: it holds an expiry and a nonce signed with the
key (HMAC-SHA256), checked in constant time against every configured key. Cookies are HttpOnly
and SameSite=Strict; every form also carries a CSRF token that must match its cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SESSION_COOKIE = "signpost_session"
CSRF_COOKIE = "signpost_csrf"
SESSION_SECONDS = 8 * 60 * 60


def _sign(key: str, payload: str) -> str:
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


def new_session(key: str, now: float | None = None) -> str:
    payload = f"{int((now or time.time()) + SESSION_SECONDS)}.{secrets.token_hex(8)}"
    return f"{payload}.{_sign(key, payload)}"


def valid_session(token: str | None, keys: list[str], now: float | None = None) -> bool:
    if not token or token.count(".") != 2:
        return False
    expires, nonce, signature = token.split(".")
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return False
    payload = f"{expires}.{nonce}"
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(signature, _sign(key, payload))
    return matched


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(cookie: str | None, field: str | None) -> bool:
    return bool(cookie and field) and hmac.compare_digest(str(cookie), str(field))
