"""The one confirmation dialog for anything that costs money or removes something.

Confirming is a visible, deliberate choice: "No" is focused when it opens, so a stray Enter never
buys, cancels, revokes or tops up; no letter confirms (``y`` copies elsewhere, and a key typed a
moment too early must not spend money); the keys are printed on the buttons and in the dialog's own
key bar. The "yes" button only arms after a short pause, so keys typed before the dialog appeared
(a fast Tab, Enter) land on nothing. Title and body are shown literally: they name numbers, pool
ids and prices that came from the server.

A change that can be made for another account (buy or cancel for a subaccount) gets an optional
"for account" choice inside the same dialog: it starts on the first account given (the primary),
sits before the buttons (reached with shift+tab, so Tab from "No" still goes to "yes"), and changing
it rewrites the title, body and yes button through ``describe`` so the text always names who pays
and who owns. The chosen account is ``ConfirmDialog.account`` when the dialog answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.content import Content
from textual.widgets import Button, Select, Static

from tui.widgets.key_bar import KeyBar

#: Seconds before the "yes" button can be used: longer than a typed-ahead burst, shorter than reading.
ARM_DELAY = 0.4

#: An account value (one of the ``accounts`` given) -> (title, body, yes label) for that account.
Describe = Callable[[str], tuple[str, str, str]]


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question that names the item and the price; dismisses with True for yes."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", id="confirm.no"),
        Binding("right", "app.focus_next", "Next button", id="confirm.next"),
        Binding("left", "app.focus_previous", "Previous button", show=False, id="confirm.previous"),
    ]

    def __init__(self, title: str, body: str, *, yes_label: str = "Yes", danger: bool = True,
                 arm_delay: float | None = None, accounts: Sequence[tuple[str, str]] = (),
                 describe: Describe | None = None) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_label = yes_label
        self._danger = danger
        self._arm_delay = ARM_DELAY if arm_delay is None else arm_delay
        #: (value, text) of each account the change may be made for; a choice only with two or more.
        self._accounts = list(accounts)
        self._describe = describe
        #: The account chosen (the first one given until the user picks another).
        self.account: str = self._accounts[0][0] if self._accounts else ""

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self._title, id="confirm-title", classes="dialog-title", markup=False)
            yield Static(self._body, id="confirm-body", markup=False)
            if len(self._accounts) > 1:
                with Horizontal(id="confirm-account-row"):
                    yield Static("For account · shift+tab", id="confirm-account-label")
                    yield Select([(Content(text), value) for value, text in self._accounts], value=self.account,
                                 allow_blank=False, type_to_search=False, compact=True, id="confirm-account")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No · esc", id="confirm-no")
                yes = Button(Content(f"{self._yes_label} · tab, enter"), id="confirm-yes",
                             variant="error" if self._danger else "primary", disabled=self._arm_delay > 0)
                yield yes
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#confirm-no", Button))
        if self._arm_delay > 0:
            self.set_timer(self._arm_delay, self._arm)

    def _arm(self) -> None:
        self.query_one("#confirm-yes", Button).disabled = False

    @on(Select.Changed, "#confirm-account")
    def _account_changed(self, event: Select.Changed) -> None:
        """Another account: the words change with it, so the dialog never names the wrong payer or owner."""
        event.stop()
        self.account = str(event.value)
        if self._describe is None:
            return
        self._title, self._body, self._yes_label = self._describe(self.account)
        self.query_one("#confirm-title", Static).update(self._title)
        self.query_one("#confirm-body", Static).update(self._body)
        self.query_one("#confirm-yes", Button).label = Content(f"{self._yes_label} · tab, enter")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)
