"""The five screens the app switches between (Textual modes), and where each one's class lives.

Screens are imported when first shown, so start-up imports only one.
"""

from __future__ import annotations

import importlib

from textual.screen import Screen

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


def screen_class(mode: str) -> type[Screen[None]]:
    module, name = SCREEN_PATHS[mode]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def screen_classes() -> dict[str, type[Screen[None]]]:
    """Every main screen class (imports them all: for the palette, the keymap check and tests)."""
    return {mode: screen_class(mode) for mode in SCREEN_PATHS}


__all__ = ["EXTRA_SCREENS", "SCREEN_PATHS", "screen_class", "screen_classes"]
