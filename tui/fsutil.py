"""Private files: 0700 directories, 0600 files, atomic replacement, append-only lines.

Shared by the config, the credentials file, the journal and the cache. No Textual imports: these run in
worker threads. On Windows the POSIX mode checks are skipped (the per-user profile folders are private).
Private files are never opened through a symbolic link (O_NOFOLLOW): whoever can change a link could point
our secrets at a file they read, so a link is refused with a message that names it and says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shlex
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_POSIX = os.name == "posix"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO planted at our path must not hang the app
_BINARY = getattr(os, "O_BINARY", 0)
# What open(O_NOFOLLOW) says about a link: ELOOP (Linux, macOS), EMLINK (FreeBSD), EFTYPE (NetBSD).
_LINK_ERRNOS = {errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", errno.ELOOP)}


class InsecurePermissions(Exception):
    """A private file or directory that other users can reach; the message says how to fix it."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path} {problem}. Fix it with: {fix}")


class SymlinkRefused(InsecurePermissions, OSError):
    """A private file that is a symbolic link. Also an OSError (ELOOP), as the raw open used to raise, so a
    caller that tolerates a failing disk (`except OSError`) still does."""

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        super().__init__(path, problem, fix)
        self.errno = errno.ELOOP

    @classmethod
    def at(cls, path: str | os.PathLike[str], *, keep_content: bool = True) -> SymlinkRefused:
        """The refusal for the link at `path`: copy what it points to into its place (or just remove it)."""
        p = Path(path)
        quoted = shlex.quote(str(p))
        try:
            target = Path(os.path.realpath(p))
        except (OSError, ValueError):
            target = None
        problem = "is a symbolic link" + (f" (to {target})" if target else "")
        problem += "; vonage-tui never opens its private files through a link"
        if keep_content and target is not None and target.is_file():
            fix = f"rm {quoted} && cp {shlex.quote(str(target))} {quoted} && chmod 600 {quoted}"
        else:
            fix = f"rm {quoted}"
        return cls(p, problem, fix)


def is_symlink(path: str | os.PathLike[str]) -> bool:
    """True when `path` itself is a symbolic link (dangling or not)."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _open_nofollow(path: Path, flags: int, mode: int = PRIVATE_FILE_MODE, *, keep_content: bool = True) -> int:
    """os.open that refuses a symbolic link at `path` with SymlinkRefused instead of a bare ELOOP."""
    if not _NOFOLLOW and is_symlink(path):  # no O_NOFOLLOW here (Windows): check first, best effort
        raise SymlinkRefused.at(path, keep_content=keep_content)
    try:
        return os.open(path, flags | _NOFOLLOW | _BINARY, mode)
    except OSError as exc:
        if exc.errno not in _LINK_ERRNOS or not is_symlink(path):
            raise
    # Raised here, outside the `except`, so no exception stays attached as __context__.
    raise SymlinkRefused.at(path, keep_content=keep_content)


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


def _check_open_file(path: Path, fd: int) -> None:
    """An opened private file must be a regular file (not a FIFO or a device planted at our path) and ours."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise InsecurePermissions(path, "is not a regular file", f"rm {shlex.quote(str(path))}")
    _check_stat(path, st)


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


def write_private_file(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> None:
    """Atomically replace `path` with `data`: a 0600 temp file in the same private directory, fsync, os.replace.
    ``fsync=False`` for what can be rebuilt (a cache): still never a torn file, but no wait for the disk."""
    write_private_stream(path, (data,), fsync=fsync)


def write_private_stream(path: str | os.PathLike[str], chunks: Iterable[bytes], *, fsync: bool = True) -> None:
    """``write_private_file`` for data produced piece by piece (a cache of 100,000 numbers), so the whole
    file never has to be in memory at once. The same guarantees: a 0600 temp file created exclusively in
    the 0700 directory (never through a link), fsync, then os.replace; on any failure (an exception from
    ``chunks`` included) the temp file is removed and `path` keeps its old content."""
    p = Path(path)
    ensure_private_dir(p.parent)
    if is_symlink(p):  # os.replace would silently swap the link for a file: say so instead
        raise SymlinkRefused.at(p)
    tmp = p.parent / f".{p.name}.{secrets.token_hex(6)}.tmp"
    fd = _open_nofollow(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        if _POSIX:
            os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if fsync:
        _fsync_dir(p.parent)


def open_private_file(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a private file for reading: never through a link (SymlinkRefused), and only when the file and its
    directory are ours alone (InsecurePermissions, with the chmod that fixes it). FileNotFoundError if missing."""
    p = Path(path)
    if p.parent.exists():
        check_private(p.parent)
    fd = _open_nofollow(p, os.O_RDONLY | _NONBLOCK)
    fh = os.fdopen(fd, "rb")
    try:
        _check_open_file(p, fd)
    except BaseException:
        fh.close()
        raise
    return fh


def read_private_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """The bytes of a private file (see open_private_file), at most `max_bytes` of them when given."""
    with open_private_file(path) as fh:
        return fh.read() if max_bytes is None else fh.read(max_bytes)


def append_private_line(path: str | os.PathLike[str], line: str, *, fsync: bool = True) -> None:
    """Append one line (a trailing newline is added) to a 0600 file, creating it and its 0700 directory.

    A line must not contain a line break of its own. Refuses an existing file others can reach.
    """
    text = line[:-1] if line.endswith("\n") else line
    if "\n" in text or "\r" in text:
        raise ValueError("a line to append must not contain a line break")
    p = Path(path)
    ensure_private_dir(p.parent)
    fd = _open_nofollow(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NONBLOCK)
    try:
        _check_open_file(p, fd)
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
        fd = _open_nofollow(lock_path, os.O_RDWR | os.O_CREAT | _NONBLOCK, keep_content=False)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
