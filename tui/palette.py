"""ctrl+p: every action of every screen, reachable from anywhere, each with the key that runs it.

Why the key in each entry: the palette is where people discover keys; showing the live key (a
keymap may have changed it) teaches the shortcut while it runs the action. In read-only mode the
actions that change the account are not offered at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.modes import EXTRA_SCREENS, SCREEN_PATHS, screen_class

def extra_screen(name: str) -> Screen[None]:
    """A new screen of those outside the five modes (``profiles``, ``activity``)."""
    if name == "profiles":
        from tui.screens.profiles import ProfilesScreen

        return ProfilesScreen()
    from tui.screens.activity import ActivityScreen

    return ActivityScreen()


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


__all__ = ["commands", "extra_screen", "key_for"]
