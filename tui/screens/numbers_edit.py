"""Edit one owned number's configuration: application, inbound SMS webhook, SMPP type, voice routing.

``/number/update`` *replaces* the whole configuration, so the form only collects what the user changed;
``build_update`` overlays those changes on every current field (read-modify-write) and validates the
result with ``NumberUpdate`` before anything is sent. Errors appear under their field and what was
typed stays. The sending itself is the screen's ``save`` callback (it re-reads the number first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from tui.api.errors import InputError
from tui.api.number_config import current_fields, merge_update
from tui.countries import format_msisdn
from tui.operations import UpdateConflict
from tui.service import describe_error
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.api.request_models import NumberUpdate
    from tui.operations import Outcome
    from tui.owned import OwnedRecord

#: (field, label, placeholder) in form order; voice_callback_type is a Select.
FORM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("app_id", "Application id", "UUID · empty unlinks"),
    ("mo_http_url", "Inbound SMS URL", "https://… · empty unsets"),
    ("mo_smpp_sys_type", "SMPP system type", "empty unsets"),
    ("voice_callback_type", "Voice type", ""),
    ("voice_callback_value", "Voice destination", "tel: digits · sip:user@host · app: UUID"),
    ("voice_status_callback", "Voice status URL", "https://… · empty unsets"),
)
FIELD_NAMES = tuple(name for name, _, _ in FORM_FIELDS)
VOICE_TYPES = [("none", ""), ("sip", "sip"), ("tel", "tel"), ("app", "app")]

STATUS_HINT = "Empty unsets. Settings not shown here are kept. ctrl+s saves."

SaveCallback = Callable[["OwnedRecord", dict[str, str]], Awaitable["Outcome"]]


def build_update(number: OwnedRecord, changes: dict[str, str]) -> NumberUpdate:
    """The complete update: ``number``'s current settings with ``changes`` applied, validated.

    Raises InputError naming the field. Callback pairs of type "app" that pointed at the old
    application follow a new ``app_id`` (``tui.api.number_config``, as ``VonageClient.update_number_fields``).
    """
    from tui.api.request_models import NumberUpdate

    NumberUpdate.check_changes(number.country, number.msisdn, **changes)
    return merge_update(number.country, number.msisdn, current_fields(number), changes)


def conflict_text(conflict: UpdateConflict) -> str:
    """Ours and theirs side by side, one line per setting that differs."""
    names = sorted(set(conflict.ours) | set(conflict.theirs))
    width = max((len(n) for n in names), default=4)
    lines = [f"{'':{width}}  {'yours (not sent again)':30}  now on the number"]
    for name in names:
        mine, now = conflict.ours.get(name) or "—", conflict.theirs.get(name) or "—"
        if mine != now:
            lines.append(f"{name:{width}}  {str(mine)[:30]:30}  {str(now)[:40]}")
    return "\n".join(lines)


class NumberEditDialog(FormEscape, ModalScreen["OwnedRecord | None"]):
    """Dismisses with the updated number, or None when closed without a change."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="numbers_edit.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="numbers_edit.save", tooltip="Validate and save the changes"),
    ]

    def __init__(self, number: OwnedRecord, save: SaveCallback) -> None:
        super().__init__()
        self.number = number
        self._save = save
        self._busy = False

    def compose(self) -> ComposeResult:
        number = self.number
        with Vertical(id="numbers-edit-box", classes="dialog numbers-form"):
            yield Literal(f"Edit {format_msisdn(number.msisdn, number.country)}", classes="dialog-title")
            for name, label, placeholder in FORM_FIELDS:
                current = getattr(number, name) or ""
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    if name == "voice_callback_type":
                        options = list(VOICE_TYPES)
                        value = current.lower()
                        if value not in {v for _, v in options}:  # a type we do not know: offer it as it is
                            options.append((current, current))
                            value = current
                        yield Select(options, value=value, allow_blank=False, compact=True, id=f"edit-{name}")
                    else:
                        yield Input(current, placeholder=placeholder, compact=True, id=f"edit-{name}")
                yield Literal("", classes="field-error", id=f"edit-{name}-error")
            yield Literal(STATUS_HINT, id="edit-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="edit-cancel", compact=True)
                yield Button("Save", id="edit-save", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        for name in FIELD_NAMES:
            self.query_one(f"#edit-{name}-error", Static).display = False
        self.set_focus(self.query_one("#edit-app_id", Input))
    # -- reading the form ---------------------------------------------------------------------

    def typed(self) -> dict[str, str]:
        """What the form holds now, field by field (stripped)."""
        values: dict[str, str] = {}
        for name in FIELD_NAMES:
            widget = self.query_one(f"#edit-{name}")
            value = widget.value if isinstance(widget, (Input, Select)) else ""
            values[name] = str(value).strip() if isinstance(value, str) else ""
        return values

    def changes(self) -> dict[str, str]:
        """Only the fields that differ from the number's current settings ("" = unset)."""
        out = {}
        for name, value in self.typed().items():
            current = getattr(self.number, name) or ""
            if name == "voice_callback_type":
                current = current.lower()
            if value != current:
                out[name] = value
        return out

    # -- feedback -----------------------------------------------------------------------------

    def show_error(self, field: str, message: str) -> None:
        """The message under ``field`` (or in the status line for a field the form does not show)."""
        for name in FIELD_NAMES:
            error = self.query_one(f"#edit-{name}-error", Static)
            error.update(message if name == field else "")
            error.display = name == field
        status = self.query_one("#edit-status", Static)
        if not field and not message:
            status.update(STATUS_HINT)
            status.set_class(False, "field-error")
            return
        if field in FIELD_NAMES:
            status.update("Not saved: fix the marked field.")
            self.set_focus(self.query_one(f"#edit-{field}"))
        else:
            status.update(message)
        status.set_class(True, "field-error")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.query_one("#edit-save", Button).disabled = busy
        if busy:
            status = self.query_one("#edit-status", Static)
            status.set_class(False, "field-error")
            status.update("Saving…")

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("close", "save") and self._busy:
            return False  # an update in flight must finish (or fail) before the form goes away
        return True

    def action_close(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the changes typed")

    def action_save(self) -> None:
        if self._busy:
            return
        changes = self.changes()
        if not changes:
            self.notify("Nothing changed.")
            self.dismiss(None)
            return
        try:
            build_update(self.number, changes)
        except InputError as exc:
            self.show_error(exc.field, exc.message)
            return
        self.show_error("", "")
        self._set_busy(True)
        self._send(changes)

    @work(group="action", exclusive=True, exit_on_error=False)
    async def _send(self, changes: dict[str, str]) -> Outcome:
        """Send through the screen's save (read-modify-write); the outcome is shown by the handler below."""
        return await self._save(self.number, changes)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every outcome is shown in the form (typed values kept); only success closes it."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self._set_busy(False)
        outcome, error = event.worker.result, event.worker.error
        if isinstance(error, InputError):
            self.show_error(error.field, error.message)
        elif error is not None:
            self.show_error("", describe_error(error))
        elif event.state == WorkerState.CANCELLED:
            self.show_error("", "Cancelled: unknown whether the change was made; open the number again to see.")
        elif outcome.ok:
            self.dismiss(outcome.result)
        elif isinstance(outcome.result, UpdateConflict):
            self.show_error("", "Not saved: someone else changed this number since it was read.\n"
                            + conflict_text(outcome.result) + "\nClose (esc) and open it again to start from theirs.")
        else:
            self.show_error("", outcome.message)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#edit-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#edit-cancel")
    def _cancel_pressed(self) -> None:
        if not self._busy:
            self.dismiss(None)
