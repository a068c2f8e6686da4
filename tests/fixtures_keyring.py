"""Fixtures for config and credentials tests: private dirs under tmp_path and a test keyring in place.

Wire into tests/conftest.py with `from fixtures_keyring import *  # noqa: F401,F403` (tests/ is on sys.path
under pytest's default import mode), or import the fixtures by name in a test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends import fail
from memory_keyring import FailingKeyring, HangingKeyring, MemoryKeyring

__all__ = [
    "IsolatedDirs", "failing_keyring", "hanging_keyring", "headless_keyring", "isolated_dirs", "memory_keyring",
]


def _install(monkeypatch: pytest.MonkeyPatch, backend: keyring.backend.KeyringBackend) -> None:
    # Remember whatever was there (without triggering keyring's detection) so monkeypatch restores it.
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(backend)


@dataclass
class IsolatedDirs:
    config: Path
    cache: Path


@pytest.fixture
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> IsolatedDirs:
    """VONAGE_TUI_CONFIG_DIR / VONAGE_TUI_CACHE_DIR point at (not yet created) dirs under tmp_path; the
    VONAGE_API_KEY/VONAGE_API_SECRET of the machine running the tests are hidden, and so is its D-Bus session
    bus (the keyring probes would otherwise ask the real Secret Service of a developer's desktop), and the
    display (so the keyring advice is the headless one): the same on a laptop as on CI."""
    dirs = IsolatedDirs(config=tmp_path / "config", cache=tmp_path / "cache")
    monkeypatch.setenv("VONAGE_TUI_CONFIG_DIR", str(dirs.config))
    monkeypatch.setenv("VONAGE_TUI_CACHE_DIR", str(dirs.cache))
    for var in ("VONAGE_API_KEY", "VONAGE_API_SECRET", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    return dirs


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    _install(monkeypatch, backend)
    return backend


@pytest.fixture
def hanging_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    _install(monkeypatch, backend)
    yield backend
    backend.release.set()  # let the blocked worker threads finish


@pytest.fixture
def failing_keyring(monkeypatch: pytest.MonkeyPatch) -> FailingKeyring:
    backend = FailingKeyring()
    _install(monkeypatch, backend)
    return backend


@pytest.fixture
def headless_keyring(monkeypatch: pytest.MonkeyPatch) -> fail.Keyring:
    """keyring's own fail backend: what keyring picks on a machine with no D-Bus Secret Service."""
    backend = fail.Keyring()
    _install(monkeypatch, backend)
    return backend
