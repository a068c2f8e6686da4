"""API secrets: the OS keyring (one entry per profile), an encrypted file, or, by explicit opt-in, a plain file.

Every storage call runs in a daemon worker thread with a timeout, so a keyring that waits for a desktop unlock
prompt cannot freeze the app (KeyringTimeout), and a hung call cannot block the process from exiting.
No message, repr or exception argument raised from here ever contains a secret or a master password.
No Textual imports: used from worker threads.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from tui import fsutil
from tui.config import KeyringBackendName, Profile, config_dir, looks_like_secret, validate_profile_name
from tui.fsutil import InsecurePermissions

__all__ = [
    "API_KEY_ENV", "API_SECRET_ENV", "DEFAULT_TIMEOUT", "ENCRYPTED_FILENAME", "HEADLESS_REASON",
    "PLAINTEXT_FILENAME", "SERVICE", "CredentialError", "CredentialFileError", "CredentialStore", "Credentials",
    "CredentialsLocked", "KeyringStatus", "KeyringTimeout", "KeyringUnavailable", "MasterPasswordRequired",
    "PlaintextNotAllowed", "WrongMasterPassword", "env_credentials", "keyring_status", "resolve_credentials",
]

SERVICE = "vonage-tui"
DEFAULT_TIMEOUT = 5.0
FILE_TIMEOUT = 30.0  # file backends wait for no prompt; this only guards a stuck (network) filesystem
ENCRYPTED_FILENAME = "credentials.enc"
PLAINTEXT_FILENAME = "credentials.plaintext.json"
API_KEY_ENV = "VONAGE_API_KEY"
API_SECRET_ENV = "VONAGE_API_SECRET"

# scrypt cost for the encrypted file (OWASP: N=2**17, r=8, p=1 = 128 MiB, ~0.5 s); stored in the file.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
MIN_MASTER_PASSWORD = 8
_MAX_PENDING = 4  # hung keyring calls still waiting in the background before we stop starting new ones

_CHOICES = (
    "Choose: an encrypted file protected by a master password, or VONAGE_API_KEY/VONAGE_API_SECRET for this run."
)
HEADLESS_REASON = f"No desktop keyring is available on this machine (no D-Bus Secret Service). {_CHOICES}"
_FILE_KEYRING_MODULES = ("keyrings.cryptfile", "keyrings.alt")

T = TypeVar("T")


# -- errors --------------------------------------------------------------------------------------------------


class CredentialError(Exception):
    """A secret could not be read, stored or removed. The message is for people and never holds a secret."""


class KeyringTimeout(CredentialError):
    """The keyring did not answer in time (typically a locked collection waiting for a desktop prompt)."""


class KeyringUnavailable(CredentialError):
    """There is no usable system keyring here (headless machine, keyring disabled)."""


class CredentialsLocked(CredentialError):
    """The system keyring is locked and was not unlocked."""


class MasterPasswordRequired(CredentialError):
    """The encrypted credentials file needs its master password (unlock()) before use."""


class WrongMasterPassword(CredentialError):
    """The master password does not open the encrypted credentials file."""


class CredentialFileError(CredentialError):
    """The credentials file is damaged or not ours."""


class PlaintextNotAllowed(CredentialError):
    """The plain-text file backend was asked for without allow_plaintext=True."""


# -- running storage calls off the caller's thread, with a timeout ---------------------------------------------

_pending: set[threading.Thread] = set()
_pending_lock = threading.Lock()


def _call_in_thread(fn: Callable[[], T], timeout: float, what: str) -> tuple[bool, Any]:
    """Run fn in a daemon thread; return (True, value) or (False, exception). KeyringTimeout if it takes too long."""
    with _pending_lock:
        for thread in [t for t in _pending if not t.is_alive()]:
            _pending.discard(thread)
        if len(_pending) >= _MAX_PENDING:
            raise KeyringTimeout(
                f"The {what} is still busy with {len(_pending)} earlier requests that never finished. Answer any "
                f"keyring prompt on your desktop, or restart the app. {_CHOICES}"
            )
    outcome: list[tuple[bool, Any]] = []
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
        _pending.add(worker)
    worker.start()
    if not done.wait(timeout):
        raise KeyringTimeout(
            f"The {what} did not answer within {timeout:g} s. If your desktop is showing a keyring unlock "
            f"prompt, answer it and try again. {_CHOICES}"
        )
    with _pending_lock:
        _pending.discard(worker)
    return outcome[0]


_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def _safe_detail(exc: BaseException, secret: str | None) -> str:
    text = str(exc)
    if secret:
        text = text.replace(secret, "[redacted]")
    text = _ALNUM_RUN.sub(lambda m: "[redacted]" if looks_like_secret(m.group()) else m.group(), text)
    text = " ".join(text.split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- the system keyring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyringStatus:
    """Whether the system keyring can be used; `reason` explains in plain words when it cannot."""

    usable: bool
    backend_name: str
    reason: str


def _display_name(kr: KeyringBackend) -> str:
    try:
        return str(type(kr).name)
    except Exception:  # noqa: BLE001 - a name is only for display
        return type(kr).__name__


def _unusable_kind(kr: KeyringBackend) -> str | None:
    from keyring.backends import chainer, fail, null

    if isinstance(kr, chainer.ChainerBackend):
        return "chainer"
    if isinstance(kr, fail.Keyring):
        return "none"
    if isinstance(kr, null.Keyring):
        return "disabled"
    # keyrings.cryptfile / keyrings.alt file keyrings ask for their password on the terminal (getpass), which
    # would wreck a full-screen app; our own encrypted-file backend replaces them.
    if type(kr).__module__.startswith(_FILE_KEYRING_MODULES) or hasattr(type(kr), "file_path"):
        return "file"
    return None


def _explain(kinds: list[str]) -> str:
    if "disabled" in kinds:
        return f"The keyring is turned off on this machine (keyring's null backend is configured). {_CHOICES}"
    if sys.platform.startswith(("darwin", "win")):
        return f"No system keyring is available on this machine. {_CHOICES}"
    return HEADLESS_REASON


def _resolve_system() -> tuple[KeyringBackend | None, str, str]:
    """(backend or None, display name, reason). A chainer is replaced by its best usable member, so a file
    keyring lower in the chain is never consulted (it would prompt on the terminal)."""
    from keyring.backends import chainer

    top = keyring.get_keyring()
    candidates = list(top.backends) if isinstance(top, chainer.ChainerBackend) else [top]
    kinds = []
    for candidate in candidates:
        kind = _unusable_kind(candidate)
        if kind is None:
            return candidate, _display_name(candidate), ""
        kinds.append(kind)
    return None, _display_name(top), _explain(kinds or ["none"])


def keyring_status(timeout: float = DEFAULT_TIMEOUT) -> KeyringStatus:
    """Detect whether the system keyring is usable (without reading any secret). Never raises."""
    try:
        ok, value = _call_in_thread(_resolve_system, timeout, "system keyring")
    except KeyringTimeout as exc:
        return KeyringStatus(False, "unknown", str(exc))
    if not ok:
        return KeyringStatus(
            False, "unknown", f"The system keyring could not start ({_safe_detail(value, None)}). {_CHOICES}"
        )
    backend, name, reason = value
    return KeyringStatus(backend is not None, name, reason)


class _SystemBackend:
    kind = "system"
    path: Path | None = None

    def __init__(self) -> None:
        self.name = "system keyring"

    def _backend(self) -> KeyringBackend:
        backend, name, reason = _resolve_system()
        if backend is None:
            raise KeyringUnavailable(reason)
        self.name = f"system keyring ({name})"
        return backend

    def get(self, service: str, user: str) -> str | None:
        return self._backend().get_password(service, user)

    def set(self, service: str, user: str, secret: str) -> None:
        self._backend().set_password(service, user, secret)

    def delete(self, service: str, user: str) -> bool:
        try:
            self._backend().delete_password(service, user)
        except keyring.errors.PasswordDeleteError:
            return False
        return True


# -- file backends --------------------------------------------------------------------------------------------


_NOT_JSON = object()


def _json_or_none(raw: bytes) -> Any:
    """Parsed JSON, or _NOT_JSON (the decode error, which holds the whole document, is dropped here)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _NOT_JSON


