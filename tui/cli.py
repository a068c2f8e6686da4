"""Command line: `vonage-tui [--demo] [screen …] [-o json|csv]` and `vonage-tui sandbox`.

Heavy modules (Textual, httpx, the sandbox) are imported only once we know what to run, so
`--help`, `--version` and a bad command line stay instant. A bad command line is one line on
stderr (plus a short hint) and exit status 2, never a usage dump or a traceback. With
`-o/--output` a deep link prints its data and exits (``tui.scripting``) instead of opening the UI.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import argparse

    from tui.launch import LaunchOptions

MATCH_STRATEGIES = {"start": 0, "contains": 1, "end": 2}
SEARCH_LIMIT_DEFAULT = 100
SEARCH_LIMIT_MAX = 1000
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class UsageError(Exception):
    """A command line we refuse: ``prog`` names the (sub)command, the message says what to change."""

    def __init__(self, message: str, prog: str = "vonage-tui") -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog


@functools.cache
def _parser_class() -> type[argparse.ArgumentParser]:
    """argparse with a one-line error (and a short hint) instead of a usage dump; subparsers inherit it.
    Made on first use: `vonage-tui` and `vonage-tui --demo` never import argparse (see ``_parse``)."""
    import argparse
    import difflib

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            hint = f"Try '{self.prog} --help'."
            found = _INVALID_CHOICE.search(message)
            if found:
                choices = re.findall(r"'([^']*)'", found.group(2))
                close = difflib.get_close_matches(found.group(1), choices, n=1)
                if close:
                    hint = f"Did you mean '{close[0]}'? {hint}"
                elif "-o/--output" in message and "'json'" in found.group(2) and "'csv'" not in found.group(2):
                    hint = f"This is one document, not a table: use -o json. {hint}"
            _fail(self.prog, message, hint)

    return _Parser


def _complain(prog: str, message: str, hint: str = "") -> int:
    """Print a usage problem (one line, then the hint) and return its exit status."""
    print(f"{prog}: {message}", file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)
    return 2


def _fail(prog: str, message: str, hint: str = "") -> NoReturn:
    raise SystemExit(_complain(prog, message, hint))


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Flags accepted both before and after the screen name."""
    import argparse

    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--demo", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="run against the embedded sandbox: no account, no keyring")
    parser.add_argument("--profile", default=default, help="profile to use (see :profiles)")
    parser.add_argument("--read-only", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help="hide every action that changes anything")
    parser.add_argument("--rest-url", default=default,
                        help="Numbers/Account host (env VONAGE_REST_URL; https, or http on loopback)")
    parser.add_argument("--api-url", default=default,
                        help="Secrets/Pools host (env VONAGE_API_URL; https, or http on loopback)")


def _output(parser: argparse.ArgumentParser, formats: tuple[str, ...], what: str) -> None:
    parser.add_argument("-o", "--output", choices=formats,
                        help=f"print {what} to stdout as {' or '.join(formats)} and exit, without the UI")


