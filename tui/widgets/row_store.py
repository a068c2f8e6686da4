"""The data half of FastTable: rows held as they are given, and a view of them as an index array.

Pure Python, no Textual, so it can be tested and timed on its own. Rows live in parallel lists
indexed by a *slot* (the order of arrival). Nothing is ever moved: filtering and sorting only
rebuild ``_order`` (every live slot, in sort order) and ``_visible`` (the slots of ``_order``
that match the filter), lists of ints that Python builds and sorts in C. Removed rows leave a
tombstone that is compacted away once tombstones outnumber live rows.

A row is either a tuple of text cells (``set_rows``) or any object read through a ``RowFormat``
(``set_items``): then the store keeps the object itself and its cells are computed only for the
lines on screen, so 100,000 records cost a few references each, not a copy of their text. A format
may also say which rows look alike: rows of one *group* show the same text in every column but the
first (numbers sharing one configuration), so that text is searched, sorted and measured once per
group, and a row adds only its own first column (for numbers: the msisdn the record already holds).

Search: a row matches a query if one of its cells contains it (any case), or the digits of one of
its cells do. A query that looks like a phone number ("+44 7700-900") is also tried as bare digits,
which is how "7700 900" finds "447700900123". Texts are ``cell\\x1fcell…\\x1e digits\\x1fdigits…``
so a match never runs across two cells; a keystroke is one ``in`` per row plus one per group.

Sorting is numeric-aware: a cell that reads as a number (spaces, "+", thousands commas and a
currency code or sign allowed: "+44 7700 900123", "1,234.50", "0.85 EUR", "€3") sorts by value,
numbers first, then other text case-insensitively, then empty cells. Keys are computed when a
column is sorted, kept up to date for the current sort column (new rows are placed by bisection)
and parked for earlier columns until a row changes. Toggling the direction costs nothing: the
view is stored ascending and read backwards when reversed.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import compress
from typing import Any, Generic, TypeVar

from tui.widgets.table_layout import EMPTY_KEY, TEXT_ROWS, RowFormat, SortKey, TextRows, cell_width, column_keys
from tui.widgets.table_layout import haystack, matching_slots, narrows, needles, reads_as_number, row_hits, sort_key

K = TypeVar("K", bound=Hashable)

class RowStore(Generic[K]):
    """Rows addressed by a unique key, with a filtered and sorted view.

    ``measure`` says which columns need their widest cell known (``widths``; columns of a fixed width
    do not), and ``cap`` the width beyond which measuring stops (a column is never drawn wider).
    """

    def __init__(self, column_count: int, *, measure: Sequence[bool] | None = None, cap: int = 1 << 30) -> None:
        self.column_count = column_count
        self._measure = tuple(measure) if measure is not None else (True,) * column_count
        self._cap = cap
        self._format: RowFormat[Any] = TEXT_ROWS
        self.filter_text = ""
        self.sort_column: int | None = None
        self.reverse = False
        self._needles: tuple[str, ...] = ()
        self._parked: dict[int, tuple[bytearray, list[float | str]]] = {}
        self._recent: dict[str, list[int]] = {}  # filter text -> its view, while the rows and order stand
        self.clear()

    # -- size -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, key: object) -> bool:
        return key in self._slot

    @property
    def visible_count(self) -> int:
        return len(self._visible)

    @property
    def row_format(self) -> RowFormat[Any]:
        return self._format

    # -- reading -----------------------------------------------------------------------------
    def get(self, key: K) -> tuple[str, ...] | None:
        slot = self._slot.get(key)
        return None if slot is None else tuple(self._format.cells(self._items[slot]))

    def item(self, key: K) -> Any:
        slot = self._slot.get(key)
        return None if slot is None else self._items[slot]

    def row_at(self, position: int) -> tuple[K, tuple[str, ...]]:
        """The key and cells at a position of the view (0 = top as shown): the only place cells are made."""
        if self.reverse:
            position = len(self._visible) - 1 - position
        if not 0 <= position < len(self._visible):
            raise IndexError(position)
        slot = self._visible[position]
        return self._keys[slot], tuple(self._format.cells(self._items[slot]))  # type: ignore[return-value]

    def key_at(self, position: int) -> K:
        if self.reverse:
            position = len(self._visible) - 1 - position
        if not 0 <= position < len(self._visible):
            raise IndexError(position)
        return self._keys[self._visible[position]]  # type: ignore[return-value]

    def position_of(self, key: K) -> int | None:
        """Where a key is shown in the view, or None if it is absent or filtered out."""
        slot = self._slot.get(key)
        if slot is None:
            return None
        if self.sort_column is None:  # unsorted views are in slot order: bisect instead of a scan
            at = bisect_left(self._visible, slot)
            if at == len(self._visible) or self._visible[at] != slot:
                return None
        else:
            try:
                at = self._visible.index(slot)
            except ValueError:
                return None
        return len(self._visible) - 1 - at if self.reverse else at

    def visible_keys(self) -> list[K]:
        """The keys of the view, top to bottom."""
        keys = self._keys
        ordered = reversed(self._visible) if self.reverse else self._visible
        return [keys[slot] for slot in ordered]  # type: ignore[misc]

    # -- writing -----------------------------------------------------------------------------
    def clear(self) -> None:
        self._keys: list[K | None] = []
        self._items: list[Any] = []
        self._own: list[str] = []  # each row's own search text ("" for a tombstone)
        self._own_digits = True  # every own text is digits only (then a needle with a letter skips them)
        self._grp: list[int] = []  # each row's group id
        self._group_id: dict[Hashable, int] = {}
        self._group_item: list[Any] = []  # one row of each group, to read the group's cells from
        self._group_text: list[str] = []
        self._group_hit: list[bool] = []  # does each group match the current filter
        # the filter reads as a phone number: groups (other columns) never match. Kept with the filter:
        # a list replaced under a filter (a deep link's, set before the rows came) filters as typed
        self._number_only = reads_as_number(self.filter_text)
        self._slot: dict[K, int] = {}
        self._order: list[int] = []
        self._visible: list[int] = []
        self._rank = bytearray()  # the sort column's keys, split so Python sorts plain floats and
        self._value: list[float | str] = []  # plain strings (its fast paths): rank 0 number, 1 text, 2 empty
        self._parked.clear()
        self._recent.clear()
        self.widths = [0] * self.column_count
        """Widest cell seen per measured column (in terminal cells, up to the cap); re-measured on `set_rows`."""

    def set_rows(self, rows: Iterable[tuple[K, Sequence[str]]]) -> None:
        """Replace every row with tuples of text (filter and sort settings are kept)."""
        pairs = [(key, self._checked(cells)) for key, cells in rows]
        self._set([key for key, _ in pairs], [cells for _, cells in pairs], TEXT_ROWS)

    def set_items(self, items: Iterable[Any], row_format: RowFormat[Any]) -> None:
        """Replace every row with objects read through ``row_format`` (filter and sort settings are kept)."""
        listed = list(items)
        self._set(row_format.keys(listed), listed, row_format)

    def append(self, rows: Iterable[tuple[K, Sequence[str]]]) -> None:
        """Add tuples of text; a key that is already present is updated in place."""
        self._use(TEXT_ROWS)
        for key, cells in rows:
            self._put(key, self._checked(cells))

    def append_items(self, items: Iterable[Any], row_format: RowFormat[Any]) -> None:
        """Add objects; one whose key is already present replaces the old one in place."""
        self._use(row_format)
        key = row_format.key
        for item in items:
            self._put(key(item), item)

    def update(self, key: K, cells: Sequence[str]) -> bool:
        if key not in self._slot:
            return False
        self._use(TEXT_ROWS)
        self._put(key, self._checked(cells))
        return True

    def update_item(self, item: Any, row_format: RowFormat[Any]) -> bool:
        key = row_format.key(item)
        if key not in self._slot:
            return False
        self._use(row_format)
        self._put(key, item)
        return True

    def remove(self, key: K) -> bool:
        slot = self._slot.pop(key, None)
        if slot is None:
            return False
        self._parked.clear()
        self._recent.clear()
        self._unplace(slot)
        self._keys[slot] = self._items[slot] = None
        self._own[slot] = ""
        dead = len(self._keys) - len(self._slot)
        if dead > 1024 and dead > len(self._slot):
            self._compact()
        return True

    # -- view --------------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        # a number is looked for in the number column only (not in digits of a webhook or an app id)
        was_number_only = self._number_only
        self._number_only = reads_as_number(text)
        # "89" -> "89a" widens: the number looked for in one column is now text looked for in all
        narrowing = bool(self.filter_text) and narrows(self.filter_text, text) and not (
            was_number_only and not self._number_only)
        self.filter_text = text
        self._needles = needles(text)
        self._group_hit = [self._group_matches(t) for t in self._group_text]
        # typing one more character only ever removes rows: filter what is shown already; a character
        # taken back finds its view as it was (the views of the last filters kept until rows change)
        recent = self._recent.pop(text, None)
        self._visible = recent if recent is not None else self._matching(self._visible if narrowing else self._order)
        self._recent[text] = self._visible
        if len(self._recent) > 8:
            del self._recent[next(iter(self._recent))]

    def sort(self, column: int | None, reverse: bool = False) -> None:
        """Sort by a column (None = arrival order); stable, ties keep arrival order."""
        if column is not None and not 0 <= column < self.column_count:
            raise IndexError(column)
        if column != self.sort_column:
            if self.sort_column is not None:
                self._parked[self.sort_column] = (self._rank, self._value)
            self.sort_column = column
            if column is None:
                self._rank, self._value = bytearray(), []
            elif column in self._parked:
                self._rank, self._value = self._parked.pop(column)
            else:
                self._rank, self._value = self._column_keys(column)
            self._rebuild_order()
        self.reverse = reverse if column is not None else False

    # -- internals: adding -------------------------------------------------------------------
    def _checked(self, cells: Sequence[str]) -> tuple[str, ...]:
        row = tuple(map(str, cells))
        if len(row) != self.column_count:
            raise ValueError(f"row has {len(row)} cells, the table has {self.column_count} columns")
        return row

    def _use(self, row_format: RowFormat[Any]) -> None:
        if row_format is not self._format:
            if self._slot:
                raise ValueError("a store holds rows of one format: set_rows/set_items replace them all")
            self._format = row_format

    def _set(self, keys: list[Any], items: list[Any], row_format: RowFormat[Any]) -> None:
        self.clear()
        self._format = fmt = row_format
        slots = dict(zip(keys, range(len(keys))))
        if len(slots) != len(keys):  # a repeated key: its first place, its last row
            for key, item in zip(keys, items):
                self._put(key, item, place=False)
        else:
            self._keys, self._items, self._slot = keys, items, slots
            self._own, self._own_digits = fmt.own_texts(items, keys)
            if fmt.grouped:
                groups = fmt.groups(items)
                for group, item in dict(zip(groups, items)).items():  # one row of each group
                    self._new_group(group, item)
                self._grp = list(map(self._group_id.__getitem__, groups))
            else:
                self._grp = [self._group_of(None, None)] * len(items)
            self._measure_rows(items)
        if self.sort_column is not None:
            self._rank, self._value = self._column_keys(self.sort_column)
        self._rebuild_order()

    def _put(self, key: Any, item: Any, *, place: bool = True) -> None:
        """Add a row, or replace the row of ``key``; with ``place`` it joins the view where it belongs."""
        fmt = self._format
        self._parked.clear()  # rows change: other columns' keys go stale, and the recent filters' views
        self._recent.clear()
        slot = self._slot.get(key)
        if slot is None:
            slot = self._slot[key] = len(self._keys)
            self._keys.append(key)
            self._items.append(item)
            self._own.append(own := fmt.own_text(item))
            self._own_digits = self._own_digits and own.isdigit()
            self._grp.append(self._group_of(fmt.group(item) if fmt.grouped else None, item))
            if self.sort_column is not None:
                self._rank.append(0)
                self._value.append(0.0)
        else:
            if place:
                self._unplace(slot)
            self._items[slot] = item
            self._own[slot] = own = fmt.own_text(item)
            self._own_digits = self._own_digits and own.isdigit()
            self._grp[slot] = self._group_of(fmt.group(item) if fmt.grouped else None, item)
        self._measure_rows((item,))
        if self.sort_column is not None:
            self._rank[slot], self._value[slot] = self._row_key(slot)
        if place:
            self._place(slot)

    def _group_of(self, group: Hashable, item: Any) -> int:
        found = self._group_id.get(group)
        return found if found is not None else self._new_group(group, item)

    def _new_group(self, group: Hashable, item: Any) -> int:
        gid = self._group_id[group] = len(self._group_item)
        self._group_item.append(item)
        text = self._format.group_text(item) if self._format.grouped else ""
        self._group_text.append(text)
        self._group_hit.append(self._group_matches(text))
        if self._format.grouped:
            cells = self._format.cells(item)
            for index in range(1, self.column_count):
                if self._measure[index] and self.widths[index] < self._cap:
                    self.widths[index] = max(self.widths[index], cell_width(cells[index]))
        return gid

    def _measure_rows(self, items: Sequence[Any]) -> None:
        fmt, widths, cap = self._format, self.widths, self._cap
        if not fmt.grouped:
            for index in range(self.column_count):
                if self._measure[index] and widths[index] < cap and items:
                    widths[index] = max(widths[index], max(cell_width(fmt.cells(i)[index]) for i in items))
        elif self._measure[0] and widths[0] < cap and items:
            widths[0] = max(widths[0], max(map(fmt.own_width, items)))

    # -- internals: sorting and filtering -----------------------------------------------------
    def _column_keys(self, column: int) -> tuple[bytearray, list[float | str]]:
        fmt, items = self._format, self._items
        if column == 0 and fmt.grouped:
            return fmt.own_sort_keys(items)
        if fmt.grouped:  # one key per group, then per row by its group
            per_group = [sort_key(fmt.cells(item)[column]) for item in self._group_item]
            ranks = bytes(rank for rank, _ in per_group)
            values = [value for _, value in per_group]
            return bytearray(map(ranks.__getitem__, self._grp)), list(map(values.__getitem__, self._grp))
        return column_keys([fmt.cells(item)[column] if item is not None else "" for item in items])

    def _row_key(self, slot: int) -> SortKey:
        fmt, column, item = self._format, self.sort_column, self._items[slot]
        assert column is not None
        if column == 0 and fmt.grouped:
            return fmt.own_sort(item)
        if fmt.grouped:
            item = self._group_item[self._grp[slot]]
        return sort_key(fmt.cells(item)[column])

    def _key_of(self) -> Callable[[int], SortKey] | None:
        if self.sort_column is None:
            return None
        rank, value = self._rank, self._value
        return lambda slot: (rank[slot], value[slot], slot)  # ties in arrival order, an updated row too

    def _place(self, slot: int) -> None:
        """Put a live slot into the order and, if it matches, the view."""
        key = self._key_of()
        if key is None and (not self._order or self._order[-1] < slot):
            self._order.append(slot)
        else:
            insort(self._order, slot, key=key)
        if self._matches(slot):
            if key is None and (not self._visible or self._visible[-1] < slot):
                self._visible.append(slot)
            else:
                insort(self._visible, slot, key=key)

    def _unplace(self, slot: int) -> None:
        self._order.remove(slot)
        try:
            self._visible.remove(slot)
        except ValueError:
            pass

    def _group_matches(self, text: str) -> bool:
        return not self._number_only and self._hit(text)

    def _hit(self, text: str) -> bool:
        return any(needle in text for needle in self._needles)

    def _matches(self, slot: int) -> bool:
        return not self._needles or self._group_hit[self._grp[slot]] or self._hit(self._own[slot])

    def _matching(self, slots: list[int]) -> list[int]:
        found, group_hit = self._needles, self._group_hit
        if not found or (group_hit and False not in group_hit):
            return list(slots)
        own, grp = self._own, self._grp
        # what can match a row's own text: own texts of digits only (msisdns) never hold a letter
        tests = [n for n in found if not self._own_digits or n.isdigit()]
        # Fewer rows (typing narrows them): test just those, unless the view is sorted and most rows
        # are left (its order jumps around memory: a scan of every row in arrival order is faster)
        if len(slots) < len(own) and (self.sort_column is None or len(slots) * 4 < len(own)):
            return matching_slots(slots, own, grp, group_hit, tests)
        hit = row_hits(own, grp, group_hit, tests)
        if len(slots) == len(hit) and self.sort_column is None:  # the whole table, in slot order
            return list(compress(slots, hit))
        return list(compress(slots, map(hit.__getitem__, slots)))

    def _rebuild_order(self) -> None:
        if len(self._slot) == len(self._items):  # no tombstones: every slot is live
            live: list[int] = list(self._slot.values())  # slot order, the index's own int objects
        else:
            live = [slot for slot, item in enumerate(self._items) if item is not None]
        if self.sort_column is not None:
            # numbers, then text, then empty cells; each group stable (ties in arrival order)
            rank, value = self._rank, self._value
            if rank.count(rank[0] if rank else 0) == len(rank):  # one kind only: no partition
                ordered = sorted(live, key=value.__getitem__)
            else:
                numbers = [slot for slot in live if rank[slot] == 0]
                texts = [slot for slot in live if rank[slot] == 1]
                empty = [slot for slot in live if rank[slot] == 2]
                numbers.sort(key=value.__getitem__)
                texts.sort(key=value.__getitem__)
                ordered = numbers + texts + empty
            # New int objects, allocated in view order: scans of the view then read memory in
            # sequence instead of jumping around (a filter keystroke at 100k rows: ~2x faster).
            live = [slot + 0 for slot in ordered]
        self._order = live
        self._recent.clear()
        self._visible = self._matching(live)

    def _compact(self) -> None:
        keep = [slot for slot, item in enumerate(self._items) if item is not None]
        remap = [-1] * len(self._keys)
        for new, old in enumerate(keep):
            remap[old] = new
        self._keys = [self._keys[s] for s in keep]
        self._items = [self._items[s] for s in keep]
        self._own = [self._own[s] for s in keep]
        self._grp = [self._grp[s] for s in keep]
        if self.sort_column is not None:
            self._rank = bytearray(self._rank[s] for s in keep)
            self._value = [self._value[s] for s in keep]
        self._slot = {key: slot for slot, key in enumerate(self._keys)}  # type: ignore[misc]
        self._order = [remap[slot] for slot in self._order]
        self._visible = [remap[slot] for slot in self._visible]


__all__ = ["TEXT_ROWS", "RowFormat", "RowStore", "SortKey", "TextRows", "cell_width", "column_keys",
           "haystack", "needles", "sort_key"]
