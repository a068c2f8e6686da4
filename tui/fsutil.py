"""Private files: 0700 directories, 0600 files, atomic replacement, append-only lines.

Shared by the config, the credentials file, the journal and the cache. No Textual imports: these run in
worker threads. On Windows the POSIX mode checks are skipped (the per-user profile folders are private).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_POSIX = os.name == "posix"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class InsecurePermissions(Exception):
    """A private file or directory that other users can reach; the message says how to fix it."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path} {problem}. Fix it with: {fix}")


def _check_stat(path: Path, st: os.stat_result) -> None:
    if not _POSIX:
        return
    quoted = shlex.quote(str(path))
    if st.st_uid != os.getuid():
        raise InsecurePermissions(
            path, f"belongs to another user (uid {st.st_uid})", f"chown {os.getuid()} {quoted}"
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        is_dir = stat.S_ISDIR(st.st_mode)
        verb = "read" if mode & 0o044 else "changed"
        problem = f"can be {verb} by other users (mode {mode:04o})"
        raise InsecurePermissions(path, problem, f"chmod {'700' if is_dir else '600'} {quoted}")


def check_private(path: str | os.PathLike[str]) -> None:
    """Raise InsecurePermissions unless `path` is owned by us with no group/other bits.

    Raises FileNotFoundError when it does not exist.
    """
    p = Path(path)
    _check_stat(p, os.stat(p))


def ensure_private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` (0700) if missing, parents with default modes; refuse an existing one others can reach."""
    p = Path(path)
    try:
        p.mkdir(mode=PRIVATE_DIR_MODE, parents=True)
    except FileExistsError:
        if not p.is_dir():
            raise NotADirectoryError(f"{p} exists and is not a directory") from None
    else:
        if _POSIX:
            os.chmod(p, PRIVATE_DIR_MODE)  # the umask can only have removed bits; make it exact
    check_private(p)
    return p


def _fsync_dir(path: Path) -> None:
    if not _POSIX:
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_private_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace `path` with `data`: a 0600 temp file in the same private directory, fsync, os.replace."""
    p = Path(path)
    ensure_private_dir(p.parent)
    tmp = p.parent / f".{p.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if _POSIX:
            os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(p.parent)


def read_private_file(path: str | os.PathLike[str]) -> bytes:
    """Read a private file, refusing it (InsecurePermissions) if others can reach it or it is a symlink."""
    p = Path(path)
    fd = os.open(p, os.O_RDONLY | _NOFOLLOW | _BINARY)
    with os.fdopen(fd, "rb") as fh:
        _check_stat(p, os.fstat(fh.fileno()))
        return fh.read()


def append_private_line(path: str | os.PathLike[str], line: str, *, fsync: bool = True) -> None:
    """Append one line (a trailing newline is added) to a 0600 file, creating it and its 0700 directory.

    A line must not contain a line break of its own. Refuses an existing file others can reach.
    """
    text = line[:-1] if line.endswith("\n") else line
    if "\n" in text or "\r" in text:
        raise ValueError("a line to append must not contain a line break")
    p = Path(path)
    ensure_private_dir(p.parent)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _BINARY, PRIVATE_FILE_MODE)
    try:
        _check_stat(p, os.fstat(fd))
        data = (text + "\n").encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock for read-modify-write of `path`: between threads, and between processes on POSIX

    (flock on a sibling "<name>.lock" file, 0600).
    """
    p = Path(path)
    with _thread_locks_guard:
        tlock = _thread_locks.setdefault(str(p.absolute()), threading.Lock())
    with tlock:
        if not _POSIX:
            yield
            return
        import fcntl

        ensure_private_dir(p.parent)
        lock_path = p.with_name(p.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
