"""Placeholder: the Account screen is being built."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import VonageScreen


class AccountScreen(VonageScreen):
    SCREEN_TITLE = "Account"

    def compose_body(self) -> ComposeResult:
        yield Static("Account", id="placeholder")
