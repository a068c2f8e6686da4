"""The Pools screen against a real sandbox: list, create/edit/delete, add/remove numbers, 207, beta off."""

from __future__ import annotations

from pydantic import SecretStr

from conftest import confirm_yes
from tui.api.errors import PoolsUnavailable
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_POOL_ID
from tui.sandbox.server import start_sandbox
from tui.screens.pools import PoolsScreen
from tui.screens.pools_forms import (
    AddNumbersScreen,
    BatchResultScreen,
    PoolFormScreen,
    parse_numbers,
    split_numbers,
)
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable


def pools_of(sandbox):  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY].pools


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render())


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for every worker, including those started when another finished."""
    for _ in range(4):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_pools(app, pilot) -> PoolsScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, PoolsScreen)
    return screen


def visible_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every line the user sees (from the SVG screenshot: text only)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


# -- list ---------------------------------------------------------------------------------------


async def test_lists_pools_and_the_numbers_of_the_highlighted_one(make_app, sandbox) -> None:
    from tui.sandbox.state import Pool as SandboxPool

    odd = SandboxPool("zz-odd", DEMO_API_KEY, "Carrier-Pigeon", False, True, numbers=[])
    pools_of(sandbox)["zz-odd"] = odd  # a fallback value the spec does not list
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        assert screen.pools_table.visible_keys() == [DEMO_POOL_ID, "zz-odd"]
        assert screen.pools_table.get_row(DEMO_POOL_ID) == (DEMO_POOL_ID, "Pool", "yes", "yes")
        assert screen.pools_table.get_row("zz-odd") == ("zz-odd", "Carrier-Pigeon", "no", "yes")
        expected = pools_of(sandbox)[DEMO_POOL_ID].numbers
        assert screen.numbers_table.visible_keys() == expected
        assert f"Numbers in {DEMO_POOL_ID}: {len(expected)}" in text_of(screen.query_one("#pool-numbers-title"))

        await pilot.press("j")  # the other pool: its (empty) number list
        await settle(app, pilot)
        assert screen.numbers_table.row_count == 0
        assert "Numbers in zz-odd: 0" in text_of(screen.query_one("#pool-numbers-title"))

        # tab / shift+tab move between the two tables
        assert app.focused is screen.pools_table
        await pilot.press("tab")
        assert app.focused is screen.numbers_table
        await pilot.press("tab")
        assert app.focused is screen.pools_table
        await pilot.press("shift+tab")
        assert app.focused is screen.numbers_table
        await pilot.press("shift+tab")
        assert app.focused is screen.pools_table

        # `/` filters the focused table; enter keeps the filter, esc clears it
        await pilot.press("slash", *"demo", "enter")
        assert screen.pools_table.visible_keys() == [DEMO_POOL_ID]
        assert app.focused is screen.pools_table
        await pilot.press("slash", "escape")
        assert screen.pools_table.visible_keys() == [DEMO_POOL_ID, "zz-odd"]
        assert app.focused is screen.pools_table


async def test_numbers_are_paged_and_all_shown(make_app, sandbox) -> None:
    account = sandbox.state.accounts[DEMO_API_KEY]
    extra = [f"3361234{n:05d}" for n in range(230)]
    account.pools[DEMO_POOL_ID].numbers.extend(extra)  # 3 pages of 100
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        assert screen.numbers_table.row_count == 232
        assert sandbox.state.status_counts[200] >= 3


# -- create / edit ------------------------------------------------------------------------------


async def test_create_pool(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PoolFormScreen)
        await pilot.press(*"marketing-uk")
        form.query_one("#pool-fallback").value = "Reject"
        form.query_one("#pool-localized").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        pool = pools_of(sandbox)["marketing-uk"]
        assert (pool.fallback, pool.localized_sender_preferred, pool.predictable_sender_preferred) == (
            "Reject",
            True,
            False,
        )
        assert screen.pools_table.get_row("marketing-uk") == ("marketing-uk", "Reject", "yes", "no")
        assert screen.pools_table.cursor_key == "marketing-uk"


async def test_create_with_a_bad_id_shows_why_and_sends_nothing(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pools(app, pilot)
        before = sandbox.state.request_count
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await pilot.press(*"bad id!", "enter")
        await settle(app, pilot)
        assert app.screen is form  # still open
        error = form.query_one("#pool-id-error")
        assert error.display and "pool id" in text_of(error).lower()
        assert form.query_one("#pool-id").value == "bad id!"  # what was typed is kept
        assert sandbox.state.request_count == before
        assert set(pools_of(sandbox)) == {DEMO_POOL_ID}


async def test_create_with_an_existing_id_says_so(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pools(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await pilot.press(*DEMO_POOL_ID, "enter")
        await settle(app, pilot)
        assert app.screen is form
        assert sandbox.state.status_counts[409] == 1
        assert "a pool with that id already exists" in text_of(form.query_one("#pool-id-error")).lower()
        assert form.query_one("#pool-id").value == DEMO_POOL_ID
        assert not form.query_one("#pool-form-save").disabled  # can fix the id and try again


async def test_edit_fallback(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PoolFormScreen)
        assert form.query_one("#pool-id").value == DEMO_POOL_ID
        assert form.query_one("#pool-localized").value is True
        before = sandbox.state.request_count
        await pilot.press("ctrl+s")  # nothing changed yet: nothing is sent
        await settle(app, pilot)
        assert app.screen is form
        assert "nothing to save" in text_of(form.query_one("#pool-form-error")).lower()
        assert sandbox.state.request_count == before
        form.query_one("#pool-fallback").value = "CustomFrom"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        pool = pools_of(sandbox)[DEMO_POOL_ID]
        assert pool.fallback == "CustomFrom"
        assert pool.localized_sender_preferred is True  # untouched
        assert screen.pools_table.get_row(DEMO_POOL_ID)[1] == "CustomFrom"


# -- delete -------------------------------------------------------------------------------------


async def test_delete_asks_with_no_focused_then_deletes_on_yes(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert DEMO_POOL_ID in text_of(dialog.query_one("#confirm-body"))
        assert app.focused.id == "confirm-no"
        await pilot.press("enter")  # "No" is focused: nothing happens
        await settle(app, pilot)
        assert app.screen is screen
        assert DEMO_POOL_ID in pools_of(sandbox)

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("right")
        assert app.focused.id == "confirm-yes"
        await pilot.press("enter")
        await settle(app, pilot)
        assert DEMO_POOL_ID not in pools_of(sandbox)
        assert screen.pools_table.row_count == 0
        assert screen.numbers_table.row_count == 0


async def test_delete_refused_by_the_api_is_a_plain_sentence(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)

        async def refuse(pool_id: str):  # type: ignore[no-untyped-def]
            raise PoolsUnavailable("this pool cannot be deleted through the API", status=405)

        app.session.client.delete_pool = refuse
        await pilot.press("d")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert app.screen is screen
        assert "cannot be deleted through the API" in text_of(screen.query_one("#pools-result"))
        assert screen.pools_table.visible_keys() == [DEMO_POOL_ID]


# -- add / remove numbers -----------------------------------------------------------------------


async def test_add_numbers_picked_from_owned_with_space(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)  # the owned numbers load from the login on, on any screen
        await pilot.press("a")
        await settle(app, pilot)
        modal = app.screen
        assert isinstance(modal, AddNumbersScreen)
        assert app.session.account.owned.complete  # loaded into the shared store first
        table = modal.query_one("#add-owned-table", FastTable)
        members = set(pools_of(sandbox)[DEMO_POOL_ID].numbers)
        assert not members & set(table.visible_keys())  # numbers already in the pool are not offered
        picked = table.visible_keys()[:2]
        await pilot.press("space", "down", "space")
        assert table.marked_keys == set(picked)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert set(picked) <= set(pools_of(sandbox)[DEMO_POOL_ID].numbers)
        assert set(picked) <= set(screen.numbers_table.visible_keys())


async def test_add_typed_numbers_partial_success_lists_each_number(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        modal = app.screen
        modal.query_one("#add-typed").focus()
        await pilot.press(*"+44 20 7946 0123, 447700900999", "enter")
        await settle(app, pilot)
        assert sandbox.state.status_counts[207] == 1
        result = app.screen
        assert isinstance(result, BatchResultScreen)
        text = text_of(result.query_one("#batch-result-text"))
        assert "Succeeded (1)" in text and "+442079460123" in text
        failed_line = next(line for line in text.splitlines() if "447700900999" in line)
        assert "✗" in failed_line and "not owned" in failed_line.lower()
        assert "failed" in text_of(result.query_one("#batch-result-message"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert "442079460123" in pools_of(sandbox)[DEMO_POOL_ID].numbers
        assert "447700900999" not in pools_of(sandbox)[DEMO_POOL_ID].numbers
        assert "442079460123" in screen.numbers_table.visible_keys()


async def test_add_typed_bad_entries_are_named_and_nothing_sent(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pools(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        modal = app.screen
        before = sandbox.state.request_count
        modal.query_one("#add-typed").focus()
        await pilot.press(*"442079460123 12ab 99", "enter")
        await settle(app, pilot)
        assert app.screen is modal
        error = text_of(modal.query_one("#add-error"))
        assert "12ab" in error and "99" in error and "442079460123" not in error
        assert modal.query_one("#add-typed").value == "442079460123 12ab 99"
        assert sandbox.state.request_count == before


async def test_remove_marked_numbers_after_confirm(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        numbers = list(pools_of(sandbox)[DEMO_POOL_ID].numbers)
        await pilot.press("tab", "space", "down", "space", "x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = text_of(dialog.query_one("#confirm-body"))
        assert all(f"+{n}" in body for n in numbers)
        assert app.focused.id == "confirm-no"
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert app.screen is screen
        assert pools_of(sandbox)[DEMO_POOL_ID].numbers == []
        assert screen.numbers_table.row_count == 0


async def test_remove_partial_success_names_the_number_that_failed(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        first, second = pools_of(sandbox)[DEMO_POOL_ID].numbers
        await pilot.press("tab", "space", "down", "space")
        pools_of(sandbox)[DEMO_POOL_ID].numbers.remove(second)  # removed elsewhere meanwhile
        await pilot.press("x")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert sandbox.state.status_counts[207] == 1
        result = app.screen
        assert isinstance(result, BatchResultScreen)
        text = text_of(result.query_one("#batch-result-text"))
        assert f"✓ +{first}" in text
        failed_line = next(line for line in text.splitlines() if second in line)
        assert "✗" in failed_line and "not in pool" in failed_line.lower()
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and screen.numbers_table.row_count == 0


async def test_remove_highlighted_number_when_none_marked(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pools(app, pilot)
        first, second = pools_of(sandbox)[DEMO_POOL_ID].numbers
        await pilot.press("tab", "x")
        await pilot.pause()
        assert f"+{first}" in text_of(app.screen.query_one("#confirm-body"))
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert pools_of(sandbox)[DEMO_POOL_ID].numbers == [second]


# -- beta off, read-only, small terminal --------------------------------------------------------


async def test_pools_disabled_shows_a_plain_sentence() -> None:
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    with start_sandbox(SandboxConfig(seed=7, pools_enabled=False)) as running:
        options = LaunchOptions(
            demo=True,
            rest_url=running.url,
            api_url=running.url,
            api_key=DEMO_API_KEY,
            api_secret=SecretStr(DEMO_API_SECRET),
            profile_label=f"demo · {DEMO_API_KEY}",
            initial_screen="pools",
        )
        app = VonageApp(options)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_pools(app, pilot)
            notice = screen.query_one("#pools-unavailable")
            assert notice.display
            assert text_of(notice).startswith("Number pools are not enabled for this account")
            assert not screen.query_one("#pools-main").display
            assert "Traceback" not in visible_text(app)
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen  # writes are off
            assert "n" not in app.screen.active_bindings or not app.screen.active_bindings["n"].enabled
            await pilot.press("r")
            await settle(app, pilot)
            assert notice.display
            assert running.state.status_counts[403] >= 2


async def test_read_only_hides_the_write_keys(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools", read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        footer = visible_text(app)
        for word in ("New pool", "Edit", "Delete", "Add numbers", "Remove"):
            assert word not in footer
        assert "Refresh" in footer
        for key in ("n", "e", "d", "a"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
        await pilot.press("tab", "x")
        await pilot.pause()
        assert app.screen is screen
        assert DEMO_POOL_ID in pools_of(sandbox) and len(pools_of(sandbox)[DEMO_POOL_ID].numbers) == 2


async def test_renders_at_80x24(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pools(app, pilot)
        text = visible_text(app)
        assert DEMO_POOL_ID in text and f"Numbers in {DEMO_POOL_ID}" in text
        digits = text.replace(" ", "")  # numbers are grouped for reading: compare digits
        for n in pools_of(sandbox)[DEMO_POOL_ID].numbers:
            assert f"+{n}" in digits
        await pilot.press("n")
        await pilot.pause()
        save = app.screen.query_one("#pool-form-save")
        assert save.region.bottom <= 24 and save.region.right <= 80  # the whole form fits
        await pilot.press("escape", "escape", "a")  # out of the field, out of the untouched form
        await settle(app, pilot)
        add = app.screen.query_one("#add-submit")
        assert add.region.bottom <= 24


def test_typed_numbers_are_split_and_checked() -> None:
    assert split_numbers("1, 2;3\n 4") == ["1", "2", "3", "4"]
    assert split_numbers("447700900123 14155550100") == ["447700900123", "14155550100"]
    assert split_numbers("+44 7700 900123, +1 415-555-0100") == ["+44 7700 900123", "+1 415-555-0100"]
    good, bad = parse_numbers("+44 7700 900123; 447700900123; abc; 123")
    assert good == ["447700900123"]  # the same number twice is sent once
    assert bad == ["abc", "123"]


async def test_a_deep_link_opens_that_pool(make_app, sandbox) -> None:
    from tui.sandbox.state import Pool as SandboxPool

    pools_of(sandbox)["zz-odd"] = SandboxPool("zz-odd", DEMO_API_KEY, "Pool", False, True, numbers=[])
    app = make_app(initial_screen="pools", screen_args={"pool_id": "zz-odd"})
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pools(app, pilot)
        assert screen.pools_table.cursor_key == "zz-odd"
        assert screen.panel.pool_id == "zz-odd" and app.focused is screen.numbers_table
