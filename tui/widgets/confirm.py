"""The one confirmation dialog for anything that costs money or removes something.

Confirming is a visible, deliberate choice: "No" is focused when it opens, so a stray Enter never
buys, cancels, revokes or tops up; no letter confirms (``y`` copies elsewhere, and a key typed a
moment too early must not spend money); the keys are printed on the buttons and in the dialog's own
key bar. The "yes" button only arms after a short pause, so keys typed before the dialog appeared
(a fast Tab, Enter) land on nothing. Title and body are shown literally: they name numbers, pool
ids and prices that came from the server.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.key_bar import KeyBar

#: Seconds before the "yes" button can be used: longer than a typed-ahead burst, shorter than reading.
ARM_DELAY = 0.4


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question that names the item and the price; dismisses with True for yes."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", id="confirm.no"),
        Binding("right", "app.focus_next", "Next button", id="confirm.next"),
        Binding("left", "app.focus_previous", "Previous button", show=False, id="confirm.previous"),
    ]

    def __init__(self, title: str, body: str, *, yes_label: str = "Yes", danger: bool = True,
                 arm_delay: float | None = None) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_label = yes_label
        self._danger = danger
        self._arm_delay = ARM_DELAY if arm_delay is None else arm_delay

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self._title, id="confirm-title", classes="dialog-title", markup=False)
            yield Static(self._body, id="confirm-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("No · esc", id="confirm-no")
                yes = Button(f"{self._yes_label} · tab, enter", id="confirm-yes",
                             variant="error" if self._danger else "primary", disabled=self._arm_delay > 0)
                yield yes
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#confirm-no", Button))
        if self._arm_delay > 0:
            self.set_timer(self._arm_delay, self._arm)

    def _arm(self) -> None:
        self.query_one("#confirm-yes", Button).disabled = False

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
