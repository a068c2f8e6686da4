"""How FastTable lays out a row: column widths that fit the terminal, and cells cut to them.

Pure functions over strings (no Textual), so widths and cutting can be tested on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len, set_cell_size

MARK = "✓"
ELLIPSIS = "…"
SORT_UP = "▲"
SORT_DOWN = "▼"
GUTTER = 2  # the mark column: "✓ "
MAX_AUTO_WIDTH = 40
MIN_WIDTH = 3


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


def pad(text: str, width: int) -> str:
    """``text`` cut or padded to exactly ``width`` cells."""
    size = len(text) if text.isascii() else cell_len(text)
    if size > width:
        return set_cell_size(text, width)
    return text + " " * (width - size) if size < width else text


__all__ = ["ELLIPSIS", "GUTTER", "MARK", "Column", "fit", "header_text", "layout_widths", "pad", "row_text"]
