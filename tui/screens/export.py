"""The export dialog: which file the Numbers screen writes the rows it shows to.

The name is prefilled (./vonage-numbers-YYYYmmdd-HHMM.csv); its ending chooses CSV or JSON. The
folder must exist and the name must not be a folder or a link: those are said under the field, and
what was typed stays. An existing file is not refused here: the screen asks before replacing it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.export import ExportRefused, ExportTarget, resolve_target  # noqa: F401 - ExportTarget: the dismiss type
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

HINT = ("The ending chooses the format: .csv (the columns of `vonage-tui numbers -o csv`) or .json. "
        "The file is private (0600): it lists the numbers and their webhooks.")


class ExportDialog(FormEscape, ModalScreen["ExportTarget | None"]):
    """Dismisses with a checked target (``exists``: the caller confirms replacing it), or None."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="export.cancel", tooltip="Close without writing"),
        Binding("ctrl+s", "export", "Export", id="export.write", tooltip="Write the file"),
    ]

    def __init__(self, count: int, view: str, path: str) -> None:
        super().__init__()
        self._count = count
        self._view = view
        self._path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog"):
            yield Static(f"Export {self._count:,} number{'' if self._count == 1 else 's'}", classes="dialog-title")
            yield Literal(self._view, id="export-view")
            with Horizontal(classes="form-row"):
                yield Label("File", classes="form-label")
                yield Input(self._path, compact=True, id="export-path")
            yield Literal("", classes="field-error", id="export-path-error")
            yield Static(HINT, id="export-hint", classes="dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel · esc", id="export-cancel", compact=True)
                yield Button("Export · enter", id="export-write", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#export-path-error", Static).display = False
        field = self.query_one("#export-path", Input)
        self.set_focus(field)
        field.action_end()

    def show_error(self, message: str) -> None:
        error = self.query_one("#export-path-error", Static)
        error.update(message)
        error.display = bool(message)

    def action_close(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the file name typed")

    def action_export(self) -> None:
        try:
            target = resolve_target(self.query_one("#export-path", Input).value)
        except ExportRefused as exc:
            self.show_error(str(exc))
            self.set_focus(self.query_one("#export-path", Input))
            return
        self.dismiss(target)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-write")
    def _write_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


__all__ = ["ExportDialog"]
