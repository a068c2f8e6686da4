"""Numbers: every number the account owns, with a detail pane, filters, edit and cancel.

The list itself (loading page by page, the disk cache, keeping in step with the shared store) is
``NumbersView`` in ``numbers_view``; this module is the layout, the keys and the actions.
"""

from __future__ import annotations

import time

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Input, Static

from tui.api.errors import InputError, NotFound, VonageError
from tui.api.number_config import apply_update
from tui.countries import format_msisdn
from tui.screens.numbers_edit import NumberEditDialog, build_update
from tui.screens.numbers_filter import NumbersFilterDialog
from tui.screens.numbers_format import detail_text, digits, monthly_cost
from tui.screens.numbers_view import NumbersView
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import Column, FastTable

if TYPE_CHECKING:
    from tui.api.models import OwnedNumber
    from tui.api.request_models import OwnedQuery

COLUMNS = (
    Column("number", "Number", width=17),
    Column("country", "Country", width=7),
    Column("type", "Type"),
    Column("features", "Features", width=13),
    Column("application", "Application"),
    Column("webhooks", "Webhooks"),
)
DEEP_LINK_FILTERS = ("pattern", "search_pattern", "country", "application_id", "has_application")


class FilterInput(Input):
    """The `/` box: esc, enter and ↓ hand the keys back to the table (the filter text stays)."""

    BINDINGS: ClassVar = [
        Binding("escape,enter,down", "leave", "Back to the table", show=False, id="numbers.filter_leave"),
    ]

    def action_leave(self) -> None:
        self.screen.query_one("#numbers-table", FastTable).focus()


