"""Per-caller rate limits (token buckets): per API key or client address over HTTP, per user in
Slack. In-process: with several replicas each enforces its own share."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, burst: int | None = None, max_callers: int = 10_000):
        self.rate = per_minute / 60.0
        self.capacity = float(burst or max(1, per_minute // 4 or 1))
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._max = max_callers

    def check(self, caller: str) -> float:
        """0 when the call may go ahead (and is counted), else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= self._max:
                    self._buckets.clear()  # bounded memory; forgetting callers only relaxes
                bucket = self._buckets[caller] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate


class FailedAttempts:
    """Failed key or sign-in attempts per client address in a sliding minute: past `limit`,
    further attempts are refused (429) without checking the key, so keys cannot be guessed at
    speed. In-process, like the rate limits."""

    def __init__(self, limit: int = 10, window_s: float = 60.0, max_callers: int = 10_000):
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._max = max_callers

    def wait(self, caller: str) -> float:
        """0 when `caller` may try a key now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(caller, []) if now - t < self.window_s]
            if recent:
                self._failures[caller] = recent
            else:
                self._failures.pop(caller, None)
            if len(recent) < self.limit:
                return 0.0
            return self.window_s - (now - recent[0])

    def record(self, caller: str) -> None:
        with self._lock:
            if caller not in self._failures and len(self._failures) >= self._max:
                self._failures.clear()
            self._failures.setdefault(caller, []).append(time.monotonic())


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
