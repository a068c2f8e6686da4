"""`:activity`: the journal of every change this app made (newest first), never a secret."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.formatting import plural
from tui.journal import JournalEntry
from tui.screens.base import VonageScreen
from tui.widgets.literal import Literal
from tui.widgets.row_table import RowTable


class JournalRead(Message, bubble=False):
    """The journal's entries, read in a thread."""

    def __init__(self, entries: Sequence[JournalEntry], path: Path) -> None:
        super().__init__()
        self.entries = entries
        self.path = path


class ActivityScreen(VonageScreen):
    """A read-only view of the journal; `r` reloads, esc goes back."""

    _entries: dict[str, JournalEntry] = {}  # noqa: RUF012 - replaced per read, never mutated

    SCREEN_TITLE = "Activity"
    BINDINGS = [
        Binding("r", "reload", "Reload", id="activity.reload"),
        Binding("escape", "app.go_back", "Back", id="activity.back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Literal("", id="activity-summary")
        yield RowTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        yield Literal("", id="activity-detail")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths that fit 80 columns; the outcome takes the rest, and in full below the table.
        fixed = {"When": 11, "Change": 13, "Target": 16, "State": 10}
        for label, width in fixed.items():
            table.add_column(label, width=width)
        table.add_column("Outcome", width=max(12, self.app.size.width - sum(fixed.values()) - 2 * 5 - 4))
        self.set_focus(table)
        self.action_reload()

    @on(DataTable.RowHighlighted, "#activity-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        entry = self._entries.get(str(event.row_key.value)) if event.row_key is not None else None
        text = ""
        if entry is not None:
            price = f" · price {entry.price} EUR" if entry.price else ""
            text = f"{entry.op} {entry.target}{price}: {entry.outcome or entry.state}"
        self.query_one("#activity-detail", Literal).update(text)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        session = self.session
        if session is None:
            self.query_one("#activity-summary", Literal).update("No journal yet: log in first.")
            return
        journal = session.journal
        self.post_message(JournalRead(await asyncio.to_thread(journal.entries), journal.path))

    @on(JournalRead)
    def _show(self, event: JournalRead) -> None:
        entries = event.entries
        self._entries = {e.id: e for e in entries}
        table = self.query_one("#activity-table", DataTable)
        table.clear()
        for e in reversed(entries):
            when = time.strftime("%m-%d %H:%M", time.localtime(e.ts))
            state = e.state + ("✓" if e.reconciled else "")
            table.add_row(when, e.op, e.target, state, e.outcome, key=e.id)
        pending = sum(1 for e in entries if not e.finished)
        self.query_one("#activity-summary", Literal).update(
            f"{plural(len(entries), 'change')} in {event.path}" + (f" · {pending} unfinished" if pending else "")
            + " · ✓ = checked against the account"
        )
