"""`:` + name jumps to a screen, k9s-style (`:numbers`, `:search`, `:pools`, `:login`…)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

SCREEN_NAMES: tuple[str, ...] = (
    "numbers",
    "search",
    "account",
    "secrets",
    "pools",
    "activity",
    "login",
    "profiles",
    "quit",
)


def resolve(text: str) -> str | None:
    """The screen a typed name means: exact, else the only name it starts."""
    name = text.strip().lstrip(":").lower()
    if name in SCREEN_NAMES:
        return name
    matches = [s for s in SCREEN_NAMES if s.startswith(name)] if name else []
    return matches[0] if len(matches) == 1 else None


class JumpPrompt(ModalScreen[str | None]):
    """A one-line prompt at the bottom; dismisses with the resolved screen name."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="jump.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box"):
            yield Input(
                placeholder="numbers · search · account · secrets · pools · activity · login · profiles",
                suggester=SuggestFromList(SCREEN_NAMES, case_sensitive=False),
                id="jump-input",
            )
            yield Literal("", id="jump-error", classes="field-error")
        yield KeyBar()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        target = resolve(event.value)
        if target is None:
            self.query_one("#jump-error", Static).update(f"No screen called “{event.value.strip()}”.")
            return
        self.dismiss(target)


def go(app: Any, target: str | None) -> None:
    """Where ``:`` took the user: a screen, an extra screen, or quit (which asks if anything is held)."""
    from tui.modes import SCREEN_PATHS

    if target in SCREEN_PATHS:
        app.run_worker(app.action_goto(target), exit_on_error=False)
    elif target == "quit":
        app.run_worker(app.action_quit(), exit_on_error=False)
    elif target is not None:
        app.open_extra(target)
