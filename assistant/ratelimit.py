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


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
