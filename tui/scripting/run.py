"""`vonage-tui <screen> -o json|csv`: print a screen's data on stdout and exit.

Contract for scripts: stdout holds only data; stderr one line per problem (progress too, but only
on a terminal); exit 0 when everything was written, 1 when the API, the credentials or the
output failed, 130 on Ctrl+C. A reader that stops early (``| head``) ends the run quietly with 0.
Requests are paced at the account's own limit: ``max-calls-per-second`` from its settings, read
first (which also proves the credentials before anything is written).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING

from .access import Access, ScriptError, ask_password, interactive, resolve_access
from .exports import (
    Tally,
    export_account,
    export_numbers,
    export_pools,
    export_search,
    export_secrets,
    shape_for,
)
from .output import Progress, Writer, writer_for

if TYPE_CHECKING:
    from tui.api.client import VonageClient
    from tui.api.errors import VonageError
    from tui.api.models import AccountSettings
    from tui.launch import LaunchOptions

WHAT = {"numbers": "numbers", "search": "numbers", "secrets": "secrets", "pools": "items", "account": "items"}


def run(options: LaunchOptions) -> int:
    """Run one export and return the exit status; never raises, never prints a traceback."""
    prog = f"vonage-tui {options.initial_screen}"
    try:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # JSON is UTF-8 by definition
        if options.demo:
            return _run_demo(options)
        return asyncio.run(_export(options, resolve_access(options, ask_password if interactive() else None)))
    except ScriptError as exc:
        _say(prog, exc.message)
        return exc.code
    except BrokenPipeError:
        _detach_stdout()
        return 0
    except KeyboardInterrupt:
        _say(prog, "interrupted")
        return 130
    except OSError as exc:  # stdout on a full disk, a closed terminal...
        _say(prog, f"could not write the output: {exc.strerror or type(exc).__name__}")
        return 1
    except Exception as exc:  # a bug: still one line (messages in this code base never hold a secret)
        _say(prog, f"internal error, please report it: {type(exc).__name__}: {exc}")
        return 1


def _say(prog: str, message: str) -> None:
    from tui.api.text import printable

    try:
        print(f"{prog}: {printable(message)}", file=sys.stderr, flush=True)  # server words, controls made visible
    except OSError:
        pass


def _detach_stdout() -> None:
    """The reader went away: point stdout at /dev/null so the exit-time flush cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _run_demo(options: LaunchOptions) -> int:
    """`--demo`: the embedded sandbox on a loopback port, for this run only."""
    from pydantic import SecretStr

    from tui.sandbox.config import SandboxConfig
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
    from tui.sandbox.server import start_sandbox

    with start_sandbox(SandboxConfig()) as sandbox:
        access = Access(DEMO_API_KEY, SecretStr(DEMO_API_SECRET), sandbox.url, sandbox.url, "demo")
        return asyncio.run(_export(options, access))


def _client(access: Access, rate: float | None) -> VonageClient:
    from tui.api.client import VonageClient

    return VonageClient(
        access.api_key, access.secret, rest_url=access.rest_url, api_url=access.api_url,
        timeout=access.timeout, rate_limit=rate, printable=False,  # JSON escapes controls, CSV neutralises
    )


async def _export(options: LaunchOptions, access: Access) -> int:
    from tui.api.errors import VonageError

    command, args = options.initial_screen, options.screen_args
    prog = f"vonage-tui {command}"
    out = writer_for(options.output or "json", shape_for(command, args), sys.stdout)
    progress = Progress(WHAT.get(command, "items"))
    try:
        settings, rate = await _account_pace(access, prog, required=command == "account")
        async with _client(access, rate) as client:
            if command == "numbers":
                tally = await export_numbers(client, args, out, progress, rate)
            elif command == "search":
                tally = await export_search(client, args, out, progress)
            elif command == "account":
                assert settings is not None
                tally = await export_account(client, settings, out, progress)
            elif command == "secrets":
                tally = await export_secrets(client, args, out, progress)
            else:
                tally = await export_pools(client, args, out, progress)
    except VonageError as exc:
        error = ScriptError(_describe(exc, access, out))
    else:
        error = None
    finally:
        progress.clear()
    if error is not None:  # raised here, outside the except block: nothing chained to it
        raise error
    _check_tally(prog, tally)
    return 0


async def _account_pace(access: Access, prog: str, *, required: bool) -> tuple[AccountSettings | None, float]:
    """The account's settings and the rate to pace at: its ``max-calls-per-second`` (capped by a
    limit the profile sets on purpose). Only bad credentials or no connection stop the run here;
    otherwise a warning, and the profile's (or the default) pace."""
    from tui.api.errors import AuthError, NetworkError, VonageError

    async with _client(access, access.rate_limit) as probe:
        try:
            settings = await probe.get_settings()
        except (AuthError, NetworkError):
            raise
        except VonageError as exc:
            if required:
                raise
            _say(prog, f"warning: could not read the account's rate limit ({exc.message}); "
                       f"pacing at {access.rate_limit:g} requests/s")
            return None, access.rate_limit
    rate = float(settings.max_calls_per_second or 0) or access.rate_limit
    if access.rate_cap is not None:
        rate = min(rate, access.rate_cap)
    return settings, rate


def _describe(exc: VonageError, access: Access, out: Writer) -> str:
    """One line: what failed, whose credentials were refused, and whether the output is cut short."""
    from tui.api.errors import AuthError

    message = exc.message
    if isinstance(exc, AuthError):
        if access.source == "environment":
            message = ("the API refused VONAGE_API_KEY/VONAGE_API_SECRET (401 authentication failed): "
                       "check both, or unset them to use your profile")
        elif access.source == "profile":
            message = (f"the API refused the key and secret of profile '{access.profile}' (401 authentication "
                       "failed): run vonage-tui to log in again, or set VONAGE_API_KEY/VONAGE_API_SECRET")
    if out.started:
        message += f" - the output stopped after {out.count:,} records and is incomplete"
    return message


def _check_tally(prog: str, tally: Tally) -> None:
    if tally.expected is not None and tally.received != tally.expected:
        _say(prog, f"warning: the account changed while it was read ({tally.expected:,} expected, "
                   f"{tally.received:,} received); run again for a consistent list")
