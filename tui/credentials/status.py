"""Whether the system keyring can be used here, and if not, why, in words that fit the situation.

The login form calls keyring_status() before the first save (in a worker: it may talk to D-Bus) to preselect
where the secret goes and to explain why not the system keyring. Over SSH (or with no display) a locked
keyring is not usable, since no prompt can appear, and the advice says how to unlock it from the shell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from tui.credentials.advice import (
    CHOICES,
    NO_SECRET_SERVICE_REASON,
    headless_session,
    locked_reason,
    no_collection_reason,
)
from tui.credentials.errors import KeyringTimeout, safe_detail
from tui.credentials.runner import call_in_thread
from tui.credentials.secret_service import collection_state, is_secret_service
from tui.credentials.system import resolve_system, unusable_reason

__all__ = ["DEFAULT_TIMEOUT", "KeyringState", "KeyringStatus", "keyring_status"]

DEFAULT_TIMEOUT = 5.0

KeyringState = Literal[
    "ready",  # usable as it is
    "locked",  # a Secret Service collection is locked
    "no-collection",  # the Secret Service has no default collection yet
    "no-session-bus",  # no D-Bus session bus (usual over SSH)
    "no-secret-service",  # a session bus, but no Secret Service on it
    "disabled",  # keyring's null backend is configured
    "no-keyring",  # nothing usable for another reason (macOS/Windows without one, only file keyrings...)
    "timeout",  # detection itself did not answer in time
    "error",  # keyring failed to start
]


@dataclass(frozen=True)
class KeyringStatus:
    """Whether the system keyring can be used; `reason` explains in plain words when it cannot (or, for a
    locked keyring on a desktop, what will happen). `headless`: no desktop prompt can appear here."""

    usable: bool
    backend_name: str
    reason: str
    state: KeyringState = "ready"
    headless: bool = False


def _detect(headless: bool, environ: Mapping[str, str] | None) -> KeyringStatus:
    backend, name, kinds = resolve_system()
    if backend is None:
        state, reason = unusable_reason(kinds)
        return KeyringStatus(False, name, reason, state, headless)  # type: ignore[arg-type]
    if not is_secret_service(backend):
        return KeyringStatus(True, name, "", "ready", headless)
    collection, daemon = collection_state(backend)
    if collection == "no-secret-service":  # keyring was told to use it, but nothing answers on the bus
        return KeyringStatus(False, name, NO_SECRET_SERVICE_REASON, "no-secret-service", headless)
    if collection == "locked":
        return KeyringStatus(not headless, name, locked_reason(headless, daemon, environ), "locked", headless)
    if collection == "no-collection":
        reason = no_collection_reason(headless, daemon, environ)
        return KeyringStatus(not headless, name, reason, "no-collection", headless)
    return KeyringStatus(True, name, "", "ready", headless)


def keyring_status(timeout: float = DEFAULT_TIMEOUT, *, environ: Mapping[str, str] | None = None) -> KeyringStatus:
    """Detect whether the system keyring is usable here, without reading a secret or showing a prompt.

    Never raises; blocks for at most `timeout` seconds. `environ` (default: os.environ) decides whether this is
    a headless session (SSH_CONNECTION/SSH_TTY set, or no DISPLAY/WAYLAND_DISPLAY).
    """
    headless = headless_session(environ)
    try:
        ok, value = call_in_thread(lambda: _detect(headless, environ), timeout, "system keyring")
    except KeyringTimeout as exc:
        return KeyringStatus(False, "unknown", str(exc), "timeout", headless)
    if not ok:
        assert isinstance(value, Exception)
        reason = f"The system keyring could not start ({safe_detail(value, None)}). {CHOICES}"
        return KeyringStatus(False, "unknown", reason, "error", headless)
    assert isinstance(value, KeyringStatus)
    return value
