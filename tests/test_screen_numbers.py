"""The Numbers screen against a real sandbox: loading, filters, sort, detail, edit, cancel, copy, cache."""

from __future__ import annotations

import io
import json
import os
import stat
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from pydantic import SecretStr
from rich.console import Console
from textual.widgets import Input, Select, Static

from tui import cache
from tui.api.models import OwnedNumber
from tui.config import cache_dir
from tui.owned import OwnedRecord
from tui.fsutil import write_private_file
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import start_sandbox
from tui.screens.numbers import NumbersScreen
from tui.screens.numbers_edit import NumberEditDialog
from tui.screens.numbers_filter import NumbersFilterDialog
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

SIZE = (120, 36)
LINKED = "447700900001"  # GB mobile with an application and app voice routing
PLAIN = "442079460123"  # GB landline with only an inbound SMS webhook


# -- helpers -------------------------------------------------------------------------------------


def owned(sandbox) -> dict[str, dict]:
    return sandbox.state.accounts[DEMO_API_KEY].owned


async def settle(app, pilot) -> None:
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_numbers(app, pilot) -> NumbersScreen:
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, NumbersScreen)
    return screen


def table(app) -> FastTable:
    return app.screen.query_one("#numbers-table", FastTable)


def status(app) -> str:
    return str(app.screen.query_one("#numbers-status", Static).render())


def detail(app) -> str:
    """The detail pane as plain text (rendered wide, so nothing wraps)."""
    content = app.screen.query_one("#numbers-detail-text", Static).content
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.export_text()


async def goto(app, pilot, mode: str) -> None:
    """Switch screens as the 1-5 keys do (the other screen may have a text field focused)."""
    await app.action_goto(mode)
    await pilot.pause()


async def highlight(app, pilot, msisdn: str) -> None:
    assert table(app).move_to_key(msisdn)
    await pilot.pause()


async def type_into(app, pilot, selector: str, text: str) -> None:
    field = app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.value = text[:-1]  # most of it at once (fast), the last key typed for real
    field.action_end()
    await pilot.pause()
    if text:
        await pilot.press(text[-1])
    await pilot.pause()


def error_text(app, name: str) -> str:
    widget = app.screen.query_one(f"#{name}-error", Static)
    return str(widget.render()) if widget.display else ""


def app_for(running, **overrides):
    """A VonageApp on a sandbox this test started itself (as the make_app fixture builds one)."""
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    options = LaunchOptions(
        demo=True, rest_url=running.url, api_url=running.url, api_key=DEMO_API_KEY,
        api_secret=SecretStr(DEMO_API_SECRET), profile_label=f"demo · {DEMO_API_KEY}",
    )  # fmt: skip
    for key, value in overrides.items():
        setattr(options, key, value)
    return VonageApp(options)


@contextmanager
def recorded_list_calls(app):
    """Record the query of every list_owned_numbers call the app's client makes."""
    client = app.session.client
    calls: list[dict] = []
    original = client.list_owned_numbers

    async def spy(query=None, **filters):
        calls.append({**(query.model_dump(exclude_none=True) if query else {}), **filters})
        return await original(query, **filters)

    client.list_owned_numbers = spy
    try:
        yield calls
    finally:
        del client.list_owned_numbers


# -- loading and showing -------------------------------------------------------------------------


