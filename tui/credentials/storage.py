"""SecretStorage: the API secret of each profile, in the system keyring, an encrypted file or a plain file.

One entry per profile (service "vonage-tui", user name = profile name). Every call runs through the thread
runner with a timeout and raises CredentialError subclasses whose messages never hold a secret;
InsecurePermissions (and SymlinkRefused) pass through from the file back-ends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

from tui.config import KeyringBackendName, Profile, config_dir, validate_profile_name
from tui.crash import hold
from tui.credentials.advice import CHOICES, headless_session, locked_reason
from tui.credentials.encrypted import EncryptedFile
from tui.credentials.errors import (
    CredentialError,
    CredentialsLocked,
    KeyringUnavailable,
    PlaintextNotAllowed,
    safe_detail,
)
from tui.credentials.files import PlaintextFile
from tui.credentials.runner import call_in_thread
from tui.credentials.status import DEFAULT_TIMEOUT
from tui.credentials.system import SystemKeyring, unusable_reason
from tui.fsutil import InsecurePermissions

__all__ = ["ENCRYPTED_FILENAME", "FILE_TIMEOUT", "PLAINTEXT_FILENAME", "SERVICE", "SecretStorage"]

SERVICE = "vonage-tui"
FILE_TIMEOUT = 30.0  # file backends wait for no prompt; this only guards a stuck (network) filesystem
ENCRYPTED_FILENAME = "credentials.enc"
PLAINTEXT_FILENAME = "credentials.plaintext.json"
MAX_SECRET = 256

T = TypeVar("T")


def clean_secret(secret: str | SecretStr) -> SecretStr:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not isinstance(value, str):
        raise TypeError("the API secret must be a str or a SecretStr")
    value = value.strip()
    if not value:
        raise CredentialError("The API secret is empty.")
    if len(value) > MAX_SECRET:
        raise CredentialError(f"The API secret is longer than {MAX_SECRET} characters.")
    if not value.isprintable():
        raise CredentialError("The API secret contains a line break or another control character.")
    hold(value)
    return SecretStr(value)


def _profile_name(profile: str | Profile) -> str:
    return validate_profile_name(profile.name if isinstance(profile, Profile) else profile)


class SecretStorage:
    """API secrets, one entry per profile.

    backend: "system" (the OS keyring), "encrypted-file" (config dir, master password) or "plaintext-file"
    (config dir, only with allow_plaintext=True; show `warning` to the user). Methods block the calling thread
    for at most `timeout` seconds (file backends: at least FILE_TIMEOUT).
    """

    def __init__(
        self,
        backend: KeyringBackendName = "system",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        path: Path | str | None = None,
        master_password: str | SecretStr | None = None,
        allow_plaintext: bool = False,
        service: str = SERVICE,
    ) -> None:
        self.service = service
        self._impl: SystemKeyring | EncryptedFile | PlaintextFile
        if backend == "system":
            self._impl = SystemKeyring()
            self.timeout = timeout
        elif backend == "encrypted-file":
            self._impl = EncryptedFile(Path(path) if path else config_dir() / ENCRYPTED_FILENAME, master_password)
            self.timeout = max(timeout, FILE_TIMEOUT)
        elif backend == "plaintext-file":
            file = Path(path) if path else config_dir() / PLAINTEXT_FILENAME
            if not allow_plaintext:
                raise PlaintextNotAllowed(
                    f"Storing the API secret unencrypted in {file} needs an explicit opt-in (allow_plaintext)."
                )
            self._impl = PlaintextFile(file)
            self.timeout = max(timeout, FILE_TIMEOUT)
        else:
            raise ValueError(f"unknown credentials backend {backend!r}")

    @classmethod
    def for_profile(cls, profile: Profile, **kwargs: Any) -> SecretStorage:
        """The storage named by the profile's keyring_backend."""
        return cls(profile.keyring_backend, **kwargs)

    @property
    def backend(self) -> KeyringBackendName:
        return self._impl.kind  # type: ignore[return-value]

    @property
    def backend_name(self) -> str:
        """For display: "system keyring (SecretService Keyring)", "encrypted file /path", ..."""
        return self._impl.name

    @property
    def path(self) -> Path | None:
        return self._impl.path

    @property
    def warning(self) -> str | None:
        """A sentence the UI must show before and while using this storage, or None."""
        if isinstance(self._impl, PlaintextFile):
            return (
                f"API secrets are stored UNENCRYPTED in {self._impl.path}. Anyone who can read that file "
                "(backups, administrators, a lost disk) gets full control of the Vonage account. Prefer the "
                "system keyring or an encrypted file."
            )
        return None

    def __repr__(self) -> str:
        return f"SecretStorage(backend={self.backend!r}, where={self.backend_name!r}, timeout={self.timeout:g})"

    def _run(self, op: str, profile: str | None, fn: Callable[[], T], secret: SecretStr | None = None) -> T:
        ok, value = call_in_thread(fn, self.timeout, self._impl.name)
        if ok:
            return value  # type: ignore[return-value]
        assert isinstance(value, Exception)
        raise self._translate(value, op, profile, secret)

    def _translate(self, exc: Exception, op: str, profile: str | None, secret: SecretStr | None) -> Exception:
        if isinstance(exc, (CredentialError, InsecurePermissions)):
            return exc
        name = self._impl.name
        if self._impl.kind == "system":
            import keyring.errors

            if isinstance(exc, keyring.errors.KeyringLocked):
                return CredentialsLocked(locked_reason(headless_session()))
            if isinstance(exc, keyring.errors.NoKeyringError):
                return KeyringUnavailable(unusable_reason(["none"])[1])
            if isinstance(exc, keyring.errors.InitError):
                return KeyringUnavailable(f"The {name} could not start ({safe_detail(exc, secret)}). {CHOICES}")
        what = f"the secret of profile '{profile}' in the {name}" if profile else f"the {name}"
        return CredentialError(f"Could not {op} {what} ({safe_detail(exc, secret)}).")

    # -- master password (encrypted-file only) --

    def unlock(self, master_password: str | SecretStr) -> None:
        """Set the master password and check it against the file if it exists (WrongMasterPassword)."""
        impl = self._require_encrypted()
        impl.set_master_password(master_password)
        self._run("unlock", None, impl.verify)

    def change_master_password(self, new_password: str | SecretStr) -> None:
        """Re-encrypt the file under a new master password (and a fresh salt). Needs the current one first."""
        impl = self._require_encrypted()
        self._run("re-encrypt", None, lambda: impl.change_master_password(new_password))

    def _require_encrypted(self) -> EncryptedFile:
        if not isinstance(self._impl, EncryptedFile):
            raise CredentialError("Only the encrypted-file backend has a master password.")
        return self._impl

    # -- secrets --

    def get_secret(self, profile: str | Profile) -> SecretStr | None:
        """The profile's API secret, or None when none is stored."""
        name = _profile_name(profile)
        return self._run("read", name, lambda: self._impl.get(self.service, name))

    def set_secret(self, profile: str | Profile, secret: str | SecretStr) -> None:
        """Store (or replace) the profile's API secret."""
        name = _profile_name(profile)
        value = clean_secret(secret)
        self._run("store", name, lambda: self._impl.set(self.service, name, value), secret=value)

    def delete_secret(self, profile: str | Profile) -> bool:
        """Remove the profile's secret; False when there was none."""
        name = _profile_name(profile)
        return self._run("remove", name, lambda: self._impl.delete(self.service, name))

    def rename(self, old: str | Profile, new: str | Profile, *, overwrite: bool = False) -> bool:
        """Move the secret from profile `old` to `new`. False when `old` has no secret. Refuses to replace a
        secret `new` already has unless overwrite=True."""
        old_name, new_name = _profile_name(old), _profile_name(new)
        secret = self.get_secret(old_name)
        if secret is None:
            return False
        if old_name == new_name:
            return True
        if not overwrite and self.get_secret(new_name) is not None:
            raise CredentialError(f"Profile '{new_name}' already has a stored secret; remove it first.")
        self.set_secret(new_name, secret)
        try:
            self.delete_secret(old_name)
        except CredentialError as exc:
            raise CredentialError(
                f"The secret was copied to profile '{new_name}', but the old entry '{old_name}' could not be "
                f"removed: {exc}"
            ) from None
        return True
