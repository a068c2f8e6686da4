"""Buy and cancel for a subaccount, through the app against the sandbox (whose subaccounts are real).

The "for account" choice lives in the one confirmation dialog: primary first and by default, a
subaccount only when chosen with the keyboard; the text names who pays and who owns; the request
carries ``target_api_key``; the sandbox then shows the subaccount owning (or no longer owning) the
number, the primary untouched; the journal names the account; a lost answer is "unknown".
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from pydantic import SecretStr
from textual.widgets import Input, Select, Static

from conftest import confirm_yes, settle
from tui import countries
from tui.journal import DONE, UNKNOWN
from tui.sandbox.inventory import (
    DEMO_API_KEY,
    SUBACCOUNT2_API_KEY,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
)
from tui.screens.numbers import NumbersScreen
from tui.screens.search import SearchScreen
from tui.screens.subaccounts_forms import SubaccountNumberForm
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

GB_LINK = {"country": "GB", "type": "mobile-lvn", "pattern": "7700", "search_pattern": 1}
SUB_NUMBER = "31677001234"  # the demo subaccount's own number (NL), on no list of the primary's
SUPPORT = f"Support team ({SUBACCOUNT_API_KEY})"
SUB_SHOWN = countries.format_msisdn(SUB_NUMBER, "NL")  # "+31 677 001234"


async def until(pilot, condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def body(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#confirm-body", Static).content)


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def choose(pilot, downs: int) -> None:  # type: ignore[no-untyped-def]
    """From "No": back to the account choice, open it, move ``downs`` options, take it."""
    await pilot.press("shift+tab", "enter", *(["down"] * downs), "enter")
    await pilot.pause()


async def yes_from_choice(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the account choice: Tab to "No", Tab to the yes button, Enter."""
    await pilot.press("tab", "tab", "enter")


async def search_ready(app, pilot) -> SearchScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, SearchScreen)
                and str(app.screen.query_one("#search-status", Static).content).startswith("page "))
    await settle(app, pilot)
    return app.screen


async def open_buy_dialog(app, pilot) -> str:  # type: ignore[no-untyped-def]
    screen = await search_ready(app, pilot)
    msisdn = screen.query_one("#search-results", FastTable).cursor_key
    await pilot.press("b")
    await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    await pilot.pause()
    return msisdn


# -- buy ----------------------------------------------------------------------------------------------


