"""Keyring backends for tests: never the real keyring.

MemoryKeyring stores in a dict. HangingKeyring blocks every call until released (timeout tests).
FailingKeyring raises a chosen exception, by default one that echoes the password (leak tests).
PromptingFileKeyring stands in for keyrings.cryptfile/keyrings.alt file keyrings, which prompt on the terminal.
Only MemoryKeyring is "viable" for keyring's auto-detection; the others refuse (priority raises), so merely
importing this module can never put a hanging or failing backend into keyring's default chain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import KeyringError, PasswordDeleteError


class _TestOnly(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test-only keyring backend; use keyring.set_keyring()")

    def get_password(self, service: str, username: str) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError


class MemoryKeyring(KeyringBackend):
    """In-memory keyring. `passwords` maps (service, username) -> password; `calls` counts operations."""

    priority = 20

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(("get", service, username))
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(("set", service, username))
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append(("delete", service, username))
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError("Password not found") from None


class HangingKeyring(_TestOnly):
    """Every call blocks (like a locked collection waiting for a desktop prompt) until `release` is set.

    `entered` is set when a call starts. The fixture releases it at teardown so no thread outlives the test.
    """

    def __init__(self, max_wait: float = 30.0) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.max_wait = max_wait

    def _hang(self) -> None:
        self.entered.set()
        self.release.wait(self.max_wait)

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        self._hang()


class FailingKeyring(_TestOnly):
    """Every call raises `make_error(operation, password_or_None)`; by default a KeyringError whose message
    contains the password, as a careless backend might."""

    def __init__(self, make_error: Callable[[str, str | None], Exception] | None = None) -> None:
        super().__init__()
        self.make_error = make_error or (lambda op, pw: KeyringError(f"backend exploded during {op} of {pw!r}"))

    def get_password(self, service: str, username: str) -> str | None:
        raise self.make_error("get", None)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.make_error("set", password)

    def delete_password(self, service: str, username: str) -> None:
        raise self.make_error("delete", None)


class PromptingFileKeyring(_TestOnly):
    """Looks like a keyrings.cryptfile file keyring (has file_path); any use fails the test, since the real one
    would call getpass() on the terminal."""

    file_path = "/nonexistent/cryptfile_pass.cfg"

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("a file keyring that prompts on the terminal must never be used")

    set_password = delete_password = get_password  # type: ignore[assignment]
