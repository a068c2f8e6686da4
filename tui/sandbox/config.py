"""The sandbox's knobs: one dataclass, read on every request so tests can turn knobs at runtime.

``create_app`` keeps the very instance it was given on ``SandboxState.config``; changing a field there
(``state.config.latency = 0.2``) takes effect from the next request on. Every field is checked when it is
set, at construction and at runtime alike, so a nonsense value is a ``ConfigError`` (a ``ValueError``) at the
line that sets it rather than a strange failure in the server later; ``validate()`` adds the checks that
span fields (the fault shares may not add up to more than 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

MAX_OWNED = 100_000
"""The most owned numbers the sandbox seeds (the inventory holds more, but nobody needs more to test paging)."""

DEFAULT_MAX_BODY = 1024 * 1024
"""Request bodies above this many bytes answer 413 (the real APIs take a few hundred bytes at most)."""

HUGE_DEFAULT = 300 * 1024 * 1024
"""Bytes of the body a ``huge`` fault streams (built chunk by chunk, never in memory)."""

BEFORE_PROCESSING = ("drop", "429", "5xx")
"""Fault modes that answer before the request is handled: nothing changes on the server."""

AFTER_PROCESSING = (
    "drop-after-commit",
    "corrupt-after-commit",
    "garbage-after-commit",
    "drip",
    "huge",
    "slow-headers",
)
"""Fault modes that let the request be handled (a write is kept) and then spoil or delay its answer."""

FAULT_MODES = BEFORE_PROCESSING + AFTER_PROCESSING

MAX_DELAY = 60.0
"""The longest wait a knob may add (latency, drip interval, slow headers): beyond it every request just hangs."""


def share_field(mode: str) -> str:
    """The config field holding the share of a fault mode: ``drop-after-commit`` -> ``fault_drop_after_commit``."""
    return "fault_" + mode.replace("-", "_")


class ConfigError(ValueError):
    """A knob set to a value the sandbox cannot honour; ``field`` names it, ``reason`` says what it must be."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _share(value: Any) -> str | None:
    return None if _is_number(value) and 0 <= value <= 1 else f"must be a share between 0 and 1 (got {value!r})"


def _seconds(value: Any) -> str | None:
    if _is_number(value) and 0 <= value <= MAX_DELAY:
        return None
    return f"must be a finite number of seconds >= 0 and at most {MAX_DELAY:g} (got {value!r})"


def _owned(value: Any) -> str | None:
    if value is None or (_is_int(value) and 0 <= value <= MAX_OWNED):
        return None
    return f"must be a whole number between 0 and {MAX_OWNED} (got {value!r})"


def _rate(value: Any) -> str | None:
    if value is None or (_is_number(value) and value > 0):
        return None
    return f"must be a number of requests per second > 0 (got {value!r})"


def _positive_int(value: Any) -> str | None:
    return None if _is_int(value) and value >= 1 else f"must be a whole number >= 1 (got {value!r})"


def _huge(value: Any) -> str | None:
    return None if value is None else _positive_int(value)


def _int(value: Any) -> str | None:
    return None if _is_int(value) else f"must be a whole number (got {value!r})"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be True or False (got {value!r})"


def _money(value: Any) -> str | None:
    return None if _is_number(value) else f"must be a finite amount (got {value!r})"


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "seed": _int,
    "owned_count": _owned,
    "latency": _seconds,
    "rate_limit": _rate,
    **{share_field(mode): _share for mode in FAULT_MODES},
    "drip_interval": _seconds,
    "slow_headers_delay": _seconds,
    "huge_bytes": _huge,
    "max_body_bytes": _positive_int,
    "pools_enabled": _bool,
    "balance": _money,
    "auto_reload": _bool,
}


@dataclass
class SandboxConfig:
    """How the fake Vonage behaves.

    The fault shares are probabilities per request (0..1, adding up to at most 1), drawn from a
    ``random.Random(seed)`` so a run with the same seed and the same request order injects the same faults.
    What each fault does is described in ``faults``.
    """

    seed: int = 42
    """Seeds the inventory (which numbers exist, their prices) and the fault dice."""

    owned_count: int | None = None
    """``None`` gives the demo handful of owned numbers; an integer (0..100,000) seeds that many instead."""

    latency: float = 0.0
    """Seconds every request waits before it is handled (``asyncio.sleep``); 0..``MAX_DELAY`` like every delay."""

    rate_limit: float | None = None
    """Requests per second per account; above it the answer is 429 with ``Retry-After``. ``None``: no limit."""

    fault_429: float = 0.0
    """Share of requests refused with 429 before they are processed."""

    fault_5xx: float = 0.0
    """Share of requests answered 502/503/504 before they are processed (503 the most often)."""

    fault_drop: float = 0.0
    """Share of requests whose connection is dropped mid-response, before they are processed."""

    fault_drop_after_commit: float = 0.0
    """Share of requests processed, then cut off mid-response."""

    fault_corrupt_after_commit: float = 0.0
    """Share of requests processed, then answered with ``Content-Encoding: gzip`` and a broken gzip stream."""

    fault_garbage_after_commit: float = 0.0
    """Share of requests processed, then answered 200 with a body that is not JSON."""

    fault_drip: float = 0.0
    """Share of requests processed, then answered one body byte every ``drip_interval`` seconds."""

    fault_huge: float = 0.0
    """Share of requests processed, then answered 200 with a ``huge_bytes`` body."""

    fault_slow_headers: float = 0.0
    """Share of requests processed, then answered only after ``slow_headers_delay`` seconds of silence."""

    drip_interval: float = 0.1
    """Seconds between two bytes of a dripped body."""

    slow_headers_delay: float = 5.0
    """Seconds of silence before a ``slow-headers`` answer."""

    huge_bytes: int | None = HUGE_DEFAULT
    """Size of a ``huge`` body; ``None`` streams without end (chunked) until the client gives up."""

    max_body_bytes: int = DEFAULT_MAX_BODY
    """Request bodies larger than this answer 413 (read in a stream that stops at the cap)."""

    pools_enabled: bool = True
    """``False`` answers 403 on every Number Pools endpoint, as for an account without the beta."""

    balance: float = 24.50
    """Starting balance of the demo master account, in EUR."""

    auto_reload: bool = True
    """Whether the demo master account has auto-reload on (top-up answers 401 when it is off)."""

    def __setattr__(self, name: str, value: Any) -> None:
        check = _CHECKS.get(name)
        if check is not None:
            problem = check(value)
            if problem is not None:
                raise ConfigError(name, problem)
        super().__setattr__(name, value)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> SandboxConfig:
        """Check every field and the fields together; ``ConfigError`` names the first one that is wrong."""
        for item in fields(self):
            check = _CHECKS.get(item.name)
            problem = check(getattr(self, item.name)) if check else None
            if problem is not None:
                raise ConfigError(item.name, problem)
        total = sum(self.share(mode) for mode in FAULT_MODES)
        if total > 1 + 1e-9:
            raise ConfigError("fault shares", f"must add up to at most 1 (they add up to {total:g})")
        return self

    def share(self, mode: str) -> float:
        """The configured share of a fault mode (one of ``FAULT_MODES``)."""
        return float(getattr(self, share_field(mode)))
