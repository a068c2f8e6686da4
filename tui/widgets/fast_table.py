"""FastTable: a virtual table for up to 100,000 rows that stays interactive.

A `ScrollView` using the Line API (like `Log` and `DataTable`): `render_line` draws only the lines on
screen, from a `RowStore` (tuples of text, or records read through a `RowFormat` that formats only
the lines drawn; filter and sort produce an index array). Nothing is mounted per row: a paint costs
the screen height, not the row count (tests prove a repaint formats only the rows on screen).

Why not a stock table: at 100,000 rows Textual's DataTable and textual-fastdatatable were one to two
orders of magnitude slower to fill and filter (tests/benchmarks/README.md, bench_table.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.row_store import RowFormat, RowStore
from tui.widgets.table_layout import (GUTTER, MAX_AUTO_WIDTH, Column, column_at, header_text, layout_widths, pad,
                                     row_text)


class FastTable(ScrollView, can_focus=True):
    """A keyboard-driven table over a `RowStore`: filter, sort, cursor, marks; knows no domain."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down", tooltip="Next row"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up", tooltip="Previous row"),
        Binding("home,g", "cursor_top", "Top", show=False, id="table.top", tooltip="First row"),
        Binding("end,G", "cursor_bottom", "Bottom", show=False, id="table.bottom", tooltip="Last row"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down", tooltip="One screen down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up", tooltip="One screen up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="table.half_page_down", tooltip="Half a screen down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="table.half_page_up", tooltip="Half a screen up"),
        Binding("space", "toggle_mark", "Mark", show=False, id="table.mark", tooltip="Mark or unmark this row for a bulk action"),
        Binding("enter", "select", "Open", show=False, id="table.select", tooltip="Open the highlighted row"),
        Binding("y", "copy", "Copy", show=False, id="table.copy", tooltip="Copy the highlighted row"),
        Binding("s", "sort_next", "Sort", show=False, id="table.sort", tooltip="Sort by the next column"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="table.sort_reverse", tooltip="Reverse the sort order"),
    ]  # fmt: skip

    _PARTS = ("header", "cursor", "marked", "empty")
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"fast-table--{part}" for part in _PARTS}

    DEFAULT_CSS = """
    FastTable {
        background: $surface; color: $foreground; width: 1fr; height: 1fr;
        overflow-x: hidden; overflow-y: auto;
        & > .fast-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .fast-table--cursor {
            background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .fast-table--marked { color: $accent; text-style: bold; }
        & > .fast-table--empty { color: $text-muted; text-style: italic; }
        &:focus > .fast-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:nocolor > .fast-table--cursor { text-style: reverse; }
    }
    """

    filter_text: var[str] = var("")
    """Rows shown are those containing this text (any case), or its digits if it reads as a phone number."""

    class _TableMessage(Message):
        def __init__(self, table: FastTable, key: Hashable | None) -> None:
            self.table = table
            self.key = key
            super().__init__()

        @property
        def control(self) -> FastTable:
            return self.table

    class RowHighlighted(_TableMessage):
        """The cursor rests on a new row (`key` is None when nothing is shown). Coalesced per refresh."""

    class RowSelected(_TableMessage):
        """Enter (or a second click) on a row."""

    class CopyRequested(_TableMessage):
        """`y` on a row: the screen decides what to copy."""

    class MarksChanged(Message):
        """The set of marked rows changed."""

        def __init__(self, table: FastTable, marked: frozenset[Hashable]) -> None:
            self.table = table
            self.marked = marked
            super().__init__()

        @property
        def control(self) -> FastTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, name: str | None = None, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        if not columns:
            raise ValueError("a table needs at least one column")
        self.columns: tuple[Column, ...] = tuple(columns)
        self._column_index = {column.key: i for i, column in enumerate(self.columns)}
        self._store: RowStore[Hashable] = RowStore(
            len(self.columns), measure=[column.width is None for column in self.columns], cap=MAX_AUTO_WIDTH)
        self._marked: set[Hashable] = set()
        self._cursor = 0
        self._cursor_key: Hashable | None = None
        self._highlight_pending = False
        self._highlighted: Hashable | None = None
        self._widths_cache: tuple[tuple[Any, ...], list[int]] | None = None
        self._styles: dict[str, Style] = {}

    def set_rows(self, rows: Iterable[tuple[Hashable, Sequence[str]]]) -> None:
        """Replace every row; the filter, sort, cursor key and marks (of keys still present) stay."""
        self._store.set_rows(rows)
        self._replaced()

    def append_rows(self, rows: Iterable[tuple[Hashable, Sequence[str]]]) -> None:
        """Add rows (a key already present is updated); they land in sort order and obey the filter."""
        self._store.append(rows)
        self._data_changed()

    def set_items(self, items: Iterable[Any], row_format: RowFormat[Any]) -> None:
        """Replace every row with objects read through ``row_format`` (cells are made for lines drawn)."""
        self._store.set_items(items, row_format)
        self._replaced()

    def _replaced(self) -> None:
        kept = {key for key in self._marked if key in self._store}
        if kept != self._marked:
            self._marked = kept
            self.post_message(self.MarksChanged(self, frozenset(kept)))
        self._data_changed()

    def append_items(self, items: Iterable[Any], row_format: RowFormat[Any]) -> None:
        """``append_rows`` for objects (one whose key is present replaces it)."""
        self._store.append_items(items, row_format)
        self._data_changed()

    def update_item(self, item: Any, row_format: RowFormat[Any]) -> bool:
        """Replace the object of its key; False if the key is unknown."""
        if not self._store.update_item(item, row_format):
            return False
        self._data_changed()
        return True

    def update_row(self, key: Hashable, cells: Sequence[str]) -> bool:
        """Replace one row's cells; False if the key is unknown."""
        if not self._store.update(key, cells):
            return False
        self._data_changed()
        return True

    def remove_row(self, key: Hashable) -> bool:
        """Remove one row; False if the key is unknown."""
        if not self._store.remove(key):
            return False
        if key in self._marked:
            self._marked.discard(key)
            self.post_message(self.MarksChanged(self, frozenset(self._marked)))
        self._data_changed()
        return True

    def clear(self) -> None:
        """Remove every row and mark (filter and sort settings stay)."""
        self._store.clear()
        if self._marked:
            self._marked.clear()
            self.post_message(self.MarksChanged(self, frozenset()))
        self._data_changed()

    def get_row(self, key: Hashable) -> tuple[str, ...] | None:
        """The cells of a row as shown (made on demand for rows held as objects)."""
        return self._store.get(key)

    def visible_keys(self) -> list[Hashable]:
        """Keys of the rows that pass the filter, top to bottom."""
        return self._store.visible_keys()

    @property
    def row_count(self) -> int:
        return len(self._store)

    @property
    def visible_count(self) -> int:
        return self._store.visible_count

    def set_filter(self, text: str) -> None:
        self.filter_text = text

    def watch_filter_text(self, text: str) -> None:
        self._store.set_filter(text)
        self._data_changed()

    @property
    def sort_column(self) -> str | None:
        index = self._store.sort_column
        return None if index is None else self.columns[index].key

    @property
    def sort_reverse(self) -> bool:
        return self._store.reverse

    def sort_by(self, column_key: str | None, reverse: bool | None = None) -> None:
        """Sort by a column (None = arrival order). Asking again for the same column flips the order
        unless `reverse` is given."""
        if column_key is None:
            self._store.sort(None)
        else:
            index = self._column_index[column_key]  # KeyError for a column the table does not have
            if reverse is None:
                reverse = not self._store.reverse if index == self._store.sort_column else False
            self._store.sort(index, reverse)
        self._data_changed()

    @property
    def cursor_index(self) -> int:
        """Position of the cursor among the rows shown (0 when there are none)."""
        return self._cursor

    @cursor_index.setter
    def cursor_index(self, index: int) -> None:
        self._move_cursor(index)

    @property
    def cursor_key(self) -> Hashable | None:
        return self._cursor_key

    def move_to_key(self, key: Hashable) -> bool:
        """Put the cursor on a row; False if it is absent or filtered out."""
        position = self._store.position_of(key)
        if position is None:
            return False
        self._move_cursor(position)
        return True

    @property
    def marked_keys(self) -> set[Hashable]:
        """A copy of the marked keys (use `set_marks`/`clear_marks` to change them)."""
        return set(self._marked)

    def set_marks(self, keys: Iterable[Hashable]) -> None:
        self._marked = {key for key in keys if key in self._store}
        self.refresh()
        self.post_message(self.MarksChanged(self, frozenset(self._marked)))

    def clear_marks(self) -> None:
        self.set_marks(())

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_top(self) -> None:
        self._move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self._move_cursor(self.visible_count - 1)

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor + self._page)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor - self._page)

    def action_half_page_down(self) -> None:
        self._move_cursor(self._cursor + max(1, self._page // 2))

    def action_half_page_up(self) -> None:
        self._move_cursor(self._cursor - max(1, self._page // 2))

    markable: bool = True  # False where marks have no use (Search's results): space does nothing there

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.markable or action != "toggle_mark"

    def action_toggle_mark(self) -> None:
        key = self._cursor_key
        if key is None:
            return
        if key in self._marked:
            self._marked.discard(key)
        else:
            self._marked.add(key)
        self._refresh_position(self._cursor)
        self.post_message(self.MarksChanged(self, frozenset(self._marked)))

    def action_select(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.RowSelected(self, self._cursor_key))

    def action_copy(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.CopyRequested(self, self._cursor_key))

    def action_sort_next(self) -> None:
        current = self._store.sort_column
        index = 0 if current is None else (current + 1) % len(self.columns)
        self.sort_by(self.columns[index].key, reverse=False)

    def action_sort_reverse(self) -> None:
        key = self.sort_column
        self.sort_by(key if key is not None else self.columns[0].key, reverse=not self.sort_reverse)

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = column_at(self.columns, self._widths(), offset.x)
            if column is not None:
                self.sort_by(column.key)
            return
        position = int(self.scroll_y) + offset.y - 1
        if 0 <= position < self.visible_count:
            if position == self._cursor:  # a click on the highlighted row opens it
                self.action_select()
            else:
                self._move_cursor(position)

    def _data_changed(self) -> None:
        """After any change to rows, filter or sort: keep the cursor on its key, then repaint."""
        count = self._store.visible_count
        size = Size(0, count + 1)
        if size != self.virtual_size:  # only our scrollbar depends on it: no layout of the whole screen
            self.set_reactive(FastTable.virtual_size, size)  # (once per page of a load); showing or
            self._scroll_update(size)  # hiding the scrollbar still lays the screen out
        old = self._cursor
        position = None if self._cursor_key is None else self._store.position_of(self._cursor_key)
        if position is None:
            position = min(old, max(0, count - 1))
        elif position != old and self.is_mounted:
            # the row moved (rows arrived above it, or a new sort): keep it at the same screen line
            self.scroll_to(y=self.scroll_y + position - old, animate=False, force=True)
        self._move_cursor(position, repaint_all=True)

    def _move_cursor(self, index: int, *, repaint_all: bool = False) -> None:
        count = self._store.visible_count
        index = max(0, min(index, count - 1)) if count else 0
        old = self._cursor
        self._cursor = index
        self._cursor_key = self._store.key_at(index) if count else None
        if repaint_all:
            self.refresh()
        elif old != index:
            self._refresh_position(old)
            self._refresh_position(index)
        if not self.is_mounted:
            return
        self._scroll_cursor_into_view()
        if self._cursor_key != self._highlighted and not self._highlight_pending:
            self._highlight_pending = True
            self.call_after_refresh(self._post_highlight)

    def _post_highlight(self) -> None:
        self._highlight_pending = False
        if self._cursor_key != self._highlighted:
            self._highlighted = self._cursor_key
            self.post_message(self.RowHighlighted(self, self._cursor_key))

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        page = self._page
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, force=True)

    def _refresh_position(self, position: int) -> None:
        y = position - int(self.scroll_y) + 1
        if y >= 1:
            self.refresh(Region(0, y, self.size.width, 1))

    def _widths(self) -> list[int]:
        width = self.scrollable_content_region.width
        key = (width, tuple(self._store.widths))
        if self._widths_cache is None or self._widths_cache[0] != key:
            available = width - GUTTER - (len(self.columns) - 1)
            self._widths_cache = (key, layout_widths(self.columns, self._store.widths, available))
        return self._widths_cache[1]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _on_mount(self, event: events.Mount) -> None:
        self._data_changed()

    def _on_focus(self, event: events.Focus | events.Blur) -> None:
        self.refresh()
    _on_blur = _on_focus

    def _lookup_styles(self) -> dict[str, Style]:
        styles = {name: self.get_component_rich_style(f"fast-table--{name}") for name in self._PARTS}
        styles["base"] = self.rich_style
        return styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = self._lookup_styles()  # once per paint, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if not self._styles:
            self._styles = self._lookup_styles()
        base = self._styles["base"]
        if y == 0:
            return self._line(self._header_text(), width, base + self._styles["header"])
        position = int(self.scroll_y) + y - 1
        count = self._store.visible_count
        if count == 0:
            if y == 1:
                message = "No rows match the filter" if self.row_count else "No rows"
                return self._line(" " * GUTTER + message, width, base + self._styles["empty"])
            return Strip.blank(width, base)
        if position >= count:
            return Strip.blank(width, base)
        key, cells = self._store.row_at(position)
        marked = key in self._marked
        style = base
        if marked:
            style += self._styles["marked"]
        if position == self._cursor:
            style += self._styles["cursor"]
        return self._line(row_text(marked, cells, self.columns, self._widths()), width, style)

    def _header_text(self) -> str:
        return header_text(self.columns, self._widths(), self._store.sort_column, self._store.reverse)

    @staticmethod
    def _line(text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(pad(text, width), style)], width)
