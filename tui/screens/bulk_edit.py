"""The bulk-edit form: one set of changes for every marked number.

Why ticks: with many numbers there is no "current value" to start from, so an empty field cannot mean
both "keep what each number has" and "unset it". A setting changes only when its row is ticked: typing
into a field ticks it, emptying it unticks it, and ctrl+t in an empty field ticks it, meaning "unset it
on every number". What is not ticked is kept as each number has it. The changes are checked
(``check_bulk_changes``) before the form closes; errors show under their field and what was typed stays,
and a field's message goes as soon as that field changes.

Why the ticks take no Tab stop: a tick follows from typing, so Tab goes field to field, and a fast
typist's "value, Tab, value" never lands letters on a checkbox (where they were lost). The one thing a
tick does that typing cannot, "unset", is ctrl+t from the field itself (a click on the tick works too).
The form only collects: the screen asks for the confirmation and starts the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from tui.api.errors import InputError
from tui.formatting import plural
from tui.operations.bulk import check_bulk_changes
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.owned import OwnedRecord

#: (row, label, the fields it sets, placeholder of its text field), in the order the form shows them.
ROWS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("app_id", "Application id", ("app_id",), "UUID · ticked and empty: unlink"),
    ("mo_http_url", "Inbound SMS URL", ("mo_http_url",), "https://… · ticked and empty: unset"),
    ("voice", "Voice routing", ("voice_callback_type", "voice_callback_value"),
     "tel: digits · sip:user@host · app: UUID"),
    ("voice_status_callback", "Voice status URL", ("voice_status_callback",), "https://… · ticked and empty: unset"),
)
ROW_FIELDS = {row: names for row, _, names, _ in ROWS}
ROW_OF = {name: row for row, names in ROW_FIELDS.items() for name in names}
VOICE_TYPES = [("none", ""), ("sip", "sip"), ("tel", "tel"), ("app", "app")]
HINT = ("Only ticked settings change (typing ticks; ctrl+t ticks an empty field: unset). "
        "The rest is kept per number.")


class Tick(Checkbox, can_focus=False):
    """A checkbox whose mark is a character, not only a colour: ticked or not reads the same with NO_COLOR.

    No Tab stop (see the module's docstring): its state follows the field; ctrl+t there toggles it.
    """

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's name for the mark
        return "✓" if self.value else " "


class BulkEditDialog(FormEscape, ModalScreen["dict[str, str] | None"]):
    """Dismisses with the changes (field -> value, "" unsets), checked; None when closed."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="bulk_edit.cancel", tooltip="Close without changing anything"),
        Binding("ctrl+s", "review", "Review", id="bulk_edit.review",
                tooltip="Check the changes, then confirm them for every marked number"),
        Binding("ctrl+t", "toggle_tick", "Tick", id="bulk_edit.tick",
                tooltip="Tick or untick the row of this field (ticked and empty: unset on every number)"),
    ]

    def __init__(self, numbers: Sequence[OwnedRecord]) -> None:
        super().__init__()
        self.numbers = list(numbers)

    def compose(self) -> ComposeResult:
        count = len(self.numbers)
        with Vertical(id="bulk-edit-box", classes="dialog numbers-form"):
            yield Static(f"Edit {plural(count, 'marked number')}", classes="dialog-title")
            yield Static(HINT, id="bulk-hint", classes="dim")
            for row, label, _, placeholder in ROWS:
                with Horizontal(classes="form-row"):
                    yield Tick(label, id=f"bulk-tick-{row}", compact=True, classes="bulk-tick")
                    if row == "voice":
                        yield Select(VOICE_TYPES, value="", allow_blank=False, compact=True,
                                     id="bulk-voice_callback_type")
                        yield Input("", placeholder=placeholder, compact=True, id="bulk-voice_callback_value")
                    else:
                        yield Input("", placeholder=placeholder, compact=True, id=f"bulk-{row}")
                yield Literal("", classes="field-error", id=f"bulk-{row}-error")
            yield Literal("", id="bulk-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel · esc", id="bulk-cancel", compact=True)
                yield Button("Review · ctrl+s", id="bulk-review", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        for row, *_ in ROWS:
            self.query_one(f"#bulk-{row}-error", Static).display = False
        self.query_one("#bulk-status", Static).display = False
        self.set_focus(self.query_one("#bulk-app_id", Input))
    # -- reading the form ---------------------------------------------------------------------

    def ticked(self) -> set[str]:
        return {row for row, *_ in ROWS if self.query_one(f"#bulk-tick-{row}", Checkbox).value}

    def changes(self) -> dict[str, str]:
        """The ticked settings and their values ("" = unset on every number)."""
        out: dict[str, str] = {}
        ticked = self.ticked()
        for row, names in ROW_FIELDS.items():
            if row not in ticked:
                continue
            for name in names:
                value = self.query_one(f"#bulk-{name}").value  # type: ignore[attr-defined]
                out[name] = value.strip() if isinstance(value, str) else ""
        return out

    @on(Input.Changed)
    @on(Select.Changed)
    def _typed(self, event: Input.Changed | Select.Changed) -> None:
        """Typing ticks the row; emptying it unticks it (ctrl+t ticks an empty row to unset)."""
        name = (event.control.id or "").removeprefix("bulk-")
        row = ROW_OF.get(name)
        if row is None:
            return
        values = [self.query_one(f"#bulk-{n}").value for n in ROW_FIELDS[row]]  # type: ignore[attr-defined]
        self.query_one(f"#bulk-tick-{row}", Checkbox).value = any(isinstance(v, str) and v.strip() for v in values)
        self._clear_error(row)

    def _clear_error(self, row: str) -> None:
        """The row changed: its message (and the status line about it) no longer applies."""
        error = self.query_one(f"#bulk-{row}-error", Static)
        if error.display:
            error.update("")
            error.display = False
        if not any(self.query_one(f"#bulk-{r}-error", Static).display for r, *_ in ROWS):
            self.query_one("#bulk-status", Static).display = False

    def action_toggle_tick(self) -> None:
        focused = self.focused
        row = ROW_OF.get((focused.id or "").removeprefix("bulk-")) if focused is not None else None
        if row is None:
            return
        tick = self.query_one(f"#bulk-tick-{row}", Checkbox)
        tick.value = not tick.value
        self._clear_error(row)

    # -- feedback -----------------------------------------------------------------------------

    def show_error(self, field: str, message: str) -> None:
        """``message`` under the row of ``field`` (or in the status line when it names no row)."""
        wanted = ROW_OF.get(field, "")
        for row, *_ in ROWS:
            error = self.query_one(f"#bulk-{row}-error", Static)
            error.update(message if row == wanted else "")
            error.display = row == wanted
        status = self.query_one("#bulk-status", Static)
        status.display = bool(message)
        status.set_class(bool(message), "field-error")
        if wanted:
            status.update("Not sent: fix the marked field.")
            self.set_focus(self.query_one(f"#bulk-{field}"))
        else:
            status.update(message)

    # -- actions ------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the changes typed")

    def action_review(self) -> None:
        changes = self.changes()
        if not changes:
            self.show_error("", "Nothing is ticked: type a value (or tick an empty row to unset it).")
            return
        try:
            check_bulk_changes(changes, self.numbers[0])
        except InputError as exc:
            self.show_error(exc.field, exc.message)
            return
        self.dismiss(changes)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_review()

    @on(Button.Pressed, "#bulk-review")
    def _review_pressed(self) -> None:
        self.action_review()

    @on(Button.Pressed, "#bulk-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


__all__ = ["ROWS", "BulkEditDialog"]
