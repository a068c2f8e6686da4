"""The encrypted credentials file: all entries in one JSON document, encrypted with Fernet (AES-128-CBC +
HMAC-SHA256) under a key derived from the master password with scrypt.

The header (KDF parameters, salt) is plain JSON and not authenticated until the key is derived, so it is not
trusted: anything but the exact parameters we write is refused before deriving (inflated n/r/p would stall
the app for many seconds or exhaust memory: scrypt needs 128*n*r bytes). cryptography is imported only when
a key is derived or a token opened.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from tui import fsutil
from tui.crash import hold
from tui.credentials.errors import (
    CredentialError,
    CredentialFileError,
    MasterPasswordRequired,
    WrongMasterPassword,
)
from tui.credentials.files import (
    NOT_JSON,
    Entries,
    entries_from,
    entries_plain,
    json_or_not,
    read_json,
)

__all__ = ["MIN_MASTER_PASSWORD", "SCRYPT_N", "SCRYPT_P", "SCRYPT_R", "SALT_BYTES", "EncryptedFile", "clean_master"]

# scrypt cost (OWASP: N=2**17, r=8, p=1 = 128 MiB, ~0.5 s); written into the file, and the only one accepted.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_MASTER_PASSWORD = 8
FORMAT = "vonage-tui-credentials"

_Header = dict[str, Any]  # salt (bytes), n, r, p (int), token (bytes)


def clean_master(password: str | SecretStr | None) -> SecretStr | None:
    if password is None:
        return None
    value = password.get_secret_value() if isinstance(password, SecretStr) else password
    if not isinstance(value, str) or not value.strip():
        raise CredentialError("The master password is empty.")
    hold(value)
    return SecretStr(value)


def _is_int(value: Any) -> bool:
    return type(value) is int  # not bool, float or a numeric string


def parse_header(doc: Any, path: Path) -> _Header:
    """The header of a parsed file, refusing (CredentialFileError) anything we would not have written."""
    if (
        not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != 1
        or doc.get("kdf") != "scrypt" or doc.get("cipher") != "fernet"
    ):
        raise CredentialFileError(f"{path} is damaged or not a vonage-tui credentials file.")
    params = (doc.get("n"), doc.get("r"), doc.get("p"))
    if not all(_is_int(v) for v in params) or params != (SCRYPT_N, SCRYPT_R, SCRYPT_P):
        raise CredentialFileError(
            f"{path} is damaged or tampered with: its key-derivation settings (scrypt n, r, p) are not the ones "
            "vonage-tui writes, so it was not opened (deriving a key with them could stall the app or exhaust "
            "its memory). Restore the file from a backup, or move it aside and store your secrets again."
        )
    try:
        salt = base64.b64decode(doc["salt"], validate=True)
        token = doc["data"].encode("ascii")
    except (KeyError, TypeError, ValueError, AttributeError, UnicodeError, binascii.Error):
        salt, token = b"", b""
    if len(salt) != SALT_BYTES or not token:
        raise CredentialFileError(f"{path} is damaged or tampered with: its salt or data is not what we write.")
    return {"salt": salt, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "token": token}


class EncryptedFile:
    """Secrets in one encrypted file, opened with the master password (set it, or unlock(), before use)."""

    kind = "encrypted-file"
    FORMAT = FORMAT

    def __init__(self, path: Path, master_password: str | SecretStr | None) -> None:
        self.path = path
        self.name = f"encrypted file {path}"
        self._master = clean_master(master_password)
        self._derived: tuple[tuple[bytes, int, int, int], SecretStr] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<encrypted credentials file {self.path} unlocked={self._master is not None}>"

    def set_master_password(self, password: str | SecretStr) -> None:
        with self._lock:
            self._master = clean_master(password)
            self._derived = None

    def _key(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        if self._master is None:
            raise MasterPasswordRequired(f"Enter the master password of {self.path} to use the secrets in it.")
        params = (salt, n, r, p)
        if self._derived is None or self._derived[0] != params:
            raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(self._master.get_secret_value().encode())
            self._derived = (params, SecretStr(base64.urlsafe_b64encode(raw).decode("ascii")))
        return self._derived[1].get_secret_value().encode("ascii")

    def _read(self) -> tuple[Entries, _Header | None]:
        from cryptography.fernet import Fernet, InvalidToken

        doc = read_json(self.path, "credentials file")
        if doc is None:
            return {}, None
        header = parse_header(doc, self.path)
        key = self._key(header["salt"], header["n"], header["r"], header["p"])
        # Errors are raised outside the `except` blocks so nothing (such as a decode error holding the decrypted
        # document) stays attached as __context__.
        try:
            plain: bytes | None = Fernet(key).decrypt(header["token"])
        except InvalidToken:
            plain = None
        if plain is None:
            raise WrongMasterPassword(f"The master password does not open {self.path}.")
        entries = json_or_not(plain)
        if entries is NOT_JSON:
            raise CredentialFileError(f"{self.path} is damaged: it decrypts, but not to credentials.")
        return entries_from(entries, self.path), header

    def _write(self, entries: Entries, header: _Header | None) -> None:
        from cryptography.fernet import Fernet

        if header is None:
            if self._master is not None and len(self._master.get_secret_value()) < MIN_MASTER_PASSWORD:
                raise CredentialError(f"Choose a master password of at least {MIN_MASTER_PASSWORD} characters.")
            header = {"salt": os.urandom(SALT_BYTES), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
        key = self._key(header["salt"], header["n"], header["r"], header["p"])
        token = Fernet(key).encrypt(json.dumps(entries_plain(entries)).encode("utf-8"))
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

    def get(self, service: str, user: str) -> SecretStr | None:
        with self._lock:
            return self._read()[0].get(service, {}).get(user)

    def set(self, service: str, user: str, secret: SecretStr) -> None:
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
        new_master = clean_master(new)
        assert new_master is not None
        if len(new_master.get_secret_value()) < MIN_MASTER_PASSWORD:
            raise CredentialError(f"Choose a master password of at least {MIN_MASTER_PASSWORD} characters.")
        with self._lock, fsutil.locked(self.path):
            entries, _ = self._read()
            self._master, self._derived = new_master, None
            self._write(entries, None)  # a fresh salt
