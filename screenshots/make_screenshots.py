"""Regenerate the SVG screenshots of vonage-tui, from the demo sandbox, at 120x36.

Run it from the repository root, in the project's virtualenv:

    . .venv/bin/activate
    python screenshots/make_screenshots.py            # writes screenshots/*.svg
    python screenshots/make_screenshots.py --out DIR  # somewhere else

What it does: starts the in-process sandbox (``start_sandbox(SandboxConfig())``, seed 42, the same as
``vonage-tui --demo``), builds the app as ``--demo`` does (demo credentials, SANDBOX badge), drives it with
Textual's Pilot at 120x36, waits for every worker, and saves one SVG per screen:

    numbers.svg      Numbers: the owned numbers, one highlighted, its detail pane on the right
    search.svg       Search & buy: GB mobile-lvn numbers containing 7700
    buy-confirm.svg  the "Buy …?" confirmation (price, balance, "No" focused) over those results
    account.svg      Account: balance, top-up, default SMS webhooks, limits
    secrets.svg      Secrets: the account's API secret ids
    pools.svg        Pools: the demo pool, with its numbers below
    login.svg        the login form (an app started without credentials): a key typed, the secret masked
    bulk-edit.svg    the bulk-edit form over four marked numbers: an inbound SMS URL typed, the voice status
                     URL ticked empty (unset)
    bulk-result.svg  that bulk edit done: the progress bar, the counts, one outcome per number

Nothing on your machine is touched: the config and cache dirs are temporary, the keyring is an in-memory
one (tests/memory_keyring.py), VONAGE_API_KEY/VONAGE_API_SECRET/NO_COLOR are ignored. The sandbox listens on
127.0.0.1:8765 when that port is free (so the host shown on login.svg is the same on every run), else on a
free port. Nothing is bought: the confirmation is answered "No". The bulk edit runs last (it changes the sandbox's
numbers, which the other pictures show as seeded).

Afterwards every SVG is checked for the demo secret, for its HTTP Basic form (base64 of "key:secret") and for
the secret typed into the login form; the script exits with status 1 if one is found (or if the app reported
an error while the screenshots were taken), 0 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import html
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 36)
SEED = 42  # SandboxConfig's default, what `vonage-tui --demo` runs with
PREFERRED_PORT = 8765  # `vonage-tui sandbox`'s default port
#: Typed into the login form's secret field; must never appear in login.svg (the field is masked).
LOGIN_KEY = "abcd1234"
LOGIN_SECRET = "Typed-Login-Secret-7x9"
JOURNAL = ""  # set by _isolate()
SHOTS = ("numbers", "search", "buy-confirm", "account", "secrets", "pools", "login", "bulk-edit", "bulk-result")
BULK_HOOK = "https://hooks.example.com/sms/inbound"


def _isolate() -> ExitStack:
    """Temporary config/cache dirs, no credentials or NO_COLOR from the environment, an in-memory keyring."""
    stack = ExitStack()
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vonage-tui-shots-")))
    os.environ["VONAGE_TUI_CONFIG_DIR"] = str(tmp / "config")
    os.environ["VONAGE_TUI_CACHE_DIR"] = str(tmp / "cache")
    global JOURNAL
    JOURNAL = str(tmp / "journal.jsonl")
    for name in ("VONAGE_API_KEY", "VONAGE_API_SECRET", "VONAGE_REST_URL", "VONAGE_API_URL", "NO_COLOR"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT / "tests"))  # memory_keyring.py
    sys.path.insert(0, str(ROOT))
    import keyring
    from memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    return stack


class Recorder:
    """Wraps ``app.notify`` so errors shown as toasts while shooting fail the run (toasts are cleared)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, app, name: str) -> None:  # type: ignore[no-untyped-def]
        original = app.notify

        def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
            if kwargs.get("severity") == "error":
                self.errors.append(f"{name}: {kwargs.get('title') or ''} {message}".strip())
            return original(message, *args, **kwargs)

        app.notify = notify


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until no worker runs and nothing is in flight (a failed worker is reported as a toast)."""
    from textual.worker import WorkerFailed

    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()
        if not any(not w.is_finished for w in app.workers) and not app.activity_text:
            break
    await pilot.pause()


async def wait_for(pilot, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.02)
    await pilot.pause()


def save(app, out: Path, name: str, screen: str) -> None:  # type: ignore[no-untyped-def]
    """Save the screen, which must be ``screen`` (a class name): never an empty or wrong picture.

    Toasts (e.g. "Copied …") and blinking cursors would make the picture differ from run to run.
    """
    from textual.widgets import Input

    shown = type(app.screen).__name__
    if shown != screen:
        raise RuntimeError(f"{name}.svg: expected {screen} on top, found {shown}")
    app.clear_notifications()
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"  {out / (name + '.svg')}")


def demo_options(url: str, **overrides):  # type: ignore[no-untyped-def]
    """LaunchOptions as `vonage-tui --demo` builds them (tui/cli.py)."""
    from pydantic import SecretStr

    from tui.launch import LaunchOptions
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET

    options = LaunchOptions(demo=True, **overrides)
    options.rest_url = options.api_url = url
    options.api_key, options.api_secret = DEMO_API_KEY, SecretStr(DEMO_API_SECRET)
    options.profile_label = f"demo · {DEMO_API_KEY}"
    options.rate_limit = 30.0
    options.journal_path = JOURNAL  # in the script's temp dir, not a stray temp dir per app
    return options


# -- one coroutine per app run ------------------------------------------------------------------


async def shoot_numbers(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    from tui.widgets.fast_table import FastTable

    await settle(app, pilot)
    table = app.screen.query_one("#numbers-table", FastTable)
    # highlight a number that has an application and webhooks, so the detail pane has something to say
    target = next(
        (key for key, number in app.screen._records().items() if number.app_id and number.mo_http_url),
        None,
    )
    if target is not None:
        table.move_to_key(target)
    else:
        await pilot.press("j")
    await settle(app, pilot)
    save(app, out, "numbers", "NumbersScreen")


async def shoot_search(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    from tui.widgets.confirm import ConfirmDialog

    await settle(app, pilot)
    await pilot.press("j")  # the second row: the cursor is visibly on a result
    await settle(app, pilot)
    save(app, out, "search", "SearchScreen")
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the buy confirmation")
    save(app, out, "buy-confirm", "ConfirmDialog")
    await pilot.press("escape")  # "No": nothing is bought
    await settle(app, pilot)


async def shoot_account(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    save(app, out, "account", "AccountScreen")


async def shoot_secrets(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    save(app, out, "secrets", "SecretsScreen")


async def shoot_pools(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    # open Numbers first, as a user would: the pool's numbers then show their country and type
    await settle(app, pilot)
    await pilot.press("5")
    await settle(app, pilot)
    save(app, out, "pools", "PoolsScreen")


async def shoot_login(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    from tui.screens.login import LoginScreen

    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login form")
    await settle(app, pilot)
    app.screen.query_one("#login-key", Input).focus()
    await pilot.press(*LOGIN_KEY)
    app.screen.query_one("#login-secret", Input).focus()
    await pilot.press(*LOGIN_SECRET)
    await pilot.pause()
    assert app.screen.query_one("#login-secret", Input).value == LOGIN_SECRET
    save(app, out, "login", "LoginScreen")


async def shoot_bulk(app, pilot, out: Path) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Button, Checkbox, Input

    from tui.screens.bulk_edit import BulkEditDialog
    from tui.screens.bulk_result import BulkResultScreen
    from tui.widgets.confirm import ConfirmDialog
    from tui.widgets.fast_table import FastTable

    await settle(app, pilot)
    table = app.screen.query_one("#numbers-table", FastTable)
    table.focus()
    table.set_marks(table.visible_keys()[:4])
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, BulkEditDialog), "the bulk-edit form")
    field = app.screen.query_one("#bulk-mo_http_url", Input)
    field.focus()
    field.value = BULK_HOOK
    app.screen.query_one("#bulk-tick-voice_status_callback", Checkbox).value = True  # ticked and empty: unset
    await pilot.pause()
    save(app, out, "bulk-edit", "BulkEditDialog")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the bulk-edit confirmation")
    await wait_for(pilot, lambda: not app.screen.query_one("#confirm-yes", Button).disabled, "the yes button")
    await pilot.press("tab", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, BulkResultScreen), "the bulk-edit result")
    await settle(app, pilot)
    save(app, out, "bulk-result", "BulkResultScreen")


async def run(app, size, body: Callable[..., Awaitable[None]], out: Path) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=size) as pilot:
        await body(app, pilot, out)


# -- the secret check ---------------------------------------------------------------------------


def forbidden_strings() -> dict[str, str]:
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET

    def basic(key: str, secret: str) -> str:
        return base64.b64encode(f"{key}:{secret}".encode()).decode()

    return {
        "the demo secret": DEMO_API_SECRET,
        "the demo secret, base64 (key:secret)": basic(DEMO_API_KEY, DEMO_API_SECRET),
        "the secret typed into the login form": LOGIN_SECRET,
        "the typed secret, base64 (key:secret)": basic(LOGIN_KEY, LOGIN_SECRET),
    }


def svg_text(svg: str) -> str:
    """The visible text of a Rich/Textual SVG, tags dropped and entities decoded (a secret could be split
    across <text> elements by a style change)."""
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    body = re.sub(r"<[^>]+>", "", body)
    return html.unescape(body).replace("\xa0", " ")


def check_secrets(out: Path, names: list[str]) -> list[str]:
    problems = []
    for name in names:
        path = out / f"{name}.svg"
        raw = path.read_text(encoding="utf-8")
        texts = (raw, svg_text(raw), svg_text(raw).replace(" ", ""))
        for what, value in forbidden_strings().items():
            if any(value in text for text in texts):
                problems.append(f"{path}: contains {what}")
    return problems


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output directory")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with _isolate():
        from tui.app import VonageApp
        from tui.launch import LaunchOptions
        from tui.sandbox.config import SandboxConfig
        from tui.sandbox.server import start_sandbox

        recorder = Recorder()
        with ExitStack() as stack:
            try:
                sandbox = stack.enter_context(start_sandbox(SandboxConfig(seed=SEED), port=PREFERRED_PORT))
            except OSError:
                print(f"port {PREFERRED_PORT} is busy: the host on login.svg shows another port", file=sys.stderr)
                sandbox = stack.enter_context(start_sandbox(SandboxConfig(seed=SEED)))
            url = sandbox.url
            print(f"sandbox at {url}; writing to {out}")

            runs: list[tuple[str, object, Callable[..., Awaitable[None]]]] = [
                ("account", demo_options(url, initial_screen="account"), shoot_account),
                ("secrets", demo_options(url, initial_screen="secrets"), shoot_secrets),
                ("pools", demo_options(url, initial_screen="numbers"), shoot_pools),
                ("search", demo_options(url, initial_screen="search", screen_args={
                    "country": "GB", "type": "mobile-lvn", "pattern": "7700", "search_pattern": 1,
                }), shoot_search),
                ("login", LaunchOptions(rest_url=url, api_url=url), shoot_login),
                ("numbers", demo_options(url, initial_screen="numbers"), shoot_numbers),
                ("bulk", demo_options(url, initial_screen="numbers"), shoot_bulk),  # last: it changes numbers
            ]
            for name, options, body in runs:
                app = VonageApp(options)  # type: ignore[arg-type]
                recorder.attach(app, name)
                asyncio.run(run(app, SIZE, body, out))
            if sandbox.state.purchases:
                recorder.errors.append(f"the sandbox recorded purchases: {sandbox.state.purchases}")

    problems = check_secrets(out, list(SHOTS)) + recorder.errors
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {len(SHOTS)} screenshots, no secret in any of them")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
