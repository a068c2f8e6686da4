"""The numbers of the highlighted pool: a titled table, loaded page by page as each page arrives.

Country and type come from the session's owned numbers when it has them (the pools API lists bare
digits), and are filled in when that list arrives later.

``d`` in this table removes the marked numbers (or the highlighted one) from the pool, after the
confirmation naming them — the k9s meaning of d, for what the table lists; on the pools table above,
d deletes the pool. The marked count shows in the title and at the right of the key bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message

from tui.api.errors import VonageError
from tui.countries import format_msisdn
from tui.screens.base import VonageScreen
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.owned import OwnedList
    from tui.session import Session

PAGE_SIZE = 100


class PoolNumbersPage(Message, bubble=False):
    """A page of a pool's numbers (``first``: replaces what is shown; ``done``: the last one)."""

    def __init__(self, pool_id: str, numbers: list[str], *, first: bool, total: int | None, done: bool = False,
                 error: str = "") -> None:
        super().__init__()
        self.pool_id = pool_id
        self.numbers = numbers
        self.first = first
        self.total = total
        self.done = done
        self.error = error


class PoolNumbersPanel(Vertical):
    """Title line and table of one pool's numbers; ``show_pool`` chooses the pool."""

    BINDINGS: ClassVar = [
        # The screen's action (its write guard and the pools-beta check apply, via its check_action).
        Binding("d", "screen.remove_numbers", "Remove", id="pools.remove_marked",  # short: fits 80 columns
                tooltip="Remove the marked (or highlighted) numbers from the pool (asks first)"),
    ]

    def __init__(self) -> None:
        super().__init__(id="pool-numbers-panel")
        self.pool_id: str | None = None
        self.numbers: list[str] = []
        self.busy = False
        self._owned_version = -1

    def compose(self) -> ComposeResult:
        yield Literal("", id="pool-numbers-title")
        yield FastTable([Column("number", "Number"), Column("country", "Country", 7), Column("type", "Type")],
                        id="pool-numbers-table")

    @property
    def session(self) -> Session | None:
        screen = self.screen
        return screen.session if isinstance(screen, VonageScreen) else None

    @property
    def owned(self) -> OwnedList | None:
        session = self.session
        return session.account.owned if session is not None else None

    @property
    def table(self) -> FastTable:
        return self.query_one("#pool-numbers-table", FastTable)

    def title(self, text: str) -> None:
        self.query_one("#pool-numbers-title", Literal).update(text)

    def show_pool(self, pool_id: str | None, *, force: bool = False) -> None:
        """Show ``pool_id``'s numbers (loading them when it changed, or always with ``force``)."""
        if pool_id == self.pool_id and not force:
            return
        if pool_id != self.pool_id:
            self.table.clear()
            self.numbers = []
        self.pool_id = pool_id
        if pool_id is None:
            self.workers.cancel_group(self, "numbers")
            self.table.clear()
            self.title("No pool selected")
            return
        self.title(f"Numbers in {pool_id}: loading…")
        self.busy = True
        self._load(pool_id)

    def reload(self) -> None:
        if self.pool_id is not None:
            self.show_pool(self.pool_id, force=True)

    def clear(self) -> None:
        self.pool_id = None
        self.numbers = []
        self.table.clear()

    @work(group="numbers", exclusive=True, exit_on_error=False, description="load a pool's numbers")
    async def _load(self, pool_id: str) -> None:
        session = self.session
        if session is None:
            return
        page_no = 1
        try:
            while True:
                page = await session.client.list_pool_numbers(pool_id, page_no, PAGE_SIZE)
                done = page_no >= page.total_pages or not page.numbers
                self.post_message(PoolNumbersPage(pool_id, [n.number for n in page.numbers], first=page_no == 1,
                                                  total=page.total_items, done=done))
                if done:
                    break
                page_no += 1
        except VonageError as exc:
            self.post_message(PoolNumbersPage(pool_id, [], first=False, total=None, error=exc.message))

    @on(PoolNumbersPage)
    def _page(self, event: PoolNumbersPage) -> None:
        if event.pool_id != self.pool_id:
            return
        if event.error:
            self.busy = False
            self.title(f"Numbers in {event.pool_id}: could not load them ({event.error})")
            return
        table = self.table
        self._owned_version = self.owned.version if self.owned is not None else -1
        rows = [(number, self.cells(number)) for number in event.numbers]
        if event.first:
            self.numbers = list(event.numbers)
            table.set_rows(rows)
        elif rows:
            self.numbers.extend(event.numbers)
            table.append_rows(rows)
        count = table.row_count
        if event.done:
            self.busy = False
            marked = len(table.marked_keys)
            tip = "space marks · d removes · a adds" if count else "a adds numbers"
            if marked:
                tip = f"{marked:,} marked · d removes them"
            self.title(f"Numbers in {event.pool_id}: {count:,} · {tip}")
        else:
            of = f" of {event.total}" if event.total is not None else ""
            self.title(f"Numbers in {event.pool_id}: loading… {count}{of}")

    def cells(self, number: str) -> tuple[str, str, str]:
        """A number row; country and type come from the session's owned numbers when it has them."""
        info = self.owned.by_msisdn.get(number) if self.owned is not None else None
        country = (info.country or "") if info else ""
        return (format_msisdn(number, country), country, (info.type or "") if info else "")

    def refresh_cells(self) -> None:
        """Fill in country/type once the owned numbers arrived (here or on the Numbers screen)."""
        if self.owned is None or self.owned.version == self._owned_version or self.busy:
            return
        self._owned_version = self.owned.version
        self.table.set_rows((number, self.cells(number)) for number in self.numbers)

    @on(FastTable.MarksChanged, "#pool-numbers-table")
    def _marks_changed(self, event: FastTable.MarksChanged) -> None:
        marked = f"{len(event.marked):,} marked" if event.marked else ""
        screen = self.screen
        if isinstance(screen, VonageScreen):
            screen.set_status(marked)  # at the right of the key bar, whichever table has the focus
        if self.pool_id is not None and not self.busy:
            tip = "d removes them" if event.marked else "space marks · d removes"
            self.title(f"Numbers in {self.pool_id}: {self.table.row_count}{' · ' + marked if marked else ''} · {tip}")

    def marked_or_highlighted(self) -> list[str]:
        table = self.table
        marked = table.marked_keys
        if marked:
            ordered = [k for k in table.visible_keys() if k in marked]
            return [str(k) for k in ordered + [k for k in marked if k not in ordered]]
        return [] if table.cursor_key is None else [str(table.cursor_key)]


__all__ = ["PoolNumbersPanel"]
