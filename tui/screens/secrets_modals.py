"""The Secrets screen's modals: choosing a new secret (masked, rules checked live) and showing it once.

A secret's value lives only in a ``SecretStr`` handed from one modal to the screen's worker and on to
the "shown once" modal; it is never logged, put in a notification, or kept after that modal closes.
"""

from __future__ import annotations

from pydantic import SecretStr
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.api import validators
from tui.crash import hold
from tui.rotation import generate_secret
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal
from tui.widgets.secret_input import SecretInput

#: (what the user reads, the ``secret_rules`` sentences that break it)
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("8–25 characters", ("at least 8 characters", "at most 25 characters")),
    ("a lower-case letter", ("at least one lower-case letter",)),
    ("an upper-case letter", ("at least one upper-case letter",)),
    ("a digit", ("at least one digit",)),
    ("no spaces at the ends", ("no control characters or leading/trailing spaces",)),
)


def rule_marks(value: str) -> list[tuple[str, bool]]:
    """Each rule and whether ``value`` meets it (nothing typed meets nothing)."""
    broken = set(validators.secret_rules(value))
    return [(label, bool(value) and not broken.intersection(sentences)) for label, sentences in RULES]


def rules_checklist(value: str) -> str:
    """The rules, ticked or crossed, on two lines (plain ✓/✗ characters, so NO_COLOR still reads)."""
    cells = [f"[$success]✓[/] {label}" if ok else f"[$error]✗[/] {label}" for label, ok in rule_marks(value)]
    return "   ".join(cells[:3]) + "\n" + "   ".join(cells[3:]) + f"   [dim]({len(value)} typed)[/dim]"


class NewSecretDialog(FormEscape, ModalScreen[SecretStr | None]):
    """Type (masked) or generate a new secret; dismisses with it only when every rule holds."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="secrets.new_cancel", tooltip="Close without creating"),
        Binding("ctrl+g", "generate", "Generate", id="secrets.new_generate",
                tooltip="Fill in a strong random secret"),
        Binding("ctrl+r", "reveal", "Show/hide", id="secrets.new_reveal",
                tooltip="Show what you typed, or hide it again (hidden by default)"),
        Binding("ctrl+s", "create", "Create", id="secrets.new_create",
                tooltip="Create the secret (as Enter does): ctrl+s sends the form you are in"),
    ]  # fmt: skip

    def __init__(self, account: str, *, generated: bool = False) -> None:
        super().__init__()
        self._account = account
        self._generated = generated

    def compose(self) -> ComposeResult:
        with Vertical(id="new-secret-box", classes="dialog"):
            yield Literal(f"New secret for account {self._account}", classes="dialog-title")
            yield Static(
                "Type it (hidden; ctrl+r shows it) or press ctrl+g for a strong random one; "
                "it is shown once, after creation.",
                classes="dim",
            )
            yield SecretInput(placeholder="new secret", id="new-secret-input")
            yield Static("", id="new-secret-error", classes="field-error")
            yield Static(rules_checklist(""), id="new-secret-rules")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Generate (ctrl+g)", id="new-secret-generate")
                yield Button("Cancel", id="new-secret-cancel")
                yield Button("Create", id="new-secret-create", variant="primary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#new-secret-error", Static).display = False
        field = self.query_one("#new-secret-input", Input)
        if self._generated:
            field.value = generate_secret()
        self.set_focus(field)
    @on(Input.Changed, "#new-secret-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#new-secret-rules", Static).update(rules_checklist(event.value))
        self._error("")

    def _error(self, text: str) -> None:
        widget = self.query_one("#new-secret-error", Static)
        widget.update(text)
        widget.display = bool(text)

    def action_generate(self) -> None:
        field = self.query_one("#new-secret-input", Input)
        field.value = generate_secret()
        self.set_focus(field)
    def action_reveal(self) -> None:
        field = self.query_one("#new-secret-input", Input)
        field.password = not field.password

    @on(Button.Pressed, "#new-secret-generate")
    def _generate_pressed(self) -> None:
        self.action_generate()

    def action_cancel(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None), what="the secret typed")

    @on(Button.Pressed, "#new-secret-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#new-secret-input")
    @on(Button.Pressed, "#new-secret-create")
    def action_create(self) -> None:
        field = self.query_one("#new-secret-input", Input)
        broken = validators.secret_rules(field.value)
        if broken:
            self._error("Not sent: the secret needs " + ", ".join(broken) + ".")
            self.set_focus(field)
            return
        secret = SecretStr(field.value)
        hold(secret)
        field.value = ""
        self.dismiss(secret)


class SecretShownDialog(ModalScreen[None]):
    """The new secret, shown this once; ``c`` copies it (the only way it reaches the clipboard)."""

    BINDINGS = [
        Binding("y", "copy", "Copy secret", id="secrets.copy_new", tooltip="Copy the new secret to the clipboard"),
        Binding("v", "reveal", "Show secret", id="secrets.reveal_new", tooltip="Show the new secret on screen"),
        Binding("escape", "close", "Done", id="secrets.close_new", tooltip="Close; the secret is not shown again"),
    ]  # fmt: skip

    def __init__(self, secret: SecretStr, secret_id: str | None, account: str, *,
                 title: str = "New secret created", intro: str = "", masked: bool = True) -> None:
        super().__init__()
        self._secret: SecretStr | None = secret
        self._secret_id = secret_id
        self._account = account
        self._title = title
        self._intro = intro
        self._masked = masked

    def compose(self) -> ComposeResult:
        with Vertical(id="new-secret-box", classes="dialog"):
            yield Literal(self._title, classes="dialog-title")
            yield Literal(
                (self._intro + "\n\n" if self._intro else "")
                + f"Secret id {self._secret_id or '(unknown)'} of account {self._account}. "
                "This is the only time the value is shown: copy it now if something else needs it.",
                id="new-secret-note",
            )
            yield Literal(self._display(), id="new-secret-value")
            yield Static("y copy · v show · esc/enter done", classes="dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy · y", id="new-secret-copy")
                yield Button("Done", id="new-secret-done", variant="primary")
        yield KeyBar()

    def _display(self) -> str:
        if self._secret is None:
            return "(closed)"
        if self._masked:
            return "•" * 12 + "   (press v to show it once)"
        return self._secret.get_secret_value()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#new-secret-done", Button))
    def action_copy(self) -> None:
        if self._secret is None:
            return
        self.app.copy_to_clipboard(self._secret.get_secret_value())
        self.notify("Copied the new secret to the clipboard (under tmux: set -g set-clipboard on).",
                    title="Copied")

    @on(Button.Pressed, "#new-secret-copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    def action_reveal(self) -> None:
        if self._masked and self._secret is not None:
            self._masked = False
            self.query_one("#new-secret-value", Static).update(self._display())

    def action_close(self) -> None:
        self._secret = None
        self.query_one("#new-secret-value", Static).update("")
        self.dismiss(None)

    @on(Button.Pressed, "#new-secret-done")
    def _done_pressed(self) -> None:
        self.action_close()