async def test_rows_are_the_sandbox_owned_numbers(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        assert set(table(app).visible_keys()) == set(owned(sandbox))
        assert table(app).get_row(LINKED)[:4] == ("+44 7700 900001", "GB", "mobile", "SMS VOICE")
        assert table(app).get_row(LINKED)[4] == owned(sandbox)[LINKED]["app_id"]
        assert "example.com/webhooks/inbound-sms" in table(app).get_row(PLAIN)[5]
        assert table(app).get_row("13177001234")[0] == "+1 317 700 1234"
        assert status(app).startswith("6 numbers")
        assert app.session.account.owned.complete and set(app.session.account.owned.by_msisdn) == set(owned(sandbox))
    assert not list(cache_dir().glob("owned-*"))  # the demo (a new sandbox every run) is never cached


async def test_slash_filters_loaded_rows_by_digits(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await pilot.press("slash")
        assert app.screen.query_one("#numbers-filter", Input).has_focus
        await pilot.press(*"7700900 001")  # digits match whatever the grouping
        await pilot.pause()
        assert table(app).visible_keys() == [LINKED]
        assert "1 match" in status(app)
        await pilot.press("escape")  # back to the table, the filter stays, the screen stays
        await pilot.pause()
        assert isinstance(app.screen, NumbersScreen) and table(app).has_focus
        assert table(app).visible_keys() == [LINKED]
        await pilot.press("F")  # clears every filter
        await pilot.pause()
        assert len(table(app).visible_keys()) == len(owned(sandbox))


async def test_server_filter_contains_reloads_with_matching_rows(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        with recorded_list_calls(app) as calls:
            await pilot.press("f")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, NumbersFilterDialog)
            assert dialog.query_one("#filter-search_pattern", Select).value == 1  # "contains" by default
            await type_into(app, pilot, "#filter-pattern", "7700")
            await pilot.press("enter")
            await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        expected = {m for m in owned(sandbox) if "7700" in m}
        assert expected and expected != set(owned(sandbox))
        assert set(table(app).visible_keys()) == expected
        assert calls and calls[0]["pattern"] == "7700" and calls[0]["search_pattern"] == 1
        assert "contains 7700" in status(app)
        assert len(app.session.account.owned.by_msisdn) == len(owned(sandbox))  # a filtered view leaves the store whole
        await pilot.press("F")
        await settle(app, pilot)
        assert set(table(app).visible_keys()) == set(owned(sandbox))


async def test_server_filter_refuses_bad_input_without_sending(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        with recorded_list_calls(app) as calls:
            await pilot.press("f")
            await pilot.pause()
            await type_into(app, pilot, "#filter-country", "GBR")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, NumbersFilterDialog)
            assert "two-letter" in error_text(app, "filter-country")
            assert app.screen.query_one("#filter-country", Input).value == "GBR"
            await type_into(app, pilot, "#filter-country", "de")
            await pilot.press("enter")
            await settle(app, pilot)
        assert set(table(app).visible_keys()) == {m for m, n in owned(sandbox).items() if n["country"] == "DE"}
        assert len(calls) == 1 and calls[0]["country"] == "DE"


async def test_sort_cycles_columns_and_reverses(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert table(app).sort_column == "number"
        assert table(app).visible_keys() == sorted(owned(sandbox))  # E.164 order: digits as text, +44… before +49…
        await pilot.press("s")
        await pilot.pause()
        assert table(app).sort_column == "country"
        countries = [table(app).get_row(k)[1] for k in table(app).visible_keys()]
        assert countries == sorted(countries)
        await pilot.press("S")
        await pilot.pause()
        countries = [table(app).get_row(k)[1] for k in table(app).visible_keys()]
        assert countries == sorted(countries, reverse=True)


async def test_detail_pane_shows_every_field_of_highlighted_number(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, LINKED)
        text = detail(app)
        record = owned(sandbox)[LINKED]
        assert "+44 7700 900001" in text
        assert record["app_id"] in text
        assert "mobile-lvn" in text
        assert "SMS OUTBOUND INTERNATIONAL" in text  # its limitation
        await highlight(app, pilot, "49301234567")
        text = detail(app)
        assert "tel → 447700900999" in text
        assert "https://example.com/webhooks/status" in text


async def test_detail_pane_below_the_table_at_80_columns(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_numbers(app, pilot)
        assert screen.has_class("-narrow")
        pane = screen.query_one("#numbers-detail")
        assert pane.region.y > table(app).region.y and pane.region.width >= 70
        assert table(app).region.height >= 7


# -- edit ----------------------------------------------------------------------------------------


async def test_edit_sets_inbound_webhook_and_keeps_other_fields(make_app, sandbox):
    before = dict(owned(sandbox)[LINKED])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, LINKED)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NumberEditDialog)
        assert app.screen.query_one("#edit-app_id", Input).value == before["app_id"]
        await type_into(app, pilot, "#edit-mo_http_url", "https://hooks.example.org/sms")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        after = owned(sandbox)[LINKED]
        assert after["moHttpUrl"] == "https://hooks.example.org/sms"
        kept = ("app_id", "voiceCallbackType", "voiceCallbackValue", "messagesCallbackType", "messagesCallbackValue")
        for key in kept:
            assert after[key] == before[key], key  # read-modify-write kept them
        assert "hooks.example.org/sms" in table(app).get_row(LINKED)[5]
        assert app.session.account.owned.by_msisdn[LINKED].mo_http_url == "https://hooks.example.org/sms"
        assert "https://hooks.example.org/sms" in detail(app)


async def test_edit_bad_url_shows_message_by_field_and_sends_nothing(make_app, sandbox):
    before = dict(owned(sandbox)[PLAIN])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, PLAIN)
        await pilot.press("e")
        await pilot.pause()
        sandbox.state.reset_counters()
        await type_into(app, pilot, "#edit-mo_http_url", "ftp://nope")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, NumberEditDialog)
        assert "http" in error_text(app, "edit-mo_http_url")
        assert app.screen.query_one("#edit-mo_http_url", Input).value == "ftp://nope"  # kept
        assert sandbox.state.request_count == 0
        assert owned(sandbox)[PLAIN] == before