def _parse_header(doc: Any, expected_format: str) -> dict[str, Any] | None:
    if not isinstance(doc, dict) or doc.get("format") != expected_format or doc.get("kdf") != "scrypt":
        return None
    try:
        n, r, p = int(doc["n"]), int(doc["r"]), int(doc["p"])
        salt = base64.b64decode(doc["salt"], validate=True)
        token = str(doc["data"]).encode("ascii")
    except (KeyError, TypeError, ValueError, UnicodeError, binascii.Error):
        return None
    if not (2**10 <= n <= 2**22 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and len(salt) >= 16):
        return None
    return {"salt": salt, "n": n, "r": r, "p": p, "token": token}


def _entries_from(data: Any, path: Path) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict) or not all(
        isinstance(users, dict) and all(isinstance(v, str) for v in users.values()) for users in data.values()
    ):
        raise CredentialFileError(f"{path} is damaged: its entries are not in the expected shape.")
    return data


class _PlaintextFile:
    kind = "plaintext-file"
    FORMAT = "vonage-tui-plaintext-credentials"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"plain-text file {path}"

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        doc = _json_or_none(fsutil.read_private_file(self.path))
        if not isinstance(doc, dict) or doc.get("format") != self.FORMAT:
            raise CredentialFileError(f"{self.path} is not a vonage-tui plain-text credentials file.")
        return _entries_from(doc.get("entries", {}), self.path)

    def _write(self, entries: dict[str, dict[str, str]]) -> None:
        doc = {"format": self.FORMAT, "version": 1, "warning": "UNENCRYPTED API secrets", "entries": entries}
        fsutil.write_private_file(self.path, json.dumps(doc, indent=2).encode("utf-8"))

    def get(self, service: str, user: str) -> str | None:
        return self._read().get(service, {}).get(user)

    def set(self, service: str, user: str, secret: str) -> None:
        with fsutil.locked(self.path):
            entries = self._read()
            entries.setdefault(service, {})[user] = secret
            self._write(entries)

    def delete(self, service: str, user: str) -> bool:
        with fsutil.locked(self.path):
            entries = self._read()
            if entries.get(service, {}).pop(user, None) is None:
                return False
            self._write(entries)
            return True


