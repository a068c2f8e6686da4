"""Server text never drives the terminal, ctrl+x always reaches the app, and no screen-capture or copy path
leaks a secret: the rest of a hostile review's findings, each as a test that failed before its fix."""

from __future__ import annotations

from pathlib import Path

from conftest import settle
from pydantic import SecretStr
from textual.widgets import Input

from tui import crash
from tui.api.client import VonageClient
from tui.sandbox.inventory import DEMO_API_KEY
from tui.sandbox.server import RunningSandbox
from tui.screens.secrets_modals import NewSecretDialog
from tui.widgets.literal import Literal

OSC52 = "\x1b]52;c;cGF3bmVk\x07"  # "set the clipboard to 'pawned'"


async def test_controls_in_server_text_are_replaced_where_answers_are_read(
    client: VonageClient, sandbox: RunningSandbox
) -> None:
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    msisdn = next(iter(owned))
    owned[msisdn] = {**owned[msisdn], "moHttpUrl": f"https://e.com/{OSC52}", "app_id": "app\u009b31mRED"}
    number = await client.get_owned_number(msisdn)
    assert number is not None
    shown = f"{number.mo_http_url} {number.app_id}"
    assert "\x1b" not in shown and "\x07" not in shown and "\u009b" not in shown
    assert "\N{REPLACEMENT CHARACTER}]52;c;cGF3bmVk" in shown  # visible, not silently dropped


async def test_a_literal_and_a_toast_never_write_a_control_to_the_terminal(make_app) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        widget = Literal(f"title{OSC52}")
        await app.screen.mount(widget)
        widget.update(f"pool \x1b[2J{OSC52}")
        app.screen.say(f"toast{OSC52}", title="t\x1b]2;PWNED\x07")
        await pilot.pause()
        assert "\x1b" not in str(widget.render()) and "\x07" not in str(widget.render())
        note = list(app._notifications)[-1]
        assert "\x1b" not in note.message + note.title and "\x07" not in note.message


async def test_ctrl_x_in_a_field_cancels_requests_instead_of_cutting_the_text(make_app) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        field = app.screen.query_one("#topup-trx", Input)
        app.screen.set_focus(field)
        field.value = "TRX-1"
        field.select_all()
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert field.value == "TRX-1"  # not cut
        assert any("running task" in n.message or "Nothing in flight" in n.message for n in app._notifications)


async def test_the_palette_offers_our_keys_and_no_screenshot(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("Screenshot") for t in titles)
        (keys,) = [t for t in titles if t.startswith("Keys")]
        assert "?" in keys


async def test_the_new_secret_field_cannot_be_copied_or_cut(make_app) -> None:
    app = make_app(initial_screen="secrets")
    copied: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        app.push_screen(NewSecretDialog("abcd1234"))
        await pilot.pause()
        field = app.screen.query_one("#new-secret-input", Input)
        field.value = "Typed2Secret9x"
        field.select_all()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert copied == [] and field.value == "Typed2Secret9x"


def test_a_crash_report_redacts_every_secret_the_process_held(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(crash, "report_dir", lambda: tmp_path)
    master, typed = "correct horse battery", "half-typed-login-secret"  # neither is secret-shaped
    crash.hold(SecretStr(master), typed)
    try:
        raise RuntimeError(f"failed with {master} and {typed}")
    except RuntimeError as exc:
        path = crash.write_report(exc)
    assert path is not None
    text = path.read_text()
    assert master not in text and typed not in text and crash.REDACTED in text


def test_bidi_and_zero_width_characters_are_shown_as_marks() -> None:
    from tui.api.text import printable

    reversed_url = "https://good.example/\u202emoc.live//:sptth"
    shown = printable(reversed_url + " a\u200bb \u2066x\u2069 \ufeff")
    assert not any(ch in shown for ch in "\u202e\u200b\u2066\u2069\ufeff")
    assert shown.startswith("https://good.example/\N{REPLACEMENT CHARACTER}moc.live")


def test_a_base_url_with_invisible_characters_or_port_0_is_refused() -> None:
    import pytest

    from tui.api.errors import InsecureURL
    from tui.api.hosts import validate_base_url

    for url in ("http://127.0.0.1:8765/\u202eevil", "https://rest.nexmo.com\u200b", "https://example.com:0"):
        with pytest.raises(InsecureURL):
            validate_base_url(url)
    assert validate_base_url("https://rest.nexmo.com/") == "https://rest.nexmo.com"
