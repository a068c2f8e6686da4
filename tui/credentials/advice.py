"""The sentences shown when the system keyring cannot be used, each fitting its situation.

Users run the app on laptops and over SSH on servers with no desktop. Advice must work where it is read: over
SSH nobody can answer a desktop unlock prompt, so a locked GNOME Keyring is unlocked from the shell
(`gnome-keyring-daemon --replace --unlock` reads the password on stdin; plain `--unlock` does not unlock a
daemon that is already running), or the user picks the encrypted file. Constants and pure functions only,
so the login form can show them without touching the keyring.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = [
    "CHOICES", "HEADLESS_REASON", "KEYRING_DISABLED_REASON", "NO_SECRET_SERVICE_REASON", "NO_SESSION_BUS_REASON",
    "NO_SYSTEM_KEYRING_REASON", "UNLOCK_GNOME_KEYRING", "busy_reason", "headless_session", "locked_reason",
    "no_collection_reason", "timeout_reason",
]

CHOICES = (
    "Choose: an encrypted file protected by a master password, or VONAGE_API_KEY/VONAGE_API_SECRET for this run."
)

#: Unlocks (or creates, then unlocks) the login keyring of GNOME Keyring from a bash or zsh prompt, reading the
#: password without echo and keeping it out of the shell history. Also starts the daemon when none runs.
UNLOCK_GNOME_KEYRING = (
    "printf 'Keyring password: '; read -rs PW; "
    "printf '%s' \"$PW\" | gnome-keyring-daemon --replace --unlock >/dev/null; unset PW"
)

NO_SESSION_BUS_REASON = (
    "No desktop keyring can be reached here: there is no D-Bus session bus (usual over SSH and on servers), "
    f"so no D-Bus Secret Service can answer. {CHOICES}"
)
#: The reason given on a machine with no D-Bus session bus: the usual headless server.
HEADLESS_REASON = NO_SESSION_BUS_REASON

NO_SECRET_SERVICE_REASON = (
    "A D-Bus session bus is running, but no Secret Service (GNOME Keyring, KeePassXC, KWallet) answers on it. "
    f"To use GNOME Keyring, start and unlock it from this shell (bash or zsh): {UNLOCK_GNOME_KEYRING} — then "
    f"try again. {CHOICES}"
)

KEYRING_DISABLED_REASON = f"The keyring is turned off on this machine (keyring's null backend is configured). {CHOICES}"

NO_SYSTEM_KEYRING_REASON = f"No system keyring is available on this machine. {CHOICES}"

_SSH_VARS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def headless_session(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when no desktop prompt can reach the user: an SSH session, or (outside macOS and Windows) neither
    DISPLAY nor WAYLAND_DISPLAY is set."""
    env = os.environ if environ is None else environ
    if any(env.get(var) for var in _SSH_VARS):
        return True
    plat = sys.platform if platform is None else platform
    if plat.startswith(("darwin", "win", "cygwin")):
        return False
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _where(environ: Mapping[str, str] | None) -> str:
    env = os.environ if environ is None else environ
    return "in this SSH session" if any(env.get(var) for var in _SSH_VARS) else "here (no desktop)"


def _keyring_name(daemon: str | None) -> str:
    return f"The system keyring ({daemon})" if daemon else "The system keyring"


def _is_gnome(daemon: str | None) -> bool:
    return daemon is None or daemon.startswith("gnome-keyring")


def locked_reason(headless: bool, daemon: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The keyring's collection is locked. `daemon`: the Secret Service's process name, when known."""
    name = _keyring_name(daemon)
    if not headless:
        return (
            f"{name} is locked: your desktop will ask for its password when vonage-tui saves or reads the "
            f"secret. Answer that prompt. Or c{CHOICES[1:]}"
        )
    how = (
        f"Unlock it from this shell, typing the keyring password (bash or zsh): {UNLOCK_GNOME_KEYRING}"
        if _is_gnome(daemon)
        else f"Unlock it from this shell with your keyring's own command (for GNOME Keyring: {UNLOCK_GNOME_KEYRING})"
    )
    return f"{name} is locked, and no unlock prompt can appear {_where(environ)}. {how} — then try again. {CHOICES}"


def no_collection_reason(
    headless: bool, daemon: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The Secret Service runs but has no default collection yet (creating one asks for a new password)."""
    name = _keyring_name(daemon)
    if not headless:
        return (
            f"{name} has no default keyring yet: your desktop will ask you to choose a password for a new one "
            f"when vonage-tui saves the secret. Or c{CHOICES[1:]}"
        )
    how = (
        "Create and unlock it from this shell; the password you type becomes its password (bash or zsh): "
        f"{UNLOCK_GNOME_KEYRING}"
        if _is_gnome(daemon)
        else "Create it with your keyring's own tool"
    )
    return (
        f"{name} has no default keyring yet, and creating one needs a password prompt that cannot appear "
        f"{_where(environ)}. {how} — then try again. {CHOICES}"
    )


def timeout_reason(what: str, timeout: float, headless: bool) -> str:
    """A storage call that did not answer in time (a hung call keeps running in a daemon thread)."""
    if headless:
        return (
            f"The {what} did not answer within {timeout:g} s: a locked keyring may be waiting for an unlock "
            f"prompt that cannot appear here. {CHOICES}"
        )
    return (
        f"The {what} did not answer within {timeout:g} s. If your desktop is showing a keyring unlock prompt, "
        f"answer it and try again. {CHOICES}"
    )


def busy_reason(what: str, pending: int, headless: bool) -> str:
    """Too many earlier calls are still hanging: no new thread is started."""
    act = "Restart the app" if headless else "Answer any keyring prompt on your desktop, or restart the app"
    return f"The {what} is still busy with {pending} earlier requests that never finished. {act}. {CHOICES}"
