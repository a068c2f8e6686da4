"""The `/` filter box every table uses: type to filter, keys to hand control back to the table.

One widget so every screen filters the same way: Enter or ↓ go back to the table and keep the
filter; Esc goes back too — keeping what you typed, or, if you typed nothing since opening the box,
clearing the filter (so "/ Esc" means "never mind"). Esc never leaves the screen from here.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import Input

from tui.widgets.fast_table import FastTable


class FilterInput(Input):
    """An Input that filters ``table`` as you type."""

    BINDINGS: ClassVar = [
        Binding("enter,down", "keep", "Back to the table", id="filter.keep"),
        Binding("escape", "leave", "Leave the filter", id="filter.leave"),
    ]

    def __init__(self, table: FastTable | None = None, **kwargs: object) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.table = table
        self._opened_with = ""

    def open(self, table: FastTable | None = None) -> None:
        """Show the box for ``table`` (or the current one), holding its filter, and focus it."""
        if table is not None:
            self.table = table
        self.value = self.table.filter_text if self.table is not None else ""
        self._opened_with = self.value
        self.display = True
        self.screen.set_focus(self)
    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self and self.table is not None:
            self.table.set_filter(event.value)

    def action_keep(self) -> None:
        self._back()

    def action_leave(self) -> None:
        if self.value == self._opened_with:
            self.value = ""
            if self.table is not None:
                self.table.set_filter("")
        self._back()

    def _back(self) -> None:
        self._opened_with = self.value
        if self.table is not None:
            self.screen.set_focus(self.table)
__all__ = ["FilterInput"]
