"""`:activity`: the journal of every change this app made (newest first), never a secret."""

from __future__ import annotations

import asyncio
import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.widgets.app_header import AppHeader


class ActivityScreen(Screen[None]):
    """A read-only view of the journal; `r` reloads, esc goes back."""

    SCREEN_TITLE = "Activity"
    BINDINGS = [
        Binding("r", "reload", "Reload", id="activity.reload"),
        Binding("escape", "app.go_back", "Back", id="activity.back"),
    ]

    def compose(self) -> ComposeResult:
        yield AppHeader(self.SCREEN_TITLE)
        yield Static("", id="activity-summary")
        table: DataTable[str] = DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("When", "Operation", "Target", "Price", "State", "Outcome")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    @work(group="load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        journal = getattr(self.app, "ops").journal
        if journal is None:
            self.query_one("#activity-summary", Static).update("No journal yet: log in first.")
            return
        entries = await asyncio.to_thread(journal.entries)
        table = self.query_one("#activity-table", DataTable)
        table.clear()
        for e in reversed(entries):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.ts))
            state = e.state + (" (checked)" if e.reconciled else "")
            table.add_row(when, e.op, e.target, e.price and f"{e.price} EUR", state, e.outcome)
        pending = sum(1 for e in entries if not e.finished)
        self.query_one("#activity-summary", Static).update(
            f"{len(entries)} change(s) in {journal.path}" + (f" · {pending} unfinished" if pending else "")
        )
