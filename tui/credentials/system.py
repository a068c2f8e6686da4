"""The system keyring (keyring's chosen backend), used one entry per profile.

keyring is imported only when the system keyring is first used, so importing tui.credentials stays light.
A chainer is replaced by its best usable member, so a file keyring lower in the chain (keyrings.cryptfile,
keyrings.alt), which would ask for its password on the terminal and wreck a full-screen app, is never used.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tui.credentials.advice import (
    KEYRING_DISABLED_REASON,
    NO_SECRET_SERVICE_REASON,
    NO_SESSION_BUS_REASON,
    NO_SYSTEM_KEYRING_REASON,
)
from tui.credentials.errors import KeyringUnavailable
from tui.credentials.secret_service import session_bus_state

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = ["SystemKeyring", "display_name", "resolve_system", "unusable_reason"]

_FILE_KEYRING_MODULES = ("keyrings.cryptfile", "keyrings.alt")

#: Why a keyring backend cannot serve as the system keyring.
UnusableKind = str  # "chainer" | "none" | "disabled" | "file"


def display_name(kr: KeyringBackend) -> str:
    try:
        return str(type(kr).name)
    except Exception:  # noqa: BLE001 - a name is only for display
        return type(kr).__name__


def _unusable_kind(kr: KeyringBackend) -> UnusableKind | None:
    from keyring.backends import chainer, fail, null

    if isinstance(kr, chainer.ChainerBackend):
        return "chainer"
    if isinstance(kr, fail.Keyring):
        return "none"
    if isinstance(kr, null.Keyring):
        return "disabled"
    if type(kr).__module__.startswith(_FILE_KEYRING_MODULES) or hasattr(type(kr), "file_path"):
        return "file"
    return None


def resolve_system() -> tuple[KeyringBackend | None, str, list[UnusableKind]]:
    """(the backend to use or None, its display name, why each candidate was unusable). May block: keyring's
    first detection talks to D-Bus; call it through the thread runner."""
    import keyring
    from keyring.backends import chainer

    top = keyring.get_keyring()
    candidates = list(top.backends) if isinstance(top, chainer.ChainerBackend) else [top]
    kinds: list[UnusableKind] = []
    for candidate in candidates:
        kind = _unusable_kind(candidate)
        if kind is None:
            return candidate, display_name(candidate), []
        kinds.append(kind)
    return None, display_name(top), kinds or ["none"]


def unusable_reason(kinds: list[UnusableKind]) -> tuple[str, str]:
    """(state, sentence) for a machine where keyring found no usable backend; on Linux and the BSDs the
    session bus is probed to say which piece is missing (no bus, as over SSH, or no Secret Service on it)."""
    if "disabled" in kinds:
        return "disabled", KEYRING_DISABLED_REASON
    if sys.platform.startswith(("darwin", "win", "cygwin")):
        return "no-keyring", NO_SYSTEM_KEYRING_REASON
    bus = session_bus_state()
    if bus == "no-session-bus":
        return bus, NO_SESSION_BUS_REASON
    if bus == "no-secret-service":
        return bus, NO_SECRET_SERVICE_REASON
    return "no-keyring", NO_SYSTEM_KEYRING_REASON


class SystemKeyring:
    """One secret per (service, profile) in the OS keyring. Blocking: run through the thread runner."""

    kind = "system"
    path: Path | None = None

    def __init__(self) -> None:
        self.name = "system keyring"

    def _backend(self) -> KeyringBackend:
        backend, name, kinds = resolve_system()
        if backend is None:
            raise KeyringUnavailable(unusable_reason(kinds)[1])
        self.name = f"system keyring ({name})"
        return backend

    def get(self, service: str, user: str) -> SecretStr | None:
        value = self._backend().get_password(service, user)
        return None if value is None else SecretStr(value)

    def set(self, service: str, user: str, secret: SecretStr) -> None:
        self._backend().set_password(service, user, secret.get_secret_value())

    def delete(self, service: str, user: str) -> bool:
        import keyring.errors

        try:
            self._backend().delete_password(service, user)
        except keyring.errors.PasswordDeleteError:
            return False
        return True
