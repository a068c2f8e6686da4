"""Account, first contact: the top-up reads naturally, warns before a second charge of the same payment,
hands the keys back after it; Tab goes field to field; a field's message goes when the field changes."""

from __future__ import annotations

from textual.widgets import Input, Static

from conftest import confirm_yes, settle
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_TOP_UP_AMOUNT, DEMO_TRX
from tui.screens.account import AccountScreen
from tui.widgets.confirm import ConfirmDialog


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def open_account(app, pilot) -> AccountScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def ask_top_up(app, pilot, screen: AccountScreen) -> str:  # type: ignore[no-untyped-def]
    """Type the demo's payment in the field, Enter: the confirmation's body."""
    screen.set_focus(screen.query_one("#topup-trx", Input))
    await pilot.press(*DEMO_TRX, "enter")
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, ConfirmDialog)
    return str(dialog.query_one("#confirm-body", Static).render())


async def test_tab_goes_from_the_reference_to_the_amount_not_to_the_button(make_app, sandbox) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(app, pilot)
        screen.set_focus(screen.query_one("#topup-trx", Input))
        stops = []
        for _ in range(3):
            await pilot.press("tab")
            stops.append(app.focused.id)
        assert stops == ["topup-amount", "mo-url", "dr-url"]


async def test_first_and_second_top_up_read_naturally_and_the_second_is_warned(make_app, sandbox) -> None:
    account = sandbox.state.accounts[DEMO_API_KEY]
    before = account.balance
    app = make_app(initial_screen="account")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(app, pilot)
        body = await ask_top_up(app, pilot, screen)
        assert "already topped up" not in body  # nothing in the journal yet
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert account.balance == before + DEMO_TOP_UP_AMOUNT
        toast = notes(app)[-1]
        assert toast == f"Topped up with transaction {DEMO_TRX}: it added about 10.00 EUR."
        assert "as last time" not in toast
        assert app.focused is None  # out of the field: global keys work
        await pilot.press("4")
        await settle(app, pilot)
        assert app.screen is not screen  # "4" went to Secrets, not into a field
        await pilot.press("3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)

        body = await ask_top_up(app, pilot, screen)  # the same payment, a minute later
        assert "about 10.00 EUR, as last time" in body  # now it was topped up before: true
        assert "Warning: this payment was already topped up less than a minute ago" in body
        assert ":activity" in body
        await pilot.press("escape")  # No: nothing charged
        await settle(app, pilot)
        assert account.balance == before + DEMO_TOP_UP_AMOUNT


async def test_a_field_message_goes_when_that_field_changes(make_app, sandbox) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await open_account(app, pilot)
        topup_error = screen.query_one("#topup-error", Static)
        screen.set_focus(screen.query_one("#topup-trx", Input))
        await pilot.press(*"bad ref!", "enter")
        await pilot.pause()
        assert topup_error.display
        await pilot.press("backspace")
        await pilot.pause()
        assert not topup_error.display
        await pilot.press(*"!", "tab", *"abc", "enter")  # a bad amount: its message goes when it changes
        await pilot.pause()
        assert topup_error.display
        await pilot.press("backspace")
        await pilot.pause()
        assert not topup_error.display

        for field_id, error_id in (("#mo-url", "#mo-error"), ("#dr-url", "#dr-error")):
            field = screen.query_one(field_id, Input)
            field.value = ""
            screen.set_focus(field)
            await pilot.press(*"ftp://x", "ctrl+s")
            await pilot.pause()
            error = screen.query_one(error_id, Static)
            assert error.display, field_id
            await pilot.press("backspace")
            await pilot.pause()
            assert not error.display, field_id
        assert not isinstance(app.screen, ConfirmDialog)


async def test_the_key_bar_in_a_top_up_field_says_ctrl_s_tops_up_and_it_asks_first(make_app, sandbox) -> None:
    from tui.widgets.key_bar import KeyBar

    account = sandbox.state.accounts[DEMO_API_KEY]
    before = account.balance
    app = make_app(initial_screen="account")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_account(app, pilot)
        screen.set_focus(screen.query_one("#mo-url", Input))
        await pilot.pause()
        assert "^s Save webhooks" in str(screen.query_one(KeyBar).render())
        screen.set_focus(screen.query_one("#topup-trx", Input))
        await pilot.pause()
        shown = str(screen.query_one(KeyBar).render())
        assert "^s Top up" in shown and "Save webhooks" not in shown
        await pilot.press(*DEMO_TRX, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog) and DEMO_TRX in str(
            app.screen.query_one("#confirm-body", Static).render())
        assert account.balance == before  # nothing without the yes
