"""`?`: the keys of the screen you are on, taken from its live bindings (so a keymap shows)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def describe_bindings(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) for every enabled binding active on ``screen``, app-wide ones included."""
    rows: dict[str, tuple[str, str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        label = screen.app.get_key_display(binding)
        rows.setdefault(binding.action + binding.description, (label, binding.description))
    return sorted(rows.values(), key=lambda r: r[1].lower())


class HelpScreen(ModalScreen[None]):
    """A list of keys; any of esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(f"Keys — {self._title}", classes="dialog-title")
            width = max((len(k) for k, _ in self._rows), default=4) + 2
            lines = [f"[b]{k.ljust(width)}[/b]{d}" for k, d in self._rows]
            yield Static("\n".join(lines), id="help-keys")
            yield Static("esc closes · ctrl+p searches every action", classes="dim")
