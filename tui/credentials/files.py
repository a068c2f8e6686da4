"""What the two credentials files share, and the plain-text file (by explicit opt-in only).

Both are JSON, private (0600 in a 0700 directory: fsutil refuses anything others can reach, and symlinks),
bounded in size, and checked for shape before anything in them is used. Secrets are held as SecretStr from
the moment they are parsed until the moment they are serialised.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from tui import fsutil
from tui.credentials.errors import CredentialFileError

__all__ = ["MAX_FILE_BYTES", "NOT_JSON", "Entries", "PlaintextFile", "entries_from", "entries_plain", "read_json"]

#: Far above any real file (a few hundred bytes per profile); a bigger one is not ours, and is not parsed.
MAX_FILE_BYTES = 1 << 20

Entries = dict[str, dict[str, SecretStr]]  # service -> profile -> secret

NOT_JSON = object()


def json_or_not(raw: bytes) -> Any:
    """Parsed JSON, or NOT_JSON (the decode error, which holds the whole document, is dropped here)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return NOT_JSON


def read_json(path: Path, what: str) -> Any:
    """The parsed file, None when it does not exist, NOT_JSON when it is not JSON. Refuses an oversized file."""
    try:
        raw = fsutil.read_private_file(path, max_bytes=MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        raise CredentialFileError(
            f"{path} is damaged or not a vonage-tui {what}: it is larger than {MAX_FILE_BYTES // 1024} KiB, "
            "so it was not read. Restore it from a backup, or move it aside and store your secrets again."
        )
    return json_or_not(raw)


def entries_from(data: Any, path: Path) -> Entries:
    if not isinstance(data, dict) or not all(
        isinstance(users, dict) and all(isinstance(v, str) for v in users.values()) for users in data.values()
    ):
        raise CredentialFileError(f"{path} is damaged: its entries are not in the expected shape.")
    return {service: {user: SecretStr(v) for user, v in users.items()} for service, users in data.items()}


def entries_plain(entries: Entries) -> dict[str, dict[str, str]]:
    """The entries with their secrets unwrapped: only to be serialised at once (written or encrypted)."""
    return {service: {u: s.get_secret_value() for u, s in users.items()} for service, users in entries.items()}


class PlaintextFile:
    """Secrets in a private JSON file, unencrypted; SecretStorage shows `warning` before and while using it."""

    kind = "plaintext-file"
    FORMAT = "vonage-tui-plaintext-credentials"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"plain-text file {path}"

    def _read(self) -> Entries:
        doc = read_json(self.path, "plain-text credentials file")
        if doc is None:
            return {}
        if not isinstance(doc, dict) or doc.get("format") != self.FORMAT:
            raise CredentialFileError(f"{self.path} is not a vonage-tui plain-text credentials file.")
        return entries_from(doc.get("entries", {}), self.path)

    def _write(self, entries: Entries) -> None:
        doc = {
            "format": self.FORMAT, "version": 1, "warning": "UNENCRYPTED API secrets",
            "entries": entries_plain(entries),
        }
        fsutil.write_private_file(self.path, json.dumps(doc, indent=2).encode("utf-8"))

    def get(self, service: str, user: str) -> SecretStr | None:
        return self._read().get(service, {}).get(user)

    def set(self, service: str, user: str, secret: SecretStr) -> None:
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
