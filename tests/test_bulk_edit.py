"""Bulk edit on the Numbers screen, through the Pilot against the sandbox: the form, the one confirmation,
the run with its per-number outcomes, and the list following each change."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, ProgressBar, Select, Static

from conftest import confirm_yes, settle
from tui.messages import NumberUpdated
from tui.sandbox.inventory import DEMO_API_KEY
from tui.screens.bulk_edit import BulkEditDialog
from tui.screens.bulk_result import BulkResultScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.numbers_edit import NumberEditDialog
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable
from tui.widgets.key_bar import KeyBar

SIZE = (120, 36)
HOOK = "https://hooks.example.org/bulk-sms"


def owned(sandbox) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY].owned


def text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


async def type_into(app, pilot, selector: str, value: str) -> None:  # type: ignore[no-untyped-def]
    field = app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.value = value[:-1]
    field.action_end()
    await pilot.pause()
    await pilot.press(value[-1])
    await pilot.pause()


async def mark(app, pilot, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#numbers-table", FastTable)
    table.focus()
    keys = [str(k) for k in table.visible_keys()[:count]]
    table.set_marks(keys)
    await pilot.pause()
    return keys


async def test_e_edits_one_number_without_marks_and_all_marked_ones_with_marks(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#numbers-table", FastTable).focus()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NumberEditDialog)
        await pilot.press("escape", "escape")  # leave the field, then the unchanged form
        await pilot.pause()
        await mark(app, pilot, 3)
        assert app.screen.query_one(KeyBar).status == "3 marked"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, BulkEditDialog)
        assert "Edit 3 marked numbers" in text(app, ".dialog-title")


async def test_bulk_edit_sets_a_webhook_on_the_marked_numbers_after_one_confirmation(make_app, sandbox) -> None:
    before = {m: dict(n) for m, n in owned(sandbox).items()}
    messages: list = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        keys = await mark(app, pilot, 3)
        await pilot.press("e")
        await pilot.pause()
        await type_into(app, pilot, "#bulk-mo_http_url", HOOK)
        assert app.screen.query_one("#bulk-tick-mo_http_url", Checkbox).value  # typing ticked it
        assert not app.screen.query_one("#bulk-tick-app_id", Checkbox).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        body = text(app, "#confirm-body")
        assert f"Set the inbound SMS webhook of 3 numbers to {HOOK}." in body
        sandbox.state.reset_counters()
        await pilot.press("enter")  # "No" is focused: nothing is sent
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert sandbox.state.request_count == 0
        assert app.screen.query_one(KeyBar).status == "3 marked"

        await pilot.press("e")
        await pilot.pause()
        await type_into(app, pilot, "#bulk-mo_http_url", HOOK)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BulkResultScreen)
        assert screen.query_one("#bulk-progress", ProgressBar).percentage == 1.0
        assert text(app, "#bulk-counts").startswith("3 done · 0 failed · 0 unknown · 0 conflict · 0 to go")
        result = screen.query_one("#bulk-table", FastTable)
        assert all(result.get_row(k)[1] == "done" for k in keys)
        keys_shown = str(screen.query_one(KeyBar).render())
        assert "esc Close" in keys_shown and "Stop" not in keys_shown and "Continue" not in keys_shown
        for msisdn in keys:
            after = owned(sandbox)[msisdn]
            assert after["moHttpUrl"] == HOOK
            for field in ("app_id", "voiceCallbackType", "voiceCallbackValue", "voiceStatusCallback"):
                assert after.get(field) == before[msisdn].get(field), field  # untouched: kept
        untouched = [m for m in before if m not in keys]
        assert all(owned(sandbox)[m] == before[m] for m in untouched)
        updated = {m.record.msisdn for m in messages if isinstance(m, NumberUpdated)}
        assert updated == set(keys)

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NumbersScreen)
        table = app.screen.query_one("#numbers-table", FastTable)
        assert all("hooks.example.org/bulk-sms" in table.get_row(k)[5] for k in keys)
        assert all(app.session.account.owned.by_msisdn[k].mo_http_url == HOOK for k in keys)
        assert table.marked_keys == set()
        assert app.screen.query_one(KeyBar).status == ""


async def test_bulk_form_refuses_bad_input_next_to_the_field_and_sends_nothing(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await mark(app, pilot, 2)
        await pilot.press("e")
        await pilot.pause()
        sandbox.state.reset_counters()
        await pilot.press("ctrl+s")  # nothing ticked
        await pilot.pause()
        assert "Nothing is ticked" in text(app, "#bulk-status")
        app.screen.query_one("#bulk-voice_callback_type", Select).value = "tel"
        await pilot.pause()
        assert app.screen.query_one("#bulk-tick-voice", Checkbox).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BulkEditDialog)
        assert "needs a value" in text(app, "#bulk-voice-error")
        await type_into(app, pilot, "#bulk-voice_status_callback", "ftp://nope")
        app.screen.query_one("#bulk-voice_callback_type", Select).value = ""
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "http" in text(app, "#bulk-voice_status_callback-error")
        assert app.screen.query_one("#bulk-voice_status_callback", Input).value == "ftp://nope"  # kept
        assert sandbox.state.request_count == 0


async def test_a_ticked_empty_field_unsets_it_on_every_marked_number(make_app, sandbox) -> None:
    linked = [m for m, n in owned(sandbox).items() if n.get("app_id")]
    assert linked
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#numbers-table", FastTable)
        table.focus()
        table.set_marks(linked)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#bulk-tick-app_id", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        many = f"{len(linked)} number{'' if len(linked) == 1 else 's'}"
        assert f"Unlink the application of {many}." in text(app, "#confirm-body")
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert all(not owned(sandbox)[m].get("app_id") for m in linked)
        assert all(app.session.account.owned.by_msisdn[m].app_id is None for m in linked)


async def test_esc_while_running_asks_then_stops_and_c_continues_now(make_app, sandbox, monkeypatch) -> None:
    """The sandbox holds the first update it receives, so the edit is surely still running when esc comes."""
    import threading

    from tui.sandbox.owned import OwnedNumbers

    gate = threading.Event()
    original = OwnedNumbers.__setitem__

    def held(numbers, key, value):  # type: ignore[no-untyped-def]
        gate.wait(30)
        original(numbers, key, value)

    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            keys = await mark(app, pilot, 3)
            await pilot.press("e")
            await pilot.pause()
            await type_into(app, pilot, "#bulk-voice_status_callback", HOOK)
            await pilot.press("ctrl+s")
            await pilot.pause()
            monkeypatch.setattr(OwnedNumbers, "__setitem__", held)
            await confirm_yes(pilot)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BulkResultScreen)
            assert "Stop" in str(screen.query_one(KeyBar).render())
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            assert "Stop the bulk edit?" in text(app, "#confirm-title")
            await confirm_yes(pilot)
            await pilot.pause()
            gate.set()
            await settle(app, pilot)
            assert app.screen is screen  # stopping keeps the outcomes on screen
            assert "Stopped;" in text(app, "#bulk-note")
            monkeypatch.setattr(OwnedNumbers, "__setitem__", original)
            await pilot.press("c")
            await settle(app, pilot)
            assert "Finished: every number was changed." in text(app, "#bulk-note")
            assert all(owned(sandbox)[k]["voiceStatusCallback"] == HOOK for k in keys)
    finally:
        gate.set()
