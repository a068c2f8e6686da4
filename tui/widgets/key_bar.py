"""The footer every screen and dialog shows: its main keys, most important first, cut to fit.

Why not Textual's Footer: at 80 columns it cuts keys off at the right without choosing, it shows the
keys of the screen *under* a dialog, and it has no room for a status such as "3 marked". This bar
reads the live bindings (so a keymap shows), orders them screen first, then the focused widget's,
then the app's, drops what does not fit, and keeps a short status at the right.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

SEPARATOR = "  "


def visible_bindings(node: Static) -> list[tuple[str, Binding]]:
    """(key shown, binding) of the enabled, shown bindings of ``node``'s screen: screen, widgets, app."""
    screen = node.screen
    app = node.app
    ranked: list[tuple[int, int, str, Binding]] = []
    seen: set[str] = set()
    for order, active in enumerate(screen.active_bindings.values()):
        binding = active.binding
        if not binding.show or not active.enabled or binding.system or binding.action in seen:
            continue
        seen.add(binding.action)
        rank = 0 if active.node is screen else (2 if active.node is app else 1)
        ranked.append((rank, order, app.get_key_display(binding), binding))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [(key, binding) for _, _, key, binding in ranked]


class KeyBar(Static):
    """One line at the bottom: ``key description`` pairs that fit, and ``status`` on the right."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    KeyBar > .key-bar--key { text-style: bold; color: $accent; }
    KeyBar > .key-bar--status { text-style: bold; color: $warning; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--status"}

    status: reactive[str] = reactive("")

    def __init__(self) -> None:
        super().__init__("", id="key-bar", markup=False)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.call_after_refresh(self._render_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._render_keys()

    def watch_status(self) -> None:
        self._render_keys()

    def _changed(self, _screen: object) -> None:
        self._render_keys()

    def _render_keys(self) -> None:
        if not self.is_mounted:
            return
        width = max(0, self.content_region.width or self.size.width)
        status = self.status
        room = width - (cell_len(status) + len(SEPARATOR) if status else 0)
        key_style = self.get_visual_style("key-bar--key")
        parts: list[Content | str | tuple[str, object]] = []
        used = 0
        shown = visible_bindings(self)
        # "? Keys" always fits: it is how everything the bar cannot show is found.
        help_keys = [(k, b) for k, b in shown if b.action == "keys"]
        if help_keys:
            key, binding = help_keys[0]
            room -= cell_len(key) + 1 + cell_len(binding.description) + len(SEPARATOR)
            shown = [(k, b) for k, b in shown if b.action != "keys"]
        for key, binding in shown:
            piece = cell_len(key) + 1 + cell_len(binding.description)
            gap = len(SEPARATOR) if parts else 0
            if used + gap + piece > room:
                continue  # a shorter, later key may still fit
            if parts:
                parts.append(SEPARATOR)
            parts.extend([(key, key_style), " ", binding.description])
            used += gap + piece
        for key, binding in help_keys[:1]:
            if parts:
                parts.append(SEPARATOR)
                used += len(SEPARATOR)
            parts.extend([(key, key_style), " ", binding.description])
            used += cell_len(key) + 1 + cell_len(binding.description)
        if status:
            parts.append(" " * max(1, width - used - cell_len(status)))
            parts.append((status, self.get_visual_style("key-bar--status")))
        self.update(Content.assemble(*parts))  # type: ignore[arg-type]


__all__ = ["KeyBar", "visible_bindings"]
