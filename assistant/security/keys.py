"""API and trainer keys: parsing, the generated trainer key, constant-time checks."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TRAINER_KEY_FILE = "trainer_key"


def split_keys(raw: str | None) -> list[str]:
    return [k.strip() for k in (raw or "").split(",") if k.strip()]


def load_trainer_keys(configured: str | None, data_dir: Path) -> tuple[list[str], str | None]:
    """The trainer keys, and the key itself when it was generated just now (to print once).

    Without SIGNPOST_TRAINER_KEYS a key is generated on first start and kept in the data dir,
    readable by its owner only (0600)."""
    keys = split_keys(configured)
    if keys:
        return keys, None
    path = data_dir / TRAINER_KEY_FILE
    try:
        return [path.read_text().strip()], None
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return [path.read_text().strip()], None
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return [key], key


def key_matches(candidate: str, keys: list[str]) -> bool:
    """Compares against every key in constant time, so timing reveals nothing."""
    given = candidate.encode()
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key.encode())
    return matched
