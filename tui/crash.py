"""When something unexpected breaks: a short message, and a crash report that holds no secret.

Why our own: Textual's crash screen prints the traceback *with every frame's local variables* —
the API secret among them — on the terminal, and the process then exits 0. Here a crash writes a
report with the frames (file, line, function, source line) and the exception's type and message,
but no locals; every secret we know of (the session's secret and its Basic-auth forms) and
anything shaped like a Vonage secret is replaced by [redacted]. The file is 0600 in a 0700
directory. The terminal gets one short sentence saying where the report is; the exit status is 1.

No Textual here: the App and the command line call it.
"""

from __future__ import annotations

import base64
import os
import platform
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{8,}")
_HELD: set[str] = set()
"""Every secret this process has held (typed, generated, read from storage): no report may show one."""


def hold(*secrets: Any) -> None:
    """Remember secrets (``SecretStr`` or text) so that every crash report redacts them, whoever crashes.

    Why a registry: the session knows its own secret, but a master password being typed, a secret being
    created or a login not yet finished belong to no session when the crash comes.
    """
    for secret in secrets:
        value = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
        if isinstance(value, str) and len(value) >= 4:
            _HELD.add(value)


def _secret_shaped(token: str) -> bool:
    """Letters and digits mixing upper, lower and digits (a Vonage secret's shape), or a long base64 run."""
    core = token.strip("=")
    mixed = any(c.islower() for c in core) and any(c.isupper() for c in core) and any(c.isdigit() for c in core)
    return mixed and (len(core) <= 128 or "/" in core or "+" in core)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each known secret (plain, and as ``key:secret`` in base64) and secret-shaped token removed."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _TOKEN.sub(lambda m: REDACTED if _secret_shaped(m.group()) else m.group(), text)


def basic_forms(api_key: str, secret: str) -> list[str]:
    """The ways a secret can appear in a request: plain, and base64 of ``key:secret`` (the auth header)."""
    pair = base64.b64encode(f"{api_key}:{secret}".encode("utf-8", "surrogateescape")).decode("ascii")
    return [secret, pair]


def report_dir() -> Path:
    """Where crash reports go: a ``crashes`` folder in the config directory (or a private temp one)."""
    try:
        from tui.config import config_dir

        return config_dir() / "crashes"
    except Exception:  # noqa: BLE001 - a broken config must not stop the report
        return Path(tempfile.gettempdir()) / f"vonage-tui-crashes-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _cause(error: BaseException) -> BaseException:
    """The error itself, not Textual's wrapper around an error raised in a worker."""
    inner = getattr(error, "error", None)
    return inner if type(error).__name__ == "WorkerFailed" and isinstance(inner, BaseException) else error


def render(error: BaseException, secrets: Iterable[str] = ()) -> str:
    """The report's text: where it happened and what, never a local variable."""
    from tui import __version__

    error = _cause(error)
    frames = traceback.TracebackException.from_exception(error, capture_locals=False)
    body = "".join(frames.format())
    header = (
        f"vonage-tui {__version__} crash report\n"
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n"
        f"python: {platform.python_version()} on {platform.platform(terse=True)}\n"
        f"error: {type(error).__name__}\n\n"
    )
    return redact(header + body, [*secrets, *_HELD])


def write_report(error: BaseException, secrets: Iterable[str] = ()) -> Path | None:
    """Write the report privately; its path, or None when no private place could be written."""
    from tui.fsutil import write_private_file

    text = render(error, secrets)
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for directory in (report_dir(), Path(tempfile.gettempdir()) / f"vonage-tui-crashes-{os.getpid()}"):
        try:
            path = directory / name
            write_private_file(path, text.encode("utf-8"))
            return path
        except Exception:  # noqa: BLE001 - try the next place; never crash while reporting a crash
            continue
    return None


def summary(error: BaseException, path: Path | None) -> str:
    """The one sentence the terminal shows after a crash."""
    error = _cause(error)
    where = f"A crash report without secrets is in {path}." if path else "No crash report could be written."
    return (f"vonage-tui stopped after an unexpected error ({type(error).__name__}). {where} "
            "Changes in progress are in the journal and are checked at the next start.")


def explain(error: BaseException, secrets: Iterable[str] = (),
            describe: Callable[[BaseException], str] | None = None) -> str:
    """One sentence for a failure shown in the app (``describe`` words it for the session, else the
    generic way); a bug of ours also leaves a report, and the sentence names it."""
    from tui.service import describe_error, is_expected

    text = (describe or describe_error)(error)
    if not is_expected(error):
        path = write_report(error, secrets)
        text += f" Details (no secrets): {path}" if path else ""
    return text


def excepthook(secrets: Iterable[str] = ()) -> None:
    """Report the exception being handled (outside the app: the command line), one line on stderr."""
    error = sys.exc_info()[1]
    if error is None:
        return
    path = write_report(error, secrets)
    print(summary(error, path), file=sys.stderr)




def handle(app: Any, error: Exception) -> None:
    """An App's unhandled exception: a report without locals or secrets, one sentence, exit status 1.

    Pilot's bookkeeping (``_exception`` and its event) is kept, so tests see the crash as before.
    """
    from rich.text import Text

    app._return_code = 1
    if app._exception is None:
        app._exception = error
        app._exception_event.set()
    app.panic(Text(summary(error, write_report(error, app.known_secrets()))))


__all__ = ["REDACTED", "basic_forms", "excepthook", "explain", "handle", "hold", "redact", "render", "summary", "write_report"]
