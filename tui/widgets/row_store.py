"""The data half of FastTable: rows in flat lists, and a view of them as an index array.

Pure Python, no Textual, so it can be tested and timed on its own. Rows live in parallel lists
indexed by a *slot* (the order of arrival). Nothing is ever moved: filtering and sorting only
rebuild ``_order`` (every live slot, in sort order) and ``_visible`` (the slots of ``_order``
that match the filter), lists of ints that Python builds and sorts in C. Removed rows leave a
tombstone that is compacted away once tombstones outnumber live rows.

Search: each row keeps one lower-cased haystack, ``cell\\x1fcell…\\x1e digits\\x1fdigits…``, so a
filter keystroke is one ``in`` per row. A query that looks like a phone number ("+44 7700-900")
is also tried as bare digits, which is how "7700 900" finds "447700900123". The separators keep
a match from running across two cells.

Sorting is numeric-aware: a cell that reads as a number (spaces, "+", thousands commas and a
currency code or sign allowed: "+44 7700 900123", "1,234.50", "0.85 EUR", "€3") sorts by value,
numbers first, then other text case-insensitively, then empty cells. Keys are computed when a
column is sorted, kept up to date for the current sort column (new rows are placed by bisection)
and parked for earlier columns until a row changes. Toggling the direction costs nothing: the
view is stored ascending and read backwards when reversed.
"""

from __future__ import annotations

import gc
import re
from math import isfinite
from bisect import bisect_left, insort
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from rich.cells import cell_len

K = TypeVar("K", bound=Hashable)

_CELL_SEP = "\x1f"
_PART_SEP = "\x1e"
_NOT_DIGIT = re.compile(r"[^0-9\x1f]+")
_PHONE_LIKE = re.compile(r"[0-9\s+\-().]+")

