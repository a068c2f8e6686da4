"""Search & buy screen: the form, the deep link, paging, and buying against the sandbox over HTTP."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from textual.widgets import Input, Select, Static

from conftest import confirm_yes
from tui import countries
from tui.sandbox.inventory import DEMO_API_KEY, SUBACCOUNT_API_KEY
from tui.screens.search import SearchScreen
from tui.screens.search_format import money
from tui.widgets.app_header import AppHeader
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

GB_LINK = {"country": "GB", "type": "mobile-lvn", "features": "SMS,VOICE", "pattern": "7700", "search_pattern": 1}


def available(sandbox, country, type_=None, contains="", features=()):
    """What the sandbox says is on sale for this query, in its (sorted) order."""
    return sorted(
        m
        for m, r in sandbox.state.available.items()
        if r["country"] == country
        and (type_ is None or r["type"] == type_)
        and contains in m
        and set(features) <= set(r["features"])
    )


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def notes(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def settle(app, pilot) -> None:
    """Wait until no worker runs (a worker may start another, e.g. login starting the search)."""
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in app.workers):
            return


async def ready(app, pilot) -> SearchScreen:
    """Wait until the app has logged in and shown the balance (its start-up requests are done)."""
    await until(pilot, lambda: app.session is not None and app.session.service.connected and bool(app.balance_text))
    await settle(app, pilot)
    return app.screen


async def loaded(app, pilot) -> SearchScreen:
    """Wait for the first page of a deep-linked search (it starts once the app has logged in)."""
    await until(pilot, lambda: isinstance(app.screen, SearchScreen) and
                text(app.screen, "#search-status").startswith(("page ", "No numbers")))  # fmt: skip
    await settle(app, pilot)
    return app.screen


async def until(pilot, condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def buys(sandbox) -> int:
    return sum(1 for p in sandbox.state.purchases if p["api_key"] == DEMO_API_KEY)


# -- countries ------------------------------------------------------------------------------------


def test_country_lookup_by_name_and_code():
    assert countries.resolve("united k") == "GB"
    assert countries.resolve("gb") == "GB"
    assert countries.resolve("United Kingdom (GB)") == "GB"
    assert countries.resolve("uk") == "GB"
    assert countries.suggest("united k") == "United Kingdom (GB)"
    for code in ("GB", "US", "DE", "FR", "ES", "IT", "NL", "SE", "AU", "CA", "IE", "CH"):  # the sandbox's
        assert code in countries.BY_CODE
    assert len(countries.BY_CODE) >= 249
    assert countries.format_msisdn("447700900123", "GB") == "+44 7700 900123"
    with pytest.raises(ValueError, match="two-letter"):
        countries.resolve("G1")
    with pytest.raises(ValueError, match="matches 3 countries"):
        countries.resolve("united")


def test_money_keeps_the_api_digits():
    assert money(Decimal("1.25")) == "1.25 EUR"
    assert money(Decimal("24.5")) == "24.50 EUR"
    assert money(Decimal("0.0125")) == "0.0125 EUR"


# -- searching ------------------------------------------------------------------------------------


async def test_form_search_gb_mobile_containing_7700(make_app, sandbox):
    app = make_app(initial_screen="search")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one("#search-country", Input).focus()
        await pilot.press(*"united k")
        await settle(app, pilot)
        assert "GB · United Kingdom" in text(screen, "#search-country-hint")
        screen.query_one("#search-type", Select).value = "mobile-lvn"
        screen.query_one("#search-pattern", Input).focus()
        await pilot.press(*"7700", "enter")
        await settle(app, pilot)
        table = screen.query_one("#search-results", FastTable)
        expected = available(sandbox, "GB", "mobile-lvn", "7700")
        assert expected and table.visible_keys() == expected[: SearchScreen.PAGE_SIZE]
        assert f"page 1 of 1, {len(expected)} numbers" in text(screen, "#search-status")
        assert app.focused is table
        first = table.get_row(expected[0])
        assert first is not None and first[0].startswith("+44 7700 ") and first[3] == "1.25 EUR"
        assert "limitations: SMS outbound international" in text(screen, "#search-detail")
        assert screen.query_one("#search-country", Input).value == "united k"  # never rewritten


async def test_deep_link_prefills_and_runs(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        screen = app.screen
        assert screen.query_one("#search-country", Input).value == "GB"
        assert screen.query_one("#search-type", Select).value == "mobile-lvn"
        assert screen.query_one("#search-pattern", Input).value == "7700"
        assert screen.query_one("#search-match", Select).value == 1
        assert [screen.query_one(f"#search-{n}").value for n in ("sms", "voice", "mms")] == [True, True, False]
        expected = available(sandbox, "GB", "mobile-lvn", "7700", ("SMS", "VOICE"))
        assert screen.query_one("#search-results", FastTable).visible_keys() == expected
        assert "SMS,VOICE" in text(screen, "#search-status")


async def test_bad_input_is_shown_by_the_field_and_sends_nothing(make_app, sandbox):
    app = make_app(initial_screen="search")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(app, pilot)
        before = (sandbox.state.request_count, dict(sandbox.state.status_counts))
        screen = app.screen
        screen.query_one("#search-country", Input).focus()
        await pilot.press("G", "1")
        screen.query_one("#search-pattern", Input).focus()
        await pilot.press("7", "7", "a", "enter")
        await settle(app, pilot)
        country_error = screen.query_one("#search-country-error", Static)
        pattern_error = screen.query_one("#search-pattern-error", Static)
        assert country_error.display and "two-letter code" in str(country_error.content)
        assert pattern_error.display and "digits" in str(pattern_error.content)
        assert (sandbox.state.request_count, dict(sandbox.state.status_counts)) == before
        assert screen.query_one("#search-country", Input).value == "G1"  # the form is kept
        assert screen.query_one("#search-pattern", Input).value == "77a"
        assert app.focused is screen.query_one("#search-country", Input)
        # fixing the country clears its message; the pattern is still refused without a request
        await pilot.press("backspace", "backspace", "g", "b", "ctrl+s")
        await settle(app, pilot)
        assert not country_error.display and pattern_error.display
        assert sandbox.state.request_count == before[0]


async def test_paging(make_app, sandbox, monkeypatch):
    monkeypatch.setattr(SearchScreen, "PAGE_SIZE", 20)
    app = make_app(initial_screen="search", screen_args={"country": "GB", "type": "mobile-lvn"})
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        screen = app.screen
        table = screen.query_one("#search-results", FastTable)
        expected = available(sandbox, "GB", "mobile-lvn")
        pages = -(-len(expected) // 20)
        assert pages >= 3
        assert f"page 1 of {pages}, {len(expected)} numbers" in text(screen, "#search-status")
        assert table.visible_keys() == expected[:20]
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert f"page 2 of {pages}, {len(expected)} numbers" in text(screen, "#search-status")
        assert table.visible_keys() == expected[20:40]
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert table.visible_keys() == expected[40:60]
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert table.visible_keys() == expected[20:40]
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert table.visible_keys() == expected[:20]
        assert f"page 1 of {pages}" in text(screen, "#search-status")
        count = sandbox.state.request_count
        await pilot.press("left_square_bracket")  # no page 0: nothing is sent
        await settle(app, pilot)
        assert sandbox.state.request_count == count


# -- buying ---------------------------------------------------------------------------------------


async def test_buy_flow_confirm_no_then_yes(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        screen = app.screen
        table = screen.query_one("#search-results", FastTable)
        await pilot.press("j")
        await pilot.pause()
        msisdn = table.cursor_key
        offer = dict(sandbox.state.available[msisdn])
        account = sandbox.state.accounts[DEMO_API_KEY]
        balance = Decimal(str(account.balance))
        price = Decimal(offer["initialPrice"])
        shown = countries.format_msisdn(msisdn, "GB")

        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = text(app.screen, "#confirm-body")
        assert shown in body
        assert f"Setup price   {offer['initialPrice']} EUR" in body
        assert f"Monthly cost  {offer['cost']} EUR" in body
        assert f"Balance {money(balance)} → {money(balance - price)}" in body
        await pilot.press("enter")  # "No" has the focus
        await settle(app, pilot)
        assert app.screen is screen
        assert msisdn not in account.owned and buys(sandbox) == 0

        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("tab", "enter")  # move to "Buy", press it
        await settle(app, pilot)
        assert msisdn in account.owned
        assert Decimal(str(account.balance)) == balance - price
        assert [p["msisdn"] for p in sandbox.state.purchases] == [msisdn]
        assert msisdn in app.session.account.owned.by_msisdn
        assert app.session.account.owned.by_msisdn[msisdn].type == "mobile-lvn"
        assert msisdn not in table.visible_keys()
        await pilot.pause()
        assert f"  {money(balance - price)}  " in str(screen.query_one(AppHeader).render())
        assert any(f"Bought {shown} for {offer['initialPrice']} EUR" in n for n in notes(app))


async def test_buy_refused_up_front_when_balance_is_low(make_app, sandbox):
    sandbox.state.accounts[DEMO_API_KEY].balance = 0.50
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert buys(sandbox) == 0 and sandbox.state.status_counts.get(420, 0) == 0
        assert any("Balance too low" in n and "0.50 EUR" in n and "1.25 EUR" in n for n in notes(app))


async def test_buy_420_shows_the_server_label_verbatim(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        table = app.screen.query_one("#search-results", FastTable)
        msisdn = table.cursor_key
        # someone else buys it between the search and our buy
        offer = sandbox.state.available.pop(msisdn)
        sandbox.state.accounts[SUBACCOUNT_API_KEY].owned[msisdn] = {
            k: offer[k] for k in ("country", "msisdn", "type", "features")
        }
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert sandbox.state.status_counts[420] == 1
        label = f"The number {msisdn} is not available to buy"
        assert any(n.endswith(": " + label) for n in notes(app))
        assert msisdn not in app.session.account.owned.by_msisdn
        assert msisdn not in sandbox.state.accounts[DEMO_API_KEY].owned


async def test_buy_with_lost_answer_is_reconciled(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        msisdn = app.screen.query_one("#search-results", FastTable).cursor_key
        sandbox.state.drop_next_response_after_commit("/number/buy")
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert msisdn in sandbox.state.accounts[DEMO_API_KEY].owned
        assert msisdn in app.session.account.owned.by_msisdn
        assert any("answer was lost" in n for n in notes(app))


async def test_read_only_hides_buy(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(app, pilot)
        screen = app.screen
        assert screen.query_one("#search-results", FastTable).row_count > 0
        assert "b" not in screen.active_bindings
        await pilot.press("b")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert buys(sandbox) == 0
        titles = [c.title for c in app.get_system_commands(screen)]
        assert any(t.startswith("Search & buy: Search") for t in titles)
        assert not any(t.startswith("Search & buy: Buy") for t in titles)


async def test_usable_at_80x24(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app, pilot)
        screen = app.screen
        for selector in ("#search-country", "#search-type", "#search-pattern", "#search-match",
                         "#search-sms", "#search-voice", "#search-mms", "#search-go"):  # fmt: skip
            region = screen.query_one(selector).region
            assert region.width > 0 and region.right <= 80 and region.bottom <= 24, selector
        table = screen.query_one("#search-results", FastTable)
        assert table.region.height >= 8
        assert table.row_count > 0 and app.focused is table
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        buttons = app.screen.query_one("#confirm-yes").region
        assert buttons.bottom <= 24 and buttons.right <= 80
        await pilot.press("escape")
        await settle(app, pilot)
        assert buys(sandbox) == 0


async def test_second_buy_while_one_is_in_flight_is_refused(make_app, sandbox):
    app = make_app(initial_screen="search", screen_args=GB_LINK)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(app, pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        sandbox.state.config.latency = 1.0  # the purchase is now in flight for a second
        await confirm_yes(pilot)
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("j", "b")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("still in progress" in n for n in notes(app))
        sandbox.state.config.latency = 0.0
        await settle(app, pilot)
        assert buys(sandbox) == 1
