"""Keys that arrive at once are applied to a field in the order typed (a burst once removed a webhook)."""

from __future__ import annotations

from conftest import settle
from test_first_contact import SMALL, burst
from textual.widgets import Input

from tui.sandbox.inventory import DEMO_API_KEY
from tui.screens.numbers_edit import NumberEditDialog
from tui.widgets.fast_table import FastTable


async def _edit_dialog(app, pilot) -> NumberEditDialog:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
    await pilot.press("e")
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, NumberEditDialog)
    return dialog


async def test_a_burst_that_clears_a_field_and_types_a_url_then_saves_sets_the_url(make_app, sandbox) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        dialog = await _edit_dialog(app, pilot)
        msisdn = dialog.number.msisdn
        field = next(w for w in dialog.query(Input) if w.id and "mo_http_url" in w.id)
        dialog.set_focus(field)
        field.value = "https://old.example/in"
        burst(app, "ctrl+u", *"https://new.example/in", "ctrl+s")
        await settle(app, pilot)
        assert sandbox.state.accounts[DEMO_API_KEY].owned[msisdn].get("moHttpUrl") == "https://new.example/in"


async def test_keys_between_characters_apply_where_they_were_typed(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        dialog = await _edit_dialog(app, pilot)
        field = next(w for w in dialog.query(Input) if w.id and "mo_http_url" in w.id)
        dialog.set_focus(field)
        field.value = ""
        burst(app, "x", "ctrl+u", "y", "z", "left", "left", "a", "end", "b")
        await settle(app, pilot)
        assert field.value == "ayzb"
