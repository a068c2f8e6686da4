"""Number Pools (a beta product): the pools of the account and the numbers in the selected one.

Two tables: pools on top, the highlighted pool's numbers below (``PoolNumbersPanel``; tab / shift+tab
move between them). Reads go through the session's client and writes through its ``Operations``
(journaled), each in a worker of this screen that posts its result. Accounts without the beta get one
plain sentence instead of the tables. The modals (pool form, add numbers, batch result) live in
``pools_forms``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message

from tui.api.errors import PoolsUnavailable, VonageError
from tui.api.models import Pool, PoolCreate, PoolUpdate
from tui.formatting import plural
from tui.messages import OwnedNumbersChanged, SessionOpened
from tui.screens.base import VonageScreen
from tui.screens.pool_numbers import PoolNumbersPanel
from tui.screens.pools_forms import (
    AddNumbersScreen,
    BatchResultScreen,
    PoolFormScreen,
    show_number,
)
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.filter_input import FilterInput
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.operations import Outcome

UNAVAILABLE = (
    "Number pools are not enabled for this account.\n\n"
    "Number Pools is a beta product that Vonage turns on account by account. Ask your Vonage "
    "account manager to enable it, then press r to check again."
)
NO_DELETE = "This pool cannot be deleted through the API."
LIST_IN_CONFIRM = 8


def _flag(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _pool_cells(pool: Pool) -> tuple[str, str, str, str]:
    """A pool row; an unknown fallback is shown exactly as the server sent it."""
    fallback = "—" if pool.fallback is None else str(pool.fallback)
    return (pool.pool_id, fallback, _flag(pool.localized_sender_preferred), _flag(pool.predictable_sender_preferred))


class PoolsRead(Message, bubble=False):
    """The pools (``pools``), or why not (``unavailable``/``error``); ``select`` the pool to highlight."""

    def __init__(self, pools: list[Pool] | None, select: str | None = None, *,
                 unavailable: PoolsUnavailable | None = None, error: VonageError | None = None) -> None:
        super().__init__()
        self.pools = pools
        self.select = select
        self.unavailable = unavailable
        self.error = error


class PoolChanged(Message, bubble=False):
    """A pool change ended (``what``: delete/add/remove), with its outcome."""

    def __init__(self, what: str, pool_id: str, outcome: Outcome) -> None:
        super().__init__()
        self.what = what
        self.pool_id = pool_id
        self.outcome = outcome


class PoolsScreen(VonageScreen):
    """Pools and their numbers: create, edit, delete pools; add and remove numbers."""

    SCREEN_TITLE = "Pools"
    WRITE_ACTIONS = frozenset({"create", "edit", "delete", "add_numbers", "remove_numbers"})
    NEEDS_POOLS = frozenset({"create", "edit", "delete", "add_numbers", "remove_numbers", "focus_filter"})
    BINDINGS: ClassVar = [
        Binding("n", "create", "New pool", id="pools.create", tooltip="Create a number pool"),
        Binding("e", "edit", "Edit pool", id="pools.edit", tooltip="Edit the highlighted pool"),
        Binding("d", "delete", "Delete pool", id="pools.delete", tooltip="Delete the highlighted pool (asks first)"),
        Binding("a", "add_numbers", "Add numbers", id="pools.add_numbers", tooltip="Add owned numbers to the pool"),
        Binding("x", "remove_numbers", "Remove numbers", show=False, id="pools.remove_numbers", tooltip="Remove the marked (or highlighted) numbers from the pool (d in the numbers table)"),
        Binding("r", "refresh", "Refresh", id="pools.refresh", tooltip="Reload the pools and their numbers"),
        Binding("slash", "focus_filter", "Filter", show=False, priority=True, id="pools.filter", tooltip="Filter the focused table"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._pools: dict[str, Pool] = {}
        self._unavailable = False
        self._pools_busy = False
        self._reload_pools = False
        self._reload_numbers = False
        self._writing = False
        self._loaded_key: str | None = None
        self._deep_link: str | None = None

    # -- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="pools-main"):
            yield Literal("Loading pools…", id="pools-status")
            with Horizontal(id="pools-filter-row"):  # in the flow, not docked: the key bar would cover it
                yield Literal("Filter pools", id="pools-filter-label")
                yield FilterInput(placeholder="type to filter (enter keeps, esc clears)", id="pools-filter")
            yield FastTable(
                [
                    Column("pool_id", "Pool id"),
                    Column("fallback", "Fallback"),
                    Column("localized", "Local sender", 12),
                    Column("predictable", "Same sender", 11),
                ],
                id="pools-table",
            )
            yield PoolNumbersPanel()
            yield Literal("", id="pools-result")
        yield Literal(UNAVAILABLE, id="pools-unavailable")

    @property
    def pools_table(self) -> FastTable:
        return self.query_one("#pools-table", FastTable)

    @property
    def panel(self) -> PoolNumbersPanel:
        return self.query_one(PoolNumbersPanel)

    @property
    def numbers_table(self) -> FastTable:
        return self.panel.table

    def on_mount(self) -> None:
        self.query_one("#pools-unavailable").display = False
        self.query_one("#pools-filter-row").display = False
        self.query_one("#pools-result").display = False
        self.set_focus(self.pools_table)
        options = self.host.options  # `vonage-tui pools POOL_ID` opens that pool
        self._deep_link = options.screen_args.get("pool_id") if options.initial_screen == "pools" else None
        if self.connected:
            self.load_pools(self._deep_link)
        else:
            self._status("Waiting for the login…")

    @on(SessionOpened)
    def _logged_in(self) -> None:
        """A (re)login: start again (now if shown, else when shown)."""
        self._pools = {}
        self.panel.clear()
        if self.app.screen is self:
            self.load_pools(self._deep_link)
        else:
            self._loaded_key = None

    @on(OwnedNumbersChanged)
    def _owned_changed(self) -> None:
        self.panel.refresh_cells()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._unavailable and action in self.NEEDS_POOLS:
            return False
        return super().check_action(action, parameters)

    # -- suspend / resume: loads cancelled when leaving are restarted on return ---------------
    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        if self.suspended_under_dialog(event):  # only a dialog on top: keep loading
            return
        self._reload_pools = self._reload_pools or self._pools_busy
        self._reload_numbers = self._reload_numbers or self.panel.busy
        self.panel.workers.cancel_group(self.panel, "numbers")

    def on_screen_resume(self) -> None:
        if not self.is_mounted or not self.connected:
            return
        self.panel.refresh_cells()
        session_key = self.session.api_key if self.session else None
        if self._reload_pools or self._loaded_key != session_key:
            self._reload_pools = self._reload_numbers = False
            self.load_pools(self.panel.pool_id)
        elif self._reload_numbers:
            self._reload_numbers = False
            self.panel.reload()

    # -- loading ------------------------------------------------------------------------------
    def load_pools(self, select: str | None = None) -> None:
        """Every page of pools, then the numbers of the highlighted (or ``select``-ed) one."""
        self._pools_busy = True
        self._loaded_key = self.session.api_key if self.session else None
        self._status("Loading pools…")
        self._load_pools(select or self._deep_link)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load_pools(self, select: str | None) -> None:
        session = self.session
        if session is None:
            return
        try:
            self.post_message(PoolsRead(await session.client.all_pools(), select))
        except PoolsUnavailable as exc:
            self.post_message(PoolsRead(None, unavailable=exc))
        except VonageError as exc:
            self.post_message(PoolsRead(None, error=exc))

    @on(PoolsRead)
    def _pools_read(self, event: PoolsRead) -> None:
        self._pools_busy = False
        if event.unavailable is not None:
            self._show_unavailable(event.unavailable)
        elif event.error is not None:
            self._status(f"Could not load the pools: {event.error.message}. Press r to try again.")
            self.report_error(event.error)
        elif event.pools is not None:
            self._show_pools(event.pools, event.select)

    def _show_pools(self, pools: list[Pool], select: str | None) -> None:
        self._unavailable = False
        self.query_one("#pools-unavailable").display = False
        self.query_one("#pools-main").display = True
        self.refresh_bindings()
        self._pools = {p.pool_id: p for p in pools}
        table = self.pools_table
        table.set_rows((p.pool_id, _pool_cells(p)) for p in pools)
        if select is not None and not table.move_to_key(select) and select == self._deep_link:
            self.say(f"There is no pool '{select}' on this account.", severity="warning")
        if select is not None and select == self._deep_link and select in self._pools:
            self.set_focus(self.numbers_table)
        self._deep_link = None
        count = len(pools)
        hint = "n creates one" if not count else "enter: its numbers · tab: other table"
        self._status(f"{count} pool{'s' if count != 1 else ''} · {hint}")
        self.panel.show_pool(None if table.cursor_key is None else str(table.cursor_key), force=True)

    def _show_unavailable(self, exc: PoolsUnavailable) -> None:
        self._unavailable = True
        text = UNAVAILABLE
        if exc.message and "not enabled" not in exc.message:
            text = f"{exc.message[:1].upper()}{exc.message[1:]}.\n\n{UNAVAILABLE}"
        self.query_one("#pools-unavailable", Literal).update(text)
        self.query_one("#pools-unavailable").display = True
        self.query_one("#pools-main").display = False
        self.refresh_bindings()

    def _status(self, text: str) -> None:
        self.query_one("#pools-status", Literal).update(text)

    def _result(self, text: str) -> None:
        panel = self.query_one("#pools-result", Literal)
        panel.update(text)
        panel.display = bool(text)

    # -- table events -------------------------------------------------------------------------
    @on(FastTable.RowHighlighted, "#pools-table")
    def _pool_highlighted(self, event: FastTable.RowHighlighted) -> None:
        self.panel.show_pool(None if event.key is None else str(event.key))

    @on(FastTable.RowSelected, "#pools-table")
    def _pool_selected(self) -> None:
        self.set_focus(self.numbers_table)
    @on(FastTable.CopyRequested)
    def _copy(self, event: FastTable.CopyRequested) -> None:
        if event.key is not None:
            self.app.copy_to_clipboard(str(event.key))
            self.say(f"Copied {event.key}", timeout=3)

    # -- navigation and filter ----------------------------------------------------------------
    def action_focus_filter(self) -> None:
        target = self.numbers_table if self.focused is self.numbers_table else self.pools_table
        other = self.pools_table if target is self.numbers_table else self.numbers_table
        other.set_filter("")  # one filter at a time, on one table
        name = f"numbers of {self.panel.pool_id}" if target is self.numbers_table else "pools"
        self.query_one("#pools-filter-label", Literal).update(f"Filter {name}:")
        self.query_one("#pools-filter-row").display = True
        self.query_one("#pools-filter", FilterInput).open(target)

    @on(FilterInput.Changed, "#pools-filter")
    def _filter_changed(self) -> None:
        box = self.query_one("#pools-filter", FilterInput)
        if not box.has_focus:
            self.query_one("#pools-filter-row").display = bool(box.value)

    @on(events.DescendantBlur, "#pools-filter")
    def _filter_left(self) -> None:
        box = self.query_one("#pools-filter", FilterInput)
        self.query_one("#pools-filter-row").display = bool(box.value)  # stays in sight while it filters

    def action_refresh(self) -> None:
        self.load_pools(self.panel.pool_id)

    # -- create / edit ------------------------------------------------------------------------
    def _current_pool(self) -> Pool | None:
        key = self.pools_table.cursor_key
        return None if key is None else self._pools.get(str(key))

    def _can_write(self) -> bool:
        """The screen's write guard, plus what only pools need (the beta on, one change at a time)."""
        if not self.writes_allowed():
            return False
        if self._unavailable:
            self.say(UNAVAILABLE.split("\n")[0], severity="warning")
            return False
        if self._writing:
            self.say("Wait for the current change to finish.", severity="warning")
            return False
        return True

    def action_create(self) -> None:
        session = self.session
        if session is None or not self._can_write():
            return

        async def save(request: PoolCreate | PoolUpdate) -> Outcome:
            assert isinstance(request, PoolCreate)
            return await session.ops.create_pool(request)

        self.app.push_screen(PoolFormScreen(save), self._pool_saved)

    def action_edit(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.say("No pool to edit: create one with n.", severity="warning")
            return
        session = self.session
        if session is None or not self._can_write():
            return

        async def save(request: PoolCreate | PoolUpdate) -> Outcome:
            assert isinstance(request, PoolUpdate)
            return await session.ops.update_pool(pool.pool_id, request)

        self.app.push_screen(PoolFormScreen(save, pool), self._pool_saved)

    def _pool_saved(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        self.say(outcome.message, title="Pools")
        result = outcome.result
        self.load_pools(result.pool_id if isinstance(result, Pool) else self.panel.pool_id)

    # -- delete -------------------------------------------------------------------------------
    def action_delete(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.say("No pool to delete.", severity="warning")
            return
        if not self._can_write():
            return
        pool_id = pool.pool_id
        count = self.numbers_table.row_count if pool_id == self.panel.pool_id else None
        verb = "stays" if count == 1 else "stay"
        held = f" Its {plural(count, 'number')} {verb} on your account." if count else " Numbers stay on your account."
        self.confirm(f"Delete pool {pool_id}?", f"Delete the pool '{pool_id}'?{held}", yes=f"Delete {pool_id}",
                     then=lambda: self._change("delete", pool_id))

    # -- numbers ------------------------------------------------------------------------------
    def action_add_numbers(self) -> None:
        pool = self._current_pool()
        if pool is None:
            self.say("Create a pool first (n).", severity="warning")
            return
        if not self._can_write():
            return
        pool_id = pool.pool_id
        members = list(self.panel.numbers) if pool_id == self.panel.pool_id else []

        def chosen(numbers: list[str] | None) -> None:
            if numbers:
                self._result(f"Adding {plural(len(numbers), 'number')} to {pool_id}…")
                self._change("add", pool_id, numbers)

        self.app.push_screen(AddNumbersScreen(pool_id, members), chosen)

    def action_remove_numbers(self) -> None:
        pool_id = self.panel.pool_id
        numbers = self.panel.marked_or_highlighted() if pool_id is not None else []
        if pool_id is None or not numbers:
            self.say("No number to remove: highlight or mark (space) numbers of the pool.", severity="warning")
            return
        if not self._can_write():
            return
        shown = ", ".join(show_number(n) for n in numbers[:LIST_IN_CONFIRM])
        if len(numbers) > LIST_IN_CONFIRM:
            shown += f" and {len(numbers) - LIST_IN_CONFIRM} more"
        counted = plural(len(numbers), "number")
        they = "It stays" if len(numbers) == 1 else "They stay"
        body = f"Remove {counted} from pool '{pool_id}': {shown}?\n{they} on your account."

        def remove() -> None:
            self._result(f"Removing {counted} from {pool_id}…")
            self._change("remove", pool_id, numbers)

        self.confirm(f"Remove from {pool_id}?", body, yes=f"Remove {len(numbers)}", then=remove)

    @work(group="action", exit_on_error=False, description="change a pool")
    async def _change(self, what: str, pool_id: str, numbers: list[str] | None = None) -> None:
        session = self.session
        if session is None:
            return
        self._writing = True
        try:
            if what == "delete":
                outcome = await session.ops.delete_pool(pool_id)
            elif what == "add":
                outcome = await session.ops.add_pool_numbers(pool_id, numbers or [])
            else:
                outcome = await session.ops.remove_pool_numbers(pool_id, numbers or [])
        finally:
            self._writing = False
        self.post_message(PoolChanged(what, pool_id, outcome))

    @on(PoolChanged)
    def _changed(self, event: PoolChanged) -> None:
        if event.what == "delete":
            self._deleted(event.pool_id, event.outcome)
        else:
            verb = "Add numbers to" if event.what == "add" else "Remove numbers from"
            self._batch_done(f"{verb} {event.pool_id}", event.pool_id, event.outcome)

    def _deleted(self, pool_id: str, outcome: Outcome) -> None:
        if outcome.ok:
            self.say(outcome.message, title="Pools")
            self._result("")
            self.load_pools()
        elif isinstance(outcome.error, PoolsUnavailable):
            self._result(f"{pool_id}: {NO_DELETE}")
            self.say(NO_DELETE, title="Pools", severity="warning")
        else:
            self._result(outcome.message)
            self.say(outcome.message, title="Pools", severity="error", timeout=8)
            if outcome.unknown:
                self.load_pools(pool_id)

    def _batch_done(self, title: str, pool_id: str, outcome: Outcome) -> None:
        """All done: a toast. Anything failed: a result view listing each number and why."""
        result = outcome.result
        self._result(outcome.message)
        if outcome.ok and (result is None or not result.failed):
            self.say(outcome.message, title="Pools")
        elif result is not None:
            self.app.push_screen(BatchResultScreen(title, outcome.message, result))
        else:
            self.say(outcome.message, title=title, severity="error", timeout=8)
        if pool_id == self.panel.pool_id:
            self.numbers_table.clear_marks()
            self.panel.reload()