async def test_edit_voice_type_without_value_is_refused(make_app, sandbox):
    before = dict(owned(sandbox)[PLAIN])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, PLAIN)
        await pilot.press("e")
        await pilot.pause()
        sandbox.state.reset_counters()
        app.screen.query_one("#edit-voice_callback_type", Select).value = "tel"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NumberEditDialog)
        assert "needs a value" in error_text(app, "edit-voice_callback_value")
        assert sandbox.state.request_count == 0
        await type_into(app, pilot, "#edit-voice_callback_value", "447700900111")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        after = owned(sandbox)[PLAIN]
        assert (after["voiceCallbackType"], after["voiceCallbackValue"]) == ("tel", "447700900111")
        assert after["moHttpUrl"] == before["moHttpUrl"]


# -- cancel, copy, read-only ---------------------------------------------------------------------


async def test_cancel_asks_with_no_focused_then_cancels_on_yes(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, PLAIN)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "+44 2079 460123" in str(dialog.query_one("#confirm-body", Static).render())
        await pilot.press("enter")  # "No" has the focus
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert PLAIN in owned(sandbox) and PLAIN in table(app).visible_keys()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("tab")  # to "Cancel number" (yes)
        await pilot.press("enter")
        await settle(app, pilot)
        assert PLAIN not in owned(sandbox)
        assert PLAIN not in table(app).visible_keys()
        assert PLAIN not in app.session.account.owned.by_msisdn
        assert status(app).startswith("5 numbers")


