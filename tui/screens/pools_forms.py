"""The Pools screen's modals: the pool form (create/edit), adding numbers, and a batch result.

The modals never call the API themselves: the Pools screen hands each one the coroutine that does
the work (through ``app.ops`` or ``app.api.client``), and the modal runs it in its own worker so
the form can stay open, keep what the user typed, and show a failure next to the field it is about.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from tui.api import validators
from tui.api.errors import Conflict, InputError
from tui.api.models import BatchResult, Pool, PoolCreate, PoolUpdate
from tui.countries import format_msisdn
from tui.messages import OwnedNumbersChanged
from tui.service import describe_error
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.host import SessionHost
    from tui.operations import Outcome
    from tui.owned import OwnedList, OwnedRecord

FALLBACKS = ("Pool", "CustomFrom", "Reject")
FALLBACK_HELP = {
    "Pool": "Pool: any number of the pool",
    "CustomFrom": "CustomFrom: the sender given in the message",
    "Reject": "Reject: do not send",
}


def show_number(msisdn: str) -> str:
    """A number exactly as it is sent, with a plus ("+447700900123"): what confirmations, batch results
    and (for now) the pool's numbers table show. The add-numbers table groups it for reading
    (``tui.countries.format_msisdn``)."""
    return f"+{msisdn}" if msisdn.isdigit() else msisdn


def split_numbers(text: str) -> list[str]:
    """Entries separated by commas, semicolons or new lines (then spaces inside a number are fine:
    "+44 7700 900123, +1 415 555 0100"); with none of those, by whitespace."""
    if any(sep in text for sep in ",;\n"):
        parts = re.split(r"[,;\n]+", text)
    else:
        parts = text.split()
    return [part.strip() for part in parts if part.strip()]


def parse_numbers(text: str) -> tuple[list[str], list[str]]:
    """(valid numbers as digits, entries that are not valid numbers), both in the order typed."""
    good: list[str] = []
    bad: list[str] = []
    for entry in split_numbers(text):
        try:
            number = validators.msisdn(entry, "numbers")
        except InputError:
            bad.append(entry)
            continue
        if number not in good:
            good.append(number)
    return good, bad


class FlagBox(Checkbox):
    """A compact checkbox whose mark is blank when off, so its state reads without colour (NO_COLOR)."""

    def __init__(self, label: str, value: bool, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(label, value, id=id, compact=True)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh()


class PoolFormScreen(FormEscape, ModalScreen["Outcome | None"]):
    """Create a pool, or edit one; saves through ``save`` and closes only when it worked."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pools.form.cancel"),
        Binding("ctrl+s", "save", "Save", id="pools.form.save"),
    ]

    def __init__(
        self,
        save: Callable[[PoolCreate | PoolUpdate], Awaitable[Outcome]],
        pool: Pool | None = None,
    ) -> None:
        super().__init__()
        self._save = save
        self._pool = pool

    @property
    def editing(self) -> bool:
        return self._pool is not None

    def compose(self) -> ComposeResult:
        pool = self._pool
        current = (pool.fallback if pool else "Pool") or ""
        options = [(FALLBACK_HELP[name], name) for name in FALLBACKS]
        if current and current not in FALLBACKS:
            options.append((Content(f"{current} (as the server has it)"), current))  # plain text, no markup
        title = f"Edit pool {pool.pool_id}" if pool else "New pool"
        with Vertical(id="pool-form", classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            with Horizontal(classes="pool-form-row"):
                yield Label("Pool id", classes="pool-form-label")
                yield Input(pool.pool_id if pool else "", placeholder="e.g. marketing-uk", id="pool-id")
            yield Static("", id="pool-id-error", classes="field-error", markup=False)
            with Horizontal(classes="pool-form-row"):
                yield Label("Fallback", classes="pool-form-label")
                yield Select(options, value=current if current else Select.NULL, allow_blank=not current, id="pool-fallback")
            yield Static("", id="pool-fallback-error", classes="field-error", markup=False)
            yield FlagBox(
                "Localized: prefer a sender from the destination's country",
                bool(pool and pool.localized_sender_preferred),
                id="pool-localized",
            )
            yield FlagBox(
                "Predictable: keep the same sender for each destination",
                bool(pool and pool.predictable_sender_preferred),
                id="pool-predictable",
            )
            yield Static("", id="pool-form-error", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="pool-form-cancel")
                yield Button("Save", id="pool-form-save", variant="primary")

    # -- reading the form ---------------------------------------------------------------------
        yield KeyBar()
    def _values(self) -> dict[str, Any]:
        fallback = self.query_one("#pool-fallback", Select).value
        return {
            "pool_id": self.query_one("#pool-id", Input).value.strip(),
            "fallback": None if fallback is Select.NULL else fallback,
            "localized_sender_preferred": self.query_one("#pool-localized", FlagBox).value,
            "predictable_sender_preferred": self.query_one("#pool-predictable", FlagBox).value,
        }

    def build_request(self) -> PoolCreate | PoolUpdate | None:
        """The request to send, or None after showing why it cannot be sent (nothing is sent)."""
        self._clear_errors()
        values = self._values()
        try:
            values["pool_id"] = validators.pool_id(values["pool_id"])
            if self._pool is None:
                if values["fallback"] is None:
                    raise InputError("choose what happens when no number matches", field="fallback")
                return PoolCreate(**values)
            pool = self._pool
            changes = {k: v for k, v in values.items() if v is not None and v != getattr(pool, k, None)}
            if not changes:
                self._show_error("form", "Nothing to save: no field was changed.")
                return None
            return PoolUpdate(**changes)
        except InputError as exc:
            self._show_error(exc.field, exc.message)
            return None

    def on_mount(self) -> None:
        self._clear_errors()
        self.set_focus(self.query_one("#pool-id", Input))
    def _clear_errors(self) -> None:
        for name in ("pool-id-error", "pool-fallback-error", "pool-form-error"):
            error = self.query_one(f"#{name}", Static)
            error.update("")
            error.display = False

    def _show_error(self, field: str, message: str) -> None:
        target = {"pool_id": "pool-id-error", "fallback": "pool-fallback-error"}.get(field, "pool-form-error")
        text = message[:1].upper() + message[1:]
        error = self.query_one(f"#{target}", Static)
        error.update(text if text.endswith(".") else text + ".")
        error.display = True

    # -- actions ------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the pool settings typed")

    def action_save(self) -> None:
        request = self.build_request()
        if request is not None:
            self.query_one("#pool-form-save", Button).disabled = True
            self._submit(request)

    @on(Button.Pressed, "#pool-form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#pool-form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#pool-id")
    def _id_submitted(self) -> None:
        self.action_save()

    @work(group="action", exclusive=True, exit_on_error=False)
    async def _submit(self, request: PoolCreate | PoolUpdate) -> Outcome:
        """Send through the screen's save; the outcome is shown by the handler below."""
        return await self._save(request)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._failed(event.worker.error)  # shown in the form, never a crash
        elif event.state == WorkerState.SUCCESS:
            outcome = event.worker.result
            if outcome.ok:
                self.dismiss(outcome)
            else:
                self._failed(outcome.error, outcome.message)

    def _failed(self, exc: BaseException | None, message: str = "") -> None:
        self.query_one("#pool-form-save", Button).disabled = False
        if isinstance(exc, Conflict):
            self._show_error("pool_id", "A pool with that id already exists; choose another id")
        elif isinstance(exc, InputError):
            self._show_error(exc.field, exc.message)
        else:
            self._show_error("form", message or describe_error(exc or RuntimeError()))


class AddNumbersScreen(FormEscape, ModalScreen["list[str] | None"]):
    """Pick owned numbers (space marks) and/or type numbers; dismisses with the digits to add.

    The owned numbers are the session's list; while it is still loading, each page the App announces
    is added here too.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pools.add.cancel"),
        Binding("ctrl+s", "submit", "Add", id="pools.add.submit"),
    ]

    def __init__(self, pool_id: str, members: Iterable[str]) -> None:
        super().__init__()
        self._pool_id = pool_id
        self._members = set(members)

    @property
    def _host(self) -> SessionHost:
        return cast("SessionHost", self.app)

    @property
    def _owned(self) -> OwnedList | None:
        session = self._host.session
        return session.account.owned if session is not None else None

    def compose(self) -> ComposeResult:
        with Vertical(id="add-numbers", classes="dialog"):
            yield Literal(f"Add numbers to {self._pool_id}", classes="dialog-title")
            yield Literal("", id="add-owned-status", classes="dim")
            yield FastTable(
                [Column("number", "Number"), Column("country", "Country", 7), Column("type", "Type")],
                id="add-owned-table",
            )
            yield Label("Or type numbers (comma or space separated):")
            yield Input(placeholder="447700900123, 14155550100", id="add-typed")
            yield Literal("", id="add-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="add-cancel")
                yield Button("Add", id="add-submit", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#add-error").display = False
        self.set_focus(self.query_one("#add-owned-table", FastTable))
        self._host.account_events.subscribe(self, lambda event: self.post_message(event.relay()), immediate=True)
        owned = self._owned
        self._show_owned()
        if owned is not None and not owned.complete:
            if not any(w.group == "owned" and not w.is_finished for w in self.app.workers):
                self._host.load_owned()
            self._update_status(loading=True)

    @on(OwnedNumbersChanged)
    def _owned_changed(self, event: OwnedNumbersChanged) -> None:
        table = self.query_one("#add-owned-table", FastTable)
        table.append_rows(self._rows(event.added))
        for msisdn in event.removed:
            table.remove_row(msisdn)
        owned = self._owned
        if event.note:
            self.query_one("#add-owned-status", Static).update(
                f"Could not load all your numbers ({event.note}); type them below instead.")
        else:
            self._update_status(loading=owned is not None and not owned.complete)

    def _rows(self, numbers: Iterable[OwnedRecord]) -> list[tuple[str, tuple[str, str, str]]]:
        return [
            (n.msisdn, (format_msisdn(n.msisdn, n.country or ""), n.country or "", n.type or ""))
            for n in numbers
            if n.msisdn not in self._members
        ]

    def _show_owned(self) -> None:
        owned = self._owned
        table = self.query_one("#add-owned-table", FastTable)
        table.set_rows(self._rows(owned.by_msisdn.values() if owned is not None else ()))
        self._update_status()

    def _update_status(self, loading: bool = False) -> None:
        table = self.query_one("#add-owned-table", FastTable)
        marked = len(table.marked_keys)
        text = f"{table.row_count} of your numbers not in this pool · space marks · {marked} marked"
        if loading:
            text = f"Loading your numbers… {table.row_count} so far"
        self.query_one("#add-owned-status", Static).update(text)

    @on(FastTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_status()

    @on(FastTable.RowSelected, "#add-owned-table")
    def _row_selected(self) -> None:
        self.action_submit()

    @on(Input.Submitted, "#add-typed")
    def _typed_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#add-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#add-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the numbers typed")

    def selection(self) -> list[str] | None:
        """The numbers to add (marked rows first, then typed ones), or None after showing why not."""
        error = self.query_one("#add-error", Static)
        error.update("")
        error.display = False
        table = self.query_one("#add-owned-table", FastTable)
        typed_text = self.query_one("#add-typed", Input).value
        typed, bad = parse_numbers(typed_text)
        if bad:
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            error.update(f"Not valid numbers (7 to 15 digits, e.g. 447700900123): {shown}")
            error.display = True
            return None
        marked = [key for key in table.visible_keys() if key in table.marked_keys]
        marked += [key for key in table.marked_keys if key not in marked]
        numbers = [str(k) for k in marked] + [n for n in typed if n not in marked]
        if not numbers and not typed_text.strip() and self.focused is table and table.cursor_key is not None:
            numbers = [str(table.cursor_key)]
        if not numbers:
            error.update("Mark numbers with space, or type some, then press enter.")
            error.display = True
            return None
        return numbers

    def action_submit(self) -> None:
        numbers = self.selection()
        if numbers is not None:
            self.dismiss(numbers)


class BatchResultScreen(ModalScreen[None]):
    """What an add/remove batch did: the numbers that went through and each failure with its reason."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="pools.result.close")]

    def __init__(self, title: str, message: str, result: BatchResult | None) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._result = result

    def lines(self) -> list[str]:
        result = self._result
        if result is None:
            return []
        out: list[str] = []
        if result.succeeded:
            out.append(f"Succeeded ({len(result.succeeded)}):")
            out.extend(f"  ✓ {show_number(n)}" for n in result.succeeded)
        else:
            out.append("Succeeded: none")
        if result.failed:
            out.append(f"Failed ({len(result.failed_numbers)}):")
            for failure in result.failed:
                reason = ": ".join(part for part in (failure.title, failure.detail) if part) or "no reason given"
                for number in failure.numbers:
                    out.append(f"  ✗ {show_number(number)} — {reason}")
        return out

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-result", classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._message, id="batch-result-message", markup=False)
            with VerticalScroll(id="batch-result-lines"):
                yield Static("\n".join(self.lines()), id="batch-result-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="batch-result-ok", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#batch-result-ok", Button))
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#batch-result-ok")
    def _ok(self) -> None:
        self.dismiss(None)


__all__ = ["AddNumbersScreen", "BatchResultScreen", "PoolFormScreen", "parse_numbers", "show_number", "split_numbers"]
