"""The Numbers screen's list: what it shows, and how it loads, caches and keeps in step with the store.

Data flow: the "load" worker pages through ``client.iter_owned_numbers`` and hands each page to
``_add_page`` (table rows + ``store.owned``), so the first rows show as soon as page 1 arrives and the
table stays usable while the rest loads. An unfiltered view mirrors ``store.owned``; a server-side
filter (``f``) shows its own subset and leaves the store alone. Coming back to the screen re-renders
from the store only if its ``version`` moved, and reloads only if the list is incomplete. A warm
start shows the list cached on disk (``tui.cache``) at once, marked with its age, then refreshes it.

``NumbersView`` holds that state and logic; ``tui.screens.numbers.NumbersScreen`` adds the layout
(the widgets queried here by id), the keys and the actions (filters, copy, edit, cancel).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from textual import events, work
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from tui import cache
from tui.screens.base import VonageScreen
from tui.screens.numbers_filter import describe_query
from tui.screens.numbers_format import age_text, detail_text, row_cells
from tui.widgets.fast_table import FastTable

if TYPE_CHECKING:
    from tui.api.models import OwnedNumber
    from tui.api.request_models import OwnedQuery


class NumbersView(VonageScreen):
    """The owned numbers of the account as a table, a status line and a detail pane (no keys)."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-narrow"), (110, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self._numbers: dict[str, OwnedNumber] = {}  # what the table shows, by msisdn
        self._query: OwnedQuery | None = None  # server-side filters (None = every number)
        self._rendered_version = -1  # store.owned.version last shown (unfiltered) / loaded against
        self._view_complete = False  # the filtered view finished loading
        self._load_worker: Worker[None] | None = None
        self._load_client: object = None
        self._loading = False
        self._fresh = 0  # numbers received by the running load
        self._total: int | None = None
        self._cached_at: float | None = None  # the rows came from the disk cache saved then
        self._note = ""  # "load failed", "paused"…
        self._owned_ref: object = None  # the store's OwnedNumbers this view was built from

    @property
    def table(self) -> FastTable:
        return self.query_one("#numbers-table", FastTable)

    # -- showing and leaving ------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        self._sync()
        self._update_status()

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        """A dialog on top (edit, filter, confirm, help) must not stop the load; leaving the screen does
        (VonageScreen's handler cancels the "load" group)."""
        self.suspended_under_dialog(event)

    def refresh_from_store(self) -> None:
        self._sync()

    def on_logged_in(self) -> None:
        """Called by the app after a (re)login: a new account brings a new store, a new client."""
        if self.store.owned is not self._owned_ref:
            self._reset_view()
        elif self._load_running() and self._load_client is not self.api.client:
            self.action_refresh()  # the running load used the client that was just replaced
            return
        self._sync()

    def _reset_view(self) -> None:
        """Forget what is shown (another account's numbers); filters stay."""
        if self._load_worker is not None:
            self._load_worker.cancel()
            self._load_worker = None
        self._loading = False
        self._owned_ref = self.store.owned
        self._numbers = {}
        self._rendered_version = -1
        self._view_complete = False
        self._cached_at = None
        self.table.clear()

    def _sync(self) -> None:
        """Show what the store holds if it moved on; load if what is shown is incomplete."""
        if not self.is_mounted:
            return
        if not self.api.connected:
            self._update_status()
            return
        if self.store.owned is not self._owned_ref:
            self._reset_view()
        if self._load_running():
            return
        owned = self.store.owned
        if self._query is None:
            if owned.version != self._rendered_version:
                self._render_from_store()
            if not owned.complete:
                self._start_load(warm=not owned.by_msisdn)
        elif not self._view_complete or owned.version != self._rendered_version:
            self._start_load(warm=False)

    # -- loading ------------------------------------------------------------------------------

    def _load_running(self) -> bool:
        return self._load_worker is not None and not self._load_worker.is_finished

    def _start_load(self, *, warm: bool) -> None:
        self._loading = True
        self._note = ""
        self._fresh = 0
        self._total = None
        self._update_status()
        self._load_client = self.api.client
        self._load_worker = self._load(self._query, warm=warm)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load(self, query: OwnedQuery | None, *, warm: bool) -> None:
        me = get_current_worker()

        def current() -> bool:  # False once a newer load (refresh, new filter) replaced this one
            return self._load_worker is me

        finished = False
        try:
            if warm and query is None:
                await self._show_cached()
            fresh: dict[str, OwnedNumber] = {}

            def on_total(count: int) -> None:
                if current():
                    self._total = count

            async for page in self.api.client.iter_owned_numbers(query, on_total=on_total):
                if not current():
                    return
                for number in page:
                    fresh[number.msisdn] = number
                self._add_page(page, unfiltered=query is None, received=len(fresh))
            if current():
                self._finish_load(fresh, query)
            finished = True
        except asyncio.CancelledError:
            if current():
                self._note = "paused, r reloads"
            raise
        except Exception:
            if current():
                self._note = "load failed, r retries"
            raise  # the base class turns the error into a notification
        finally:
            if current():
                self._loading = False
                if not finished:
                    self._update_status()

    async def _show_cached(self) -> None:
        """Warm start: the list saved last time, shown at once with its age."""
        key = self._cache_key()
        cached = await asyncio.to_thread(cache.load_owned, key) if key else None
        owned = self.store.owned
        if cached is None or owned.by_msisdn or self._query is not None:
            return
        numbers, saved_at = cached
        owned.replace(numbers, complete=False)
        owned.from_cache = True
        owned.loaded_at = saved_at
        self._cached_at = saved_at
        self._render_from_store()

    def _add_page(self, page: list[OwnedNumber], *, unfiltered: bool, received: int) -> None:
        self._fresh = received
        if unfiltered:
            self.store.owned.add_page(page)
            self._rendered_version = self.store.owned.version
        for number in page:
            self._numbers[number.msisdn] = number
        self.table.append_rows((n.msisdn, row_cells(n)) for n in page)
        self._refresh_detail_if_in(page)
        self._update_status()

    def _finish_load(self, fresh: dict[str, OwnedNumber], query: OwnedQuery | None) -> None:
        stale = self._numbers.keys() - fresh.keys()
        self._numbers = fresh
        if stale or self.table.row_count != len(fresh):
            self.table.set_rows((n.msisdn, row_cells(n)) for n in fresh.values())
        numbers = list(fresh.values())
        if query is None:
            self.store.owned.settle(fresh)
            self._cached_at = None
            self._save_cache(numbers)
        self._rendered_version = self.store.owned.version
        self._view_complete = True
        self._loading = False
        self._refresh_detail()
        self._update_status()

    def _render_from_store(self) -> None:
        owned = self.store.owned
        self._numbers = dict(owned.by_msisdn)
        self.table.set_rows((n.msisdn, row_cells(n)) for n in self._numbers.values())
        self._rendered_version = owned.version
        self._cached_at = owned.loaded_at if owned.from_cache else None
        self._refresh_detail()
        self._update_status()

    def _cache_key(self) -> str:
        """The profile's name in the disk cache ("" = do not cache: the demo's sandbox is new every run)."""
        if self.vapp.options.demo:
            return ""
        try:
            client = self.api.client
        except RuntimeError:
            return ""
        return cache.profile_key(client.api_key, urlsplit(client.rest_url).netloc)

    def _recache(self) -> None:
        """After an edit or a cancel, the disk cache follows a complete store."""
        owned = self.store.owned
        if owned.complete and not owned.from_cache:
            self._save_cache(list(owned.by_msisdn.values()))

    # An explicit description: Textual would otherwise repr() every argument (100,000 models, ~1 s).
    @work(group="cache", exclusive=True, exit_on_error=False, description="save the owned-number cache")
    async def _save_cache(self, numbers: list[OwnedNumber]) -> None:
        key = self._cache_key()
        if not key:
            return
        try:
            await asyncio.to_thread(cache.save_owned, key, numbers)
        except Exception as exc:  # noqa: BLE001 - a cache is optional: say so once, never fail the screen
            self.notify(f"Could not cache the number list: {type(exc).__name__}", severity="warning")

    # -- status and detail --------------------------------------------------------------------

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        table = self.table
        if not self.api.connected:
            self.query_one("#numbers-status", Static).update("waiting for login…")
            return
        parts = []
        total = f"{self._total:,}" if self._total is not None else "?"
        if self._cached_at is not None:
            parts.append(f"cached {age_text(time.time() - self._cached_at)}")
        if self._loading:
            verb = "refreshing" if table.row_count and self._cached_at is not None else "loading"
            parts.append(f"{verb} {self._fresh:,} / {total}")
            if not self._cached_at and table.row_count > self._fresh:
                parts.append(f"{table.row_count:,} shown")
        else:
            parts.append(f"{table.row_count:,} number{'s' if table.row_count != 1 else ''}")
        if table.filter_text.strip():
            parts.append(f"{table.visible_count:,} match “{table.filter_text.strip()}”")
        if self._query is not None:
            parts.append(f"server filter: {describe_query(self._query)}")
        if self._note:
            parts.append(self._note)
        self.query_one("#numbers-status", Static).update(" · ".join(parts))

    def _highlighted(self) -> OwnedNumber | None:
        key = self.table.cursor_key
        return None if key is None else self._numbers.get(str(key))

    def _refresh_detail(self) -> None:
        self.query_one("#numbers-detail-text", Static).update(detail_text(self._highlighted()))

    def _refresh_detail_if_in(self, page: list[OwnedNumber]) -> None:
        key = self.table.cursor_key
        if key is None or any(n.msisdn == key for n in page):
            self._refresh_detail()

    # -- changes ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._load_worker is not None:
            self._load_worker.cancel()
            self._load_worker = None
        if self._query is None:
            self.store.owned.invalidate()
            self._rendered_version = self.store.owned.version  # the rows stay until the fresh list lands
        self._view_complete = False
        self._start_load(warm=False)

    def _set_query(self, query: OwnedQuery | None) -> None:
        """New server-side filters: the table is emptied and reloaded (the unfiltered list from the store)."""
        if query is None and self._query is None:
            return
        self._query = query
        self._view_complete = False
        if self._load_worker is not None:
            self._load_worker.cancel()
            self._load_worker = None
        self._numbers = {}
        self.table.clear()
        self._rendered_version = -1
        self._cached_at = None
        self._sync()
        self._update_status()

    def _apply_number(self, number: OwnedNumber) -> None:
        """One number changed: the store, the row and the detail pane follow."""
        owned = self.store.owned
        tracked = owned.version == self._rendered_version
        if number.msisdn in owned.by_msisdn:
            owned.upsert(number)
        if tracked:  # our own change: what is shown stays in step with the store
            self._rendered_version = owned.version
        if number.msisdn in self._numbers:
            self._numbers[number.msisdn] = number
            self.table.update_row(number.msisdn, row_cells(number))
        self._recache()
        self._refresh_detail()
        self._update_status()

    def _remove_number(self, msisdn: str) -> None:
        """One number is gone (cancelled): the store, the table and the detail pane follow."""
        owned = self.store.owned
        tracked = owned.version == self._rendered_version
        owned.remove(msisdn)
        if tracked:
            self._rendered_version = owned.version
        self._numbers.pop(msisdn, None)
        self.table.remove_row(msisdn)
        self._recache()
        self._refresh_detail()
        self._update_status()
