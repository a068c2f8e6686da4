"""When to try a request again, how long to wait, and what the client reports while it does.

Why these rules:
- Reads (GET) are safe to repeat, so they are retried on the failures that are usually momentary:
  429 (honouring the server's Retry-After), 502/503/504, timeouts, dropped connections and bodies
  garbled in transit.
- Writes (POST/PATCH/DELETE) are never repeated blindly: a purchase whose answer was lost may have
  happened, and buying twice costs money. The one exception is 429, which the server sends *instead*
  of processing the request, so repeating it cannot do the thing twice.
- Back-off is exponential with jitter (so concurrent pages do not retry in lock-step) and capped, and
  a Retry-After longer than ``retry_after_cap`` is not waited out: the user gets RateLimited with the
  delay instead of a frozen screen.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Literal

from .errors import LONGEST_WAIT

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Failure kinds (``ClientCore`` names them) worth repeating for a read: a timeout, a dropped connection,
#: a body garbled in transit. Not "slow" (the total deadline passed: trying again would take as long),
#: not "connect"/"proxy" (nothing answers), not "too large" (the same answer would come back).
TRANSIENT_FAILURES = frozenset({"timeout", "dropped", "garbled"})

EventKind = Literal["start", "end", "retry"]
_RNG = random.Random()


@dataclass(frozen=True)
class ClientEvent:
    """Something the UI may show: a request started/ended, or is about to be retried.

    For ``kind="retry"``: ``attempt`` is which retry this is (1 = first retry) and ``max_attempts`` how
    many retries are allowed, so ``f"retrying ({attempt}/{max_attempts})"`` reads right; ``delay`` is
    the wait in seconds before it and ``reason`` a short phrase ("HTTP 503", "timeout", ...).
    Every "start" is followed by exactly one "end" with the same ``request_id`` (``ok`` False when the
    call raised or was cancelled), which is what an in-flight counter needs.
    """

    kind: EventKind
    method: str
    path: str
    request_id: int = 0
    attempt: int = 0
    max_attempts: int = 0
    delay: float = 0.0
    reason: str = ""
    status: int | None = None
    ok: bool | None = None


@dataclass
class ClientStats:
    """Counters for a status line and for tests that must prove nothing was sent."""

    requests: int = 0  # attempts made (each retry counts; a refused connection too)
    retries: int = 0
    rate_limited: int = 0  # 429 answers seen
    network_errors: int = 0
    status_counts: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class RetryPolicy:
    """Retry limits and back-off. Tests pass a tiny ``base_delay`` to run fast."""

    max_retries: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0
    retry_after_cap: float = 30.0
    jitter: float = 0.5  # share of each delay that is randomised

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base_delay < 0 or self.max_delay < 0 or self.retry_after_cap < 0:
            raise ValueError("retry limits must not be negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``retry`` (1-based): base * 2^(retry-1), capped, part of it random."""
        rng = rng or _RNG
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** max(0, retry - 1)))
        fixed = ceiling * (1.0 - self.jitter)
        return fixed + rng.uniform(0.0, ceiling - fixed)

    def delay_for(self, retry: int, retry_after: float | None, rng: random.Random | None = None) -> float | None:
        """The wait before ``retry``, or None when we should not retry (out of retries, or too long a wait)."""
        if retry > self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return None
            # The server's delay is the minimum; a random extra keeps concurrent requests that were
            # refused together from all coming back in the same instant (and being refused again).
            spread = min(self.max_delay, self.base_delay * (2.0 ** max(0, retry - 1)))
            return max(0.0, retry_after) + (rng or _RNG).uniform(0.0, spread)
        return self.backoff(retry, rng)

    @staticmethod
    def may_retry(method: str, *, status: int | None = None, failure: str | None = None) -> bool:
        """Whether this outcome is worth repeating for this method (see the module docstring)."""
        method = method.upper()
        if status is not None:
            if status == 429:
                return True
            return method in IDEMPOTENT_METHODS and status in RETRY_STATUSES
        return method in IDEMPOTENT_METHODS and failure in TRANSIENT_FAILURES


def _seconds(value: object) -> float | None:
    """A finite, non-negative number of seconds (clamped to ``LONGEST_WAIT``), else None.

    Parsed as Decimal so "1e400" is a (huge) number rather than float infinity; "inf", "nan",
    negatives, booleans and anything that is not a number are malformed and ignored.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not number.is_finite() or number < 0:
        return None
    return float(min(number, Decimal(LONGEST_WAIT)))


def parse_retry_after(header: str | None, body: object = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date) or a ``retry_after`` body field.

    Never more than ``errors.LONGEST_WAIT`` (a far-future date or 1e308 reads as "a day or more");
    None when absent or malformed (negative, NaN, infinite, not a number), so our own back-off applies.
    """
    if header:
        text = header.strip()[:100]
        seconds = _seconds(text)
        if seconds is not None:
            return seconds
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return min(LONGEST_WAIT, max(0.0, (when - datetime.now(UTC)).total_seconds()))
    if isinstance(body, dict):
        return _seconds(body.get("retry_after"))
    return None


__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "TRANSIENT_FAILURES",
    "ClientEvent",
    "ClientStats",
    "RetryPolicy",
    "parse_retry_after",
]
