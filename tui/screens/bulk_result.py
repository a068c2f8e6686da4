"""A bulk edit running and its outcome per number; and, at start-up, the offer to continue a stopped one.

``BulkResultScreen`` runs the edit in its own worker (``Operations.run_bulk_edit``): a progress bar,
the counts, and one row per number that turns into done / failed (why) / unknown / conflict as its
outcome arrives. The worker never touches a widget: it posts ``BulkItemDone`` to this screen and
``NumberUpdated`` to the App (so the Numbers list follows). Esc while it runs asks before stopping;
Ctrl+X stops it too. A stopped edit stays open in the journal: ``c`` continues it now, and the next
start offers it (``offer_resume``, which the App calls after settling the journal).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static
from textual.worker import Worker, WorkerState

from tui.api.errors import VonageError
from tui.countries import format_msisdn
from tui.formatting import plural
from tui.journal import DONE, FAILED, UNKNOWN
from tui.messages import NumberUpdated
from tui.operations.bulk import (
    CONCURRENCY,
    CONFLICT,
    BulkItem,
    BulkPlan,
    BulkStatus,
    describe_changes,
)
from tui.service import describe_error
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal
from tui.widgets.notify import say

if TYPE_CHECKING:
    from tui.host import SessionHost
    from tui.owned import OwnedRecord
    from tui.session import Session

COLUMNS = (Column("number", "Number", width=17), Column("outcome", "Outcome", width=9), Column("detail", "Detail"))


class BulkPlanned(Message, bubble=False):
    """The plan is in the journal: from now on the edit can be resumed."""

    def __init__(self, plan: BulkPlan) -> None:
        super().__init__()
        self.plan = plan


class BulkItemDone(Message, bubble=False):
    """One number's outcome arrived."""

    def __init__(self, item: BulkItem) -> None:
        super().__init__()
        self.item = item


class BulkRunEnded(Message, bubble=False):
    """The run ended: every number has an outcome, or it was stopped (``stopped``)."""

    def __init__(self, stopped: bool) -> None:
        super().__init__()
        self.stopped = stopped


