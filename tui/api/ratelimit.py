"""A client-side token bucket, so our own bursts (paging 15 pages at once) stay under the account's limit.

Why client-side: Vonage answers 429 when an account goes over its calls per second (30 by default,
reported as ``max-calls-per-second``); a 429 costs a round trip plus a back-off, so pacing ourselves is
cheaper than being told off. The bucket holds up to ``burst`` tokens and refills at ``rate`` per
second; ``rate=None`` disables pacing (tests, local sandbox). ``set_rate`` changes the pace while
requests are waiting (the app learns the account's own limit after logging in).

Why ``pause``: when the server answers 429 with a Retry-After, every request of this client would be
refused the same way until it passes, so the whole bucket waits it out together - paced or not -
instead of each request finding out on its own with a round trip and a 429 of its own.

``clock`` and ``sleep`` are injectable so tests run in virtual time and never wait for real.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
# A token short by less than this counts as whole: float rounding must not leave a waiter asking
# for sleeps too short to move any clock forward.
_EPSILON = 1e-9


class RateLimiter:
    """Async token bucket. ``await acquire()`` before each request; waiters are served in arrival order."""

    def __init__(
        self,
        rate: float | None,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.rate: float | None = None
        self.burst: float = 1.0
        self._tokens: float = 0.0
        self._updated: float = clock()
        self._paused_until: float = -math.inf
        self.set_rate(rate, burst)  # from "unlimited": the bucket starts full
        self._lock = asyncio.Lock()  # FIFO: one waiter sleeps at a time, the rest queue behind it

    @property
    def unlimited(self) -> bool:
        return self.rate is None

    @property
    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def set_rate(self, rate: float | None, burst: float | None = None) -> None:
        """Change the pace from now on: tokens saved are kept up to the new burst (a full bucket when
        pacing is switched on), and requests already waiting follow the new rate."""
        if rate is not None and (
            isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < math.inf
        ):
            raise ValueError("rate must be a positive number, or None for no limit")
        if burst is not None and not 0 < burst < math.inf:
            raise ValueError("burst must be a positive number")
        was_unlimited = self.rate is None
        if not was_unlimited:
            self._refill()  # account for the time spent at the old rate
        self.rate = float(rate) if rate is not None else None
        self.burst = max(1.0, burst if burst is not None else (self.rate or 1.0))
        if was_unlimited:  # nothing was spent while unpaced: start with a full bucket
            self._tokens, self._updated = self.burst, max(self._clock(), self._updated)
        self._tokens = min(self._tokens, self.burst)

    def pause(self, seconds: float) -> None:
        """Hold every ``acquire`` for ``seconds`` from now (the server said "not before then").

        A longer pause already running is kept. After the pause no burst is allowed: at most one
        token is left, so requests come back at the pace, not all at once into a second 429.
        """
        if not 0 < seconds < math.inf:
            return
        until = self._clock() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        if self.rate is not None:
            self._refill()
            self._tokens = min(self._tokens, 1.0)
            self._updated = until  # refill starts when the pause ends

    def _refill(self) -> None:
        now = self._clock()
        assert self.rate is not None
        if now > self._updated:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now

    async def _wait_out_pause(self) -> None:
        while (left := self._paused_until - self._clock()) > 0:
            await self._sleep(left)

    async def acquire(self) -> None:
        """Take one token, sleeping until one is available (and until any pause is over)."""
        await self._wait_out_pause()
        if self.rate is None:
            return
        async with self._lock:
            while True:
                await self._wait_out_pause()
                rate = self.rate
                if rate is None:  # pacing switched off while we waited
                    return
                self._refill()
                if self._tokens >= 1.0 - _EPSILON:
                    break
                await self._sleep((1.0 - self._tokens) / rate)
            self._tokens -= 1.0


__all__ = ["RateLimiter", "Sleep"]
