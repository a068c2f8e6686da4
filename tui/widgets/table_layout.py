"""How FastTable reads and lays out a row: its cells (``RowFormat``), their search text and sort
keys, column widths that fit the terminal, and cells cut to them.

Pure functions over strings (no Textual), so they can be tested on their own; ``RowStore`` holds
the rows and uses these to search, sort and measure them.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from math import isfinite
from typing import ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size

T = TypeVar("T")

MARK = "✓"
ELLIPSIS = "…"
SORT_UP = "▲"
SORT_DOWN = "▼"
GUTTER = 2  # the mark column: "✓ "
MAX_AUTO_WIDTH = 40
MIN_WIDTH = 3


_CELL_SEP = "\x1f"
_PART_SEP = "\x1e"
_NOT_DIGIT = re.compile(r"[^0-9\x1f]+")
_PHONE_LIKE = re.compile(r"[0-9\s+\-().]+")

SortKey = tuple[int, float | str]
EMPTY_KEY: SortKey = (2, "")
_CURRENCY_START = frozenset("€$£ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CURRENCY_END = frozenset("€$£%ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def sort_key(cell: str) -> SortKey:
    """The numeric-aware sort key of one cell: (0, number), (1, folded text) or (2, "") if empty."""
    text = cell.strip()
    if not text:
        return EMPTY_KEY
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
    """The search text of cells: lower-cased, then the digits of each cell."""
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


def reads_as_number(query: str) -> bool:
    """A filter that reads as (part of) a phone number: looked for in the number column only, not in
    the digits of a webhook or an application id."""
    return bool(_PHONE_LIKE.fullmatch(query.strip())) and any(map(str.isdigit, query))


def narrows(old: str, new: str) -> bool:
    """True if every row matching `new` also matches `old`: each new needle holds an old one."""
    old_needles, new_needles = needles(old), needles(new)
    if not old_needles or not new_needles:
        return False
    return all(any(o in n for o in old_needles) for n in new_needles)


def row_hits(own: Sequence[str], grp: Sequence[int], group_hit: Sequence[bool], tests: Sequence[str]) -> list[bool]:
    """Every row, in arrival order (the order their strings sit in memory): does it match, by its group's
    text or by one of ``tests`` (at most two needles) in its own? One comprehension per case, without a
    generator per row: ``in`` on a str is fastest there (a keystroke at 100,000 rows)."""
    one, two = (list(tests) + [None, None])[:2]
    if True in group_hit:
        if two is not None:
            return [group_hit[k] or one in t or two in t for t, k in zip(own, grp)]
        if one is not None:
            return [group_hit[k] or one in t for t, k in zip(own, grp)]
        return [group_hit[k] for k in grp]
    if two is not None:
        return [one in t or two in t for t in own]
    return [one in t for t in own] if one is not None else [False] * len(own)


def matching_slots(slots: Sequence[int], own: Sequence[str], grp: Sequence[int], group_hit: Sequence[bool],
                   tests: Sequence[str]) -> list[int]:
    """The ``slots`` (a few rows: typing narrowed them) that match, in their order; as ``row_hits``."""
    one, two = (list(tests) + [None, None])[:2]
    if True in group_hit:  # every case one comprehension, no generator per row (~10x faster)
        if one is None:
            return [s for s in slots if group_hit[grp[s]]]
        if two is None:
            return [s for s in slots if group_hit[grp[s]] or one in own[s]]
        return [s for s in slots if group_hit[grp[s]] or one in own[s] or two in own[s]]
    if one is None:
        return []
    if two is None:
        return [s for s in slots if one in own[s]]
    return [s for s in slots if one in own[s] or two in own[s]]


def cell_width(cell: str) -> int:
    return len(cell) if cell.isascii() else cell_len(cell)


class RowFormat(Generic[T]):
    """How a store reads rows that are objects: their key, their cells, and which rows look alike.

    Override ``key`` and ``cells``. With ``grouped`` (the default) also ``group``: rows of one group
    must show the same text in every column but the first, and ``own_text``/``own_sort``/``own_width``
    may give the first column's search text, sort key and width without formatting it (they default
    to reading ``cells``). With ``grouped = False`` every row is searched, sorted and measured whole.
    """

    grouped: ClassVar[bool] = True

    def key(self, item: T) -> Hashable:
        raise NotImplementedError

    def cells(self, item: T) -> Sequence[str]:
        raise NotImplementedError

    def group(self, item: T) -> Hashable:
        return tuple(self.cells(item)[1:])

    def own_text(self, item: T) -> str:
        """What a filter searches in this row alone (``haystack`` of its first cell)."""
        return haystack(self.cells(item)[:1] if self.grouped else self.cells(item))

    def own_sort(self, item: T) -> SortKey:
        return sort_key(self.cells(item)[0])

    def keys(self, items: list[T]) -> list[Hashable]:
        """``key`` of every item (a whole list at once: override with a faster way if there is one)."""
        return list(map(self.key, items))

    def own_texts(self, items: list[T], keys: list[Hashable]) -> tuple[list[str], bool]:
        """``own_text`` of every item (``keys`` are theirs), and whether all are digits (then a query
        with a letter need not look at them)."""
        texts = list(map(self.own_text, items))
        return texts, "".join(texts).isdigit() or not texts

    def groups(self, items: list[T]) -> list[Hashable]:
        return list(map(self.group, items))

    def own_sort_keys(self, items: Sequence[T | None]) -> tuple[bytearray, list[float | str]]:
        """``own_sort`` of every row at once, as ``column_keys`` gives them (None: a removed row)."""
        keys = [self.own_sort(item) if item is not None else EMPTY_KEY for item in items]
        if not keys:
            return bytearray(), []
        ranks, values = zip(*keys)
        return bytearray(ranks), list(values)

    def own_width(self, item: T) -> int:
        return cell_width(self.cells(item)[0])

    def group_text(self, item: T) -> str:
        """What a filter searches in the group of ``item`` (every cell but the first)."""
        return haystack(self.cells(item)[1:])


class TextRows(RowFormat[tuple[str, ...]]):
    """Rows given as tuples of text (``set_rows``): each row searched, sorted and measured whole."""

    grouped = False

    def cells(self, item: tuple[str, ...]) -> tuple[str, ...]:
        return item

    def group(self, item: tuple[str, ...]) -> Hashable:
        return None

    def own_sort(self, item: tuple[str, ...]) -> SortKey:
        return sort_key(item[0])


TEXT_ROWS = TextRows()


@dataclass(frozen=True)
class Column:
    """One column: `key` names it in `sort_by`, `label` heads it, `width` None = fit the content."""

    key: str
    label: str
    width: int | None = None
    align: Literal["left", "right"] = "left"


def fit(text: str, width: int, align: str) -> str:
    """Pad or cut `text` to exactly `width` cells, with an ellipsis where it was cut."""
    if width <= 0:
        return ""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    size = len(text) if text.isascii() else cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    pad = " " * (width - size)
    return pad + text if align == "right" else text + pad


def layout_widths(columns: Sequence[Column], content: Sequence[int], available: int) -> list[int]:
    """Column widths that fit `available` cells (separators excluded): auto columns shrink first."""
    natural = []
    for column, widest in zip(columns, content):
        if column.width is not None:
            natural.append(max(1, column.width))
        else:
            label = cell_len(column.label) + 2  # room for the sort arrow
            natural.append(min(MAX_AUTO_WIDTH, max(label, widest, MIN_WIDTH)))
    excess = sum(natural) - available
    for auto_only in (True, False):
        while excess > 0:
            shrinkable = [
                i
                for i, width in enumerate(natural)
                if width > MIN_WIDTH and (columns[i].width is None or not auto_only)
            ]
            if not shrinkable:
                break
            widest = max(shrinkable, key=natural.__getitem__)
            natural[widest] -= 1
            excess -= 1
    return natural



def header_text(columns: Sequence[Column], widths: Sequence[int], sort_index: int | None, reverse: bool) -> str:
    """The header line: labels cut to their widths, the sort column marked with an arrow."""
    arrow = SORT_DOWN if reverse else SORT_UP
    labels = []
    for index, (column, column_width) in enumerate(zip(columns, widths)):
        label = column.label
        if index == sort_index:
            # the arrow always shows: the label gives way if the column is narrow
            if cell_len(label) + 2 > column_width:
                label = fit(label, max(0, column_width - 2), column.align)
            label = f"{arrow} {label}" if column.align == "right" else f"{label} {arrow}"
        labels.append(fit(label, column_width, column.align))
    return " " * GUTTER + " ".join(labels)


def row_text(marked: bool, cells: Sequence[str], columns: Sequence[Column], widths: Sequence[int]) -> str:
    """One row: the mark gutter, then each cell cut or padded to its column's width."""
    parts = [fit(cell, width, column.align) for column, cell, width in zip(columns, cells, widths)]
    return ((MARK + " ") if marked else "  ") + " ".join(parts)


def column_at(columns: Sequence[Column], widths: Sequence[int], x: int) -> Column | None:
    """The column under screen column ``x`` (the mark gutter and separators belong to no column's left)."""
    left = GUTTER
    for column, width in zip(columns, widths):
        if left <= x < left + width + 1:
            return column
        left += width + 1
    return None


def pad(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells."""
    size = len(text) if text.isascii() else cell_len(text)
    if size > width:
        return set_cell_size(text, width)
    return text + " " * (width - size) if size < width else text


__all__ = ["ELLIPSIS", "EMPTY_KEY", "GUTTER", "MARK", "TEXT_ROWS", "Column", "RowFormat", "SortKey", "TextRows",
           "cell_width", "column_at", "column_keys", "fit", "haystack", "header_text", "layout_widths", "needles", "pad", "row_text", "sort_key"]
