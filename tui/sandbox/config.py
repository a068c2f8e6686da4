"""The sandbox's knobs: one dataclass, read on every request so tests can turn knobs at runtime.

``create_app`` keeps the very instance it was given on ``SandboxState.config``; changing a field there
(``state.config.latency = 0.2``) takes effect from the next request on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    """How the fake Vonage behaves.

    The fault shares are probabilities per request (0..1), drawn from a ``random.Random(seed)`` so a run
    with the same seed and the same request order injects the same faults.
    """

    seed: int = 42
    """Seeds the inventory (which numbers exist, their prices) and the fault dice."""

    owned_count: int | None = None
    """``None`` gives the demo handful of owned numbers; an integer seeds that many owned numbers instead."""

    latency: float = 0.0
    """Seconds every request waits before it is handled (``asyncio.sleep``)."""

    rate_limit: float | None = None
    """Requests per second per account; above it the answer is 429 with ``Retry-After``. ``None``: no limit."""

    fault_429: float = 0.0
    """Share of requests refused with 429 before they are processed."""

    fault_5xx: float = 0.0
    """Share of requests answered 502/503/504 before they are processed (503 the most often)."""

    fault_drop: float = 0.0
    """Share of requests whose connection is dropped mid-response, before they are processed."""

    pools_enabled: bool = True
    """``False`` answers 403 on every Number Pools endpoint, as for an account without the beta."""

    balance: float = 24.50
    """Starting balance of the demo master account, in EUR."""

    auto_reload: bool = True
    """Whether the demo master account has auto-reload on (top-up answers 401 when it is off)."""
