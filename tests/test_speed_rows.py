"""The Numbers table holds the records themselves: it formats only the lines it draws, and its grouped
search and sort give exactly what formatting every row would (behaviour only; bench.py times them)."""

from __future__ import annotations

import re

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from tui.owned import OwnedRecord
from tui.screens.numbers import COLUMNS
from tui.screens.numbers_format import NUMBER_ROWS, NumberRows, row_cells
from tui.widgets.fast_table import FastTable
from tui.widgets.row_store import RowStore, haystack, needles, sort_key

CONFIGS = [
    {"country": "GB", "type": "mobile-lvn", "features": ["SMS", "VOICE"]},
    {"country": "GB", "type": "landline", "features": ["VOICE"], "app_id": "aaaaaaaa-1111-2222-3333-444444444444",
     "voice_callback_type": "app", "voice_callback_value": "aaaaaaaa-1111-2222-3333-444444444444"},
    {"country": "US", "type": "mobile-lvn", "features": ["SMS"], "mo_http_url": "https://example.com/in/us-7"},
    {"country": "DE", "type": "landline-toll-free", "features": [], "voice_status_callback": "https://h.example/s"},
    {"country": "FR", "type": "mobile-lvn", "features": ["MMS", "SMS"], "mo_http_url": "http://x.example/+33"},
]
PREFIX = {"GB": "44", "US": "1", "DE": "49", "FR": "33"}


def records(count: int, seed: int) -> list[OwnedRecord]:
    rnd = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        config = dict(rnd.choice(CONFIGS))
        country, kind, features = config.pop("country"), config.pop("type"), config.pop("features")
        msisdn = PREFIX[country] + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(7, 10)))
        if msisdn not in seen:
            seen.add(msisdn)
            out.append(OwnedRecord(msisdn, country, kind, features, **config))
    return out


def expected_filter(rows: list[OwnedRecord], query: str) -> list[str]:
    """What formatting every row and searching its text gives (a query that reads as a phone number:
    the number's cell only)."""
    wanted = needles(query)
    if not wanted:
        return [r.msisdn for r in rows]
    number_only = re.fullmatch(r"[0-9\s+\-().]+", query.strip()) is not None and any(map(str.isdigit, query))
    return [r.msisdn for r in rows
            if any(n in haystack(row_cells(r)[:1] if number_only else row_cells(r)) for n in wanted)]


def store_of(rows: list[OwnedRecord]) -> RowStore[str]:
    store: RowStore[str] = RowStore(len(COLUMNS))
    store.set_items(rows, NUMBER_ROWS)
    return store


QUERY = st.text(st.sampled_from(list("0123456789 +-().abglmosuvwxyz/")), max_size=6)


@settings(max_examples=150, deadline=None)
@given(query=QUERY, seed=st.integers(0, 10_000), column=st.sampled_from([None, 0, 1, 3, 5]))
def test_grouped_search_equals_searching_every_formatted_row(query: str, seed: int, column: int | None) -> None:
    rows = records(120, seed)
    store = store_of(rows)
    store.sort(column)
    store.set_filter(query)
    assert set(store.visible_keys()) == set(expected_filter(rows, query))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), column=st.integers(0, len(COLUMNS) - 1), reverse=st.booleans())
def test_sorting_equals_sorting_every_formatted_cell(seed: int, column: int, reverse: bool) -> None:
    rows = records(150, seed)
    store = store_of(rows)
    store.sort(column, reverse)
    def key(r: OwnedRecord) -> object:  # the number column: its digits as text (E.164 order)
        return (0, r.msisdn) if column == 0 else sort_key(row_cells(r)[column])

    ordered = [r.msisdn for r in sorted(rows, key=key)]
    assert store.visible_keys() == (ordered[::-1] if reverse else ordered)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), column=st.sampled_from([None, 0, 2, 4]), query=QUERY)
def test_pages_arriving_into_a_sorted_filtered_view_equal_a_fresh_one(seed: int, column: int | None,
                                                                       query: str) -> None:
    rows = records(300, seed)
    paged: RowStore[str] = RowStore(len(COLUMNS))
    paged.sort(column)
    paged.set_filter(query)
    for start in range(0, len(rows), 100):
        paged.append_items(rows[start:start + 100], NUMBER_ROWS)
    fresh = store_of(rows)
    fresh.sort(column)
    fresh.set_filter(query)
    assert paged.visible_keys() == fresh.visible_keys()


def test_changed_and_removed_records_are_searched_as_they_now_are() -> None:
    rows = records(50, 3)
    store = store_of(rows)
    target = rows[7]
    store.set_filter("hooks.example")
    assert target.msisdn not in store.visible_keys()
    changed = target.replace(mo_http_url="https://hooks.example/sms")
    assert store.update_item(changed, NUMBER_ROWS)
    assert target.msisdn in store.visible_keys()
    assert store.get(target.msisdn) == row_cells(changed)
    assert store.remove(target.msisdn) and target.msisdn not in store.visible_keys()
    assert not store.update_item(changed, NUMBER_ROWS)


def test_records_and_text_rows_do_not_mix_in_one_store() -> None:
    store = store_of(records(5, 1))
    with pytest.raises(ValueError):
        store.append([("x", ("1", "2", "3", "4", "5", "6"))])
    store.set_rows([("x", ("1", "2", "3", "4", "5", "6"))])  # replacing all of them is fine
    assert store.get("x") == ("1", "2", "3", "4", "5", "6")


class NumbersTableApp(App[None]):
    def __init__(self, rows: list[OwnedRecord]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield FastTable(COLUMNS, id="numbers-table")

    def on_mount(self) -> None:
        self.query_one(FastTable).set_items(self.rows, NUMBER_ROWS)


async def test_only_the_lines_on_screen_are_formatted(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = records(5000, 11)
    formatted: list[str] = []
    original = NumberRows.cells

    def spy(self: NumberRows, item: OwnedRecord) -> tuple[str, ...]:
        formatted.append(item.msisdn)
        return original(self, item)

    monkeypatch.setattr(NumberRows, "cells", spy)
    async with NumbersTableApp(rows).run_test(size=(120, 30)) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        groups = {id(r.config) for r in rows}
        shown = set(table.visible_keys()[: table.size.height])
        assert table.row_count == 5000
        # each group's cells are read once (search text, widths), and each line on screen when drawn
        assert len(set(formatted) - shown) <= len(groups)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        formatted.clear()
        table.refresh()
        await pilot.pause()
        top = int(table.scroll_y)
        assert formatted, "a repaint formatted nothing"
        assert set(formatted) <= set(table.visible_keys()[top: top + table.size.height])
        assert table.get_row(rows[0].msisdn) == row_cells(rows[0])