class NumbersScreen(NumbersView):
    """The owned numbers of the account: layout, keys and actions over ``NumbersView``'s list."""

    SCREEN_TITLE = "Numbers"
    WRITE_ACTIONS = frozenset({"edit", "cancel_number"})
    BINDINGS: ClassVar = [
        Binding("slash", "focus_filter", "Filter", id="numbers.focus_filter",
                tooltip="Filter the loaded numbers as you type (digits match any grouping)"),
        Binding("f", "server_filter", "Server filter", show=False, id="numbers.server_filter",
                tooltip="Filter on the server by pattern, country or application, then reload"),
        Binding("F", "clear_filters", "Clear filters", show=False, id="numbers.clear_filters",
                tooltip="Clear the `/` filter and the server filters"),
        Binding("s", "sort_next", "Sort", show=False, id="numbers.sort_next",
                tooltip="Sort by the next column (number, country, type, features, application, webhooks)"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="numbers.sort_reverse",
                tooltip="Reverse the sort order"),
        Binding("e", "edit", "Edit", id="numbers.edit",
                tooltip="Edit the application, webhooks and voice routing of the highlighted number"),
        Binding("c,d", "cancel_number", "Cancel number", id="numbers.cancel_number",
                tooltip="Stop renting the highlighted number (asks first)"),
        Binding("y", "copy", "Copy", show=False, id="numbers.copy",
                tooltip="Copy the highlighted number's digits"),
        Binding("p", "toggle_detail", "Detail pane", show=False, id="numbers.toggle_detail",
                tooltip="Show or hide the detail pane"),
        Binding("r", "refresh", "Refresh", id="numbers.refresh", tooltip="Reload the numbers from the API"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._deep_link_done = False

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="numbers-main"):
            yield Static("", id="numbers-status")
            yield FilterInput(
                placeholder="/ filter the loaded numbers (digits match)", compact=True, id="numbers-filter"
            )
            with Container(id="numbers-body"):
                yield FastTable(COLUMNS, id="numbers-table")
                with VerticalScroll(id="numbers-detail"):
                    yield Static(detail_text(None), id="numbers-detail-text")

    def on_mount(self) -> None:
        self.mounted_at = time.perf_counter()  # read by tests/benchmarks/bench.py
        self.table.focus()
        self._apply_deep_link()
        self._sync()

    def _apply_deep_link(self) -> None:
        if self._deep_link_done:
            return
        self._deep_link_done = True
        options = self.vapp.options
        args: dict[str, Any] = options.screen_args if options.initial_screen == "numbers" else {}
        if not args:
            return
        text = str(args.get("filter") or "")
        if text:
            self.query_one("#numbers-filter", FilterInput).value = text
            self.table.set_filter(text)
        filters = {k: args[k] for k in DEEP_LINK_FILTERS if args.get(k) is not None}
        if filters:
            if "pattern" not in filters:
                filters.pop("search_pattern", None)
            try:
                from tui.api.request_models import OwnedQuery

                self._query = OwnedQuery(**filters)
            except InputError as exc:
                self.notify(f"Ignored the server filter: {exc.message}", severity="warning")

    # -- table and filter events --------------------------------------------------------------

    @on(FastTable.RowHighlighted, "#numbers-table")
    def _row_highlighted(self) -> None:
        self._refresh_detail()

    @on(FastTable.RowSelected, "#numbers-table")
    def _row_selected(self) -> None:
        if self.check_action("edit", ()):
            self.action_edit()

    @on(FastTable.CopyRequested, "#numbers-table")
    def _copy_requested(self, event: FastTable.CopyRequested) -> None:
        event.stop()
        self.action_copy()

    @on(Input.Changed, "#numbers-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._refresh_detail()
        self._update_status()

    # -- actions ------------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#numbers-filter", FilterInput).focus()

    def action_server_filter(self) -> None:
        def done(result: OwnedQuery | None | bool) -> None:
            if result is False:
                return
            self._set_query(None if isinstance(result, bool) else result)

        self.app.push_screen(NumbersFilterDialog(self._query), done)

    def action_clear_filters(self) -> None:
        self.query_one("#numbers-filter", FilterInput).value = ""
        self.table.set_filter("")
        self._set_query(None)
        self._update_status()

    def action_sort_next(self) -> None:
        self.table.action_sort_next()

    def action_sort_reverse(self) -> None:
        self.table.action_sort_reverse()

    def action_toggle_detail(self) -> None:
        detail = self.query_one("#numbers-detail")
        detail.display = not detail.display

    def action_copy(self) -> None:
        number = self._highlighted()
        if number is None:
            self.notify("No number highlighted.", severity="warning")
            return
        plain = digits(number.msisdn)
        self.app.copy_to_clipboard(plain)
        self.notify(f"Copied {plain}", timeout=3)

    # -- edit ---------------------------------------------------------------------------------

    def action_edit(self) -> None:
        number = self._highlighted()
        if number is None:
            self.notify("No number highlighted.", severity="warning")
            return

        def done(updated: OwnedNumber | None) -> None:
            if updated is not None:
                self._apply_number(updated)
                self.notify(f"Updated {format_msisdn(updated.msisdn, updated.country)}", timeout=4)

        self.app.push_screen(NumberEditDialog(number, self._save_number), done)

    async def _save_number(self, number: OwnedNumber, changes: dict[str, str]) -> OwnedNumber:
        """Read-modify-write: read the number as the server has it now, overlay the changes, send all."""
        fresh = await self.api.client.get_owned_number(number.msisdn, country=number.country or None)
        if fresh is None:
            raise NotFound(f"{number.msisdn} is no longer on this account; refresh with r", status=404)
        update = build_update(fresh, changes)
        outcome = await self.vapp.ops.update(update)
        if not outcome.ok:
            raise VonageError(outcome.message, status=getattr(outcome.error, "status", None))
        return apply_update(fresh, update)

    # -- cancel -------------------------------------------------------------------------------

    def action_cancel_number(self) -> None:
        marked = [self._numbers[k] for k in self.table.marked_keys if k in self._numbers]
        if marked:
            self._confirm_bulk_cancel(marked)
            return
        number = self._highlighted()
        if number is None:
            self.notify("No number highlighted.", severity="warning")
            return
        name = format_msisdn(number.msisdn, number.country)
        cost = monthly_cost(number)
        body = (
            f"Cancel {name} ({number.country or '?'}, {number.type or 'type unknown'})?\n"
            + (f"It costs {cost}; " if cost else "")
            + "the number goes back to Vonage and may not be available again. "
            + "Calls and messages to it will stop reaching you."
        )

        def done(yes: bool | None) -> None:
            if yes:
                self._cancel(number)

        self.app.push_screen(ConfirmDialog("Cancel number", body, yes_label="Cancel number"), done)

    def _confirm_bulk_cancel(self, numbers: list[OwnedNumber]) -> None:
        """Several marked numbers: one confirmation naming every one of them."""
        names = [format_msisdn(n.msisdn, n.country) for n in numbers]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        body = (
            f"Cancel these {len(numbers)} numbers?\n{shown}\n"
            "They go back to Vonage and may not be available again. Each is cancelled on its own; "
            "a failure does not stop the rest, and running the same selection again resumes it."
        )

        def done(yes: bool | None) -> None:
            if yes:
                self._cancel_many(numbers)

        self.app.push_screen(
            ConfirmDialog(f"Cancel {len(numbers)} numbers", body, yes_label=f"Cancel {len(numbers)}"), done
        )

    @work(group="action", exit_on_error=False, description="cancel the marked numbers")
    async def _cancel_many(self, numbers: list[OwnedNumber]) -> None:
        import hashlib

        # The same selection gives the same batch id, so the journal lets a second run skip what is done.
        batch = "cancel-" + hashlib.sha256(",".join(sorted(n.msisdn for n in numbers)).encode()).hexdigest()[:12]
        ops = self.vapp.ops
        items = {
            n.msisdn: (lambda b, n=n: ops.cancel(n.country, n.msisdn, batch=b)) for n in numbers
        }
        report = await ops.run_batch(batch, items)
        for msisdn in report.succeeded:
            self._remove_number(msisdn)
        failed = [report.outcomes[m].message for m in report.failed]
        text = f"Cancelled {len(report.succeeded)} of {len(numbers)}."
        if failed:
            text += " Failed: " + "; ".join(failed) + " — press c again to retry the rest."
        self.notify(text, title="Cancel numbers", severity="error" if failed else "information", timeout=12)

    @work(group="action", exit_on_error=False)
    async def _cancel(self, number: OwnedNumber) -> None:
        outcome = await self.vapp.ops.cancel(number.country, number.msisdn)
        self._cancel_done(number, outcome)

    def _cancel_done(self, number: OwnedNumber, outcome: Any) -> None:
        name = format_msisdn(number.msisdn, number.country)
        if not outcome.ok:
            severity = "warning" if outcome.unknown else "error"
            self.notify(outcome.message, title=f"Cancel {name}", severity=severity, timeout=8)
            return
        self._remove_number(number.msisdn)
        self.notify(f"Cancelled {name}", timeout=4)
