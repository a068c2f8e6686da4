"""Bulk edit, first contact: Tab goes field to field (the ticks follow typing and take no Tab stop),
ctrl+t ticks an empty field to unset it, and a field's message goes when that field changes."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select, Static

from conftest import confirm_yes, settle
from tui.sandbox.inventory import DEMO_API_KEY
from tui.screens.bulk_edit import BulkEditDialog
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

A = "https://a.example.org/in"
B = "https://b.example.org/status"


async def open_bulk_edit(app, pilot, keys: list[str] | None = None) -> BulkEditDialog:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    table = app.screen.query_one("#numbers-table", FastTable)
    app.screen.set_focus(table)
    table.set_marks(keys if keys is not None else [str(k) for k in table.visible_keys()[:2]])
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, BulkEditDialog)
    return dialog


async def test_tab_goes_field_to_field_and_fast_typing_lands_in_the_fields(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_bulk_edit(app, pilot)
        assert app.focused is dialog.query_one("#bulk-app_id", Input)
        stops = []
        for _ in range(4):
            await pilot.press("tab")
            stops.append(app.focused.id)
        assert stops == ["bulk-mo_http_url", "bulk-voice_callback_type", "bulk-voice_callback_value",
                         "bulk-voice_status_callback"]
        assert not any(isinstance(w, Checkbox) and w.can_focus for w in dialog.query(Checkbox))
        # "value, Tab, Tab, Tab, value" typed in one burst: every key lands in a field
        dialog.set_focus(dialog.query_one("#bulk-mo_http_url", Input))
        await pilot.press(*A, "tab", "tab", "tab", *B)
        await pilot.pause()
        assert dialog.query_one("#bulk-mo_http_url", Input).value == A
        assert dialog.query_one("#bulk-voice_status_callback", Input).value == B
        assert dialog.ticked() == {"mo_http_url", "voice_status_callback"}  # typing ticked both rows


async def test_ctrl_t_in_an_empty_field_ticks_it_to_unset(make_app, sandbox) -> None:
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    linked = [m for m, n in owned.items() if n.get("app_id")]
    assert linked
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_bulk_edit(app, pilot, linked)
        assert app.focused is dialog.query_one("#bulk-app_id", Input)
        await pilot.press("ctrl+t")
        assert dialog.query_one("#bulk-tick-app_id", Checkbox).value
        await pilot.press("ctrl+t", "ctrl+t")  # a toggle: off, then on again
        assert dialog.ticked() == {"app_id"}
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Unlink the application of" in str(app.screen.query_one("#confirm-body").render())
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert all(not owned[m].get("app_id") for m in linked)


async def test_a_field_message_goes_when_that_field_changes(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_bulk_edit(app, pilot)
        sandbox.state.reset_counters()
        dialog.set_focus(dialog.query_one("#bulk-voice_status_callback", Input))
        await pilot.press(*"ftp://nope", "ctrl+s")
        await pilot.pause()
        error = dialog.query_one("#bulk-voice_status_callback-error", Static)
        status = dialog.query_one("#bulk-status", Static)
        assert error.display and "http" in str(error.render()) and status.display
        dialog.set_focus(dialog.query_one("#bulk-mo_http_url", Input))
        await pilot.press(*A)  # another row: its message stays
        await pilot.pause()
        assert error.display
        dialog.set_focus(dialog.query_one("#bulk-voice_status_callback", Input))
        await pilot.press("end", "backspace")  # (focusing a field selects its text)
        await pilot.pause()
        assert not error.display and not status.display
        assert dialog.query_one("#bulk-voice_status_callback", Input).value == "ftp://nop"  # kept
        # a Select is a field too: "needs a value" under voice goes when the type changes
        dialog.query_one("#bulk-voice_status_callback", Input).value = ""
        dialog.query_one("#bulk-voice_callback_type", Select).value = "tel"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        voice_error = dialog.query_one("#bulk-voice-error", Static)
        assert voice_error.display
        dialog.query_one("#bulk-voice_callback_type", Select).value = "sip"
        await pilot.pause()
        assert not voice_error.display
        assert sandbox.state.request_count == 0