class BulkResultScreen(ModalScreen[None]):
    """Runs a bulk edit (a new one from ``numbers`` and ``changes``, or ``plan`` to continue one)."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="bulk_result.close",
                tooltip="Close; while the edit runs, stop it (asks first)"),
        Binding("c", "continue", "Continue", id="bulk_result.continue",
                tooltip="Run again the numbers not done (unknown ones are read first)"),
        Binding("ctrl+x", "stop", "Stop", id="bulk_result.stop",
                tooltip="Stop now (the app's ctrl+x, listed here so the key bar shows it)"),
    ]  # fmt: skip

    def __init__(self, *, plan: BulkPlan | None = None, numbers: Sequence[OwnedRecord] = (),
                 changes: dict[str, str] | None = None) -> None:
        super().__init__()
        self._plan = plan
        self._records = list(numbers)
        self._changes = dict(plan.changes if plan is not None else changes or {})
        self._numbers = list(plan.numbers) if plan is not None else [(n.msisdn, n.country) for n in numbers]
        self._outcomes: dict[str, BulkItem] = {}
        self._counts: Counter[str] = Counter()  # outcomes by state, kept as they come (no recount per number)
        self._busy = False
        self._ended = ""  # "", "finished", "stopped", "failed"

    @property
    def host(self) -> SessionHost:
        return cast("SessionHost", self.app)

    def compose(self) -> ComposeResult:
        count = len(self._numbers)
        with Vertical(id="bulk-result-box", classes="dialog"):
            yield Static(f"Bulk edit · {plural(count, 'number')}", classes="dialog-title")
            yield Literal(describe_changes(self._changes, count), id="bulk-summary")
            yield ProgressBar(total=count, show_eta=False, id="bulk-progress")
            yield Literal("", id="bulk-counts")
            yield FastTable(COLUMNS, id="bulk-table")
            yield Literal("", id="bulk-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close · esc", id="bulk-close", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#bulk-table", FastTable)
        table.set_rows((m, (format_msisdn(m, c), "queued", "")) for m, c in self._numbers)
        self.set_focus(table)
        self._show_counts()
        self._start()

    # -- running ------------------------------------------------------------------------------

    def _start(self) -> None:
        self._busy, self._ended = True, ""
        self.query_one("#bulk-note", Static).update(
            f"Running, {CONCURRENCY} numbers at a time under the account's rate limit. "
            "Each is read, changed and written on its own; a failure does not stop the rest. Ctrl+X stops.")
        self.refresh_bindings()
        self._run()

    @work(group="bulk", exclusive=True, exit_on_error=False, description="bulk edit")
    async def _run(self) -> None:
        session = self.host.session
        if session is None:
            raise VonageError("Log in first.")
        plan = self._plan
        if plan is None:
            try:
                plan = await session.ops.start_bulk_edit(self._records, self._changes)
            except OSError as exc:  # the plan must be journaled before anything is sent
                raise VonageError(f"the local journal could not be written ({type(exc).__name__}); "
                                  "nothing was sent") from None
            self.post_message(BulkPlanned(plan))
        app = self.app

        def heard(item: BulkItem) -> None:
            self.post_message(BulkItemDone(item))
            if item.record is not None and item.version:
                app.post_message(NumberUpdated(item.record, item.version - 1, item.version))

        try:
            await session.ops.run_bulk_edit(plan, heard)
        except asyncio.CancelledError:
            self.post_message(BulkRunEnded(stopped=True))
            raise
        self.post_message(BulkRunEnded(stopped=False))

    @on(BulkPlanned)
    def _planned(self, event: BulkPlanned) -> None:
        self._plan = event.plan

    @on(BulkItemDone)
    def _item_done(self, event: BulkItemDone) -> None:
        item = event.item
        before = self._outcomes.get(item.msisdn)
        if before is not None:
            self._counts[before.state] -= 1
        self._outcomes[item.msisdn] = item
        self._counts[item.state] += 1
        label = {DONE: "done", FAILED: "failed", UNKNOWN: "unknown", CONFLICT: "conflict"}.get(item.state, item.state)
        self.query_one("#bulk-table", FastTable).update_row(
            item.msisdn, (format_msisdn(item.msisdn, item.country), label, _detail(item)))
        if before is None:
            self.query_one("#bulk-progress", ProgressBar).advance(1)
        self._show_counts()

    @on(BulkRunEnded)
    def _run_ended(self, event: BulkRunEnded) -> None:
        self._busy = False
        self._ended = "stopped" if event.stopped else "finished"
        self._show_counts()
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "bulk":
            return
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self._busy, self._ended = False, "failed"
            self._show_counts(error=describe_error(event.worker.error))
            self.refresh_bindings()

    def _show_counts(self, error: str = "") -> None:
        counts = self._counts
        left = len(self._numbers) - len(self._outcomes)
        parts = [f"{counts[DONE]:,} done", f"{counts[FAILED]:,} failed", f"{counts[UNKNOWN]:,} unknown",
                 f"{counts[CONFLICT]:,} conflict", f"{left:,} to go"]
        self.query_one("#bulk-counts", Static).update(" · ".join(parts))
        not_done = len(self._numbers) - counts[DONE]
        note = self.query_one("#bulk-note", Static)
        if self._ended == "finished":
            note.update("Finished: every number was changed." if not not_done else
                        f"Finished; {not_done:,} not done. c runs them again (unknown ones are read first).")
        elif self._ended == "stopped":
            note.update(f"Stopped; {not_done:,} not done. c continues now; otherwise the next start offers to.")
        elif self._ended == "failed":
            note.update(f"The edit stopped: {error}. c continues it.")

    def _not_done(self) -> int:
        return len(self._numbers) - self._counts[DONE]

    # -- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue":
            return not self._busy and self._plan is not None and self._not_done() > 0
        if action == "stop":
            return self._busy
        return True

    async def action_stop(self) -> None:
        await self.app.run_action("cancel_requests")  # never reached by the key: the app's priority binding

    def action_continue(self) -> None:
        if self._busy or self._plan is None:
            return
        table = self.query_one("#bulk-table", FastTable)
        for msisdn, country in self._numbers:
            item = self._outcomes.get(msisdn)
            if item is None or item.state != DONE:
                table.update_row(msisdn, (format_msisdn(msisdn, country), "queued", ""))
        self._outcomes.clear()  # the run reports every number again, the done ones first
        self._counts.clear()
        self.query_one("#bulk-progress", ProgressBar).update(total=len(self._numbers), progress=0)
        self._start()

    def action_close(self) -> None:
        if not self._busy:
            self.dismiss(None)
            return
        done = self._counts[DONE]
        body = (f"{plural(done, 'number')} of {len(self._numbers):,} {'is' if done == 1 else 'are'} done. "
                "The ones being changed right now are "
                "checked at the next start; the rest are left as they are. The next start offers to continue.")

        def answered(stop: bool | None) -> None:
            if stop:
                self.workers.cancel_group(self, "bulk")

        self.app.push_screen(ConfirmDialog("Stop the bulk edit?", body, yes_label="Stop"), answered)

    @on(Button.Pressed, "#bulk-close")
    def _close_pressed(self) -> None:
        self.action_close()


def _detail(item: BulkItem) -> str:
    if item.state == CONFLICT:
        return "changed by someone else since it was read; not sent again. Check it, then edit it (e)"
    return item.text


# -- the offer to continue, at start-up ---------------------------------------------------------


class ResumeDialog(ModalScreen["str | None"]):
    """Continue, leave, or decide later (esc): dismisses with "continue", "leave" or None."""

    BINDINGS = [
        Binding("escape", "later", "Later", id="bulk_resume.later", tooltip="Ask again at the next start"),
        Binding("tab,right", "app.focus_next", "Next button", id="bulk_resume.next"),
        Binding("shift+tab,left", "app.focus_previous", "Previous button", show=False, id="bulk_resume.previous"),
    ]  # fmt: skip

    def __init__(self, status: BulkStatus) -> None:
        super().__init__()
        self.status = status

    def compose(self) -> ComposeResult:
        plan = self.status.plan
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(plan.started))
        body = (f"A bulk edit started {when} was stopped before it finished:\n{plan.describe()}\n\n"
                f"{self.status.describe()}.\n\nContinue changes only the numbers not done. Leave it: nothing "
                "more is sent and this is not asked again.")
        with Vertical(id="bulk-resume-box", classes="dialog"):
            yield Static("Unfinished bulk edit", classes="dialog-title")
            yield Literal(body, id="bulk-resume-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Later · esc", id="resume-later")
                yield Button("Leave it", id="resume-leave")
                yield Button("Continue", id="resume-continue", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#resume-later", Button))
    def action_later(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"resume-continue": "continue", "resume-leave": "leave"}.get(event.button.id or ""))


async def offer_resume(app: App[None], session: Session) -> None:
    """Find this account's unfinished bulk edits and offer each (the App calls it after settling the journal)."""
    statuses = await session.ops.unfinished_bulk_edits()
    if statuses:
        app.call_later(_offer, app, session, statuses)


def _offer(app: App[None], session: Session, statuses: list[BulkStatus]) -> None:
    host = cast("SessionHost", app)
    if not statuses or host.session is not session:
        return
    status, rest = statuses[0], statuses[1:]
    if host.options.read_only or session.read_only:
        say(app, f"An unfinished bulk edit ({status.describe()}) waits: log in without read-only mode to "
                 "continue it.", title="Bulk edit", severity="warning", timeout=12)
        return

    def answered(choice: str | None) -> None:
        if choice == "continue":
            app.push_screen(BulkResultScreen(plan=status.plan), lambda _: _offer(app, session, rest))
            return
        if choice == "leave":
            app.run_worker(session.ops.close_bulk_edit(status.plan, "left by the user"), group="bulk-leave",
                           exit_on_error=False)
            say(app, "Left the bulk edit: nothing more is sent.", title="Bulk edit", timeout=6)
        _offer(app, session, rest)

    app.push_screen(ResumeDialog(status), answered)


__all__ = ["BulkItemDone", "BulkResultScreen", "BulkRunEnded", "ResumeDialog", "offer_resume"]
