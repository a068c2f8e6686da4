"""Esc in a form: first it leaves the field, then it closes — and asks before throwing typing away.

Why: in a terminal Esc is the reflex for "stop editing this field" (vi, readline, most TUIs), so a form
that closes on the first Esc loses a half-typed webhook URL to a reflex. One behaviour for every dialog
with fields (edit a number, filter, export, bulk edit, new secret, pool forms, log in):

1. Esc in a field: the field loses focus (nothing else happens; Tab or a letter key goes on from there).
2. Esc again: the dialog closes at once if nothing was changed since it opened; otherwise a
   confirmation names what would be lost, with "No" focused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from tui.widgets.fields import takes_text, text_of

_FIELDS = "Input, TextArea, Checkbox, Select"


class FormEscape:
    """Mixin for a ``ModalScreen`` with fields: call ``leave_or_discard(close)`` from its Esc action."""

    _form_initial: dict[str, object] | None = None

    def on_mount(self) -> None:
        """Runs after the dialog's own ``on_mount`` (Textual calls each class's handler, the subclass's
        first), so values the dialog fills in when it opens are not counted as edits."""
        self._form_initial = self._form_values()

    def _form_values(self) -> dict[str, object]:
        screen: Screen[Any] = self  # type: ignore[assignment]
        return {f"{type(w).__name__}#{w.id or i}": text_of(w) for i, w in enumerate(screen.query(_FIELDS).results())}

    def changed_fields(self) -> list[str]:
        """Ids of the fields whose value differs from when the dialog opened."""
        initial = self._form_initial or {}
        return [key.split("#", 1)[1] for key, value in self._form_values().items() if initial.get(key) != value]

    def leave_or_discard(self, close: Callable[[], object], *, what: str = "what you typed") -> None:
        """The Esc of a form (see the module's docstring)."""
        screen: Screen[Any] = self  # type: ignore[assignment]
        if takes_text(screen.focused):
            screen.set_focus(None)
            return
        if not self.changed_fields():
            close()
            return
        from tui.widgets.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                close()

        screen.app.push_screen(
            ConfirmDialog("Discard your changes?", f"Close this form and lose {what}?", yes_label="Discard",
                          arm_delay=0),
            answered,
        )


__all__ = ["FormEscape"]
