"""`--demo`: the embedded sandbox, started in a thread after the first paint, and its leftovers.

The demo's journal lives in a temporary directory named after the process; the session removes it
when it closes, and a demo start removes the ones that earlier demo processes (killed before they
could clean up) left behind.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "vonage-tui-demo-"


@dataclass
class EmbeddedSandbox:
    """A running sandbox and the demo credentials it accepts (kept in memory only)."""

    url: str
    api_key: str
    api_secret: str = field(repr=False)
    context: AbstractContextManager[Any] = field(repr=False)

    def stop(self) -> None:
        self.context.__exit__(None, None, None)


def start() -> EmbeddedSandbox:
    """Start the sandbox on a free loopback port (blocking: call it in a thread)."""
    importlib.import_module("tui.api.client")  # warm the heavy imports off the UI thread too
    from tui.sandbox.config import SandboxConfig
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
    from tui.sandbox.server import start_sandbox

    remove_stale_dirs()
    context = start_sandbox(SandboxConfig())
    running = context.__enter__()
    return EmbeddedSandbox(running.url, DEMO_API_KEY, DEMO_API_SECRET, context)


def temp_dir() -> str:
    """A private directory for this demo run's journal, named after this process."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


def remove_stale_dirs() -> int:
    """Remove demo directories whose process is gone; returns how many were removed."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid_text = path.name[len(PREFIX):].split("-", 1)[0]
        if not path.is_dir() or path.is_symlink() or not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["EmbeddedSandbox", "remove_stale_dirs", "start", "temp_dir"]
