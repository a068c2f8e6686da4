"""A program in a pseudo-terminal, as a person runs it: for benchmarks that time what reaches the screen.

Why a real terminal: timings taken inside ``App.run_test`` leave out the driver, the terminal writes
and the process start-up, which are what a person waits for. ``Terminal`` starts a command in a pty
of a given size, drains its output on a thread (so the program never blocks on a full pty), and
answers "when did this text first appear after that moment?" with ``wait_for``. Peak memory is read
from the OS (``VmHWM`` of the process) before it is stopped. Not a test helper: tests never time
things.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import termios
import threading
import time
from pathlib import Path

_ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def load_average() -> str:
    """The machine's 1/5/15-minute load average, printed beside every figure (the machine is shared)."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


class Terminal:
    """``argv`` running in a ``columns``×``lines`` pseudo-terminal; ``started`` is when it was forked."""

    def __init__(self, argv: list[str], env: dict[str, str], *, columns: int = 120, lines: int = 36,
                 cwd: str | None = None) -> None:
        env = {**env, "TERM": env.get("TERM", "xterm-256color"), "COLUMNS": str(columns), "LINES": str(lines)}
        self._chunks: list[tuple[float, bytes]] = []  # (arrival, plain text without escape sequences)
        self._lock = threading.Condition()
        self._closed = False
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                chunk = b""
            now = time.perf_counter()
            with self._lock:
                if not chunk:
                    self._closed = True
                    self._lock.notify_all()
                    return
                self._chunks.append((now, _ANSI.sub(b"\n", chunk)))
                self._lock.notify_all()

    def mark(self) -> int:
        """A position in the output: ``wait_for(..., since=mark)`` looks only at what came after it."""
        with self._lock:
            return len(self._chunks)

    def wait_for(self, pattern: bytes, *, since: int = 0, timeout: float = 60.0) -> float:
        """When ``pattern`` (a regex over the text, escape sequences removed) first arrived after ``since``.

        The text of consecutive chunks is searched together, so a line split across two writes is found.
        Raises TimeoutError when it does not come in time, or the program ends first.
        """
        regex = re.compile(pattern)
        deadline = time.perf_counter() + timeout
        seen = since
        tail = b""
        with self._lock:
            while True:
                while seen < len(self._chunks):
                    at, text = self._chunks[seen]
                    seen += 1
                    tail = (tail + text)[-4096:]
                    if regex.search(tail):
                        return at
                if self._closed:
                    raise TimeoutError(f"the program ended before {pattern!r} appeared")
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"{pattern!r} did not appear within {timeout:.0f} s")
                self._lock.wait(min(left, 0.05))

    def send(self, keys: str) -> float:
        """Type ``keys``; returns when they were written."""
        os.write(self.fd, keys.encode())
        return time.perf_counter()

    def peak_rss_mb(self) -> float:
        """The most memory the process has held (VmHWM), in MB, as the OS counts it."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Terminal", "load_average"]
