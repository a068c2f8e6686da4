"""Placeholder: the Secrets screen is being built."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.screens.base import VonageScreen


class SecretsScreen(VonageScreen):
    SCREEN_TITLE = "Secrets"

    def compose_body(self) -> ComposeResult:
        yield Static("Secrets", id="placeholder")
