"""A client-side token bucket, so our own bursts (paging 15 pages at once) stay under the account's limit.

Why client-side: Vonage answers 429 when an account goes over its calls per second (30 by default,
reported as ``max-calls-per-second``); a 429 costs a round trip plus a back-off, so pacing ourselves is
cheaper than being told off. The bucket holds up to ``burst`` tokens (about one second's worth) and
refills at ``rate`` per second; ``rate=None`` disables pacing entirely (tests, local sandbox).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    """Async token bucket. ``await acquire()`` before each request; waiters are served in arrival order."""

    def __init__(
        self,
        rate: float | None,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and not rate > 0:
            raise ValueError("rate must be positive, or None for no limit")
        self.rate: float | None = rate
        self.burst: float = max(1.0, burst if burst is not None else (rate or 1.0))
        self._clock = clock
        self._tokens: float = self.burst
        self._updated: float = clock()
        self._lock = asyncio.Lock()  # FIFO: one waiter sleeps at a time, the rest queue behind it

    @property
    def unlimited(self) -> bool:
        return self.rate is None

    def _refill(self) -> None:
        now = self._clock()
        assert self.rate is not None
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        """Take one token, sleeping until one is available."""
        if self.rate is None:
            return
        async with self._lock:
            self._refill()
            while self._tokens < 1.0:
                await asyncio.sleep((1.0 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1.0


__all__ = ["RateLimiter"]
