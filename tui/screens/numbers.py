"""Numbers: every number the account owns, with a detail pane, filters, edit, bulk edit, export and cancel.

The list itself (kept in step with the session's owned numbers, and the server-filtered view) is
``NumbersView`` in ``numbers_view``; this module is the layout, the keys and the actions. Changes go
through the session's ``Operations`` in this screen's "action" workers, which post the outcome to the
App as a message; the App relays it to every screen, this one included.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.message import Message

from tui.api.errors import InputError, VonageError
from tui.countries import format_msisdn
from tui.messages import NumbersCancelled, NumberUpdated
from tui.screens.numbers_format import describe_query, detail_text, digits, monthly_cost
from tui.screens.numbers_view import NumbersView
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.filter_input import FilterInput
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from pathlib import Path

    from tui.api.request_models import OwnedQuery
    from tui.export import ExportTarget
    from tui.operations import Outcome
    from tui.owned import OwnedRecord

COLUMNS = (
    Column("number", "Number", width=17),
    Column("country", "Country", width=7),
    Column("type", "Type"),
    Column("features", "Features", width=13),
    Column("application", "Application"),
    Column("webhooks", "Webhooks"),
)
FILTER_HINT = "/ filter the loaded numbers (digits match)"
DEEP_LINK_FILTERS = ("pattern", "search_pattern", "country", "application_id", "has_application")


class ExportWritten(Message, bubble=False):
    """The export ended: ``count`` rows in ``path``, or ``error`` says why nothing was written."""

    def __init__(self, path: Path, count: int = 0, error: str = "") -> None:
        super().__init__()
        self.path = path
        self.count = count
        self.error = error


class NumbersScreen(NumbersView):
    """The owned numbers of the account: layout, keys and actions over ``NumbersView``'s list."""

    SCREEN_TITLE = "Numbers"
    WRITE_ACTIONS = frozenset({"edit", "cancel_number"})
    BINDINGS: ClassVar = [  # in the key bar's order of priority: what fits 80 columns comes first
        Binding("slash", "focus_filter", "Filter", priority=True, id="numbers.focus_filter",
                tooltip="Filter the loaded numbers as you type (digits match any grouping)"),
        Binding("e", "edit", "Edit", id="numbers.edit",
                tooltip="Edit the highlighted number (or, with numbers marked, all of them)"),
        Binding("d", "cancel_number", "Cancel number", id="numbers.cancel_number",
                tooltip="Stop renting the highlighted (or marked) numbers (asks first)"),
        Binding("s", "sort_next", "Sort", id="numbers.sort_next",
                tooltip="Sort by the next column (number, country, type, features, application, webhooks)"),
        Binding("y", "copy", "Copy", id="numbers.copy",
                tooltip="Copy the highlighted number's digits"),
        Binding("f", "server_filter", "API filter", id="numbers.server_filter",
                tooltip="Filter on the server by pattern, country or application, then reload"),
        Binding("o", "export", "Export", id="numbers.export",
                tooltip="Write the numbers shown (filter and sort applied) to a CSV or JSON file"),
        Binding("r", "refresh", "Refresh", id="numbers.refresh", tooltip="Reload the numbers from the API"),
        Binding("p", "toggle_detail", "Pane", id="numbers.toggle_detail",
                tooltip="Show or hide the detail pane"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="numbers.sort_reverse",
                tooltip="Reverse the sort order"),
        Binding("F", "clear_filters", "Clear filters", show=False, id="numbers.clear_filters",
                tooltip="Clear the `/` filter and the server filters"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._deep_link_done = False

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        table = FastTable(COLUMNS, id="numbers-table")
        yield Literal("", id="numbers-status")
        if self._deep_link_args().get("filter"):
            yield FilterInput(table, placeholder=FILTER_HINT, id="numbers-filter")
        else:  # the field itself comes with the first `/` (see _filter_box)
            yield Literal(FILTER_HINT, id="numbers-filter-hint")
        with Container(id="numbers-body"):
            yield table
            with VerticalScroll(id="numbers-detail"):
                yield Literal(detail_text(None), id="numbers-detail-text")

    async def _filter_box(self) -> FilterInput:
        """The `/` filter field, mounted in place of its placeholder line the first time it is wanted: an
        Input is the dearest widget of the first frame (~4 ms: its CSS, cursor, suggester), and most
        visits never filter. Awaited, so the keys typed after `/` reach the field."""
        found = self.query("#numbers-filter")
        if found:
            return found.first(FilterInput)
        hint = self.query_one("#numbers-filter-hint")
        box = FilterInput(self.table, placeholder=FILTER_HINT, id="numbers-filter")
        await self.mount(box, after=hint)
        await hint.remove()
        return box

    def _typed_filter(self) -> str:
        """What the `/` field holds ("" before it was first opened)."""
        found = self.query("#numbers-filter")
        return found.first(FilterInput).value if found else ""

    async def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.id == "numbers-filter-hint":
            await self.action_focus_filter()

    def on_mount(self) -> None:
        self.mounted_at = time.perf_counter()  # read by tests/benchmarks/bench.py
        self.set_focus(self.table)
        self._apply_deep_link()
        self._sync()

    def _deep_link_args(self) -> dict[str, Any]:
        options = self.host.options
        return options.screen_args if options.initial_screen == "numbers" and not self._deep_link_done else {}

    def _apply_deep_link(self) -> None:
        args = self._deep_link_args()
        self._deep_link_done = True
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
                self.say(f"Ignored the server filter: {exc.message}", severity="warning")

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

    @on(FastTable.MarksChanged, "#numbers-table")
    def _marks_changed(self) -> None:
        self._update_status()

    @on(FilterInput.Changed, "#numbers-filter")
    def _filter_changed(self) -> None:
        self._refresh_detail()
        self._update_status()

    # -- actions ------------------------------------------------------------------------------

    async def action_focus_filter(self) -> None:
        (await self._filter_box()).open()

    def action_server_filter(self) -> None:
        from tui.screens.numbers_filter import NumbersFilterDialog  # imported when first opened

        def done(result: OwnedQuery | None | bool) -> None:
            if result is not False:
                self._set_query(None if isinstance(result, bool) else result)

        self.app.push_screen(NumbersFilterDialog(self._query), done)

    def action_clear_filters(self) -> None:
        for box in self.query("#numbers-filter").results(FilterInput):
            box.value = ""
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
            self.say("No number highlighted.", severity="warning")
            return
        plain = digits(number.msisdn)
        self.app.copy_to_clipboard(plain)
        self.say(f"Copied {plain}", timeout=3)

    # -- edit ---------------------------------------------------------------------------------

    def action_edit(self) -> None:
        """The highlighted number; with numbers marked, all of them at once (one form, one confirmation)."""
        from tui.screens.bulk_edit import BulkEditDialog  # dialogs load when first opened
        from tui.screens.numbers_edit import NumberEditDialog

        marked = self._marked()
        if marked:
            if self.writes_allowed():
                self.app.push_screen(BulkEditDialog(marked),
                                     lambda changes: self._confirm_bulk_edit(marked, changes) if changes else None)
            return
        number = self._highlighted()
        if number is None:
            self.say("No number highlighted.", severity="warning")
            return
        if not self.writes_allowed():
            return
        self.app.push_screen(NumberEditDialog(number, self._save_number), self._edited)

    async def _save_number(self, number: OwnedRecord, changes: dict[str, str]) -> Outcome:
        """Read-modify-write through the session; the outcome is announced to every screen."""
        session = self.session
        if session is None:
            raise VonageError("Log in first.")
        base = session.account.owned.version
        outcome = await session.ops.update_number(number, changes)
        if outcome.ok:
            self.app.post_message(NumberUpdated(outcome.result, base, session.account.owned.version))
        return outcome

    def _edited(self, record: OwnedRecord | None) -> None:
        if record is not None:
            self.say(f"Updated {format_msisdn(record.msisdn, record.country)}", timeout=4)

    def _marked(self) -> list[OwnedRecord]:
        """The marked numbers, in the order the table shows them (marked ones filtered out of view last)."""
        records = self._records()
        marks = self.table.marked_keys
        shown = [k for k in self.table.visible_keys() if k in marks]
        hidden = sorted(str(k) for k in marks - set(shown))
        return [records[str(k)] for k in [*shown, *hidden] if str(k) in records]

    def _confirm_bulk_edit(self, numbers: list[OwnedRecord], changes: dict[str, str]) -> None:
        from tui.operations.bulk import describe_changes

        count = len(numbers)
        names = [format_msisdn(n.msisdn, n.country) for n in numbers[:8]]
        shown = ", ".join(names) + (f" and {count - 8:,} more" if count > 8 else "")
        follow = ("\nCalls and messages routed to a number's old application follow the change."
                  if "app_id" in changes else "")
        body = (
            f"{describe_changes(changes, count)}{follow}\n{shown}\n"
            "Settings not named here are kept, number by number. Each number is read, changed and written on "
            "its own; a failure does not stop the rest. If it is stopped, the next start offers to continue."
        )
        self.confirm(f"Edit {count:,} numbers", body, yes=f"Change {count:,} numbers",
                     then=lambda: self._start_bulk_edit(numbers, changes))

    def _start_bulk_edit(self, numbers: list[OwnedRecord], changes: dict[str, str]) -> None:
        from tui.screens.bulk_result import BulkResultScreen

        self.table.clear_marks()
        self._update_status()
        self.app.push_screen(BulkResultScreen(numbers=numbers, changes=changes))

    # -- export -------------------------------------------------------------------------------

    def action_export(self, path: str = "") -> None:
        """Ask for a file, then write the rows shown (the `/` filter, the sort and the server filter applied)."""
        from tui.export import default_name
        from tui.screens.export import ExportDialog

        count = self.table.visible_count
        if not count:
            self.say("No numbers shown: nothing to export.", severity="warning")
            return
        self.app.push_screen(ExportDialog(count, self._view_text(), path or default_name()), self._export_to)

    def _view_text(self) -> str:
        table = self.table
        parts = [f"filter “{table.filter_text.strip()}”"] if table.filter_text.strip() else []
        if self._query is not None:
            parts.append(f"server filter: {describe_query(self._query)}")
        if table.sort_column:
            parts.append(f"sorted by {table.sort_column}{' (reversed)' if table.sort_reverse else ''}")
        text = "The rows shown, in their order" + (f" ({', '.join(parts)})" if parts else "") + "."
        if self._loading:
            text += " Still loading: only the numbers loaded so far are written."
        return text

    def _export_to(self, target: ExportTarget | None) -> None:
        if target is None:
            return
        if not target.exists:
            self._export(target, overwrite=False)
            return
        self.confirm("Replace the file?", f"{target.path} exists. Replace it with the numbers shown?",
                     yes="Replace", then=lambda: self._export(target, overwrite=True),
                     otherwise=lambda: self.action_export(str(target.path)))

    def _export(self, target: ExportTarget, *, overwrite: bool) -> None:
        records = self._records()
        rows = [records[str(k)] for k in self.table.visible_keys() if str(k) in records]
        self._write_export(target, rows, overwrite)

    @work(group="export", exclusive=True, exit_on_error=False, description="export numbers")
    async def _write_export(self, target: ExportTarget, rows: list[OwnedRecord], overwrite: bool) -> None:
        from tui.export import ExportRefused, write_numbers

        try:
            count = await asyncio.to_thread(write_numbers, target, rows, overwrite=overwrite)
        except (ExportRefused, FileExistsError) as exc:
            self.post_message(ExportWritten(target.path, error=str(exc)))
        except OSError as exc:
            self.post_message(ExportWritten(target.path, error=f"{target.path}: {exc.strerror or type(exc).__name__}"))
        else:
            self.post_message(ExportWritten(target.path, count))

    @on(ExportWritten)
    def _export_written(self, event: ExportWritten) -> None:
        if event.error:
            self.say(f"Nothing written: {event.error}", title="Export", severity="error", timeout=10)
        else:
            rows = f"{event.count:,} number{'' if event.count == 1 else 's'}"
            self.say(f"Wrote {rows} to {event.path}", title="Export", timeout=8)

    # -- cancel -------------------------------------------------------------------------------

    def action_cancel_number(self) -> None:
        """d: the marked or highlighted numbers (the primary's: this list is its own); with nothing
        highlighted and subaccounts known, a subaccount's number, typed (``ask_subaccount_cancel``)."""
        if not self.writes_allowed():
            return
        records = self._records()
        marked = [records[k] for k in self.table.marked_keys if k in records]
        if len(marked) > 1:
            self._confirm_bulk_cancel(marked)
            return
        from tui.screens.subaccounts import ask_subaccount_cancel, owner_note

        number = marked[0] if marked else self._highlighted()  # one marked number: named like one
        session = self.session
        known = session.subaccounts if session is not None else None
        if number is None and known:
            typed = self._typed_filter()
            ask_subaccount_cancel(self, known, typed, lambda record, target: self._cancel([record], target))
            return
        if number is None:
            self.say("No number highlighted.", severity="warning")
            return
        name = format_msisdn(number.msisdn, number.country)
        cost = monthly_cost(number)
        body = (
            f"Cancel {name} ({number.country or '?'}, {number.type or 'type unknown'})?\n"
            + (f"It costs {cost}; the number" if cost else "The number")
            + " goes back to Vonage and may not be available again. "
            + "Calls and messages to it will stop reaching you."
            + owner_note(known)
        )
        self.confirm("Cancel number", body, yes=f"Cancel {name}", then=lambda: self._cancel([number]))

    def _confirm_bulk_cancel(self, numbers: list[OwnedRecord]) -> None:
        """Several marked numbers: one confirmation naming every one of them."""
        from tui.screens.subaccounts import owner_note

        names = [format_msisdn(n.msisdn, n.country) for n in numbers]
        shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
        body = (
            f"Cancel these {len(numbers)} numbers?\n{shown}\n"
            "They go back to Vonage and may not be available again. Each is cancelled on its own; "
            "a failure does not stop the rest, and running the same selection again resumes it."
            + owner_note(self.session.subaccounts if self.session is not None else None)
        )
        self.confirm(f"Cancel {len(numbers)} numbers", body, yes=f"Cancel {len(numbers)} numbers",
                     then=lambda: self._cancel(numbers))

    @work(group="action", exit_on_error=False, description="cancel numbers")
    async def _cancel(self, numbers: list[OwnedRecord], target: str | None = None) -> None:
        session = self.session
        if session is None:
            return
        if target:  # a subaccount's number: in no list of this login, so nothing here changes
            from tui.screens.subaccounts import SubaccountNumberCancelled

            number = numbers[0]
            outcome = await session.ops.cancel(number.country, number.msisdn, target_api_key=target)
            self.post_message(SubaccountNumberCancelled(number, target, outcome, session.subaccounts))
            return
        report, removed, base, version = await session.ops.cancel_numbers(numbers)
        self.app.post_message(NumbersCancelled(numbers, report, removed, base, version))

    @on(NumbersCancelled)
    def _cancel_done(self, event: NumbersCancelled) -> None:
        who = getattr(event, "who", "")  # set on a SubaccountNumberCancelled: "of Support team (sub12345)"
        report = event.report
        outcomes = report.outcomes
        if len(outcomes) == 1:
            msisdn, outcome = next(iter(outcomes.items()))
            country = next((n.country for n in event.numbers if n.msisdn == msisdn), "")
            name = format_msisdn(msisdn, country) + (f" of {who}" if who else "")
            if outcome.ok:
                self.say(f"Cancelled {name}", timeout=4)
            else:
                self.say(outcome.message, title=f"Cancel {name}",
                         severity="warning" if outcome.unknown else "error", timeout=8)
            return
        self.table.clear_marks()
        failed = [outcomes[m].message for m in report.failed]
        text = f"Cancelled {len(report.succeeded)} of {len(outcomes)}."
        if failed:
            text += " Failed: " + "; ".join(failed) + " — press d again to retry the rest."
        self.say(text, title="Cancel numbers", severity="error" if failed else "information", timeout=12)
