"""The header every screen shows: where you are, whose account, the balance, the network.

It reads app-level reactives (``profile_label``, ``balance_text``, ``activity``, ``sandbox``) so a
purchase on one screen updates the balance shown on all of them without any screen knowing.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from tui.widgets.literal import Literal


class AppHeader(Horizontal):
    """One line: title · screen · profile · balance · sandbox badge · requests in flight."""

    def __init__(self, screen_title: str) -> None:
        super().__init__(id="app-header")
        self._screen_title = screen_title
        self._activity_width = 0

    def compose(self) -> ComposeResult:
        yield Literal(Content.assemble("vonage-tui ", (self._screen_title, "bold")), id="hdr-title")
        yield Literal("", id="hdr-profile")
        yield Literal("", id="hdr-balance")
        yield Literal("", id="hdr-badges")
        yield Literal("", id="hdr-activity")

    def on_mount(self) -> None:
        app = self.app
        self.watch(app, "profile_label", self._show_profile)
        self.watch(app, "balance_text", self._show_balance)
        self.watch(app, "activity_text", self._show_activity)
        self.watch(app, "badges", self._show_badges)

    def _show_profile(self, value: str) -> None:
        self.query_one("#hdr-profile", Static).update(value)

    def _show_balance(self, value: str) -> None:
        self.query_one("#hdr-balance", Static).update(value)

    def _show_activity(self, value: str) -> None:
        """Changes with every request (hundreds of times a second while a list loads): the screen is laid
        out again only when the text's width changes, else just this line is repainted (a layout of the
        whole screen is 10-25 ms; 4,000 of them stalled a 100,000-number load)."""
        width = cell_len(value)
        self.query_one("#hdr-activity", Static).update(value, layout=width != self._activity_width)
        self._activity_width = width

    def _show_badges(self, value: str) -> None:
        self.query_one("#hdr-badges", Static).update(value)