SortKey = tuple[int, float | str]
_EMPTY: SortKey = (2, "")
_CURRENCY_START = frozenset("€$£ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CURRENCY_END = frozenset("€$£%ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Build 100,000 small objects without the collector walking the heap every few hundred."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sort_key(cell: str) -> SortKey:
    """The numeric-aware sort key of one cell: (0, number), (1, folded text) or (2, "") if empty."""
    text = cell.strip()
    if not text:
        return _EMPTY
    first, last = text[0], text[-1]
    if first.isdigit() or first in "+-.,":
        # the common case, "+44 7700 900123" or "1,234.50", read exactly as `column_keys` reads it
        compact = text.replace(" ", "").replace(",", "").strip()
        if compact and (compact[0].isdigit() or compact[0] in "+-.") and (
            compact[-1].isdigit() or compact[-1] == "."
        ):
            try:
                value = float(compact)
            except ValueError:
                pass
            else:
                if isfinite(value):
                    return (0, value)
    starts_number = first.isdigit() or first in "+-."
    if (starts_number and last in _CURRENCY_END) or (first in _CURRENCY_START and last.isdigit()):
        return _currency_key(text)
    return (1, text.casefold())


def _currency_key(text: str) -> SortKey:
    """Key of "EUR 0.85", "0.85 EUR", "€3" or "12%"; plain text if it is not one of those."""
    body = text
    if body[:3].isalpha() and body[:3].isupper():
        body = body[3:]
    elif body[0] in "€$£":
        body = body[1:]
    if body[-3:].isalpha() and body[-3:].isupper():
        body = body[:-3]
    elif body[-1:] in ("€", "$", "£", "%"):
        body = body[:-1]
    try:
        value = float(body.replace(" ", "").replace(",", ""))
    except ValueError:
        return (1, text.casefold())
    return (0, value) if isfinite(value) else (1, text.casefold())


def column_keys(cells: Sequence[str]) -> tuple[bytearray, list[float | str]]:
    """`sort_key` of every cell of a column, as (ranks, values).

    A column of plain numbers (phone numbers, counts) is read in one comprehension, about twice
    as fast; the first cell that is not a number sends it down the cell-by-cell path.
    """
    with _gc_paused():
        try:
            values: list[float | str] = [float(cell.replace(" ", "").replace(",", "")) for cell in cells]
        except ValueError:
            pass
        else:
            if all(map(isfinite, values)):  # "inf" and "nan" parse, but are text to `sort_key`
                return bytearray(len(values)), values
        if not cells:
            return bytearray(), []
        ranks, text_values = zip(*map(sort_key, cells))
        return bytearray(ranks), list(text_values)


def haystack(cells: Sequence[str]) -> str:
    """The search text of a row: its cells lower-cased, then the digits of each cell."""
    joined = _CELL_SEP.join(cells)
    return joined.lower() + _PART_SEP + _NOT_DIGIT.sub("", joined)


def needles(query: str) -> tuple[str, ...]:
    """What a filter query looks for: itself (lower-cased) and, if it reads as a phone number, its digits."""
    text = query.strip().lower()
    if not text:
        return ()
    if _PHONE_LIKE.fullmatch(text):
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits and digits != text:
            return (text, digits)
    return (text,)


def _width(cell: str) -> int:
    return len(cell) if cell.isascii() else cell_len(cell)


class RowStore(Generic[K]):
    """Rows of string cells addressed by a unique key, with a filtered and sorted view."""

    def __init__(self, column_count: int) -> None:
        self.column_count = column_count
        self._keys: list[K | None] = []
        self._cells: list[tuple[str, ...] | None] = []
        self._hay: list[str] = []
        self._slot: dict[K, int] = {}
        self._order: list[int] = []
        self._visible: list[int] = []
        self._needles: tuple[str, ...] = ()
        self.filter_text = ""
        self.sort_column: int | None = None
        self.reverse = False
        # the sort column's keys, split so that Python sorts plain floats and plain strings
        # (its fast paths) rather than tuples: rank 0 number, 1 text, 2 empty; value per rank
        self._rank = bytearray()
        self._value: list[float | str] = []
        # keys of columns sorted before, kept while no row changes: sorting back is cheaper
        self._parked: dict[int, tuple[bytearray, list[float | str]]] = {}
        self.widths = [0] * column_count
        """Widest cell seen per column (in terminal cells); grows, and is re-measured on `set_rows`."""

    # -- size -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, key: object) -> bool:
        return key in self._slot

    @property
    def visible_count(self) -> int:
        return len(self._visible)

    # -- reading -----------------------------------------------------------------------------
    def get(self, key: K) -> tuple[str, ...] | None:
        slot = self._slot.get(key)
        return None if slot is None else self._cells[slot]

    def row_at(self, position: int) -> tuple[K, tuple[str, ...]]:
        """The key and cells at a position of the view (0 = top as shown)."""
        if self.reverse:
            position = len(self._visible) - 1 - position
        if not 0 <= position < len(self._visible):
            raise IndexError(position)
        slot = self._visible[position]
        return self._keys[slot], self._cells[slot]  # type: ignore[return-value]

    def key_at(self, position: int) -> K:
        return self.row_at(position)[0]

    def position_of(self, key: K) -> int | None:
        """Where a key is shown in the view, or None if it is absent or filtered out."""
        slot = self._slot.get(key)
        if slot is None:
            return None
        if self.sort_column is None:
            # unsorted views are in slot order: bisect instead of a scan
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
        self._keys.clear()
        self._cells.clear()
        self._hay.clear()
        self._slot.clear()
        self._order.clear()
        self._visible.clear()
        self._rank = bytearray()
        self._value = []
        self._parked.clear()
        self.widths = [0] * self.column_count

    def set_rows(self, rows: Iterable[tuple[K, Sequence[str]]]) -> None:
        """Replace every row (filter and sort settings are kept)."""
        self.clear()
        with _gc_paused():
            self._add(rows, bulk=True)
        if self.sort_column is not None:
            column = self.sort_column
            self._rank, self._value = column_keys([row[column] for row in self._cells])  # type: ignore[index]
        self._rebuild_order()

    def append(self, rows: Iterable[tuple[K, Sequence[str]]]) -> None:
        """Add rows; a key that is already present is updated in place."""
        self._add(rows, bulk=False)

    def update(self, key: K, cells: Sequence[str]) -> bool:
        slot = self._slot.get(key)
        if slot is None:
            return False
        row = self._checked(cells)
        self._unplace(slot)
        self._cells[slot] = row
        self._hay[slot] = haystack(row)
        self._grow_widths([row])
        if self.sort_column is not None:
            self._rank[slot], self._value[slot] = sort_key(row[self.sort_column])
        self._place(slot)
        return True

    def remove(self, key: K) -> bool:
        slot = self._slot.pop(key, None)
        if slot is None:
            return False
        self._parked.clear()
        self._unplace(slot)
        self._keys[slot] = None
        self._cells[slot] = None
        self._hay[slot] = ""
        dead = len(self._keys) - len(self._slot)
        if dead > 1024 and dead > len(self._slot):
            self._compact()
        return True

    # -- view --------------------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        narrowing = bool(self.filter_text) and self._narrows(self.filter_text, text)
        self.filter_text = text
        self._needles = needles(text)
        # typing one more character only ever removes rows: filter what is shown already
        self._visible = self._matching(self._visible if narrowing else self._order)

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
                self._rank, self._value = column_keys(
                    [row[column] if row is not None else "" for row in self._cells]
                )
            self._rebuild_order()
        self.reverse = reverse if column is not None else False

    # -- internals ---------------------------------------------------------------------------
    def _checked(self, cells: Sequence[str]) -> tuple[str, ...]:
        self._parked.clear()  # rows are about to change: other columns' keys go stale
        row = tuple(map(str, cells))
        if len(row) != self.column_count:
            raise ValueError(f"row has {len(row)} cells, the table has {self.column_count} columns")
        return row

    def _add(self, rows: Iterable[tuple[K, Sequence[str]]], *, bulk: bool) -> None:
        new_rows: list[tuple[str, ...]] = []
        for key, cells in rows:
            row = self._checked(cells)
            if key in self._slot:
                if not bulk:
                    self.update(key, row)
                    continue
                slot = self._slot[key]  # a repeated key in one set_rows: the last one wins
                self._cells[slot] = row
                self._hay[slot] = haystack(row)
                new_rows.append(row)
                continue
            slot = len(self._keys)
            self._keys.append(key)
            self._cells.append(row)
            self._hay.append(haystack(row))
            self._slot[key] = slot
            new_rows.append(row)
            if not bulk:  # (set_rows computes the keys of the whole column at the end)
                if self.sort_column is not None:
                    rank, value = sort_key(row[self.sort_column])
                    self._rank.append(rank)
                    self._value.append(value)
                self._place(slot)
        self._grow_widths(new_rows)

    def _grow_widths(self, rows: list[tuple[str, ...]]) -> None:
        if not rows:
            return
        for index, column in enumerate(zip(*rows)):
            widest = max(map(_width, column))
            if widest > self.widths[index]:
                self.widths[index] = widest

    def _key_of(self) -> Callable[[int], SortKey] | None:
        if self.sort_column is None:
            return None
        rank, value = self._rank, self._value
        return lambda slot: (rank[slot], value[slot])

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

    def _matches(self, slot: int) -> bool:
        hay = self._hay[slot]
        return not self._needles or any(needle in hay for needle in self._needles)

    def _matching(self, slots: list[int]) -> list[int]:
        found = self._needles
        hay = self._hay
        if not found:
            return list(slots)
        if self.sort_column is not None and len(slots) * 4 > len(hay):
            # A sorted view visits the rows in an order unrelated to where their strings sit in
            # memory, and cache misses double the cost: test every row in arrival order (memory
            # order), then keep the sort order with a lookup into that list of booleans.
            if len(found) == 1:
                (needle,) = found
                hit = [needle in text for text in hay]
            else:
                first, second = found
                hit = [first in text or second in text for text in hay]
            return [slot for slot in slots if hit[slot]]
        if len(found) == 1:
            (needle,) = found
            return [slot for slot in slots if needle in hay[slot]]
        first, second = found
        return [slot for slot in slots if first in hay[slot] or second in hay[slot]]

    @staticmethod
    def _narrows(old: str, new: str) -> bool:
        """True if every row matching `new` also matches `old`: each new needle holds an old one."""
        old_needles, new_needles = needles(old), needles(new)
        if not old_needles or not new_needles:
            return False
        return all(any(o in n for o in old_needles) for n in new_needles)

    def _rebuild_order(self) -> None:
        if len(self._slot) == len(self._cells):  # no tombstones: every slot is live
            live: list[int] = list(range(len(self._cells)))
        else:
            live = [slot for slot, row in enumerate(self._cells) if row is not None]
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
        self._visible = self._matching(live)

    def _compact(self) -> None:
        remap = [-1] * len(self._keys)
        keys: list[K | None] = []
        cells: list[tuple[str, ...] | None] = []
        hay: list[str] = []
        ranks = bytearray()
        values: list[float | str] = []
        for slot, row in enumerate(self._cells):
            if row is None:
                continue
            remap[slot] = len(keys)
            keys.append(self._keys[slot])
            cells.append(row)
            hay.append(self._hay[slot])
            if self.sort_column is not None:
                ranks.append(self._rank[slot])
                values.append(self._value[slot])
        self._keys, self._cells, self._hay = keys, cells, hay
        self._rank, self._value = ranks, values
        self._slot = {key: slot for slot, key in enumerate(keys)}  # type: ignore[misc]
        self._order = [remap[slot] for slot in self._order]
        self._visible = [remap[slot] for slot in self._visible]