async def test_buy_dialog_offers_the_demo_subaccounts_and_defaults_to_the_primary(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_buy_dialog(app, pilot)
        dialog = app.screen
        choice = dialog.query_one("#confirm-account", Select)
        assert [str(text) for text, _ in choice._options] == [
            f"primary ({DEMO_API_KEY})", SUPPORT, f"Marketing EU ({SUBACCOUNT2_API_KEY})"]
        assert choice.value == "" and dialog.account == ""
        assert app.focused is dialog.query_one("#confirm-no")  # No is still what has the focus
        assert f"Paid by and owned by the primary account {DEMO_API_KEY}" in body(app)
        assert "Balance 24.50 EUR →" in body(app)
        yes = dialog.query_one("#confirm-yes").region
        assert yes.bottom <= 24 and yes.right <= 80
        await pilot.press("escape")
        await settle(app, pilot)
        assert sandbox.state.purchases == []


async def test_buy_for_a_subaccount_sends_its_key_and_it_owns_and_pays(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    primary, sub = sandbox.state.accounts[DEMO_API_KEY], sandbox.state.accounts[SUBACCOUNT_API_KEY]
    balances = (Decimal(str(primary.balance)), Decimal(str(sub.balance)))
    async with app.run_test(size=(80, 24)) as pilot:
        msisdn = await open_buy_dialog(app, pilot)
        price = Decimal(sandbox.state.available[msisdn]["initialPrice"])
        await choose(pilot, 1)
        assert app.screen.account == SUBACCOUNT_API_KEY
        text = body(app)
        assert f"Paid by and owned by subaccount {SUPPORT}." in text
        assert "Balance" not in text and "primary account" not in text  # the primary's balance is not the payer's
        await yes_from_choice(pilot)
        await settle(app, pilot)

        assert sandbox.state.purchases[-1]["api_key"] == SUBACCOUNT_API_KEY
        assert msisdn in sub.owned and msisdn not in primary.owned
        assert (Decimal(str(primary.balance)), Decimal(str(sub.balance))) == (balances[0], balances[1] - price)
        assert msisdn not in app.session.account.owned.by_msisdn  # the primary's list is unchanged
        shown = countries.format_msisdn(msisdn, "GB")
        assert any(f"Bought {shown} for subaccount {SUPPORT} for {price} EUR" in n for n in notes(app))
        entry = next(e for e in app.session.journal.entries() if e.target == msisdn)
        assert (entry.op, entry.state, entry.details) == ("buy", DONE, {"target_api_key": SUBACCOUNT_API_KEY})


async def test_a_lost_answer_for_a_subaccount_purchase_is_unknown_not_bought(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        msisdn = await open_buy_dialog(app, pilot)
        sandbox.state.drop_next_response_after_commit("/number/buy")
        await choose(pilot, 2)  # Marketing EU
        await yes_from_choice(pilot)
        await settle(app, pilot)
        assert sandbox.state.dropped == 1
        assert msisdn in sandbox.state.accounts[SUBACCOUNT2_API_KEY].owned  # it did happen…
        shown = countries.format_msisdn(msisdn, "GB")
        warning = [n for n in app._notifications if n.title.startswith(f"Unknown whether {shown}")]
        assert warning and warning[0].severity == "warning"  # …but the app cannot read it back: unknown
        assert "cannot be listed with these credentials" in warning[0].message
        assert not any(n.startswith("Purchase") for n in notes(app))
        entry = next(e for e in app.session.journal.entries() if e.target == msisdn)
        assert entry.state == UNKNOWN and entry.details == {"target_api_key": SUBACCOUNT2_API_KEY}


async def test_a_login_without_subaccounts_gets_the_plain_dialog_and_no_error(make_app, sandbox):
    """Logged in as the subaccount itself: the listing answers 403, which means "none known", silently."""
    app = make_app(initial_screen="search", screen_args=GB_LINK, api_key=SUBACCOUNT_API_KEY,
                   api_secret=SecretStr(SUBACCOUNT_API_SECRET))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_buy_dialog(app, pilot)
        assert not app.screen.query("#confirm-account")
        assert "Paid by" not in body(app)
        assert sandbox.state.status_counts.get(403) == 1  # the listing was asked, and refused
        assert not [n for n in app._notifications if n.severity == "error"]
        assert len(app.session.subaccounts) == 0
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert sandbox.state.purchases[-1]["api_key"] == SUBACCOUNT_API_KEY  # its own purchase, no target


# -- cancel ---------------------------------------------------------------------------------------------


async def numbers_ready(app, pilot) -> NumbersScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, NumbersScreen) and app.screen.table.row_count > 0)
    await settle(app, pilot)
    return app.screen


async def know_subaccounts(app) -> None:  # type: ignore[no-untyped-def]
    await app.session.subaccounts.read_listing(app.session.client)
    assert len(app.session.subaccounts) == 2


async def type_filter(app, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *text, "enter")
    await pilot.pause()


async def test_cancel_of_a_listed_number_names_the_primary_and_offers_no_choice(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await numbers_ready(app, pilot)
        await know_subaccounts(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert not app.screen.query("#confirm-account")  # this list is the primary's: no other owner to pick
        assert f"Owner: the primary account {DEMO_API_KEY}" in body(app)
        assert "type it in the / filter, then press d" in body(app)
        await pilot.press("escape")


async def test_cancel_a_subaccounts_number_typed_in_the_filter(make_app, sandbox):
    app = make_app()
    sub, primary = sandbox.state.accounts[SUBACCOUNT_API_KEY], sandbox.state.accounts[DEMO_API_KEY]
    owned_before = set(primary.owned)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await numbers_ready(app, pilot)
        await know_subaccounts(app)
        await type_filter(app, pilot, SUB_NUMBER)
        assert screen.table.cursor_key is None  # not the primary's: nothing matches
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, SubaccountNumberForm))
        form = app.screen
        assert form.query_one("#sub-number", Input).value == SUB_NUMBER
        assert form.query_one("#sub-country", Input).value == "NL"  # +31 belongs to one country
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.account == ""  # the primary, until the user says otherwise
        assert f"of the primary account primary ({DEMO_API_KEY})" in body(app)
        await choose(pilot, 1)
        assert f"Cancel {SUB_SHOWN} (Netherlands) of subaccount {SUPPORT}?" in body(app)
        await yes_from_choice(pilot)
        await settle(app, pilot)

        assert sandbox.state.cancellations[-1] == {"api_key": SUBACCOUNT_API_KEY, "country": "NL",
                                                   "msisdn": SUB_NUMBER}
        assert SUB_NUMBER not in sub.owned and set(primary.owned) == owned_before
        assert any(f"Cancelled {SUB_SHOWN} of {SUPPORT}" in n for n in notes(app))
        entry = next(e for e in app.session.journal.entries() if e.target == SUB_NUMBER)
        assert (entry.op, entry.state, entry.details) == ("cancel", DONE, {"target_api_key": SUBACCOUNT_API_KEY})


async def test_cancel_for_a_subaccount_that_does_not_own_it_is_refused_verbatim(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await numbers_ready(app, pilot)
        await know_subaccounts(app)
        await type_filter(app, pilot, SUB_NUMBER)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, SubaccountNumberForm))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await choose(pilot, 2)  # Marketing EU does not own it
        await yes_from_choice(pilot)
        await settle(app, pilot)
        assert sandbox.state.cancellations == []
        assert SUB_NUMBER in sandbox.state.accounts[SUBACCOUNT_API_KEY].owned
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and f"is not owned by account {SUBACCOUNT2_API_KEY}" in errors[-1].message
        assert f"Marketing EU ({SUBACCOUNT2_API_KEY})" in errors[-1].title


