"""Command line: `vonage-tui [--demo] [screen …]` and `vonage-tui sandbox`.

Heavy modules (Textual, httpx, the sandbox) are imported only once we know what to run, so
`--help` and start-up stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

MATCH_STRATEGIES = {"start": 0, "contains": 1, "end": 2}


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Flags accepted both before and after the screen name."""
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vonage-tui",
        description="Keyboard-driven terminal app for Vonage numbers, balance, secrets and pools.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    numbers = sub.add_parser("numbers", help="open the owned numbers screen")
    _common(numbers, suppress=True)
    numbers.add_argument("--filter", help="instant filter on the loaded numbers")
    numbers.add_argument("--country", help="server-side filter: ISO country code")
    numbers.add_argument("--pattern", help="server-side filter: digits to match")
    numbers.add_argument("--match", choices=list(MATCH_STRATEGIES), default="contains")
    numbers.add_argument("--application", help="only numbers linked to this application id")
    numbers.add_argument("--has-application", choices=["yes", "no"])

    search = sub.add_parser("search", help="search numbers to buy")
    _common(search, suppress=True)
    search.add_argument("country", help="ISO 3166-1 alpha-2 country code, e.g. GB")
    search.add_argument("--type", choices=["landline", "mobile-lvn", "landline-toll-free"])
    search.add_argument("--features", help="comma-separated: SMS,VOICE,MMS")
    search.add_argument("--pattern", help="digits to match")
    search.add_argument("--match", choices=list(MATCH_STRATEGIES), default="contains")

    for name, text in (("account", "balance, top-up and settings"), ("secrets", "API secrets"),
                       ("pools", "number pools")):
        p = sub.add_parser(name, help=f"open the {text} screen")
        _common(p, suppress=True)

    from tui.sandbox.cli import add_arguments as add_sandbox_arguments  # light: no server imports

    add_sandbox_arguments(sub.add_parser("sandbox", help="serve the fake Vonage API on loopback"))
    return parser


def _screen_args(args: argparse.Namespace) -> dict[str, Any]:
    """Deep-link filters for the initial screen, validated before the app starts."""
    from tui.api import validators

    out: dict[str, Any] = {}
    if args.command == "numbers":
        if args.filter:
            out["filter"] = args.filter
        if args.country:
            out["country"] = validators.country(args.country)
        if args.pattern:
            out["pattern"] = validators.pattern(args.pattern)
            out["search_pattern"] = MATCH_STRATEGIES[args.match]
        if args.application:
            out["application_id"] = validators.application_id(args.application)
        if args.has_application:
            out["has_application"] = args.has_application == "yes"
    elif args.command == "search":
        out["country"] = validators.country(args.country)
        if args.type:
            out["type"] = args.type
        if args.features:
            out["features"] = validators.features(args.features.split(","))
        if args.pattern:
            out["pattern"] = validators.pattern(args.pattern)
            out["search_pattern"] = MATCH_STRATEGIES[args.match]
    return out


def _run_sandbox(args: argparse.Namespace) -> int:
    from tui.sandbox.cli import run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from tui import __version__

        print(f"vonage-tui {__version__}")
        return 0
    if args.command == "sandbox":
        return _run_sandbox(args)

    from pydantic import SecretStr

    from tui.api.errors import InputError
    from tui.api.hosts import validate_base_url
    from tui.launch import LaunchOptions

    try:
        options = LaunchOptions(
            demo=args.demo,
            profile=args.profile,
            read_only=args.read_only,
            initial_screen=args.command or "numbers",
            screen_args=_screen_args(args),
        )
        rest = args.rest_url or os.environ.get("VONAGE_REST_URL")
        api = args.api_url or os.environ.get("VONAGE_API_URL")
        options.rest_url = validate_base_url(rest) if rest else None
        options.api_url = validate_base_url(api) if api else None
    except InputError as exc:
        print(f"vonage-tui: {exc.message}", file=sys.stderr)
        return 2

    if args.demo:
        options.embedded_sandbox = True
        options.rate_limit = 30.0  # what the sandbox account reports as max-calls-per-second
        return _run_app(options)

    env_key, env_secret = os.environ.get("VONAGE_API_KEY"), os.environ.get("VONAGE_API_SECRET")
    if env_key and env_secret:
        options.api_key, options.api_secret = env_key, SecretStr(env_secret)
        options.profile_label = f"env · {env_key}"
    return _run_app(options)


def _run_app(options: Any) -> int:
    from tui.app import VonageApp

    VonageApp(options).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
