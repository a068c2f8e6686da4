"""Search, first contact at 80x24: a field's message reads whole, and a search with no result hands
the keys back to the screen (the table is focused, not a field)."""

from __future__ import annotations

import html
import re

from textual.widgets import Checkbox, Input, Static

from conftest import settle
from tui.screens.account import AccountScreen
from tui.screens.search import SearchScreen
from tui.screens.search_form import SearchForm
from tui.widgets.fast_table import FastTable


def visible_text(app) -> str:  # type: ignore[no-untyped-def]
    svg = app.export_screenshot()
    text = html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


async def open_search(app, pilot) -> SearchScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    return screen


async def test_a_long_country_message_reads_whole_at_80_columns(make_app, sandbox) -> None:
    app = make_app(initial_screen="search")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_search(app, pilot)
        await pilot.press("slash", *"xyzzy", "enter")
        await settle(app, pilot)
        error = screen.query_one("#search-country-error", Static)
        assert error.display
        message = str(error.content)
        assert message.endswith("such as GB")
        assert error.region.right <= 80
        assert message in visible_text(app)  # every word on screen, none cut at the edge
        await pilot.press("ctrl+u", *"united", "enter")  # the longest kind: the candidates listed
        await settle(app, pilot)
        message = str(error.content)
        assert "United States" in message
        assert message in visible_text(app)
        assert screen.query_one("#search-pattern").region.y > error.region.bottom - 1  # nothing overlaps


async def test_no_result_focuses_the_table_so_global_keys_work(make_app, sandbox) -> None:
    app = make_app(initial_screen="search")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_search(app, pilot)
        await pilot.press("slash", *"GB", "tab", "tab", *"999999999", "enter")
        await settle(app, pilot)
        assert "No numbers match" in str(screen.query_one("#search-status", Static).content)
        assert app.focused is screen.query_one("#search-results", FastTable)
        await pilot.press("3")  # a global key, not a digit in the pattern
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        assert screen.query_one("#search-pattern", Input).value == "999999999"


async def test_a_field_message_goes_when_that_field_changes(make_app, sandbox) -> None:
    app = make_app(initial_screen="search")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_search(app, pilot)
        form = screen.query_one(SearchForm)
        form.show_errors({"features": "choose at least one feature (SMS, MMS or VOICE)",
                          "pattern": "the pattern must be digits"})
        await pilot.pause()
        features_error = screen.query_one("#search-features-error", Static)
        pattern_error = screen.query_one("#search-pattern-error", Static)
        assert features_error.display and pattern_error.display
        screen.set_focus(screen.query_one("#search-sms", Checkbox))
        await pilot.press("space")
        await pilot.pause()
        assert not features_error.display and pattern_error.display  # only that field's message went
        screen.set_focus(screen.query_one("#search-pattern", Input))
        await pilot.press("1")
        await pilot.pause()
        assert not pattern_error.display
