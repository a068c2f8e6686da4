"""Pools, first contact: the `/` filter is seen while typing, and `d` removes the marked numbers."""

from __future__ import annotations

import html
import re

import pytest

from conftest import confirm_yes, settle
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_POOL_ID
from tui.screens.pools import PoolsScreen
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.key_bar import KeyBar


def visible_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every character the user sees (the SVG screenshot's text)."""
    svg = app.export_screenshot()
    text = html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def pool_numbers(sandbox) -> list[str]:  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_filter_text_is_seen_while_typing_and_after(make_app, sandbox, size) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PoolsScreen)
        await pilot.press("slash", *"zqx")
        await pilot.pause()
        box = screen.query_one("#pools-filter")
        bar = screen.query_one(KeyBar)
        assert box.region.height >= 1 and box.region.bottom <= bar.region.y  # not under the key bar
        text = visible_text(app)
        assert "zqx" in text and "Filter pools" in text
        await pilot.press("enter")  # kept: still in sight, so the empty table is explained
        await pilot.pause()
        assert app.focused is screen.pools_table
        assert "zqx" in visible_text(app)
        await pilot.press("slash", "escape", "escape")  # nothing typed since opening: esc clears
        await pilot.pause()
        assert "zqx" not in visible_text(app)


async def test_the_numbers_filter_says_what_it_filters(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "slash", *"900001")
        await pilot.pause()
        text = visible_text(app)
        assert f"Filter numbers of {DEMO_POOL_ID}" in text and "900001" in text
        assert len(app.screen.numbers_table.visible_keys()) == 1


async def test_d_in_the_numbers_table_removes_the_marked_numbers(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        numbers = list(pool_numbers(sandbox))
        assert len(numbers) == 2
        await pilot.press("tab", "space", "j", "space")
        await pilot.pause()
        assert screen.query_one(KeyBar).status == "2 marked"
        text = visible_text(app)
        assert "2 marked" in text
        assert "d Remove" in text  # the key is in the footer at 80 columns, next to the count
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = str(dialog.query_one("#confirm-body").render())
        assert "Remove 2 numbers from pool" in body and "(s)" not in body
        assert all(f"+{n}" in body for n in numbers)
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert app.screen is screen
        assert pool_numbers(sandbox) == []
        assert DEMO_POOL_ID in sandbox.state.accounts[DEMO_API_KEY].pools  # the pool itself stays
        assert screen.query_one(KeyBar).status == ""


async def test_d_on_one_highlighted_number_words_it_in_the_singular(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        first, second = pool_numbers(sandbox)
        await pilot.press("tab", "d")
        await pilot.pause()
        body = str(app.screen.query_one("#confirm-body").render())
        assert "Remove 1 number from pool" in body and "It stays on your account" in body
        await pilot.press("escape")  # no: nothing removed
        await settle(app, pilot)
        assert pool_numbers(sandbox) == [first, second]


async def test_d_on_the_pools_table_still_deletes_the_pool_and_counts_in_words(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = str(dialog.query_one("#confirm-body").render())
        assert "Its 2 numbers stay on your account" in body and "(s)" not in body


async def test_read_only_d_in_the_numbers_table_does_nothing(make_app, sandbox) -> None:
    app = make_app(initial_screen="pools", read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("tab", "space", "d")
        await pilot.pause()
        assert app.screen is screen
        assert "Remove" not in visible_text(app)
        assert len(pool_numbers(sandbox)) == 2
