"""``vonage-tui sandbox``: its arguments and how it runs (``tui.cli`` hands the subcommand over to here).

Values are read as text and checked here and by ``SandboxConfig``, so every mistake (a port out of range or
in use, ``--owned`` over 100,000, a latency below 0 or above 60 s, a rate that is not positive, a fault share outside
0..1, a missing certificate) is one line on stderr and exit status 2, never a traceback. Only argparse's
own errors (an unknown flag, a missing value) keep its usage line. Imports stay light until ``run`` needs
the server, so building the app's parser costs nothing.
"""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any, TextIO

from .config import FAULT_MODES, MAX_OWNED, ConfigError, SandboxConfig, share_field
from .fault_plan import ArmedFaults

PROG = "vonage-tui sandbox"

EPILOG = """\
fault modes (each --fault-MODE takes a share of requests, 0..1; the shares add up to at most 1):
  before processing, nothing changes:  drop, 429, 5xx
  after processing, the change is kept: drop-after-commit, corrupt-after-commit (broken gzip),
    garbage-after-commit (200, not JSON), drip (one byte per --drip-interval), huge (--huge-bytes of JSON;
    0 = endless), slow-headers (silence for --slow-headers-delay, then the answer)
  --arm MODE:PATH[:TIMES] gives the next TIMES (default 1) requests to PATH that fault, e.g.
    --arm corrupt-after-commit:/number/buy --arm 5xx:/account/get-balance:3
"""

_FLAGS = {
    "seed": "--seed",
    "owned_count": "--owned",
    "latency": "--latency",
    "rate_limit": "--rate-limit",
    "drip_interval": "--drip-interval",
    "slow_headers_delay": "--slow-headers-delay",
    "huge_bytes": "--huge-bytes",
    "max_body_bytes": "--max-body-bytes",
    "fault shares": "the --fault-* shares",
    **{share_field(mode): f"--fault-{mode}" for mode in FAULT_MODES},
}


class UsageError(Exception):
    """A value on the command line the sandbox cannot use; the message is the one line to print."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's flags on ``parser`` (the ``sandbox`` subparser of the app's parser)."""
    parser.description = "Serve the fake Vonage API (Numbers, Account, Secrets, Subaccounts, Pools) on loopback."
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 (default), ::1 or localhost")
    parser.add_argument("--port", default="8765", help="0..65535, 0 for any free port (default 8765)")
    parser.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS")
    parser.add_argument("--keyfile", help="TLS private key (PEM, unencrypted)")
    parser.add_argument("--seed", default="42", help="seeds the inventory and the fault dice (default 42)")
    parser.add_argument("--owned", metavar="N", help=f"seed N owned numbers (0..{MAX_OWNED})")
    parser.add_argument("--latency", default="0", metavar="SECONDS", help="added to every request (0..60)")
    parser.add_argument("--rate-limit", metavar="PER_SECOND", help="requests per second per account (429 beyond)")
    for mode in FAULT_MODES:
        parser.add_argument(f"--fault-{mode}", default="0", metavar="SHARE", help=f"share of {mode} faults (0..1)")
    parser.add_argument("--drip-interval", default="0.1", metavar="SECONDS", help="between dripped bytes (0..60)")
    parser.add_argument("--slow-headers-delay", default="5", metavar="SECONDS", help="silence before answering (0..60)")
    parser.add_argument("--huge-bytes", default=str(300 * 1024 * 1024), metavar="N", help="0 streams forever")
    parser.add_argument("--max-body-bytes", default=str(1024 * 1024), metavar="N", help="larger bodies get 413")
    parser.add_argument("--arm", action="append", default=[], metavar="MODE:PATH[:TIMES]", help="see below")
    parser.add_argument("--pools-disabled", action="store_true", help="answer 403 on every Number Pools endpoint")


def _number(text: str | None, flag: str, kind: type[int] | type[float]) -> Any:
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise UsageError(f"{flag} must be {what} (got {text!r})") from None


def config_from(args: argparse.Namespace) -> SandboxConfig:
    """The ``SandboxConfig`` the flags describe; ``UsageError`` names the first flag that is wrong."""
    values: dict[str, Any] = {
        "seed": _number(args.seed, "--seed", int),
        "owned_count": _number(args.owned, "--owned", int),
        "latency": _number(args.latency, "--latency", float),
        "rate_limit": _number(args.rate_limit, "--rate-limit", float),
        "drip_interval": _number(args.drip_interval, "--drip-interval", float),
        "slow_headers_delay": _number(args.slow_headers_delay, "--slow-headers-delay", float),
        "huge_bytes": _number(args.huge_bytes, "--huge-bytes", int) or None,
        "max_body_bytes": _number(args.max_body_bytes, "--max-body-bytes", int),
        "pools_enabled": not args.pools_disabled,
    }
    for mode in FAULT_MODES:
        field = share_field(mode)
        values[field] = _number(getattr(args, field), f"--fault-{mode}", float)
    try:
        return SandboxConfig(**values)
    except ConfigError as exc:
        raise UsageError(f"{_FLAGS.get(exc.field, exc.field)} {exc.reason}") from None


def armed_from(specs: list[str]) -> list[tuple[str, str, int]]:
    """(path, mode, times) of each ``--arm MODE:PATH[:TIMES]``, checked as ``ArmedFaults.arm`` would."""
    armed = []
    for spec in specs:
        mode, _, rest = spec.partition(":")
        path, _, times_text = rest.partition(":")
        times = _number(times_text or "1", "--arm TIMES", int)
        try:
            ArmedFaults().arm(path, mode, times=times)
        except ValueError as exc:
            raise UsageError(f"--arm {spec!r}: {exc}") from None
        armed.append((path, mode, times))
    return armed


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Serve until Ctrl+C (exit 0); a value the sandbox cannot use is one line on stderr and exit 2."""
    stderr = err or sys.stderr
    try:
        port = _number(args.port, "--port", int)
        if not 0 <= port <= 65535:
            raise UsageError(f"--port must be between 0 and 65535 (got {port})")
        config = config_from(args)
        armed = armed_from(args.arm)
        from .server import listen  # the server's imports only once the values are known to be good

        listener = listen(args.host, port, args.certfile, args.keyfile, config)
    except (UsageError, ValueError, OSError) as exc:
        print(f"{PROG}: {exc}", file=stderr)
        return 2
    state = listener.app.state.sandbox  # type: ignore[attr-defined]
    for path, mode, times in armed:
        state.faults.arm(path, mode, times=times)
    # The seeded world (up to 100,000 number records) lives as long as the process: keep it out of the
    # garbage collector's full passes, which otherwise add ~10 ms to a request now and then. Safe here,
    # in a process of its own; not done for the sandbox the app and the tests run in a thread.
    gc.freeze()
    try:
        listener.run()
    except KeyboardInterrupt:
        pass
    return 0