async def test_a_lost_answer_for_a_subaccount_cancel_is_unknown(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await numbers_ready(app, pilot)
        await know_subaccounts(app)
        await type_filter(app, pilot, SUB_NUMBER)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, SubaccountNumberForm))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        sandbox.state.drop_next_response_after_commit("/number/cancel")
        await choose(pilot, 1)
        await yes_from_choice(pilot)
        await settle(app, pilot)
        assert SUB_NUMBER not in sandbox.state.accounts[SUBACCOUNT_API_KEY].owned  # it happened…
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert warnings and "cannot be listed with these credentials" in warnings[-1].message  # …unknown here
        entry = next(e for e in app.session.journal.entries() if e.target == SUB_NUMBER)
        assert entry.state == UNKNOWN


async def test_the_typed_number_is_checked_before_anything_is_sent(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await numbers_ready(app, pilot)
        await know_subaccounts(app)
        await type_filter(app, pilot, "99988")  # digits no number has
        assert screen.table.cursor_key is None
        sandbox.state.reset_counters()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, SubaccountNumberForm))
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SubaccountNumberForm)
        assert "7 to 15 digits" in str(form.query_one("#sub-number-error", Static).content)
        assert app.focused is form.query_one("#sub-number", Input)
        form.query_one("#sub-number", Input).value = "14155550100"
        await pilot.press("enter")  # +1 is many countries: the country is asked for
        await pilot.pause()
        assert isinstance(app.screen, SubaccountNumberForm)
        assert "country" in str(form.query_one("#sub-country-error", Static).content)
        await pilot.press("escape", "escape")  # out of the field, then asked: the typed number would be lost
        await pilot.pause()
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert sandbox.state.request_count == 0
