"""The shell: navigation keys, `:` jump, `?` keys, the palette, read-only, deep links, failures as messages."""

from __future__ import annotations

import pytest

from conftest import settle
from tui.cli import _screen_args, build_parser
from tui.screens.help import describe_bindings
from tui.screens.jump import resolve


async def test_number_keys_and_escape_navigate(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "numbers"
        for key, mode in (("2", "search"), ("3", "account"), ("4", "secrets"), ("5", "pools")):
            app.set_focus(None)
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
        app.set_focus(None)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "secrets"


async def test_colon_jumps_by_name_and_rejects_unknown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("colon", *"pools", "enter")
        await pilot.pause()
        assert app.current_mode == "pools"
        app.set_focus(None)
        await pilot.press("colon", *"nope", "enter")
        await pilot.pause()
        assert "No screen" in str(app.screen.query_one("#jump-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "pools"


def test_jump_resolves_prefixes() -> None:
    assert resolve(":num") == "numbers"
    assert resolve("se") is None  # search / secrets: ambiguous
    assert resolve("sec") == "secrets"


async def test_question_mark_lists_this_screens_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        text = " ".join(str(w.render()) for w in app.screen.query(".help-keys"))
        assert "Jump" in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"


async def test_every_binding_has_an_id(make_app) -> None:
    from textual.binding import Binding

    from tui.app import VonageApp, screen_classes

    missing = []
    for owner in (VonageApp, *screen_classes().values()):
        for b in owner.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id is None:
                missing.append(f"{owner.__name__}:{b.key}")
    assert missing == []


async def test_palette_offers_actions_of_every_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for screen_title in ("Numbers", "Account", "Secrets", "Pools"):
            assert any(t.startswith(f"Go to {screen_title}") for t in titles)
        assert sum(1 for t in titles if ":" in t) >= 10


async def test_read_only_hides_write_actions(make_app) -> None:
    from tui.app import screen_classes

    app = make_app(read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "READ-ONLY" in app.badges
        titles = " ".join(c.title for c in app.get_system_commands(app.screen))
        for mode, cls in screen_classes().items():
            app.set_focus(None)
            await app.switch_mode(mode)
            await pilot.pause()
            shown = {b.binding.action for b in app.screen.active_bindings.values()}
            assert not (shown & set(cls.WRITE_ACTIONS)), mode
            for action in cls.WRITE_ACTIONS:
                assert app.screen.check_action(action, ()) is False
        assert all(desc not in titles for desc in ("Buy", "Revoke", "Top up"))


async def test_401_is_a_message_not_a_crash(make_app) -> None:
    from pydantic import SecretStr

    app = make_app(api_secret=SecretStr("Not-The-Secret-1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        texts = " ".join(n.message for n in app._notifications)
        assert "authentication failed" in texts.lower() or "refused" in texts.lower()
        assert app.is_running


async def test_429_after_retries_is_a_message(make_app, sandbox) -> None:
    sandbox.state.config.fault_429 = 1.0
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        texts = " ".join(n.message for n in app._notifications).lower()
        assert "too many requests" in texts
        assert app.is_running


def test_deep_link_arguments_are_validated() -> None:
    parser = build_parser()
    args = parser.parse_args(["search", "gb", "--type", "mobile-lvn", "--features", "VOICE,SMS",
                              "--pattern", "7700", "--match", "contains"])
    assert _screen_args(args) == {"country": "GB", "type": "mobile-lvn", "features": "SMS,VOICE",
                                  "pattern": "7700", "search_pattern": 1}
    args = parser.parse_args(["numbers", "--filter", "7700", "--has-application", "no", "--read-only"])
    assert args.read_only is True
    assert _screen_args(args) == {"filter": "7700", "has_application": False}


@pytest.mark.parametrize("url", ["http://rest.example.com", "http://127.0.0.1.evil.example",
                                 "http://localhost.evil.example"])
def test_cli_refuses_plain_http_off_loopback(url, capsys) -> None:
    from tui.cli import main

    assert main(["--rest-url", url, "account"]) == 2
    assert "http" in capsys.readouterr().err.lower()


def test_cli_refuses_a_bad_deep_link(capsys) -> None:
    from tui.cli import main

    assert main(["search", "G1"]) == 2
    assert "country" in capsys.readouterr().err.lower()


async def test_help_rows_come_from_live_bindings(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        groups = describe_bindings(app.screen)
        assert any(desc == "Keys" for _, rows in groups for _, desc, _ in rows)


def test_first_paint_needs_no_heavy_imports() -> None:
    """Start-up stays light: the app and its first screen import no HTTP, model or server code."""
    import subprocess
    import sys

    code = (
        "import sys, tui.cli, tui.app, tui.screens.numbers;"
        "print(','.join(m for m in ('pydantic','httpx','uvicorn','starlette','keyring','tui.api.models',"
        "'tui.sandbox.app') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_a_failed_start_up_is_reported_and_offers_login(sandbox, monkeypatch) -> None:
    """Something unexpected while reading the config/keyring: a message and the login form, not a hang."""
    import tui.startup as session
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    def broken(name, timeout=5.0):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    from tui.config import Profile, add_profile, load_config, save_config

    save_config(add_profile(load_config(), Profile(name="work", api_key="abcd1234")))  # not a first run
    monkeypatch.setattr(session, "resolve_startup", broken)
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert any(n.title == "Start-up" for n in app._notifications)
        assert type(app.screen).__name__ == "LoginScreen"


def test_rotation_says_where_the_new_secret_lives() -> None:
    from pydantic import SecretStr

    from tui.launch import LaunchOptions
    from tui.session import Session, spec_from_options

    def session(storage):  # type: ignore[no-untyped-def]
        return Session(spec_from_options(LaunchOptions(), api_key="abcd1234", secret=SecretStr("Env-Secret-1"),
                                         rest_url="https://rest.nexmo.com", api_url="https://api.nexmo.com",
                                         storage=storage, label="test"), journal_path="/nonexistent/journal")

    assert "demo" in session("demo").secret_storage_note()
    env = session("environment")
    assert "VONAGE_API_SECRET" in env.secret_storage_note()


@pytest.mark.parametrize("argv", [[], ["--demo"]])
def test_the_commands_that_skip_argparse_parse_as_argparse_would(argv: list[str]) -> None:
    from tui.cli import _parse

    args, unknown = _parse(argv)
    expected, expected_unknown = build_parser(sandbox=False).parse_known_args(argv)
    assert (vars(args), unknown) == (vars(expected), expected_unknown)


def test_vonage_tui_demo_starts_without_importing_argparse() -> None:
    import subprocess
    import sys

    code = ("import sys, tui.cli\n"
            "tui.cli._run_app = lambda options: print(options.demo, options.embedded_sandbox) or 0\n"
            "tui.cli.main(['--demo'])\n"
            "print('argparse' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "True", "False"], out.stderr
