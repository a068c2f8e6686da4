"""Storage calls run off the caller's thread, with a timeout.

A keyring that waits for a desktop unlock prompt (or a stuck network filesystem) must not freeze the app, and a
hung call must not keep the process from exiting: each call runs in a daemon thread, and the caller gets
KeyringTimeout after `timeout` seconds. At most MAX_PENDING hung calls are left behind before new ones are
refused at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from tui.credentials.advice import busy_reason, headless_session, timeout_reason
from tui.credentials.errors import KeyringTimeout

__all__ = ["MAX_PENDING", "call_in_thread", "pending"]

T = TypeVar("T")

MAX_PENDING = 4  # hung calls still waiting in the background before we stop starting new ones

pending: set[threading.Thread] = set()
_pending_lock = threading.Lock()


def call_in_thread(fn: Callable[[], T], timeout: float, what: str) -> tuple[bool, T | Exception]:
    """Run fn in a daemon thread: (True, its value) or (False, the exception it raised).

    KeyringTimeout when it takes longer than `timeout` seconds, or when too many earlier calls still hang.
    """
    with _pending_lock:
        for thread in [t for t in pending if not t.is_alive()]:
            pending.discard(thread)
        if len(pending) >= MAX_PENDING:
            raise KeyringTimeout(busy_reason(what, len(pending), headless_session()))
    outcome: list[tuple[bool, T | Exception]] = []
    done = threading.Event()

    def target() -> None:
        try:
            outcome.append((True, fn()))
        except Exception as exc:  # noqa: BLE001 - handed to the caller, translated there
            outcome.append((False, exc))
        finally:
            done.set()

    worker = threading.Thread(target=target, name=f"vonage-tui-credentials ({what})", daemon=True)
    with _pending_lock:
        pending.add(worker)
    worker.start()
    if not done.wait(timeout):
        raise KeyringTimeout(timeout_reason(what, timeout, headless_session()))
    with _pending_lock:
        pending.discard(worker)
    return outcome[0]
