"""``RowTable``: Textual's DataTable moving like the house tables (FastTable), for short lists."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import DataTable


class RowTable(DataTable):  # type: ignore[type-arg]
    """A stock DataTable that moves like the house tables (FastTable): j/k/g/G, listed in `?`.

    The bindings carry FastTable's ids, so one ``[keymap]`` entry rebinds the move in every table.
    Used by the screens that list a few rows with Textual's table (:activity, :profiles).
    """

    BINDINGS: ClassVar = [
        Binding("j,down", "cursor_down", "Down", show=False, key_display="j/↓", id="table.down", tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", show=False, key_display="k/↑", id="table.up", tooltip="Previous row"),
        Binding("g,home", "scroll_top", "Top", show=False, key_display="g/home", id="table.top", tooltip="First row"),
        Binding("G,end", "scroll_bottom", "Bottom", show=False, key_display="G/end", id="table.bottom",
                tooltip="Last row"),
    ]


__all__ = ["RowTable"]
