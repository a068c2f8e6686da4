"""Placeholder: the Pools screen is being built."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import VonageScreen


class PoolsScreen(VonageScreen):
    SCREEN_TITLE = "Pools"

    def compose_body(self) -> ComposeResult:
        yield Static("Pools", id="placeholder")