def build_parser(*, sandbox: bool = True) -> argparse.ArgumentParser:
    """The command line; ``sandbox=False`` leaves out the sandbox's own options (~4 ms of start-up when
    the command is not ``sandbox``: the subcommand is still listed)."""
    parser = _parser_class()(
        prog="vonage-tui",
        description="Keyboard-driven terminal app for Vonage numbers, balance, secrets and pools.",
        epilog="With -o json|csv a screen's data is printed to stdout instead (e.g. vonage-tui numbers -o csv).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    numbers = sub.add_parser("numbers", help="open the owned numbers screen")
    _common(numbers, suppress=True)
    numbers.add_argument("--filter", help="instant filter on the loaded numbers (text, or digits of a number)")
    numbers.add_argument("--country", help="server-side filter: ISO country code (or name)")
    numbers.add_argument("--pattern", help="server-side filter: digits to match")
    numbers.add_argument("--match", choices=list(MATCH_STRATEGIES), default="contains",
                         help="where --pattern occurs in the number (default: contains)")
    numbers.add_argument("--application", help="only numbers linked to this application id")
    numbers.add_argument("--has-application", choices=["yes", "no"])
    _output(numbers, ("json", "csv"), "every owned number")

    search = sub.add_parser("search", help="search numbers to buy")
    _common(search, suppress=True)
    search.add_argument("country", metavar="COUNTRY", help="ISO 3166-1 alpha-2 country code (or name), e.g. GB")
    search.add_argument("--type", choices=["landline", "mobile-lvn", "landline-toll-free"])
    search.add_argument("--features", help="comma-separated: SMS,VOICE,MMS")
    search.add_argument("--pattern", help="digits to match")
    search.add_argument("--match", choices=list(MATCH_STRATEGIES), default="contains",
                        help="where --pattern occurs in the number (default: contains)")
    search.add_argument("--limit", type=int, default=SEARCH_LIMIT_DEFAULT, metavar="N",
                        help=f"with -o: print at most N numbers (1-{SEARCH_LIMIT_MAX}, default {SEARCH_LIMIT_DEFAULT})")
    _output(search, ("json", "csv"), "numbers available to buy, with their prices,")

    account = sub.add_parser("account", help="open the balance, top-up and settings screen")
    _common(account, suppress=True)
    _output(account, ("json",), "the balance, auto-reload and settings")
    secrets = sub.add_parser("secrets", help="open the API secrets screen")
    _common(secrets, suppress=True)
    _output(secrets, ("json", "csv"), "the secrets' ids and creation dates (never a secret)")
    pools = sub.add_parser("pools", help="open the number pools screen")
    _common(pools, suppress=True)
    pools.add_argument("pool_id", nargs="?", metavar="POOL_ID", help="open (or with -o print) this pool's numbers")
    _output(pools, ("json", "csv"), "the pools (or one pool's numbers)")

    serve = sub.add_parser("sandbox", help="serve the fake Vonage API on loopback")
    if sandbox:
        from tui.sandbox.cli import add_arguments  # light: no server imports

        add_arguments(serve)
    return parser


def _screen_args(args: argparse.Namespace, prog: str | None = None) -> dict[str, Any]:
    """Deep-link filters for the initial screen (or the printed output), checked before anything runs.
    The checks' modules are imported only for a screen that takes filters (a few ms of every start)."""
    if args.command not in ("numbers", "search", "pools"):
        return {}
    from tui import countries
    from tui.api import validators
    from tui.api.errors import InputError

    prog = prog or f"vonage-tui {args.command}"

    def check(option: str, validate: Any, value: Any) -> Any:
        try:
            return validate(value)
        except InputError as exc:
            raise UsageError(f"{option}: {exc.message}", prog) from None

    out: dict[str, Any] = {}
    if args.command == "numbers":
        if args.filter:
            out["filter"] = args.filter
        if args.country:
            out["country"] = check("--country", countries.resolve, args.country)
        if args.application:
            out["application_id"] = check("--application", validators.application_id, args.application)
        if args.has_application:
            out["has_application"] = args.has_application == "yes"
    elif args.command == "search":
        out["country"] = check("COUNTRY", countries.resolve, args.country)
        if args.type:
            out["type"] = args.type
        if args.features:
            out["features"] = check("--features", validators.features, args.features.split(","))
        if not 1 <= args.limit <= SEARCH_LIMIT_MAX:
            raise UsageError(f"--limit: choose from 1 to {SEARCH_LIMIT_MAX} numbers", prog)
        if args.output:
            out["limit"] = args.limit
    elif args.command == "pools" and args.pool_id is not None:
        out["pool_id"] = check("POOL_ID", validators.pool_id, args.pool_id)
    if args.command in ("numbers", "search") and args.pattern:
        out["pattern"] = check("--pattern", validators.pattern, args.pattern)
        out["search_pattern"] = MATCH_STRATEGIES[args.match]
    return out


def _check_profile(name: str, prog: str, *, printing: bool = False) -> None:
    """A profile that does not exist is a typo, unless there are no profiles yet and the app opens (its
    login form creates it); printing (``-o``) there is nothing to create it with."""
    from tui.config import ConfigError, InsecurePermissions, load_config, validate_profile_name

    try:
        validate_profile_name(name)
    except ConfigError as exc:
        raise UsageError(f"--profile: {exc}", prog) from None
    try:
        profiles = sorted(load_config().profiles)
    except (ConfigError, InsecurePermissions, OSError):
        return  # the app (or the printed output) reports the config problem itself
    if (profiles or printing) and name not in profiles:
        known = ", ".join(profiles) or "none yet: run vonage-tui once to add one"
        raise UsageError(f"there is no profile named '{name}' (profiles: {known})", prog)


def _base_url(flag: str | None, env: str, option: str, prog: str) -> str | None:
    value = flag or os.environ.get(env)
    if not value:
        return None
    from tui.api.errors import InputError
    from tui.api.hosts import validate_base_url

    try:
        return validate_base_url(value)
    except InputError as exc:
        raise UsageError(f"{option if flag else env}: {exc.message}", prog) from None


def _launch_options(args: argparse.Namespace) -> LaunchOptions:
    """LaunchOptions from a parsed command line; UsageError for anything that cannot work."""
    from tui.launch import LaunchOptions

    prog = f"vonage-tui {args.command}" if args.command else "vonage-tui"
    if args.profile is not None and not args.demo:
        environment = bool(os.environ.get("VONAGE_API_KEY") and os.environ.get("VONAGE_API_SECRET"))
        _check_profile(args.profile, prog, printing=bool(getattr(args, "output", None)) and not environment)
    return LaunchOptions(
        demo=args.demo,
        profile=args.profile,
        read_only=args.read_only,
        initial_screen=args.command or "numbers",
        screen_args=_screen_args(args, prog),
        rest_url=_base_url(args.rest_url, "VONAGE_REST_URL", "--rest-url", prog),
        api_url=_base_url(args.api_url, "VONAGE_API_URL", "--api-url", prog),
        output=getattr(args, "output", None),
    )


def _run_sandbox(args: argparse.Namespace) -> int:
    from tui.sandbox.cli import run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    """The command line; an unexpected error is one sentence and a crash report, exit status 1."""
    try:
        return _main(argv)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception:  # noqa: BLE001 - the last line of defence: never a traceback with secrets on the terminal
        from tui.crash import excepthook

        secret = os.environ.get("VONAGE_API_SECRET", "")
        excepthook([secret] if secret else [])
        return 1


#: What argparse gives for the two commands typed most: no argument, and --demo (see ``_parse``).
_PLAIN = {"version": False, "demo": False, "profile": None, "read_only": False, "rest_url": None,
          "api_url": None, "command": None}


def _parse(argv: list[str] | None) -> tuple[Any, list[str]]:
    """The parsed command line and what it did not recognise. `vonage-tui` and `vonage-tui --demo` skip
    argparse: importing it and building every subcommand's parser was ~4 ms of each start (a test
    checks that both give exactly what argparse gives)."""
    words = sys.argv[1:] if argv is None else argv
    if words in ([], ["--demo"]):
        return SimpleNamespace(**{**_PLAIN, "demo": bool(words)}), []
    return build_parser(sandbox="sandbox" in words).parse_known_args(words)


def _main(argv: list[str] | None) -> int:
    args, unknown = _parse(argv)
    if unknown:  # reported by the subcommand, whose --help lists what it takes
        prog = f"vonage-tui {args.command}" if args.command else "vonage-tui"
        _fail(prog, f"unrecognized arguments: {' '.join(unknown)}", f"Try '{prog} --help'.")
    if args.version:
        from tui import __version__

        print(f"vonage-tui {__version__}")
        return 0
    if args.command == "sandbox":
        return _run_sandbox(args)
    try:
        options = _launch_options(args)
    except UsageError as exc:
        return _complain(exc.prog, exc.message, f"Try '{exc.prog} --help'.")
    for name in ("VONAGE_API_KEY", "VONAGE_API_SECRET"):  # bytes a shell let through that no header can carry
        if not _is_text(os.environ.get(name, "")):
            return _complain("vonage-tui", f"{name} holds bytes that are not text (UTF-8): set it again",
                             "Its value is not shown.")
    if options.output:
        from tui.scripting.run import run

        return run(options)

    if args.demo:
        options.embedded_sandbox = True
        options.rate_limit = 30.0  # what the sandbox account reports as max-calls-per-second
        return _run_app(options)

    env_key, env_secret = os.environ.get("VONAGE_API_KEY"), os.environ.get("VONAGE_API_SECRET")
    if env_key and env_secret:
        from pydantic import SecretStr

        options.api_key, options.api_secret = env_key, SecretStr(env_secret)
        options.profile_label = f"env · {env_key}"
    return _run_app(options)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from the environment (surrogate escapes)
        return False
    return True


def _run_app(options: Any, *, headless: bool = False) -> int:
    """Run the full-screen app; its exit status is 1 after a crash (the report is already written)."""
    import gc

    gc.disable()  # tui.loading.hold_gc, from before the imports: ~100 collections of them cost 10-20 ms
    from tui.app import VonageApp

    app = VonageApp(options)
    app.run(headless=headless)
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