def _clean_master(password: str | SecretStr | None) -> SecretStr | None:
    if password is None:
        return None
    value = password.get_secret_value() if isinstance(password, SecretStr) else password
    if not isinstance(value, str) or not value.strip():
        raise CredentialError("The master password is empty.")
    return SecretStr(value)


class _EncryptedFile:
    """All entries in one JSON document, encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived
    from the master password with scrypt. The header (KDF parameters, salt) is plain JSON."""

    kind = "encrypted-file"
    FORMAT = "vonage-tui-credentials"

    def __init__(self, path: Path, master_password: str | SecretStr | None) -> None:
        self.path = path
        self.name = f"encrypted file {path}"
        self._master = _clean_master(master_password)
        self._derived: tuple[tuple[bytes, int, int, int], bytes] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<encrypted credentials file {self.path} unlocked={self._master is not None}>"

    def set_master_password(self, password: str | SecretStr) -> None:
        with self._lock:
            self._master = _clean_master(password)
            self._derived = None

    def _key(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        if self._master is None:
            raise MasterPasswordRequired(f"Enter the master password of {self.path} to use the secrets in it.")
        params = (salt, n, r, p)
        if self._derived is None or self._derived[0] != params:
            raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(self._master.get_secret_value().encode())
            self._derived = (params, base64.urlsafe_b64encode(raw))
        return self._derived[1]

    def _header(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        header = _parse_header(_json_or_none(fsutil.read_private_file(self.path)), self.FORMAT)
        if header is None:
            raise CredentialFileError(f"{self.path} is damaged or not a vonage-tui credentials file.")
        return header

    def _read(self) -> tuple[dict[str, dict[str, str]], dict[str, Any] | None]:
        from cryptography.fernet import Fernet, InvalidToken

        header = self._header()
        if header is None:
            return {}, None
        key = self._key(header["salt"], header["n"], header["r"], header["p"])
        # Errors are raised outside the `except` blocks so nothing (such as a decode error holding the decrypted
        # document) stays attached as __context__.
        try:
            plain: bytes | None = Fernet(key).decrypt(header["token"])
        except InvalidToken:
            plain = None
        if plain is None:
            raise WrongMasterPassword(f"The master password does not open {self.path}.")
        entries = _json_or_none(plain)
        if entries is _NOT_JSON:
            raise CredentialFileError(f"{self.path} is damaged: it decrypts, but not to credentials.")
        return _entries_from(entries, self.path), header

    def _write(self, entries: dict[str, dict[str, str]], header: dict[str, Any] | None) -> None:
        from cryptography.fernet import Fernet

        if header is None:
            if self._master is not None and len(self._master.get_secret_value()) < MIN_MASTER_PASSWORD:
                raise CredentialError(f"Choose a master password of at least {MIN_MASTER_PASSWORD} characters.")
            header = {"salt": os.urandom(16), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
        key = self._key(header["salt"], header["n"], header["r"], header["p"])
        token = Fernet(key).encrypt(json.dumps(entries).encode("utf-8"))
        doc = {
            "format": self.FORMAT, "version": 1, "kdf": "scrypt",
            "n": header["n"], "r": header["r"], "p": header["p"],
            "salt": base64.b64encode(header["salt"]).decode("ascii"),
            "cipher": "fernet", "data": token.decode("ascii"),
        }
        fsutil.write_private_file(self.path, json.dumps(doc, indent=1).encode("utf-8"))

    def verify(self) -> None:
        with self._lock:
            self._read()

    def get(self, service: str, user: str) -> str | None:
        with self._lock:
            return self._read()[0].get(service, {}).get(user)

    def set(self, service: str, user: str, secret: str) -> None:
        with self._lock, fsutil.locked(self.path):
            entries, header = self._read()
            entries.setdefault(service, {})[user] = secret
            self._write(entries, header)

    def delete(self, service: str, user: str) -> bool:
        with self._lock, fsutil.locked(self.path):
            entries, header = self._read()
            if entries.get(service, {}).pop(user, None) is None:
                return False
            self._write(entries, header)
            return True

    def change_master_password(self, new: str | SecretStr) -> None:
        new_master = _clean_master(new)
        assert new_master is not None
        if len(new_master.get_secret_value()) < MIN_MASTER_PASSWORD:
            raise CredentialError(f"Choose a master password of at least {MIN_MASTER_PASSWORD} characters.")
        with self._lock, fsutil.locked(self.path):
            entries, _ = self._read()
            self._master, self._derived = new_master, None
            self._write(entries, None)  # a fresh salt


# -- the store -------------------------------------------------------------------------------------------------


def _clean_secret(secret: str | SecretStr) -> str:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not isinstance(value, str):
        raise TypeError("the API secret must be a str or a SecretStr")
    value = value.strip()
    if not value:
        raise CredentialError("The API secret is empty.")
    if len(value) > 256:
        raise CredentialError("The API secret is longer than 256 characters.")
    if not value.isprintable():
        raise CredentialError("The API secret contains a line break or another control character.")
    return value


def _profile_name(profile: str | Profile) -> str:
    return validate_profile_name(profile.name if isinstance(profile, Profile) else profile)


class CredentialStore:
    """API secrets, one entry per profile (service "vonage-tui", user name = profile name).

    backend: "system" (the OS keyring), "encrypted-file" (config dir, master password) or "plaintext-file"
    (config dir, only with allow_plaintext=True; show `warning` to the user). Methods block the calling thread
    for at most `timeout` seconds (file backends: at least FILE_TIMEOUT) and raise CredentialError subclasses;
    InsecurePermissions passes through from the file backends.
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
        self._impl: _SystemBackend | _EncryptedFile | _PlaintextFile
        if backend == "system":
            self._impl = _SystemBackend()
            self.timeout = timeout
        elif backend == "encrypted-file":
            self._impl = _EncryptedFile(Path(path) if path else config_dir() / ENCRYPTED_FILENAME, master_password)
            self.timeout = max(timeout, FILE_TIMEOUT)
        elif backend == "plaintext-file":
            file = Path(path) if path else config_dir() / PLAINTEXT_FILENAME
            if not allow_plaintext:
                raise PlaintextNotAllowed(
                    f"Storing the API secret unencrypted in {file} needs an explicit opt-in (allow_plaintext)."
                )
            self._impl = _PlaintextFile(file)
            self.timeout = max(timeout, FILE_TIMEOUT)
        else:
            raise ValueError(f"unknown credentials backend {backend!r}")

    @classmethod
    def for_profile(cls, profile: Profile, **kwargs: Any) -> CredentialStore:
        """The store named by the profile's keyring_backend."""
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
        """A sentence the UI must show before and while using this store, or None."""
        if isinstance(self._impl, _PlaintextFile):
            return (
                f"API secrets are stored UNENCRYPTED in {self._impl.path}. Anyone who can read that file "
                "(backups, administrators, a lost disk) gets full control of the Vonage account. Prefer the "
                "system keyring or an encrypted file."
            )
        return None

    def __repr__(self) -> str:
        return f"CredentialStore(backend={self.backend!r}, where={self.backend_name!r}, timeout={self.timeout:g})"

    def _run(self, op: str, profile: str | None, fn: Callable[[], T], secret: str | None = None) -> T:
        ok, value = _call_in_thread(fn, self.timeout, self._impl.name)
        if ok:
            return value
        raise self._translate(value, op, profile, secret)

    def _translate(self, exc: Exception, op: str, profile: str | None, secret: str | None) -> Exception:
        if isinstance(exc, (CredentialError, InsecurePermissions)):
            return exc
        name = self._impl.name
        if isinstance(exc, keyring.errors.KeyringLocked):
            return CredentialsLocked(f"The {name} is locked. Unlock it on your desktop and try again.")
        if isinstance(exc, keyring.errors.NoKeyringError):
            return KeyringUnavailable(_explain(["none"]))
        if isinstance(exc, keyring.errors.InitError):
            return KeyringUnavailable(f"The {name} could not start ({_safe_detail(exc, secret)}). {_CHOICES}")
        what = f"the secret of profile '{profile}' in the {name}" if profile else f"the {name}"
        return CredentialError(f"Could not {op} {what} ({_safe_detail(exc, secret)}).")

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

    def _require_encrypted(self) -> _EncryptedFile:
        if not isinstance(self._impl, _EncryptedFile):
            raise CredentialError("Only the encrypted-file backend has a master password.")
        return self._impl

    # -- secrets --

    def get_secret(self, profile: str | Profile) -> SecretStr | None:
        """The profile's API secret, or None when none is stored."""
        name = _profile_name(profile)
        value = self._run("read", name, lambda: self._impl.get(self.service, name))
        return None if value is None else SecretStr(value)

    def set_secret(self, profile: str | Profile, secret: str | SecretStr) -> None:
        """Store (or replace) the profile's API secret."""
        name = _profile_name(profile)
        value = _clean_secret(secret)
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


# -- environment and resolution ----------------------------------------------------------------------------------


def env_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, SecretStr] | None:
    """(api_key, secret) from VONAGE_API_KEY/VONAGE_API_SECRET, overriding the stored profile for this run.

    None when neither is set; CredentialError when only one is.
    """
    env = os.environ if environ is None else environ
    key = env.get(API_KEY_ENV, "").strip()
    secret = env.get(API_SECRET_ENV, "").strip()
    if not key and not secret:
        return None
    if not key or not secret:
        have, missing = (API_KEY_ENV, API_SECRET_ENV) if key else (API_SECRET_ENV, API_KEY_ENV)
        raise CredentialError(f"{have} is set but {missing} is not: set both, or neither.")
    return key, SecretStr(secret)


@dataclass(frozen=True)
class Credentials:
    """What the client needs. `source` is "environment" or the store's backend."""

    api_key: str
    api_secret: SecretStr
    source: str
    profile: str | None = None


def resolve_credentials(
    profile: Profile | None, store: CredentialStore | None, *, environ: Mapping[str, str] | None = None
) -> Credentials | None:
    """The environment pair if set, else the profile's key with its stored secret; None when there is no secret."""
    env = env_credentials(environ)
    if env is not None:
        return Credentials(env[0], env[1], "environment", profile.name if profile else None)
    if profile is None or store is None:
        return None
    secret = store.get_secret(profile.name)
    return None if secret is None else Credentials(profile.api_key, secret, store.backend, profile.name)

