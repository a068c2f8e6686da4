"""FastTable and its RowStore: rendering, filter, sort, cursor, marks, messages (no timings here:
those live in tests/benchmarks/bench_table.py)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.message import Message

from tui.widgets.fast_table import Column, FastTable, layout_widths
from tui.widgets.row_store import RowStore, column_keys, needles, sort_key

COLUMNS = [
    Column("number", "Number"),
    Column("country", "Country"),
    Column("type", "Type"),
    Column("cost", "Cost", align="right"),
]


def row(msisdn: str, country: str = "GB", kind: str = "mobile-lvn", cost: str = "1.00 EUR"):
    grouped = f"+{msisdn[:2]} {msisdn[2:6]} {msisdn[6:]}"
    return msisdn, (grouped, country, kind, cost)


ROWS = [
    row("447700900001", "GB", "mobile-lvn", "9.50 EUR"),
    row("447700900002", "GB", "landline", "10.00 EUR"),
    row("14155550100", "US", "mobile-lvn", "0.85 EUR"),
    row("4915112345678", "DE", "landline-toll-free", "1.20 EUR"),
    row("33612345678", "FR", "mobile-lvn", "2.00 EUR"),
]


class TableApp(App[None]):
    def __init__(self, rows=(), columns=COLUMNS) -> None:
        super().__init__()
        self._rows = list(rows)
        self._columns = columns

    def compose(self) -> ComposeResult:
        yield FastTable(self._columns, id="table")

    def on_mount(self) -> None:
        table = self.query_one(FastTable)
        table.set_rows(self._rows)
        table.focus()


def lines(table: FastTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def of(messages: list[Message], kind: type) -> list:
    """Messages of one kind, once each (the hook sees a bubbling message at every node it visits)."""
    unique = {id(message): message for message in messages if isinstance(message, kind)}
    return list(unique.values())


async def test_rows_render_under_a_header() -> None:
    async with TableApp(ROWS).run_test(size=(80, 12)) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        shown = lines(table)
        assert ["Number", "Country", "Type", "Cost"] == shown[0].split()
        assert "+44 7700 900001" in shown[1] and "9.50 EUR" in shown[1]
        assert "+49 1511 2345678" in shown[4]
        assert table.row_count == table.visible_count == 5
        assert table.cursor_key == "447700900001" and table.cursor_index == 0


async def test_long_cells_are_cut_with_an_ellipsis_to_fit_80_columns() -> None:
    columns = [Column("a", "A"), Column("b", "B"), Column("c", "C", width=12)]
    rows = [("k", ("x" * 70, "y" * 70, "z" * 30))]
    async with TableApp(rows, columns).run_test(size=(80, 6)) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        strip = table.render_line(1)
        assert strip.cell_length <= 80
        assert strip.text.count("…") == 3
        assert "z" * 11 + "…" in strip.text


async def test_the_sort_arrow_shows_in_a_narrow_column() -> None:
    columns = [Column("country", "Country", width=7), Column("cost", "Cost", width=4, align="right")]
    rows = [("a", ("GB", "1")), ("b", ("US", "2"))]
    async with TableApp(rows, columns).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.sort_by("country")
        assert table.render_line(0).text.startswith("  Coun… ▲ ")
        table.sort_by("cost", reverse=True)
        assert table.render_line(0).text.startswith("  Country ▼ C…")


def test_layout_shrinks_auto_columns_before_fixed_ones() -> None:
    columns = [Column("a", "A"), Column("b", "B", width=10)]
    assert layout_widths(columns, [50, 10], 30) == [20, 10]
    assert layout_widths(columns, [5, 10], 30) == [5, 10]


async def test_filter_is_case_insensitive_over_the_cells() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.filter_text = "MOBILE"
        await pilot.pause()
        assert table.visible_keys() == ["447700900001", "14155550100", "33612345678"]
        assert table.visible_count == 3 and table.row_count == 5
        table.set_filter("us")
        assert table.visible_keys() == ["14155550100"]
        table.set_filter("")
        assert table.visible_count == 5


async def test_filter_matches_phone_numbers_as_digits() -> None:
    oddly_grouped = ("447700900123", ("+44 77 0090 0123", "GB", "mobile-lvn", "1.00 EUR"))
    async with TableApp([*ROWS, oddly_grouped]).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.set_filter("7700 900")
        assert "447700900123" in table.visible_keys()
        table.set_filter("+44 7700-900 12")
        assert table.visible_keys() == ["447700900123"]
        table.set_filter("0123 GB")  # not a phone number: plain text, and no match across cells
        assert table.visible_keys() == []


async def test_sort_is_numeric_and_toggles() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.sort_by("cost")
        await pilot.pause()
        costs = [table.get_row(key)[3] for key in table.visible_keys()]
        assert costs == ["0.85 EUR", "1.20 EUR", "2.00 EUR", "9.50 EUR", "10.00 EUR"]
        assert "Cost ▲" in lines(table)[0] or "▲ Cost" in lines(table)[0]
        table.sort_by("cost")
        assert table.sort_reverse and table.visible_keys()[0] == "447700900002"
        assert "▼" in table.render_line(0).text
        table.sort_by("country")
        assert not table.sort_reverse
        assert [table.get_row(k)[1] for k in table.visible_keys()] == ["DE", "FR", "GB", "GB", "US"]
        table.sort_by(None)
        assert table.visible_keys() == [key for key, _ in ROWS]


async def test_sort_keys_and_header_click() -> None:
    async with TableApp(ROWS).run_test(size=(80, 10)) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.press("s")
        assert table.sort_column == "number" and not table.sort_reverse
        await pilot.press("S")
        assert table.sort_column == "number" and table.sort_reverse
        await pilot.click(FastTable, offset=(4, 0))
        assert table.sort_column == "number" and not table.sort_reverse


async def test_cursor_keys_move_and_post_highlights() -> None:
    rows = [row(f"4477009{i:05d}") for i in range(100)]
    messages: list[Message] = []
    async with TableApp(rows).run_test(size=(80, 12), message_hook=messages.append) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        await pilot.press("j", "j", "down")
        assert table.cursor_index == 3 and table.cursor_key == "447700900003"
        await pilot.press("k")
        assert table.cursor_index == 2
        await pilot.press("G")
        assert table.cursor_index == 99 and table.cursor_key == "447700900099"
        assert table.scroll_y > 0
        assert "+44 7700 900099" in lines(table)[-1]
        await pilot.press("g")
        assert table.cursor_index == 0 and table.scroll_y == 0
        await pilot.press("pagedown")
        page = table.cursor_index
        assert page >= 5
        await pilot.press("ctrl+d")
        assert table.cursor_index == page + page // 2
        await pilot.press("ctrl+u", "pageup")
        assert table.cursor_index == 0
        await pilot.press("end")
        await pilot.press("home")
        await pilot.pause()
        highlighted = [m.key for m in of(messages, FastTable.RowHighlighted)]
        assert highlighted[0] == "447700900000" and highlighted[-1] == "447700900000"
        assert "447700900099" in highlighted


async def test_cursor_stays_on_its_key_across_filter_sort_and_appends() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.press("j", "j")
        assert table.cursor_key == "14155550100"
        table.sort_by("cost")
        assert table.cursor_key == "14155550100" and table.cursor_index == 0
        table.set_filter("mobile")
        assert table.cursor_key == "14155550100"
        table.append_rows([row("12025550199", "US", "mobile-lvn", "0.10 EUR")])
        assert table.cursor_key == "14155550100" and table.cursor_index == 1
        table.set_filter("landline")  # filtered out: the cursor lands on a row that is shown
        assert table.cursor_key in table.visible_keys()


async def test_space_marks_rows_and_shows_a_marker() -> None:
    messages: list[Message] = []
    async with TableApp(ROWS).run_test(message_hook=messages.append) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.press("space", "j", "space", "j", "space", "space")
        assert table.marked_keys == {"447700900001", "447700900002"}
        assert table.render_line(1).text.startswith("✓ ")
        assert table.render_line(3).text.startswith("  ")
        assert of(messages, FastTable.MarksChanged)[-1].marked == frozenset(table.marked_keys)
        table.remove_row("447700900001")
        assert table.marked_keys == {"447700900002"}
        table.clear_marks()
        assert table.marked_keys == set()


async def test_enter_selects_and_y_asks_for_a_copy() -> None:
    messages: list[Message] = []
    async with TableApp(ROWS).run_test(message_hook=messages.append) as pilot:
        await pilot.press("j", "enter", "y")
        await pilot.pause()
        assert [m.key for m in of(messages, FastTable.RowSelected)] == ["447700900002"]
        assert [m.key for m in of(messages, FastTable.CopyRequested)] == ["447700900002"]
        assert of(messages, FastTable.RowSelected)[0].control is pilot.app.query_one(FastTable)


async def test_append_while_filtered_and_sorted() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.set_filter("landline")
        table.sort_by("cost")
        table.append_rows([row("447700900777", "GB", "landline", "0.01 EUR"), row("447700900888", "GB", "mobile-lvn")])
        assert table.row_count == 7
        assert table.visible_keys() == ["447700900777", "4915112345678", "447700900002"]
        table.append_rows([row("447700900888", "GB", "landline", "99 EUR")])  # known key: updated
        assert table.row_count == 7 and table.visible_keys()[-1] == "447700900888"


async def test_update_and_remove_rows() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        table.set_filter("mobile")
        assert table.update_row("447700900002", ("+44 7700 900002", "GB", "mobile-lvn", "3.00 EUR"))
        assert "447700900002" in table.visible_keys()
        assert table.update_row("447700900001", ("+44 7700 900001", "GB", "landline", "9.50 EUR"))
        assert "447700900001" not in table.visible_keys()
        assert table.remove_row("33612345678")
        assert not table.remove_row("33612345678")
        assert not table.update_row("nope", ("", "", "", ""))
        assert table.row_count == 4 and table.get_row("33612345678") is None
        with pytest.raises(ValueError):
            table.append_rows([("x", ("too", "few"))])


async def test_reloading_keeps_cursor_and_marks_of_rows_still_there() -> None:
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.press("j", "j", "space", "j", "space")
        assert table.cursor_key == "4915112345678"
        table.set_rows([r for r in ROWS if r[0] != "14155550100"][::-1])
        assert table.cursor_key == "4915112345678" and table.cursor_index == 1
        assert table.marked_keys == {"4915112345678"}
        assert table.move_to_key("447700900002") and table.cursor_index == 2
        assert not table.move_to_key("14155550100")


async def test_empty_states() -> None:
    async with TableApp().run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        assert lines(table)[1].strip() == "No rows"
        assert table.cursor_key is None
        await pilot.press("j", "enter", "space")  # nothing to act on: no error
        table.set_rows(ROWS)
        table.set_filter("zzz")
        await pilot.pause()
        assert lines(table)[1].strip() == "No rows match the filter"
        assert table.cursor_key is None
        table.set_filter("")
        assert table.cursor_key == "447700900001"
        table.clear()
        assert table.row_count == 0 and lines(table)[1].strip() == "No rows"


async def test_rendering_reads_only_the_rows_on_screen() -> None:
    rows = [row(f"4477{i:08d}") for i in range(20_000)]
    async with TableApp(rows).run_test(size=(80, 24)) as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        read: list[int] = []
        original = table._store.row_at

        def spy(position: int):
            read.append(position)
            return original(position)

        table._store.row_at = spy  # type: ignore[method-assign]
        table.refresh()
        await pilot.pause()
        top = int(table.scroll_y)
        assert read, "a repaint read no rows"
        assert min(read) >= top and max(read) < top + table.size.height
        assert len(set(read)) <= table.size.height


async def test_no_color_keeps_the_cursor_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with TableApp(ROWS).run_test() as pilot:
        table = pilot.app.query_one(FastTable)
        await pilot.pause()
        assert pilot.app.no_color
        cursor_style = list(table.render_line(1))[0].style
        assert cursor_style is not None and cursor_style.reverse
        assert not list(table.render_line(2))[0].style.reverse


def test_every_binding_has_an_id_and_a_description() -> None:
    for binding in FastTable.BINDINGS:
        assert binding.id and binding.id.startswith("table.")
        assert binding.description


# -- the row store on its own -----------------------------------------------------------------


def test_sort_key_reads_numbers_prices_and_text() -> None:
    assert sort_key("+44 7700 900123") == (0, 447700900123.0)
    assert sort_key("1,234.50") == (0, 1234.5)
    assert sort_key("0.85 EUR") == sort_key("EUR 0.85") == (0, 0.85)
    assert sort_key("€3") == (0, 3.0)
    assert sort_key("Landline") == (1, "landline")
    assert sort_key("1.2.3") == (1, "1.2.3")
    assert sort_key("") == sort_key("  ") == (2, "")
    assert sorted(["10", "9", "b", "", "A"], key=sort_key) == ["9", "10", "A", "b", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("0123456789 +-.,eE€%EURinfa\t")), max_size=8), max_size=6))
def test_column_keys_agree_with_sort_key(cells: list[str]) -> None:
    """The whole-column fast path must give each cell the key that `sort_key` gives it alone."""
    ranks, values = column_keys(cells)
    assert list(zip(ranks, values)) == [sort_key(cell) for cell in cells]
    numbers = [f"+44 7700 {i:06d}" for i in range(5)]
    assert column_keys(numbers) == (bytearray(5), [447700000000.0 + i for i in range(5)])


def test_needles_try_digits_only_for_phone_like_queries() -> None:
    assert needles("7700 900") == ("7700 900", "7700900")
    assert needles("+44 (0) 7700-900") == ("+44 (0) 7700-900", "4407700900")
    assert needles("GB 44") == ("gb 44",)
    assert needles("  ") == ()


def test_store_compacts_after_many_removals() -> None:
    store: RowStore[int] = RowStore(1)
    store.set_rows((i, (str(i),)) for i in range(5000))
    store.sort(0, reverse=True)
    for i in range(0, 5000):
        if i % 5:
            store.remove(i)
    assert len(store._keys) < 5000  # tombstones were compacted away
    assert store.visible_keys() == list(range(4995, -1, -5))
    assert store.position_of(4995) == 0 and store.position_of(1) is None
    store.append([(7, ("7",))])
    assert store.visible_keys()[:2] == [4995, 4990] and 7 in store.visible_keys()


def test_store_sorts_back_to_an_earlier_column_after_rows_change() -> None:
    store: RowStore[str] = RowStore(2)
    store.set_rows([("a", ("3", "x")), ("b", ("1", "z")), ("c", ("2", "y"))])
    store.sort(0)
    store.sort(1)
    assert store.visible_keys() == ["a", "c", "b"]
    store.sort(0)  # keys parked from the first sort
    assert store.visible_keys() == ["b", "c", "a"]
    store.sort(1)
    store.append([("d", ("0", "w"))])
    store.update("b", ("9", "z"))
    store.sort(0)  # rows changed since: keys are recomputed
    assert store.visible_keys() == ["d", "c", "a", "b"]


QUERY_CHARS = st.sampled_from(list("0123457 +ab-"))


@settings(max_examples=60, deadline=None)
@given(
    queries=st.lists(st.text(QUERY_CHARS, max_size=6), min_size=1, max_size=8),
    column=st.sampled_from([None, 0, 1]),
    seed=st.integers(0, 1000),
)
def test_incremental_filter_equals_a_fresh_one(queries: list[str], column: int | None, seed: int) -> None:
    """Typing narrows the view in place: the result must equal filtering from scratch."""
    rnd = random.Random(seed)
    rows = [
        (i, (f"+44 {rnd.randint(0, 9999):04d} {rnd.randint(0, 999999):06d}", rnd.choice(["a b", "ab-", "x"])))
        for i in range(300)
    ]
    typed: RowStore[int] = RowStore(2)
    typed.set_rows(rows)
    typed.sort(column)
    text = ""
    for query in queries:
        for ch in query:  # type it one key at a time, as a person would
            text += ch
            typed.set_filter(text)
        fresh: RowStore[int] = RowStore(2)
        fresh.set_rows(rows)
        fresh.sort(column)
        fresh.set_filter(text)
        assert typed.visible_keys() == fresh.visible_keys()
        text = text[: len(text) // 2]  # and backspace some
        typed.set_filter(text)


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(st.one_of(QUERY_CHARS, st.sampled_from(["<back>", "<append>", "<remove>", "<update>", "<sort>"])),
                   min_size=1, max_size=30),
    seed=st.integers(0, 1000),
)
def test_a_character_taken_back_shows_the_view_a_fresh_filter_would(steps: list[str], seed: int) -> None:
    """Views of recent filters are reused when a character is taken back: never once rows or order changed."""
    rnd = random.Random(seed)

    def row(i: int) -> tuple[int, tuple[str, str]]:
        return i, (f"+44 {rnd.randint(0, 9999):04d} {rnd.randint(0, 99):02d}", rnd.choice(["a b", "ab-", "x"]))

    rows = dict(row(i) for i in range(200))
    typed: RowStore[int] = RowStore(2)
    typed.set_rows(rows.items())
    text, column = "", None
    for step in steps:
        if step == "<back>":
            text = text[:-1]
        elif step == "<append>":
            key, cells = row(len(rows) + 1000)
            rows[key] = cells
            typed.append([(key, cells)])
        elif step == "<remove>" and rows:
            key = rnd.choice(sorted(rows))
            del rows[key]
            typed.remove(key)
        elif step == "<update>" and rows:
            key = rnd.choice(sorted(rows))
            rows[key] = row(key)[1]
            typed.update(key, rows[key])
        elif step == "<sort>":
            column = rnd.choice([None, 0, 1])
            typed.sort(column)
        elif not step.startswith("<"):
            text += step
        typed.set_filter(text)
        fresh: RowStore[int] = RowStore(2)
        fresh.set_rows(rows.items())
        fresh.sort(column)
        fresh.set_filter(text)
        assert typed.visible_keys() == fresh.visible_keys(), (step, text)


@settings(max_examples=150, deadline=None)
@given(
    own=st.lists(st.text("0123456789ab", max_size=8), min_size=1, max_size=60),
    groups=st.lists(st.booleans(), min_size=1, max_size=4),
    tests=st.lists(st.text("0123456789ab", min_size=1, max_size=3), max_size=2),
    data=st.data(),
)
def test_the_narrow_and_the_full_scan_find_the_same_rows(own: list[str], groups: list[bool], tests: list[str],
                                                          data: st.DataObject) -> None:
    """A keystroke tests just the rows shown (few) or every row (many): both must agree, in every case
    (groups matching or not, no needle for the rows' own text, one, or two)."""
    from tui.widgets.table_layout import matching_slots, row_hits

    grp = [data.draw(st.integers(0, len(groups) - 1)) for _ in own]
    slots = sorted(data.draw(st.sets(st.integers(0, len(own) - 1))))
    hit = row_hits(own, grp, groups, tests)
    expected = [s for s in slots if groups[grp[s]] or any(t in own[s] for t in tests)]
    assert [s for s in slots if hit[s]] == expected
    assert matching_slots(slots, own, grp, groups, tests) == expected
