"""Warm start: the owned-number list of each profile, kept on disk between runs.

Why: an account with thousands of numbers takes a while to page through, so the Numbers screen shows
the last list at once (marked "cached 3 min ago") and refreshes it in the background. The file holds
only what ``/account/numbers`` answered (numbers and their webhooks, in the API's own field names),
never a secret: the profile is named by its API key and host, and the file name is a hash of that.
Files are private (0600 in a 0700 directory, via ``fsutil``). No Textual imports: call these from
``asyncio.to_thread``.

The layout follows the records (``tui.owned``): each distinct configuration is written once, and each
number as its msisdn plus the index of its configuration. 100,000 numbers make a ~2 MB file that is
written as it is produced (never a second copy of the list in memory) and read back in a few tens of
milliseconds, which is what lets a restart show the whole list right after its first frame.
"""

from __future__ import annotations

import hashlib
import json
import time
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tui.fsutil import InsecurePermissions, read_private_file, write_private_stream
from tui.owned import NumberConfig, OwnedList, OwnedRecord

FORMAT = 3
_PREFIX = "owned-"
_CHUNK = 4096  # numbers per write


def profile_key(api_key: str, host: str) -> str:
    """The cache's name for an account: API key and host (no secret)."""
    return f"{api_key}@{host}"


def owned_path(profile_key: str) -> Path:
    """Where ``profile_key``'s owned numbers are cached (a hash, so any key makes a safe file name)."""
    digest = hashlib.sha256(profile_key.encode("utf-8")).hexdigest()[:32]
    from tui.paths import cache_dir  # not tui.config: a warm start reads the cache before pydantic is loaded

    return cache_dir() / f"{_PREFIX}{digest}.json"


def save_owned(profile_key: str, numbers: Iterable[OwnedRecord]) -> Path:
    """Replace the cached list of ``profile_key`` atomically; returns the file written.

    ``numbers`` is read once, in order, while the file is written (pass a snapshot, e.g. a list, when
    another thread may change the collection it comes from).
    """
    path = owned_path(profile_key)
    write_private_stream(path, _document(profile_key, numbers))
    return path


def _document(profile_key: str, numbers: Iterable[OwnedRecord]) -> Iterator[bytes]:
    """The cache file, piece by piece: ``{"format", "profile", "saved_at", "numbers", "config_of", "configs"}``."""
    dumps = json.dumps
    head = {"format": FORMAT, "profile": profile_key, "saved_at": time.time()}
    yield (dumps(head, separators=(",", ":"))[:-1] + ',"numbers":[').encode("utf-8")
    index: dict[int, int] = {}  # id(config) -> its position in "configs"
    configs: list[NumberConfig] = []
    config_of = array("I")
    chunk: list[str] = []
    first = True
    for record in numbers:
        config = record.config
        at = index.get(id(config))
        if at is None:
            at = index[id(config)] = len(configs)
            configs.append(config)
        config_of.append(at)
        chunk.append(record.msisdn)
        if len(chunk) == _CHUNK:
            yield _items(chunk, first)
            chunk, first = [], False
    if chunk:
        yield _items(chunk, first)
    yield b'],"config_of":['
    for start in range(0, len(config_of), _CHUNK):
        yield _items(config_of[start:start + _CHUNK].tolist(), start == 0)
    yield b'],"configs":'
    yield dumps([c.to_wire() for c in configs], separators=(",", ":")).encode("utf-8")
    yield b"}"


def _items(values: list[Any], first: bool) -> bytes:
    body = json.dumps(values, separators=(",", ":"))[1:-1]
    return (body if first else "," + body).encode("utf-8")


def load_owned(profile_key: str) -> tuple[list[OwnedRecord], float] | None:
    """(numbers, saved_at as a Unix time) or None when there is no usable cache for this profile.

    A missing, unreadable, foreign, world-readable or malformed file counts as "no cache": a cache is
    only a head start, the fresh load that follows is the truth.
    """
    read = _read(profile_key)
    return None if read is None else (list(read[0].values()), read[1])


def _read(profile_key: str) -> tuple[dict[str, OwnedRecord], float] | None:
    """The cached numbers by msisdn (the owned list's own index, built once) and when they were saved.

    Why so terse: a warm start waits for this (100,000 numbers). Every check is a C loop (``set(map(type,
    …))``), and each record is made once, straight into the index the list keeps.
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
    del raw
    if not isinstance(body, dict) or body.get("format") != FORMAT or body.get("profile") != profile_key:
        return None
    saved_at = body.get("saved_at")
    msisdns, config_of, wire = body.get("numbers"), body.get("config_of"), body.get("configs")
    if isinstance(saved_at, bool) or not isinstance(saved_at, (int, float)):
        return None
    if not (isinstance(msisdns, list) and isinstance(config_of, list) and isinstance(wire, list)):
        return None
    if len(msisdns) != len(config_of) or not all(isinstance(item, dict) for item in wire):
        return None
    try:
        configs = [NumberConfig.from_wire(item) for item in wire]
    except (ValueError, TypeError, AttributeError):
        return None
    if msisdns and (set(map(type, msisdns)) != {str} or "" in msisdns):  # exactly str: it becomes the key
        return None
    if config_of and (set(map(type, config_of)) != {int}  # (bool is not int here: type, not isinstance)
                      or not 0 <= min(config_of) <= max(config_of) < len(configs)):
        return None
    records = map(OwnedRecord.of, msisdns, map(configs.__getitem__, config_of))
    return dict(zip(msisdns, records)), float(saved_at)


def fill(owned: OwnedList, profile_key: str) -> bool:
    """Put the cached list into an empty ``owned`` (a restart's head start, marked as cached with its
    age); True if it did. Never raises: a cache that cannot be used is simply not there."""
    if owned.by_msisdn or not profile_key:
        return False
    try:
        cached = _read(profile_key)
    except Exception:  # noqa: BLE001 - a cache is only a head start
        return False
    if cached is None or owned.by_msisdn:
        return False
    by_msisdn, saved_at = cached
    owned.replace(by_msisdn, complete=False, from_cache=True, loaded_at=saved_at)
    return True
