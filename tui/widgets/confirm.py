"""The one confirmation dialog for anything that costs money or removes something.

"No" is focused on open, so a stray Enter never buys, cancels, revokes or tops up.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question that names the item and the price; dismisses with True for yes."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", id="confirm.no"),
        Binding("n", "answer(False)", "No", show=False, id="confirm.no_key"),
        Binding("y", "answer(True)", "Yes", show=False, id="confirm.yes_key"),
        Binding("left,right,tab", "app.focus_next", "Switch", show=False, id="confirm.switch"),
    ]

    def __init__(self, title: str, body: str, *, yes_label: str = "Yes", danger: bool = True) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_label = yes_label
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self._title, id="confirm-title", classes="dialog-title")
            yield Static(self._body, id="confirm-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", id="confirm-no")
                yield Button(
                    self._yes_label, id="confirm-yes", variant="error" if self._danger else "primary"
                )

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
