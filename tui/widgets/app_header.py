"""The header every screen shows: where you are, whose account, the balance, the network.

It reads app-level vars (``profile_label``, ``balance_text``, ``activity_text``, ``badges``) so a
purchase on one screen updates the balance shown on all of them without any screen knowing.

One widget drawing one line, its parts coloured by component classes (as Textual's own Footer and
Toast do), rather than a row of five Statics: every screen builds one before its first frame, and
each widget costs about a millisecond to mount, style and lay out. A part changing (the activity,
hundreds of times a second while a list loads) repaints this line only, never lays out the screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

from tui.widgets.literal import printable

_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "})

#: The parts after the title, in the order shown: (app var, component class).
PARTS: tuple[tuple[str, str], ...] = (
    ("profile_label", "app-header--profile"),
    ("balance_text", "app-header--balance"),
    ("badges", "app-header--badges"),
)


class AppHeader(Widget):
    """One line: title · screen · profile · balance · sandbox badge, and requests in flight on the right."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "app-header--title", "app-header--profile", "app-header--balance", "app-header--badges",
        "app-header--activity",
    }

    def __init__(self, screen_title: str) -> None:
        super().__init__(id="app-header")
        self._screen_title = screen_title

    def on_mount(self) -> None:
        for name in ("profile_label", "balance_text", "activity_text", "badges"):
            self.watch(self.app, name, self._changed, init=False)

    def _changed(self) -> None:
        self.refresh()

    def part(self, name: str) -> str:
        """The text shown for one app var (``balance_text``, ``activity_text`` …), as shown: on one line."""
        return printable(str(getattr(self.app, name, "") or "")).translate(_ONE_LINE)

    def render(self) -> Content:
        title = Content.assemble("vonage-tui ", (self._screen_title, "bold"))
        pieces: list[Content | str | tuple[str, Style]] = [" ", title.stylize(self.get_visual_style("app-header--title")), " "]
        for name, component in PARTS:
            text = self.part(name)
            if text:
                pieces += [" ", (text, self.get_visual_style(component)), " "]
        left = Content.assemble(*pieces)
        activity = self.part("activity_text")
        if not activity:
            return left.truncate(self.size.width) if left.cell_length > self.size.width > 0 else left
        right = Content.assemble((f" {activity} ", self.get_visual_style("app-header--activity")))
        room = self.size.width - cell_len(right.plain)
        if room <= 0:
            return right
        if left.cell_length > room:
            left = left.truncate(room)
        return Content.assemble(left, " " * (room - left.cell_length), right)


__all__ = ["AppHeader"]
