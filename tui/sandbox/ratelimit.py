"""Per-account token buckets for the ``rate_limit`` knob (requests per second -> 429 + Retry-After)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    rate: float


class TokenBuckets:
    """One bucket per api_key, holding up to one second's worth of requests (at least one).

    A bucket is rebuilt when the configured rate changes, so tests can change ``config.rate_limit`` live.
    """

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, rate: float) -> float | None:
        """Spend one token; ``None`` when allowed, else the seconds until a token is back."""
        now = self._clock()
        capacity = max(1.0, rate)
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[key] = _Bucket(tokens=capacity, stamp=now, rate=rate)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / rate
