"""ctrl+p: every action of every screen, reachable from anywhere, each with the key that runs it.

Why the key in each entry: the palette is where people discover keys; showing the live key (a
keymap may have changed it) teaches the shortcut while it runs the action. In read-only mode the
actions that change the account are not offered at all.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Mapping

from textual.app import SystemCommand
from textual.binding import Binding
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


def key_for(binding: Binding, keymap: Mapping[str, str], display: Callable[[Binding], str]) -> str:
    """The key a binding has now: the keymap's, else its own (the first of "c,d")."""
    key = keymap.get(binding.id or "", binding.key)
    return display(binding.with_key(key.split(",")[0]))


def commands(
    *,
    keymap: Mapping[str, str],
    read_only: bool,
    display: Callable[[Binding], str],
    goto: Callable[[str], Awaitable[None]],
    run: Callable[[str, str], Awaitable[None]],
    open_extra: Callable[[str], None],
) -> Iterable[SystemCommand]:
    """The palette entries: "Go to" each screen, then each screen's described actions."""
    for number, mode in enumerate(SCREEN_PATHS, start=1):
        cls = screen_class(mode)
        title = getattr(cls, "SCREEN_TITLE", mode.title())
        yield SystemCommand(f"Go to {title}  ·  {number}", f"Open the {title} screen", _bind(goto, mode))
    for name, title in EXTRA_SCREENS.items():
        yield SystemCommand(f"Go to {title}  ·  :{name}", f"Open {title}", _bind_sync(open_extra, name))
    for mode in SCREEN_PATHS:
        cls = screen_class(mode)
        title = getattr(cls, "SCREEN_TITLE", mode.title())
        writes = getattr(cls, "WRITE_ACTIONS", frozenset())
        for binding in cls.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if read_only and binding.action in writes:
                continue
            key = key_for(binding, keymap, display)
            yield SystemCommand(
                f"{title}: {binding.description}  ·  {key}",
                binding.tooltip or binding.description,
                _bind_run(run, mode, binding.action),
            )


def _bind(goto: Callable[[str], Awaitable[None]], mode: str) -> Callable[[], Awaitable[None]]:
    async def go() -> None:
        await goto(mode)

    return go


def _bind_sync(open_extra: Callable[[str], None], name: str) -> Callable[[], None]:
    return lambda: open_extra(name)


def _bind_run(run: Callable[[str, str], Awaitable[None]], mode: str, action: str) -> Callable[[], Awaitable[None]]:
    async def go() -> None:
        await run(mode, action)

    return go


__all__ = ["EXTRA_SCREENS", "SCREEN_PATHS", "commands", "key_for", "screen_class", "screen_classes"]
