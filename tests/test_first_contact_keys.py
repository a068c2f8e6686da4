"""First contact, part two: keys typed right after a screen jump, Esc in forms, and q with typing unsaved.

Each test drives the app with keys as a newcomer did, and failed before its fix.
"""

from __future__ import annotations

from conftest import settle
from test_first_contact import SMALL, burst
from textual.widgets import Input

from tui.screens.numbers_edit import NumberEditDialog
from tui.screens.numbers_filter import NumbersFilterDialog
from tui.screens.search import SearchScreen
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable


async def test_keys_typed_right_after_a_screen_key_reach_the_new_screen(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        burst(app, "2", "slash", "G", "B")  # "go to Search, edit the search, GB" in one burst
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-country", Input).value == "GB"
        assert app.focused is app.screen.query_one("#search-country", Input)
        burst(app, "3")  # in a field, a digit is typed, never a screen jump
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-country", Input).value == "GB3"


async def test_a_screen_key_in_a_dialog_does_nothing_behind_it(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumberEditDialog)
        app.screen.set_focus(None)
        await pilot.press("2", "question_mark", "colon", "q")
        await pilot.pause()
        assert app.screen is dialog and app.current_mode == "numbers" and app.is_running


async def test_esc_in_a_form_leaves_the_field_then_asks_before_losing_typing(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumberEditDialog)
        field = next(w for w in dialog.query(Input) if w.id and "mo_http_url" in w.id)
        dialog.set_focus(field)
        field.value = ""
        await pilot.press(*"https://half.example/typ")
        await pilot.press("escape")  # leaves the field only
        await pilot.pause()
        assert app.screen is dialog and app.focused is None
        await pilot.press("escape")  # typing would be lost: asked, No focused
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard" in str(app.screen.query_one("#confirm-yes").label)
        await pilot.press("enter")  # No
        await pilot.pause()
        assert app.screen is dialog and field.value == "https://half.example/typ"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("tab", "enter")  # Discard, deliberately
        await settle(app, pilot)
        assert not isinstance(app.screen, (NumberEditDialog, ConfirmDialog))


async def test_the_server_filter_refuses_a_country_that_does_not_exist_next_to_the_field(make_app, sandbox) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumbersFilterDialog)
        requests = sandbox.state.request_count
        dialog.query_one("#filter-country", Input).value = "ZZ"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = str(dialog.query_one("#filter-country-error").render())
        assert "ZZ" in error and "country" in error
        assert sandbox.state.request_count == requests  # refused before any request
