"""Warm start: the owned-number list of each profile, kept on disk between runs.

Why: an account with thousands of numbers takes a while to page through, so the Numbers screen shows
the last list at once (marked "cached 3 min ago") and refreshes it in the background. The file holds
only what ``/account/numbers`` answered (numbers and their webhooks, in the API's own field names),
never a secret: the profile is named by its API key and host, and the file name is a hash of that.
Files are private (0600 in a 0700 directory, via ``fsutil``). No Textual imports: call these from
``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tui.fsutil import InsecurePermissions, read_private_file, write_private_file
from tui.owned import OwnedRecord

FORMAT = 2
_PREFIX = "owned-"


def profile_key(api_key: str, host: str) -> str:
    """The cache's name for an account: API key and host (no secret)."""
    return f"{api_key}@{host}"


def owned_path(profile_key: str) -> Path:
    """Where ``profile_key``'s owned numbers are cached (a hash, so any key makes a safe file name)."""
    digest = hashlib.sha256(profile_key.encode("utf-8")).hexdigest()[:32]
    from tui.config import cache_dir

    return cache_dir() / f"{_PREFIX}{digest}.json"


def save_owned(profile_key: str, numbers: Iterable[OwnedRecord]) -> Path:
    """Replace the cached list of ``profile_key`` atomically; returns the file written."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "profile": profile_key,
        "saved_at": time.time(),
        "numbers": [n.to_wire() for n in numbers],
    }
    path = owned_path(profile_key)
    write_private_file(path, json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return path


def load_owned(profile_key: str) -> tuple[list[OwnedRecord], float] | None:
    """(numbers, saved_at as a Unix time) or None when there is no usable cache for this profile.

    A missing, unreadable, foreign, world-readable or malformed file counts as "no cache": a cache is
    only a head start, the fresh load that follows is the truth.
    """
    path = owned_path(profile_key)
    try:
        raw = read_private_file(path)
    except (OSError, InsecurePermissions):
        return None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(body, dict) or body.get("format") != FORMAT or body.get("profile") != profile_key:
        return None
    saved_at, items = body.get("saved_at"), body.get("numbers")
    if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)) or not isinstance(items, list):
        return None
    try:
        numbers = [OwnedRecord.from_wire(item) for item in items]
    except (ValueError, TypeError, AttributeError):
        return None
    return numbers, float(saved_at)
