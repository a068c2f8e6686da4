"""Placeholder: the Numbers screen is being built."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import VonageScreen


class NumbersScreen(VonageScreen):
    SCREEN_TITLE = "Numbers"

    def compose_body(self) -> ComposeResult:
        yield Static("Numbers", id="placeholder")
