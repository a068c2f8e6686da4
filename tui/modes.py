"""The five screens the app switches between (Textual modes), and where each one's class lives.

Screens are imported when first shown, so start-up imports only one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from textual.app import App

#: mode -> (module, class). Screens are imported when first shown, so start-up imports only one.
SCREEN_PATHS: dict[str, tuple[str, str]] = {
    "numbers": ("tui.screens.numbers", "NumbersScreen"),
    "search": ("tui.screens.search", "SearchScreen"),
    "account": ("tui.screens.account", "AccountScreen"),
    "secrets": ("tui.screens.secrets", "SecretsScreen"),
    "pools": ("tui.screens.pools", "PoolsScreen"),
}
#: Screens outside the five modes, opened with `:name` or the palette.
EXTRA_SCREENS: dict[str, str] = {"activity": "Activity", "profiles": "Profiles", "login": "Log in"}


#: The App's global keys' actions (1-5, :, ?, q): priority keys that give way to a field and to a dialog.
GLOBAL_KEYS = frozenset({"goto", "jump", "keys", "quit"})


def screen_class(mode: str) -> type[Screen[None]]:
    module, name = SCREEN_PATHS[mode]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def screen_classes() -> dict[str, type[Screen[None]]]:
    """Every main screen class (imports them all: for the palette, the keymap check and tests)."""
    return {mode: screen_class(mode) for mode in SCREEN_PATHS}


async def confirm_quit(app: App[Any]) -> None:
    """``q``: quit at once, unless a change is in flight or a screen holds typing not yet saved — then ask,
    with No focused.

    Screens say what they hold with ``unsaved_edits()`` (a few words, "" when nothing); screens of every
    mode count, since a mode keeps its screen (and what was typed in it) while another is shown.
    """
    from tui.widgets.confirm import ConfirmDialog

    running = [w.description or "a change" for w in app.workers if w.group == "action" and not w.is_finished]
    held = [f"a change still waiting for its answer ({', '.join(running)}): quitting now leaves its outcome "
            "unknown until the next start"] if running else []
    held += [text for stack in app._screen_stacks.values() for screen in stack
             if (text := getattr(screen, "unsaved_edits", lambda: "")())]
    if not held:
        app.exit()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            app.exit()

    body = "Not finished: " + "; ".join(held) + ". Quit anyway?"
    await app.push_screen(ConfirmDialog("Quit vonage-tui?", body, yes_label="Quit", arm_delay=0), answered)


__all__ = ["EXTRA_SCREENS", "GLOBAL_KEYS", "SCREEN_PATHS", "confirm_quit", "screen_class", "screen_classes"]
