"""Faults armed for particular requests: "the next N requests to this path" get this fault, whatever the dice say.

Tests arm faults from their own thread while the server's loop consumes them, hence the lock. An armed fault
wins over the configured shares, and a request that takes one does not roll the dice (so arming a fault does
not shift the seeded sequence of the requests after it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .config import FAULT_MODES


@dataclass
class Armed:
    """One armed fault: ``mode`` for the next ``remaining`` requests to ``path`` (of ``method``, if given)."""

    path: str
    mode: str
    remaining: int
    method: str | None = None

    def matches(self, path: str, method: str) -> bool:
        return self.path == path and (self.method is None or self.method == method)


class ArmedFaults:
    """The faults armed on a sandbox, first armed first served: ``state.faults``."""

    def __init__(self) -> None:
        self._armed: list[Armed] = []
        self._lock = threading.Lock()

    def arm(self, path: str, mode: str, *, times: int = 1, method: str | None = None) -> None:
        """Give the next ``times`` requests to ``path`` (exactly, without query) the fault ``mode``.

        ``method`` (``"POST"``, …) narrows it to requests of that method. Modes are listed in ``FAULT_MODES``
        and described in ``faults``; a mode not listed, a path not starting with ``/`` or ``times < 1`` is a
        ``ValueError``.
        """
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of: {', '.join(FAULT_MODES)}")
        if not isinstance(path, str) or not path.startswith("/") or "?" in path:
            raise ValueError(f"path must be a request path starting with '/', without a query (got {path!r})")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a whole number >= 1 (got {times!r})")
        with self._lock:
            self._armed.append(Armed(path, mode, times, method.upper() if method else None))

    def take(self, path: str, method: str) -> str | None:
        """Consume one armed fault for this request, or None; called once per request by the middleware."""
        if not self._armed:  # the common case, without taking the lock
            return None
        with self._lock:
            for armed in self._armed:
                if armed.matches(path, method):
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)
                    return armed.mode
        return None

    def pending(self, path: str | None = None) -> list[Armed]:
        """Copies of the faults still armed (for ``path`` only, when given)."""
        with self._lock:
            return [Armed(a.path, a.mode, a.remaining, a.method) for a in self._armed if path in (None, a.path)]

    def disarm(self, path: str | None = None) -> int:
        """Forget the armed faults (of ``path`` only, when given); returns how many requests they still covered."""
        with self._lock:
            kept = [a for a in self._armed if path is not None and a.path != path]
            dropped = sum(a.remaining for a in self._armed) - sum(a.remaining for a in kept)
            self._armed = kept
            return dropped
