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

from tui.journal import JournalEntry

from tui.screens.base import VonageScreen
from tui.widgets.literal import Literal


class JournalRead(Message, bubble=False):
    """The journal's entries, read in a thread."""

    def __init__(self, entries: Sequence[JournalEntry], path: Path) -> None:
        super().__init__()
        self.entries = entries
        self.path = path


class ActivityScreen(VonageScreen):
    """A read-only view of the journal; `r` reloads, esc goes back."""

    SCREEN_TITLE = "Activity"
    BINDINGS = [
        Binding("r", "reload", "Reload", id="activity.reload"),
        Binding("escape", "app.go_back", "Back", id="activity.back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Literal("", id="activity-summary")
        table: DataTable[str] = DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("When", "Change", "Target", "Price", "State", "Outcome")
        yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

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
        table = self.query_one("#activity-table", DataTable)
        table.clear()
        for e in reversed(entries):
            when = time.strftime("%m-%d %H:%M", time.localtime(e.ts))
            state = e.state + ("✓" if e.reconciled else "")
            table.add_row(when, e.op, e.target, e.price and f"{e.price} EUR", state, e.outcome)
        pending = sum(1 for e in entries if not e.finished)
        self.query_one("#activity-summary", Literal).update(
            f"{len(entries)} change(s) in {event.path}" + (f" · {pending} unfinished" if pending else "")
            + " · ✓ = checked against the account"
        )