async def test_y_copies_plain_digits(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        await highlight(app, pilot, LINKED)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == LINKED
        assert any("Copied 447700900001" in n.message for n in app._notifications)


async def test_read_only_hides_edit_and_cancel(make_app, sandbox):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_numbers(app, pilot)
        actions = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert not actions & {"edit", "cancel_number"}
        assert screen.check_action("edit", ()) is False and screen.check_action("cancel_number", ()) is False
        for key in ("e", "c", "d", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, NumbersScreen), key
        assert len(owned(sandbox)) == 6


async def test_every_binding_has_an_id_and_description():
    for binding in NumbersScreen.BINDINGS:
        assert binding.id and binding.id.startswith("numbers."), binding
        assert binding.description, binding
    assert NumbersScreen.WRITE_ACTIONS == {"edit", "cancel_number"}


# -- deep link, navigation, paging ---------------------------------------------------------------


async def test_a_deep_link_filter_finds_what_typing_it_finds(make_app, sandbox):
    """A number typed as `--filter` (set before any row came) is looked for in the number only, as when
    typed after `/` — not also in the digits of a webhook (+49 301 234567's voice goes to 447700900999)."""
    app = make_app(initial_screen="numbers", screen_args={"filter": "4477"})
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        linked = table(app).visible_keys()
        assert linked and all("4477" in key for key in linked)
        table(app).set_filter("")
        table(app).set_filter("4477")
        assert table(app).visible_keys() == linked


async def test_deep_link_applies_filters_on_first_show(make_app, sandbox):
    app = make_app(initial_screen="numbers", screen_args={"filter": "7700", "country": "GB"})
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        assert app.screen.query_one("#numbers-filter", Input).value == "7700"
        assert table(app).row_count == 2  # only the two GB numbers were loaded
        assert table(app).visible_keys() == [LINKED]
        assert "country GB" in status(app)


async def test_coming_back_does_not_refetch_but_shows_store_changes(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_numbers(app, pilot)
        sandbox.state.reset_counters()
        await goto(app, pilot, "search")
        await settle(app, pilot)
        await goto(app, pilot, "numbers")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert sandbox.state.request_count == 0
        # another screen bought a number: the store changed, the table follows without a request
        app.session.account.owned.upsert(OwnedRecord("447700900555", "GB", "mobile-lvn", ["SMS"]))
        await goto(app, pilot, "search")
        await settle(app, pilot)
        await goto(app, pilot, "numbers")
        await settle(app, pilot)
        assert "447700900555" in table(app).visible_keys()
        assert sandbox.state.request_count == 0


async def test_paging_loads_all_1500_with_progress():
    with start_sandbox(SandboxConfig(seed=7, owned_count=1500)) as running:
        app = app_for(running)
        seen: list[str] = []
        original = NumbersScreen._update_status

        def record(self) -> None:
            original(self)
            if self.is_mounted:
                seen.append(str(self.query_one("#numbers-status", Static).render()))

        NumbersScreen._update_status = record  # type: ignore[method-assign]
        try:
            async with app.run_test(size=SIZE) as pilot:
                await open_numbers(app, pilot)
                assert table(app).row_count == 1500
                assert set(table(app).visible_keys()) == set(running.state.accounts[DEMO_API_KEY].owned)
                assert app.session.account.owned.complete and len(app.session.account.owned.by_msisdn) == 1500
                assert status(app).startswith("1,500 numbers")
        finally:
            NumbersScreen._update_status = original  # type: ignore[method-assign]
        assert any(s.startswith("loading 100 / 1,500") for s in seen), seen[:5]


async def test_leaving_mid_load_keeps_loading_and_coming_back_shows_all():
    """The owned list belongs to the session: leaving the screen does not stop it, nor refetch it."""
    with start_sandbox(SandboxConfig(seed=7, owned_count=2000, latency=0.2)) as running:
        app = app_for(running)
        async with app.run_test(size=SIZE) as pilot:
            while not (isinstance(app.screen, NumbersScreen) and table(app).row_count):
                await pilot.pause(0.02)
            await goto(app, pilot, "search")
            assert not app.session.account.owned.complete
            assert 0 < len(app.session.account.owned.by_msisdn) < 2000
            await settle(app, pilot)
            assert app.session.account.owned.complete  # loaded while another screen was shown
            running.state.reset_counters()
            await goto(app, pilot, "numbers")
            await open_numbers(app, pilot)
            assert table(app).row_count == 2000 and running.state.request_count == 0


async def test_a_dialog_on_top_does_not_stop_the_load():
    with start_sandbox(SandboxConfig(seed=7, owned_count=1200, latency=0.2)) as running:
        app = app_for(running)
        async with app.run_test(size=SIZE) as pilot:
            while not (isinstance(app.screen, NumbersScreen) and table(app).row_count):
                await pilot.pause(0.02)
            worker = next(w for w in app.workers if w.group == "owned" and not w.is_finished)
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, NumbersFilterDialog)
            await pilot.press("escape", "escape")  # leave the field, then the unchanged form
            await settle(app, pilot)
            assert worker.state.name == "SUCCESS"
            assert app.session.account.owned.complete and table(app).row_count == 1200


# -- cache ---------------------------------------------------------------------------------------


def test_cache_round_trip_is_private_and_per_profile(isolated_dirs):
    numbers = [
        OwnedNumber.model_validate({"msisdn": "447700900001", "country": "GB", "type": "mobile-lvn",
                                    "features": ["SMS"], "moHttpUrl": "https://example.com/in",
                                    "limitations": [{"feature": "SMS", "type": "OUTBOUND"}], "extraField": 3}),
        OwnedNumber(msisdn="13177001234", country="US"),
    ]  # fmt: skip
    key = cache.profile_key("abcd1234", "rest.nexmo.com")
    path = cache.save_owned(key, [OwnedRecord.from_model(n) for n in numbers])
    assert path.parent == cache_dir()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = cache.load_owned(key)
    assert loaded is not None
    got, saved_at = loaded
    assert [n.to_wire() for n in got] == [OwnedRecord.from_model(n).to_wire() for n in numbers]
    assert got[0].mo_http_url == "https://example.com/in" and got[0].limitations[0].feature == "SMS"
    assert got[0].model_extra == {"extraField": 3}
    assert abs(saved_at - time.time()) < 60
    assert DEMO_API_SECRET not in path.read_text()
    assert cache.load_owned(cache.profile_key("abcd1234", "other.example")) is None
    path.write_bytes(b"{not json")
    assert cache.load_owned(key) is None
    path.unlink()
    assert cache.load_owned(key) is None


async def test_warm_start_shows_cached_rows_with_age_then_refreshes():
    with start_sandbox(SandboxConfig(seed=7, latency=0.5)) as running:
        key = cache.profile_key(DEMO_API_KEY, urlsplit(running.url).netloc)
        ghost = OwnedNumber(msisdn="15550001111", country="US", type="mobile-lvn", features=["SMS"])
        path = cache.save_owned(key, [OwnedRecord.from_model(ghost)])
        body = json.loads(path.read_text())
        body["saved_at"] = time.time() - 180
        write_private_file(path, json.dumps(body).encode())
        app = app_for(running, demo=False)  # the demo never caches (its sandbox is new every run)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause(0.01)
                if isinstance(app.screen, NumbersScreen) and table(app).row_count:
                    break
            assert table(app).visible_keys() == ["15550001111"]
            assert "cached 3 min ago" in status(app)
            await open_numbers(app, pilot)
            assert set(table(app).visible_keys()) == set(running.state.accounts[DEMO_API_KEY].owned)
            assert "cached" not in status(app)
            assert not app.session.account.owned.from_cache
        cached = cache.load_owned(key)
        assert cached is not None and len(cached[0]) == 6


async def test_the_status_says_loading_not_0_numbers_before_the_first_page(make_app, sandbox):
    """Found by the newcomer pass: between the login and the first page the line read "0 numbers", which
    says the account owns none. An account read and found empty still says so."""
    from tui.owned import OwnedList

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_numbers(app, pilot)
        account = app.session.account
        read = account.owned
        account.owned = OwnedList()  # logged in, nothing asked for yet
        table(app).set_rows([])
        screen._update_status()
        assert status(app) == "loading…"
        read.replace([], complete=True, total=0)  # read, and empty
        account.owned = read
        screen._update_status()
        assert status(app) == "0 numbers"
