"""Number Pools (a beta product): the pools of the account and the numbers in the selected one.

Two tables: pools on top, the highlighted pool's numbers below (tab / shift+tab move between them).
Reads go through ``self.api.client`` and writes through ``self.vapp.ops`` (journaled), each in a
worker of this screen. Accounts without the beta get one plain sentence instead of the tables. The
modals (pool form, add numbers, batch result) live in ``pools_forms``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Input, Static

from tui.api.errors import PoolsUnavailable, VonageError
from tui.api.models import Pool, PoolCreate, PoolUpdate
from tui.countries import format_msisdn
from tui.screens.base import VonageScreen
from tui.screens.pools_forms import AddNumbersScreen, BatchResultScreen, PoolFormScreen, show_number
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import Column, FastTable

if TYPE_CHECKING:
    from tui.operations import Outcome

UNAVAILABLE = (
    "Number pools are not enabled for this account.\n\n"
    "Number Pools is a beta product that Vonage turns on account by account. Ask your Vonage "
    "account manager to enable it, then press r to check again."
)
NO_DELETE = "This pool cannot be deleted through the API."
PAGE_SIZE = 100
LIST_IN_CONFIRM = 8


def _flag(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _pool_cells(pool: Pool) -> tuple[str, str, str, str]:
    """A pool row; an unknown fallback is shown exactly as the server sent it."""
    fallback = "—" if pool.fallback is None else str(pool.fallback)
    return (pool.pool_id, fallback, _flag(pool.localized_sender_preferred), _flag(pool.predictable_sender_preferred))


class _FilterInput(Input):
    """The `/` filter: enter keeps the filter and returns to the table, escape clears it."""

    BINDINGS: ClassVar = [Binding("escape", "close_filter", "Clear filter", id="pools.filter_clear")]

    def action_close_filter(self) -> None:
        self.value = ""
        self.screen.close_filter()  # type: ignore[attr-defined]


class PoolsScreen(VonageScreen):
    """Pools and their numbers: create, edit, delete pools; add and remove numbers."""

    SCREEN_TITLE = "Pools"
    WRITE_ACTIONS = frozenset({"create", "edit", "delete", "add_numbers", "remove_numbers"})
    NEEDS_POOLS = frozenset({"create", "edit", "delete", "add_numbers", "remove_numbers", "filter"})
    BINDINGS: ClassVar = [
        Binding("n", "create", "New pool", id="pools.create", tooltip="Create a number pool"),
        Binding("e", "edit", "Edit pool", id="pools.edit", tooltip="Edit the highlighted pool"),
        Binding("d", "delete", "Delete pool", id="pools.delete", tooltip="Delete the highlighted pool (asks first)"),
        Binding("a", "add_numbers", "Add numbers", id="pools.add_numbers", tooltip="Add owned numbers to the pool"),
        Binding("x", "remove_numbers", "Remove numbers", id="pools.remove_numbers", tooltip="Remove the marked (or highlighted) numbers from the pool"),
        Binding("r", "refresh", "Refresh", id="pools.refresh", tooltip="Reload the pools and their numbers"),
        Binding("slash", "filter", "Filter", show=False, id="pools.filter", tooltip="Filter the focused table"),
        Binding("tab", "next_table", "Next table", show=False, id="pools.next_table", tooltip="Move to the other table"),
        Binding("shift+tab", "previous_table", "Previous table", show=False, id="pools.previous_table", tooltip="Move to the other table"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._pools: dict[str, Pool] = {}
        self._pool_id: str | None = None
        self._unavailable = False
        self._pools_busy = False
        self._numbers_busy = False
        self._reload_pools = False
        self._reload_numbers = False
        self._writing = False
        self._loaded_key: str | None = None
        self._owned_version = -1
        self._numbers: list[str] = []
        self._filter_target = "pools-table"

    # -- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="pools-main"):
            yield Static("Loading pools…", id="pools-status", markup=False)
            yield FastTable(
                [
                    Column("pool_id", "Pool id"),
                    Column("fallback", "Fallback"),
                    Column("localized", "Local sender", 12),
                    Column("predictable", "Same sender", 11),
                ],
                id="pools-table",
            )
            yield Static("", id="pool-numbers-title", markup=False)
            yield FastTable(
                [Column("number", "Number"), Column("country", "Country", 7), Column("type", "Type")],
                id="pool-numbers-table",
            )
            yield Static("", id="pools-result", markup=False)
        yield Static(UNAVAILABLE, id="pools-unavailable", markup=False)
        yield _FilterInput(placeholder="filter… (enter keeps, esc clears)", id="pools-filter")

    @property
    def pools_table(self) -> FastTable:
        return self.query_one("#pools-table", FastTable)

    @property
    def numbers_table(self) -> FastTable:
        return self.query_one("#pool-numbers-table", FastTable)

    def on_mount(self) -> None:
        self.query_one("#pools-unavailable").display = False
        self.query_one("#pools-filter").display = False
        self.query_one("#pools-result").display = False
        self.pools_table.focus()
        if self.api.connected:
            self.load_pools()
        else:
            self._status("Waiting for the login…")

    def on_logged_in(self) -> None:
        """Called by the app after a (re)login while this screen is shown: start again."""
        self._pools = {}
        self._pool_id = None
        self._numbers = []
        self.numbers_table.clear()
        self.load_pools()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._unavailable and action in self.NEEDS_POOLS:
            return False
        return super().check_action(action, parameters)

    # -- suspend / resume: loads cancelled when leaving are restarted on return ---------------
    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        if self.suspended_under_dialog(event):  # only a dialog on top: keep loading
            return
        self._reload_pools = self._reload_pools or self._pools_busy
        self._reload_numbers = self._reload_numbers or self._numbers_busy
        self.workers.cancel_group(self, "numbers")

    def on_screen_resume(self) -> None:
        if not self.is_mounted or not self.api.connected:
            return
        self.refresh_from_store()
        if self._reload_pools or self._loaded_key != self.api.api_key:
            self._reload_pools = self._reload_numbers = False
            self.load_pools(self._pool_id)
        elif self._reload_numbers and self._pool_id is not None:
            self._reload_numbers = False
            self.load_numbers(self._pool_id)

    # -- loading ------------------------------------------------------------------------------
    def load_pools(self, select: str | None = None) -> None:
        """Every page of pools, then the numbers of the highlighted (or ``select``-ed) one."""
        self._pools_busy = True
        self._loaded_key = self.api.api_key
        self._status("Loading pools…")
        self._load_pools(select)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load_pools(self, select: str | None) -> None:
        # busy stays set when cancelled, so coming back to the screen loads again
        try:
            pools = await self.api.client.all_pools()
        except PoolsUnavailable as exc:
            self._pools_busy = False
            self._show_unavailable(exc)
            return
        except VonageError as exc:
            self._pools_busy = False
            self._status(f"Could not load the pools: {exc.message}. Press r to try again.")
            self.report_error(exc)
            return
        self._pools_busy = False
        self._show_pools(pools, select)

    def _show_pools(self, pools: list[Pool], select: str | None) -> None:
        self._unavailable = False
        self.query_one("#pools-unavailable").display = False
        self.query_one("#pools-main").display = True
        self.refresh_bindings()
        self._pools = {p.pool_id: p for p in pools}
        table = self.pools_table
        table.set_rows((p.pool_id, _pool_cells(p)) for p in pools)
        if select is not None:
            table.move_to_key(select)
        count = len(pools)
        hint = "n creates one" if not count else "enter: its numbers · tab: other table"
        self._status(f"{count} pool{'s' if count != 1 else ''} · {hint}")
        self._select_pool(None if table.cursor_key is None else str(table.cursor_key), force=True)

    def _show_unavailable(self, exc: PoolsUnavailable) -> None:
        self._unavailable = True
        text = UNAVAILABLE
        if exc.message and "not enabled" not in exc.message:
            text = f"{exc.message[:1].upper()}{exc.message[1:]}.\n\n{UNAVAILABLE}"
        self.query_one("#pools-unavailable", Static).update(text)
        self.query_one("#pools-unavailable").display = True
        self.query_one("#pools-main").display = False
        self.refresh_bindings()

    def _select_pool(self, pool_id: str | None, *, force: bool = False) -> None:
        """Show ``pool_id``'s numbers (loading them when it changed, or always with ``force``)."""
        if pool_id == self._pool_id and not force:
            return
        table = self.numbers_table
        if pool_id != self._pool_id:
            table.clear()
            self._numbers = []
        self._pool_id = pool_id
        if pool_id is None:
            self.workers.cancel_group(self, "numbers")
            table.clear()
            self._numbers_title("No pool selected")
            return
        self._numbers_title(f"Numbers in {pool_id}: loading…")
        self.load_numbers(pool_id)

    @work(group="numbers", exclusive=True, exit_on_error=False)
    async def load_numbers(self, pool_id: str) -> None:
        """The pool's numbers page by page (list_pool_numbers), shown as each page arrives."""
        self._numbers_busy = True
        page_no = 1
        try:
            while True:
                page = await self.api.client.list_pool_numbers(pool_id, page_no, PAGE_SIZE)
                self._numbers_page(pool_id, [n.number for n in page.numbers], first=page_no == 1, total=page.total_items)
                if page_no >= page.total_pages or not page.numbers:
                    break
                page_no += 1
        except VonageError as exc:
            self._numbers_busy = False
            if pool_id == self._pool_id:
                self._numbers_title(f"Numbers in {pool_id}: could not load them ({exc.message})")
            return
        self._numbers_busy = False
        self._numbers_page(pool_id, [], first=False, total=None, done=True)

    def _numbers_page(
        self, pool_id: str, numbers: list[str], *, first: bool, total: int | None, done: bool = False
    ) -> None:
        if pool_id != self._pool_id:
            return
        table = self.numbers_table
        self._owned_version = self.store.owned.version
        rows = [(number, self._number_cells(number)) for number in numbers]
        if first:
            self._numbers = list(numbers)
            table.set_rows(rows)
        elif rows:
            self._numbers.extend(numbers)
            table.append_rows(rows)
        count = table.row_count
        if done:
            tip = "space marks · x removes · a adds" if count else "a adds numbers"
            self._numbers_title(f"Numbers in {pool_id}: {count} · {tip}")
        else:
            of = f" of {total}" if total is not None else ""
            self._numbers_title(f"Numbers in {pool_id}: loading… {count}{of}")

    def _number_cells(self, number: str) -> tuple[str, str, str]:
        """A number row; country and type come from the shared owned-numbers store when it has them."""
        info = self.store.owned.by_msisdn.get(number)
        country = (info.country or "") if info else ""
        return (format_msisdn(number, country), country, (info.type or "") if info else "")

    def refresh_from_store(self) -> None:
        """Fill in country/type once the owned numbers were loaded (here or on the Numbers screen)."""
        owned = self.store.owned
        if owned.version == self._owned_version or self._numbers_busy:
            return
        self._owned_version = owned.version
        table = self.numbers_table
        table.set_rows((number, self._number_cells(number)) for number in self._numbers)

    def _status(self, text: str) -> None:
        self.query_one("#pools-status", Static).update(text)

    def _numbers_title(self, text: str) -> None:
        self.query_one("#pool-numbers-title", Static).update(text)

    def _result(self, text: str) -> None:
        panel = self.query_one("#pools-result", Static)
        panel.update(text)
        panel.display = bool(text)

    # -- table events -------------------------------------------------------------------------
    @on(FastTable.RowHighlighted, "#pools-table")
    def _pool_highlighted(self, event: FastTable.RowHighlighted) -> None:
        self._select_pool(None if event.key is None else str(event.key))

    @on(FastTable.RowSelected, "#pools-table")
    def _pool_selected(self) -> None:
        self.numbers_table.focus()

    @on(FastTable.MarksChanged, "#pool-numbers-table")
    def _marks_changed(self, event: FastTable.MarksChanged) -> None:
        if self._pool_id is not None and not self._numbers_busy:
            count = self.numbers_table.row_count
            marked = f" · {len(event.marked)} marked" if event.marked else ""
            self._numbers_title(f"Numbers in {self._pool_id}: {count}{marked} · x removes")

    @on(FastTable.CopyRequested)
    def _copy(self, event: FastTable.CopyRequested) -> None:
        if event.key is not None:
            self.app.copy_to_clipboard(str(event.key))
            self.notify(f"Copied {event.key}", timeout=3)

    # -- navigation and filter ----------------------------------------------------------------
    def _other_table(self) -> None:
        if self._unavailable:
            return
        target = self.pools_table if self.focused is self.numbers_table else self.numbers_table
        target.focus()

    def action_next_table(self) -> None:
        self._other_table()

    def action_previous_table(self) -> None:
        self._other_table()

    def action_filter(self) -> None:
        self._filter_target = "pool-numbers-table" if self.focused is self.numbers_table else "pools-table"
        box = self.query_one("#pools-filter", _FilterInput)
        other = "pools-table" if self._filter_target != "pools-table" else "pool-numbers-table"
        self.query_one(f"#{other}", FastTable).set_filter("")  # one filter at a time, on one table
        box.border_title = "Filter numbers" if self._filter_target == "pool-numbers-table" else "Filter pools"
        box.value = self.query_one(f"#{self._filter_target}", FastTable).filter_text
        box.display = True
        box.focus()

    @on(Input.Changed, "#pools-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(f"#{self._filter_target}", FastTable).set_filter(event.value)

    @on(Input.Submitted, "#pools-filter")
    def _filter_submitted(self) -> None:
        self.close_filter()

    def close_filter(self) -> None:
        box = self.query_one("#pools-filter", _FilterInput)
        table = self.query_one(f"#{self._filter_target}", FastTable)
        table.set_filter(box.value)
        box.display = bool(box.value)  # stays in sight while it filters
        table.focus()

    def action_refresh(self) -> None:
        self.load_pools(self._pool_id)

    # -- create / edit ------------------------------------------------------------------------
    def _current_pool(self) -> Pool | None:
        key = self.pools_table.cursor_key
        return None if key is None else self._pools.get(str(key))

    def _can_write(self) -> bool:
        """Also guards actions reached another way than their key (the palette runs actions directly)."""
        if self.vapp.read_only:
            self.notify("Read-only mode: changes are off.", severity="warning")
            return False
        if self._unavailable:
            self.notify(UNAVAILABLE.split("\n")[0], severity="warning")
            return False
        if self._writing:
            self.notify("Wait for the current change to finish.", severity="warning")
            return False
        return True

    def action_create(self) -> None:
        async def save(request: PoolCreate | PoolUpdate) -> Outcome:
            assert isinstance(request, PoolCreate)
            return await self.vapp.ops.create_pool(request)

        if self._can_write():
            self.app.push_screen(PoolFormScreen(save), self._pool_saved)

    def action_edit(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.notify("No pool to edit: create one with n.", severity="warning")
            return

        async def save(request: PoolCreate | PoolUpdate) -> Outcome:
            assert isinstance(request, PoolUpdate)
            return await self.vapp.ops.update_pool(pool.pool_id, request)

        if self._can_write():
            self.app.push_screen(PoolFormScreen(save, pool), self._pool_saved)

    def _pool_saved(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        self.notify(outcome.message, title="Pools", markup=False)
        result = outcome.result
        self.load_pools(result.pool_id if isinstance(result, Pool) else self._pool_id)

    # -- delete -------------------------------------------------------------------------------
    def action_delete(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.notify("No pool to delete.", severity="warning")
            return
        if not self._can_write():
            return
        pool_id = pool.pool_id
        count = self.numbers_table.row_count if pool_id == self._pool_id else None
        held = f" Its {count} number(s) stay on your account." if count else " Numbers stay on your account."
        shown = escape(pool_id)  # the dialog reads markup; a pool id comes from the server
        dialog = ConfirmDialog(f"Delete pool {shown}?", f"Delete the pool '{shown}'?{held}", yes_label="Delete")

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(pool_id)

        self.app.push_screen(dialog, answered)

    @work(group="action", exit_on_error=False)
    async def _delete(self, pool_id: str) -> None:
        self._writing = True
        try:
            outcome = await self.vapp.ops.delete_pool(pool_id)
        finally:
            self._writing = False
        self._deleted(pool_id, outcome)

    def _deleted(self, pool_id: str, outcome: Outcome) -> None:
        if outcome.ok:
            self.notify(outcome.message, title="Pools", markup=False)
            self._result("")
            self.load_pools()
        elif isinstance(outcome.error, PoolsUnavailable):
            self._result(f"{pool_id}: {NO_DELETE}")
            self.notify(NO_DELETE, title="Pools", severity="warning")
        else:
            self._result(outcome.message)
            self.notify(outcome.message, title="Pools", severity="error", timeout=8, markup=False)
            if outcome.unknown:
                self.load_pools(pool_id)

    # -- numbers ------------------------------------------------------------------------------
    def action_add_numbers(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.notify("Create a pool first (n).", severity="warning")
            return
        if not self._can_write():
            return
        pool_id = pool.pool_id
        members = list(self._numbers) if pool_id == self._pool_id else []
        modal = AddNumbersScreen(
            pool_id, [str(m) for m in members], self.store.owned, lambda: self.api.client.iter_owned_numbers()
        )

        def chosen(numbers: list[str] | None) -> None:
            if numbers:
                self._add(pool_id, numbers)

        self.app.push_screen(modal, chosen)

    @work(group="action", exit_on_error=False)
    async def _add(self, pool_id: str, numbers: list[str]) -> None:
        self._writing = True
        self._result(f"Adding {len(numbers)} number(s) to {pool_id}…")
        try:
            outcome = await self.vapp.ops.add_pool_numbers(pool_id, numbers)
        finally:
            self._writing = False
        self._batch_done(f"Add numbers to {pool_id}", pool_id, outcome)

    def _marked_or_highlighted(self) -> list[str]:
        table = self.numbers_table
        marked = table.marked_keys
        if marked:
            ordered = [k for k in table.visible_keys() if k in marked]
            return [str(k) for k in ordered + [k for k in marked if k not in ordered]]
        return [] if table.cursor_key is None else [str(table.cursor_key)]

    def action_remove_numbers(self) -> None:
        pool_id = self._pool_id
        numbers = self._marked_or_highlighted() if pool_id is not None else []
        if pool_id is None or not numbers:
            self.notify("No number to remove: highlight or mark (space) numbers of the pool.", severity="warning")
            return
        if not self._can_write():
            return
        shown = ", ".join(show_number(n) for n in numbers[:LIST_IN_CONFIRM])
        if len(numbers) > LIST_IN_CONFIRM:
            shown += f" and {len(numbers) - LIST_IN_CONFIRM} more"
        body = f"Remove {len(numbers)} number(s) from pool '{escape(pool_id)}': {shown}?\nThey stay on your account."
        dialog = ConfirmDialog(f"Remove from {escape(pool_id)}?", body, yes_label="Remove")

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(pool_id, numbers)

        self.app.push_screen(dialog, answered)

    @work(group="action", exit_on_error=False)
    async def _remove(self, pool_id: str, numbers: list[str]) -> None:
        self._writing = True
        self._result(f"Removing {len(numbers)} number(s) from {pool_id}…")
        try:
            outcome = await self.vapp.ops.remove_pool_numbers(pool_id, numbers)
        finally:
            self._writing = False
        self._batch_done(f"Remove numbers from {pool_id}", pool_id, outcome)

    def _batch_done(self, title: str, pool_id: str, outcome: Outcome) -> None:
        """All done: a toast. Anything failed: a result view listing each number and why."""
        result = outcome.result
        self._result(outcome.message)
        if outcome.ok and (result is None or not result.failed):
            self.notify(outcome.message, title="Pools", markup=False)
        elif result is not None:
            self.app.push_screen(BatchResultScreen(title, outcome.message, result))
        else:
            self.notify(outcome.message, title=title, severity="error", timeout=8, markup=False)
        if pool_id == self._pool_id:
            self.numbers_table.clear_marks()
            self.load_numbers(pool_id)
