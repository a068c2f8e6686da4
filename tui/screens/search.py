"""Placeholder: the Search & buy screen is being built."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import VonageScreen


class SearchScreen(VonageScreen):
    SCREEN_TITLE = "Search & buy"

    def compose_body(self) -> ComposeResult:
        yield Static("Search & buy", id="placeholder")
