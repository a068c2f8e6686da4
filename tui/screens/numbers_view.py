"""The Numbers screen's list: what it shows, and how it keeps in step with the session's owned numbers.

Data flow: the session's owned list is loaded by the App from the moment of login (``tui.loading``);
each page arrives here as an ``OwnedNumbersChanged`` message and is appended to the table, so the
first rows show as soon as page 1 arrives, whichever screen was open then. A server-side filter (``f``)
shows its own subset, loaded by this screen's "load" worker, and leaves the session's list alone.
Every message names the list version it produced: a view that missed one renders the list again.

``NumbersView`` holds that state; ``tui.screens.numbers.NumbersScreen`` adds the layout (the widgets
queried here by id), the keys and the actions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.message import Message

from tui.loading import CachedListRead
from tui.messages import NumberBought, NumbersCancelled, NumberUpdated, OwnedNumbersChanged, SessionOpened
from tui.owned import OwnedList, OwnedRecord, iter_owned_records
from tui.screens.base import VonageScreen
from tui.screens.numbers_format import NUMBER_ROWS, age_text, describe_query, detail_text
from tui.widgets.fast_table import FastTable
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.api.request_models import OwnedQuery


class FilteredPage(Message, bubble=False):
    """A page of the server-filtered view arrived (``done``: the last one)."""

    def __init__(self, query: OwnedQuery, records: Sequence[OwnedRecord], total: int | None, done: bool = False,
                 note: str = "") -> None:
        super().__init__()
        self.query = query
        self.records = records
        self.total = total
        self.done = done
        self.note = note


class NumbersView(VonageScreen):
    """The owned numbers of the account as a table, a status line and a detail pane (no keys)."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (110, "-wide")]
    #: The table, at once: Textual's default (the first focusable widget) focused the filter field, and
    #: then ``on_mount`` moved focus to the table: two restyles of the field, its cursor timer, before the first frame.
    AUTO_FOCUS: ClassVar[str | None] = "#numbers-table"

    def __init__(self) -> None:
        super().__init__()
        # Styled with the stylesheet in force now, as Textual treats any pushed screen: without this
        # its first visit as a mode re-parses all the CSS twice (~100 ms; at start-up, or on `1`).
        self._css_update_count = self.app._css_update_count
        # The width class the first resize would add (restyling all 17 widgets once more, before the
        # first frame): set now, while nothing is styled yet, the resize finds it in place.
        width = self.app.size.width
        fitting = [name for at, name in sorted(self.HORIZONTAL_BREAKPOINTS or ()) if width >= at]
        if fitting:
            self.add_class(fitting[-1], update=False)  # styled once, when it is registered
        self._fresh = True  # styled once, never shown and left: a resume needs no restyle
        self._query: OwnedQuery | None = None  # server-side filters (None = every number)
        self._filtered: dict[str, OwnedRecord] = {}  # the server-filtered view's numbers
        self._view_complete = False  # the filtered view finished loading
        self._owned_ref: OwnedList | None = None  # the session list this view renders
        self._early: OwnedList | None = None  # start-up: the cached list of the session still connecting
        self._rendered_version = -1  # that list's version the table shows
        self._loading = False
        self._loaded = 0  # numbers received by the running load
        self._total: int | None = None
        self._note = ""  # "load failed", "paused"…

    @property
    def table(self) -> FastTable:
        return self.query_one("#numbers-table", FastTable)

    @property
    def owned(self) -> OwnedList | None:
        """The session's list; before the first session opens, the cached list of the one connecting."""
        session = self.session
        return session.account.owned if session is not None else self._early

    def _records(self) -> dict[str, OwnedRecord]:
        """The numbers this view shows, by msisdn."""
        if self._query is not None:
            return self._filtered
        owned = self.owned
        return owned.by_msisdn if owned is not None else {}

    # -- showing and leaving ------------------------------------------------------------------

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Runs before Textual's own resume handler (the base class's), which restyles every widget of the
        screen (~20 ms) on each resume: not needed while this screen has never been left and the
        stylesheet is the one it was styled with (its first frame gets two resumes; a prebuilt Numbers, one on `1`)."""
        if self._fresh and self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False
        self._sync()

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        """A dialog on top (edit, filter, confirm, help) must not stop a filtered load; leaving does."""
        self._fresh = False
        self.suspended_under_dialog(event)

    @on(SessionOpened)
    def _session_opened(self) -> None:
        self._early = None
        self._sync()

    @on(CachedListRead)
    def _cached_list_read(self, event: CachedListRead) -> None:
        """Start-up: show the cached list now, read-only, while its session connects (never over a session's)."""
        if self.session is None:
            self._early = event.owned
            self._sync()
        self.call_after_refresh(event.shown.set)  # painted (or nothing to paint): connecting may go on

    def _sync(self) -> None:
        """Show what the session holds if it moved on; load what is missing (once connected)."""
        if not self.is_mounted:
            return
        owned = self.owned
        if owned is None:
            self._update_status()
            return
        if owned is not self._owned_ref:  # another account: nothing of the last one may stay
            self._owned_ref = owned
            self._rendered_version = -1
            self._filtered = {}
            self._view_complete = False
            self.table.clear()
        connected = self.connected
        if self._query is None:
            if owned.version != self._rendered_version:
                self._render_all()
            if connected and not owned.complete and not self._owned_load_running():
                self.host.load_owned()
        elif connected and not self._view_complete and not self._filtered_load_running():
            self._start_filtered_load()
        self._update_status()

    def _owned_load_running(self) -> bool:
        return any(w.group == "owned" and not w.is_finished for w in self.app.workers)

    def _filtered_load_running(self) -> bool:
        return any(w.node is self and w.group == "load" and not w.is_finished for w in self.app.workers)

    def _render_all(self) -> None:
        owned = self.owned
        if owned is None:
            return
        self.table.set_items(owned.by_msisdn.values(), NUMBER_ROWS)
        self._rendered_version = owned.version
        self._refresh_detail()
        self._update_status()

    # -- the session's list changed -------------------------------------------------------------

    @on(OwnedNumbersChanged)
    def _owned_changed(self, event: OwnedNumbersChanged) -> None:
        self._loading, self._loaded, self._total, self._note = event.loading, event.loaded, event.total, event.note
        self._apply_change(event.base_version, event.version, event.added, event.removed)

    @on(NumberBought)
    def _bought(self, event: NumberBought) -> None:
        outcome = event.outcome
        self._apply_change(outcome.base_version, outcome.version, [outcome.record] if outcome.record else [], ())

    @on(NumbersCancelled)
    def _cancelled(self, event: NumbersCancelled) -> None:
        for msisdn in event.removed:
            if self._filtered.pop(msisdn, None) is not None and self._query is not None:
                self.table.remove_row(msisdn)
        self._apply_change(event.base_version, event.version, (), event.removed)

    @on(NumberUpdated)
    def _updated(self, event: NumberUpdated) -> None:
        record = event.record
        if record.msisdn in self._filtered:
            self._filtered[record.msisdn] = record
            if self._query is not None:
                self.table.update_item(record, NUMBER_ROWS)
        self._apply_change(event.base_version, event.version, [record], ())

    def _apply_change(self, base: int, version: int, added: Iterable[OwnedRecord], removed: Iterable[str]) -> None:
        """Apply one change to the unfiltered view, or render it all again if one was missed."""
        if self._query is not None or not self.is_mounted:
            self._update_status()
            return
        owned = self.owned
        if owned is None or owned is not self._owned_ref:
            self._sync()
            return
        if version <= self._rendered_version:
            pass  # already shown
        elif base == self._rendered_version:
            table = self.table
            table.append_items(added, NUMBER_ROWS)
            for msisdn in removed:
                table.remove_row(msisdn)
            self._rendered_version = version
            self._refresh_detail_if_in(added, removed)
        else:
            self._render_all()
        self._update_status()

    # -- the server-filtered view -----------------------------------------------------------------

    def _start_filtered_load(self) -> None:
        if self._query is None or not self.connected:
            return
        self._filtered = {}
        self._view_complete = False
        self._loading, self._loaded, self._total, self._note = True, 0, None, ""
        self.table.clear()
        self._update_status()
        self._load_filtered(self._query)

    @work(group="load", exclusive=True, exit_on_error=False, description="load the filtered numbers")
    async def _load_filtered(self, query: OwnedQuery) -> None:
        session = self.session
        if session is None:
            return
        total: int | None = None

        def on_total(count: int) -> None:
            nonlocal total
            total = count

        try:
            async for records in iter_owned_records(session.client, query, on_total=on_total):
                self.post_message(FilteredPage(query, records, total))
        except asyncio.CancelledError:
            self.post_message(FilteredPage(query, [], total, note="paused, r reloads"))
            raise
        except Exception:
            self.post_message(FilteredPage(query, [], total, note="load failed, r retries"))
            raise  # the base class turns the error into a message
        self.post_message(FilteredPage(query, [], total, done=True))

    @on(FilteredPage)
    def _filtered_page(self, event: FilteredPage) -> None:
        if event.query is not self._query:
            return  # a page of a filter that was replaced since
        for record in event.records:
            self._filtered[record.msisdn] = record
        self.table.append_items(event.records, NUMBER_ROWS)
        self._loaded, self._total = len(self._filtered), event.total
        self._note = event.note
        self._loading = not (event.done or event.note)
        self._view_complete = event.done
        self._refresh_detail_if_in(event.records, ())
        self._update_status()

    def _set_query(self, query: OwnedQuery | None) -> None:
        """New server-side filters: the table shows the matching numbers (the session's list when None)."""
        if query is None and self._query is None:
            return
        self.workers.cancel_group(self, "load")
        self._query = query
        self._filtered = {}
        self._view_complete = False
        self._rendered_version = -1
        self._loading, self._note = False, ""
        self.table.clear()
        self._sync()

    def action_refresh(self) -> None:
        """Read the list again (the rows stay until the fresh pages replace them)."""
        if not self.connected:
            return
        if self._query is not None:
            self._start_filtered_load()
        else:
            self._note = ""
            self.host.load_owned(use_cache=False)

    # -- status and detail --------------------------------------------------------------------

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        table = self.table
        status = self.query_one("#numbers-status", Literal)
        owned = self.owned
        if not self.connected:
            cached_at = owned.loaded_at if owned is not None and owned.from_cache else None
            cached = f"{table.row_count:,} numbers · cached {age_text(time.time() - cached_at)} · " if cached_at else ""
            status.update(f"{cached}waiting for login…")
            return
        cached_at = owned.loaded_at if owned is not None and owned.from_cache and self._query is None else None
        parts = []
        total = f"{self._total:,}" if self._total is not None else "?"
        if cached_at is not None:  # a restart shows the last list at once: say how old it is
            parts.append(f"{table.row_count:,} numbers · cached {age_text(time.time() - cached_at)}")
            if not self._loading and not self._note:
                parts.append("refreshing")
        if self._loading:
            verb = "refreshing" if cached_at is not None else "loading"
            parts.append(f"{verb} {self._loaded:,} / {total}")
            if cached_at is None and table.row_count > self._loaded:
                parts.append(f"{table.row_count:,} shown")
        elif self._note and not table.row_count:
            parts.append("no numbers loaded")  # never "0 numbers": the account was not read
        elif not table.row_count and (owned is None or (owned.loaded_at is None and not owned.complete)):
            parts.append("loading…")  # logged in, the first page not asked for yet: not "0 numbers"
        elif cached_at is None:
            parts.append(f"{table.row_count:,} number{'s' if table.row_count != 1 else ''}")
        if table.filter_text.strip():
            parts.append(f"{table.visible_count:,} match “{table.filter_text.strip()}”")
        if self._query is not None:
            parts.append(f"server filter: {describe_query(self._query)}")
        if self._note:
            parts.append(self._note)
        status.update(" · ".join(parts), layout=False)  # one line, whatever it says: no layout
        marked = len(table.marked_keys)
        self.set_status(f"{marked} marked" if marked else "")

    def _highlighted(self) -> OwnedRecord | None:
        key = self.table.cursor_key
        return None if key is None else self._records().get(str(key))

    def _refresh_detail(self) -> None:
        self.query_one("#numbers-detail-text", Literal).update(detail_text(self._highlighted()))

    def _refresh_detail_if_in(self, added: Iterable[OwnedRecord], removed: Iterable[str]) -> None:
        key = self.table.cursor_key
        if key is None or key in removed or any(r.msisdn == key for r in added):
            self._refresh_detail()
