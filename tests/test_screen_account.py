"""The Account screen against a real sandbox: balance, top-up, default webhooks, limits."""

from __future__ import annotations

from textual.widgets import Input, Static

from conftest import confirm_yes
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_TOP_UP_AMOUNT, DEMO_TRX
from tui.screens.account import AUTO_RELOAD_OFF, AccountScreen
from tui.widgets.confirm import ConfirmDialog

SIZE = (100, 36)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settle(app, pilot) -> None:
    """Wait for the workers, then for what their results started (a reload, a balance refresh)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()


async def open_account(app, pilot) -> AccountScreen:
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def type_into(pilot, app, selector: str, text: str) -> None:
    """Focus a field and put text in it (as a paste would: one Changed message, not one per key)."""
    field = app.screen.query_one(selector, Input)
    field.focus()
    field.value = text
    field.cursor_position = len(text)
    await pilot.pause()


async def test_balance_limits_and_webhooks_shown(make_app, sandbox):
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        balance = text_of(app, "#acct-balance")
        assert "24.50 EUR" in balance
        assert "auto-reload: on" in balance
        limits = text_of(app, "#acct-limits")
        assert "max-outbound-request 30" in limits
        assert "max-inbound-request 30" in limits
        assert "max-calls-per-second 30" in limits
        assert app.screen.query_one("#mo-url", Input).value == "https://example.com/webhooks/inbound-sms"
        assert app.screen.query_one("#dr-url", Input).value == "https://example.com/webhooks/delivery-receipt"
        assert app.balance_text == "24.50 EUR"


async def test_top_up_with_known_trx_raises_balance(make_app, sandbox):
    account = sandbox.state.accounts[DEMO_API_KEY]
    before = account.balance
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await type_into(pilot, app, "#topup-trx", DEMO_TRX)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = str(dialog.query_one("#confirm-body", Static).render())
        assert DEMO_TRX in body and DEMO_API_KEY in body
        await pilot.press("enter")  # "No" is focused: nothing happens
        await settle(app, pilot)
        assert account.balance == before
        assert app.screen.query_one("#topup-trx", Input).has_focus  # focus came back to the field
        await pilot.press("escape")  # leaves the field (does not leave the screen)
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("t")  # the field still holds the reference; t asks again
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert account.balance == before + DEMO_TOP_UP_AMOUNT
        assert "34.50 EUR" in text_of(app, "#acct-balance")
        assert app.balance_text == "34.50 EUR"
        assert "Topped up" in text_of(app, "#acct-status")


async def test_top_up_unknown_trx_shows_error(make_app, sandbox):
    account = sandbox.state.accounts[DEMO_API_KEY]
    before = account.balance
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await type_into(pilot, app, "#topup-trx", "NOPE-0001")
        await pilot.press("enter")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        error = text_of(app, "#topup-error")
        assert "refused" in error and "NOPE-0001" in error
        assert account.balance == before
        assert app.screen.query_one("#topup-trx", Input).value == "NOPE-0001"  # never cleared on error


async def test_top_up_with_auto_reload_off_is_explained(make_app, sandbox):
    account = sandbox.state.accounts[DEMO_API_KEY]
    account.auto_reload = False
    before = account.balance
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        assert "auto-reload: off" in text_of(app, "#acct-balance")
        await type_into(pilot, app, "#topup-trx", DEMO_TRX)
        await pilot.press("enter")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        error = text_of(app, "#topup-error")
        assert error == AUTO_RELOAD_OFF
        assert "not a login problem" in error
        assert "authentication failed" not in error
        assert account.balance == before
        messages = [n.message for n in app._notifications]
        assert any("Auto-reload is off" in m for m in messages)
        assert not any("authentication failed" in m for m in messages)


async def test_bad_trx_inline_and_nothing_sent(make_app, sandbox):
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        sandbox.state.reset_counters()
        await type_into(pilot, app, "#topup-trx", "bad ref!")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "transaction reference" in text_of(app, "#topup-error")
        assert app.screen.query_one("#topup-error", Static).display
        assert sandbox.state.request_count == 0
        assert app.screen.query_one("#topup-trx", Input).value == "bad ref!"


async def test_save_webhooks_echoes_into_sandbox(make_app, sandbox):
    account = sandbox.state.accounts[DEMO_API_KEY]
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        await type_into(pilot, app, "#mo-url", "https://hooks.example.org/mo")
        await type_into(pilot, app, "#dr-url", "https://hooks.example.org/dr")
        await pilot.press("ctrl+s")  # works while a field has focus
        await settle(app, pilot)
        assert account.mo_callback_url == "https://hooks.example.org/mo"
        assert account.dr_callback_url == "https://hooks.example.org/dr"
        assert "saved" in text_of(app, "#acct-status")
        # unsetting asks first ("No" focused), then sends an empty value
        await type_into(pilot, app, "#dr-url", "")
        app.screen.set_focus(None)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(app, pilot)
        assert account.dr_callback_url == "https://hooks.example.org/dr"
        await pilot.press("w")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert account.dr_callback_url == ""
        assert account.mo_callback_url == "https://hooks.example.org/mo"


async def test_bad_url_inline_and_nothing_sent(make_app, sandbox):
    account = sandbox.state.accounts[DEMO_API_KEY]
    app = make_app(initial_screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        sandbox.state.reset_counters()
        await type_into(pilot, app, "#mo-url", "ftp://files.example.org")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "http://" in text_of(app, "#mo-error")
        assert sandbox.state.request_count == 0
        assert account.mo_callback_url == "https://example.com/webhooks/inbound-sms"
        assert app.screen.query_one("#mo-url", Input).value == "ftp://files.example.org"


async def test_read_only_hides_writes(make_app, sandbox):
    app = make_app(initial_screen="account", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_account(app, pilot)
        screen = app.screen
        assert screen.check_action("top_up", ()) is False
        assert screen.check_action("save_webhooks", ()) is False
        assert not screen.query("#topup-trx") and not screen.query("#save-webhooks")  # hidden, not disabled
        assert screen.query_one("#mo-url", Input).disabled  # the webhooks can be read, not changed
        assert "24.50 EUR" in text_of(app, "#acct-balance")


async def test_fits_80x24(make_app, sandbox, tmp_path):
    app = make_app(initial_screen="account")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(app, pilot)
        for selector in ("#topup-trx", "#mo-url", "#dr-url"):
            widget = app.screen.query_one(selector, Input)
            assert widget.region.width > 20
        assert app.screen.query_one("#topup-trx", Input).region.bottom <= 23
