"""The two small forms of the subaccounts UI: a subaccount's key and label, and a subaccount's number.

Each checks what was typed before anything is saved or sent, and names the problem under the field
(in our words: an error never repeats what was typed, which could be a pasted secret). Keyboard only:
enter or ctrl+s submits, esc closes, tab moves between the two fields.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal


def guess_country(number: str) -> str:
    """The country of an E.164 number when its calling code belongs to exactly one ("31..." -> NL), else ""."""
    from tui.countries import COUNTRIES

    digits = "".join(ch for ch in number if ch.isdigit())
    for size in (1, 2, 3):
        owners = [c.code for c in COUNTRIES if c.dial == digits[:size]]
        if owners:
            return owners[0] if len(owners) == 1 else ""
    return ""


class _Form(FormEscape, ModalScreen["tuple[str, str] | None"]):
    """Two fields, an error line under each, Cancel and Save buttons; ``check`` turns values into a result."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="subaccount_form.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "submit", "Save", id="subaccount_form.submit", tooltip="Check and save (enter does too)"),
    ]
    TITLE_TEXT = ""
    NOTE = ""
    FIELDS: tuple[tuple[str, str, str], ...] = ()  # (id, label, placeholder)
    SUBMIT = "Save"

    def __init__(self, values: tuple[str, str] = ("", ""), *, title: str = "", fixed_first: bool = False) -> None:
        super().__init__()
        self._values = values
        self._title = title or self.TITLE_TEXT
        self._fixed_first = fixed_first

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog subaccount-form"):
            yield Literal(self._title, classes="dialog-title")
            if self.NOTE:
                yield Literal(self.NOTE, classes="dim")
            for (name, label, placeholder), value in zip(self.FIELDS, self._values, strict=True):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(value, placeholder=placeholder, compact=True, id=f"sub-{name}")
                yield Literal("", classes="field-error", id=f"sub-{name}-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel · esc", id="sub-cancel", compact=True)
                yield Button(f"{self.SUBMIT} · enter", id="sub-submit", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        first, second = (self.query_one(f"#sub-{name}", Input) for name, _, _ in self.FIELDS)
        first.disabled = self._fixed_first
        self.set_focus((second if self._fixed_first or first.value else first))
        self._show_error("", "")

    def _show_error(self, field: str, text: str) -> None:
        for name, _, _ in self.FIELDS:
            error = self.query_one(f"#sub-{name}-error", Literal)
            error.update(text if name == field else "")
            error.display = name == field

    def value(self, name: str) -> str:
        return self.query_one(f"#sub-{name}", Input).value

    def check(self) -> tuple[str, str]:
        """The result, or ``FieldError`` naming the field and what is wrong."""
        raise NotImplementedError

    @on(Input.Submitted)
    @on(Button.Pressed, "#sub-submit")
    def action_submit(self) -> None:
        try:
            result = self.check()
        except FieldError as exc:
            self._show_error(exc.field, exc.text)
            self.set_focus(self.query_one(f"#sub-{exc.field}", Input))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#sub-cancel")
    def action_cancel(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(None))


class FieldError(Exception):
    """What is wrong with one field of a form (our sentence, never the value)."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field
        self.text = text


class SubaccountForm(_Form):
    """Add a subaccount (its API key and a label), or relabel one (the key is then fixed)."""

    TITLE_TEXT = "Add a subaccount"
    NOTE = "Its API key and a name you know it by. Its secret is never needed: the primary acts for it."
    FIELDS = (("key", "API key", "e.g. sub12345"), ("label", "Label", "e.g. Support team"))

    def __init__(self, values: tuple[str, str] = ("", ""), *, primary_key: str = "", title: str = "",
                 fixed_first: bool = False) -> None:
        super().__init__(values, title=title, fixed_first=fixed_first)
        self._primary_key = primary_key

    def check(self) -> tuple[str, str]:
        from tui.config import ProfileError, validate_subaccount

        key, label = self.value("key"), self.value("label")
        for field, pair in (("key", (key, "label")), ("label", (key, label))):  # the key alone first
            try:
                checked = validate_subaccount(*pair)
            except ProfileError as exc:
                raise FieldError(field, str(exc)) from None
        if checked[0] == self._primary_key:
            raise FieldError("key", "That is this login's own API key, not a subaccount's.")
        return checked


class SubaccountNumberForm(_Form):
    """The number of a subaccount to cancel (the Numbers list shows the primary's numbers only)."""

    TITLE_TEXT = "Cancel a subaccount's number"
    NOTE = ("The list shows the primary's numbers; a subaccount's are not listed (that needs its own secret). "
            "Type the number; the next dialog asks for which account.")
    FIELDS = (("number", "Number", "e.g. 31677001234"), ("country", "Country", "e.g. NL"))
    SUBMIT = "Next"

    def __init__(self, number: str = "") -> None:
        digits = "".join(ch for ch in number if ch.isdigit())
        super().__init__((digits, guess_country(digits) if len(digits) >= 7 else ""))

    def on_mount(self) -> None:
        super().on_mount()
        if self.value("number") and not self.value("country"):
            self.set_focus(self.query_one("#sub-country", Input))
    def check(self) -> tuple[str, str]:
        from tui.api import validators
        from tui.api.errors import InputError
        from tui.countries import resolve

        try:
            number = validators.msisdn(self.value("number"))
        except InputError as exc:
            raise FieldError("number", exc.message) from None
        try:
            country = resolve(self.value("country"))
        except InputError as exc:
            raise FieldError("country", exc.message) from None
        return number, country


__all__ = ["FieldError", "SubaccountForm", "SubaccountNumberForm", "guess_country"]
