"""Writing owned numbers to a CSV or JSON file: the Numbers screen's export (no Textual; runs in a thread).

Why the scripting writers: a file exported from the screen must read exactly like
``vonage-tui numbers -o csv|json`` (the same wire names, the same columns, the same framing), so a
script written against one works on the other. Records are ``OwnedRecord.to_wire()`` — the API's own
JSON spelling — and the CSV shape is ``tui.scripting.output.OWNED_NUMBER``.

Why private: the file lists the account's numbers and where their calls and messages go (webhooks,
application ids). It is created 0600, never through a symbolic link, and an existing file is replaced
only when the caller says so (after the user confirmed): a file that appears meanwhile is not clobbered.
No secret is in a record, so none can reach the file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.fsutil import PRIVATE_FILE_MODE, is_symlink
from tui.scripting.output import OWNED_NUMBER, writer_for

if TYPE_CHECKING:
    from tui.owned import OwnedRecord

#: File name endings and the format each one writes.
FORMATS: dict[str, str] = {".csv": "csv", ".json": "json"}
#: Records turned into text per write (bounded memory for 100,000 numbers).
CHUNK = 2000

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class ExportRefused(Exception):
    """The path cannot be written as asked; the message is shown next to the file-name field."""


@dataclass(frozen=True)
class ExportTarget:
    """Where to write and how: ``exists`` says the user must confirm replacing the file first."""

    path: Path
    fmt: str
    exists: bool


def default_name(now: float | None = None, fmt: str = "csv") -> str:
    """A name that sorts by date and does not clash minute to minute: ./vonage-numbers-YYYYmmdd-HHMM.csv."""
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(now))
    return f"./vonage-numbers-{stamp}.{fmt}"


def resolve_target(text: str, cwd: Path | None = None) -> ExportTarget:
    """The file ``text`` names (``~`` expanded, relative to ``cwd``), checked; ExportRefused says why not."""
    text = text.strip()
    if not text:
        raise ExportRefused("Give a file name ending in .csv or .json.")
    path = Path(os.path.expanduser(text))
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if path.name in ("", ".", "..") or text.endswith(("/", os.sep)):
        raise ExportRefused(f"{text} is a folder: add a file name ending in .csv or .json.")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportRefused("End the file name in .csv or .json (that chooses the format).")
    parent = path.parent
    if not parent.is_dir():
        raise ExportRefused(f"The folder {parent} does not exist.")
    if is_symlink(path):
        raise ExportRefused(f"{path} is a symbolic link: give the file's own name, or another name.")
    if path.is_dir():
        raise ExportRefused(f"{path} is a folder: give a file name.")
    exists = path.exists()
    if exists and not path.is_file():
        raise ExportRefused(f"{path} exists and is not a regular file.")
    if not os.access(parent, os.W_OK):
        raise ExportRefused(f"The folder {parent} cannot be written to.")
    return ExportTarget(path, fmt, exists)


def write_numbers(target: ExportTarget, records: Sequence[OwnedRecord], *, overwrite: bool) -> int:
    """Write ``records`` (in their order) to ``target``; returns how many rows were written.

    The text goes to a 0600 temporary file beside the target, which then takes the target's name: a
    failure half-way leaves no truncated export behind. Without ``overwrite`` an existing file is never
    replaced (FileExistsError), even one created after the target was checked.
    """
    path = target.path
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, PRIVATE_FILE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask can only remove bits; make it exact
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    try:
        with stream:
            writer = writer_for(target.fmt, OWNED_NUMBER, stream)
            writer.begin()
            for start in range(0, len(records), CHUNK):
                writer.write(record.to_wire() for record in records[start:start + CHUNK])
            writer.end()
            stream.flush()
            os.fsync(stream.fileno())
        _move_into_place(tmp, path, overwrite=overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return writer.count


def _move_into_place(tmp: Path, path: Path, *, overwrite: bool) -> None:
    if overwrite:
        if is_symlink(path):
            raise ExportRefused(f"{path} became a symbolic link: not replaced.")
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # atomic, and fails when the name is taken: no clobbering
    except FileExistsError:
        raise FileExistsError(f"{path} exists now: export again to replace it") from None
    except OSError:  # a file system without hard links: check, then rename (a narrow race remains)
        if os.path.lexists(path):
            raise FileExistsError(f"{path} exists now: export again to replace it") from None
        os.replace(tmp, path)


__all__ = ["FORMATS", "ExportRefused", "ExportTarget", "default_name", "resolve_target", "write_numbers"]
