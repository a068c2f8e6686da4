"""What every main screen shares: header, footer, read-only gating, error reporting.

Each screen runs its API calls in its own workers (``@work(group=...)``), so Textual cancels them
when the screen goes away, and ``on_screen_suspend`` cancels loads when the user leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui.widgets.app_header import AppHeader
from tui.worker import describe_error

if TYPE_CHECKING:
    from tui.app import VonageApp
    from tui.store import Store
    from tui.worker import ApiService


class VonageScreen(Screen[None]):
    """Base for the five main screens (one per mode)."""

    SCREEN_TITLE: ClassVar[str] = ""
    #: Actions that change the account; hidden and disabled in read-only mode.
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()

    @property
    def vapp(self) -> VonageApp:
        return self.app  # type: ignore[return-value]

    @property
    def api(self) -> ApiService:
        return self.vapp.api

    @property
    def store(self) -> Store:
        return self.vapp.store

    def compose(self) -> ComposeResult:
        yield AppHeader(self.SCREEN_TITLE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS and self.vapp.read_only:
            return False
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker of this screen becomes a message, never a crash."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, exc: BaseException, *, title: str = "Request failed") -> None:
        self.notify(describe_error(exc), title=title, severity="error", timeout=8)

    def on_screen_suspend(self) -> None:
        """Leaving a screen cancels what it was fetching; it resumes from the store on return."""
        self.workers.cancel_group(self, "load")

    def refresh_from_store(self) -> None:
        """Re-render from the shared store (called when shown, and after changes elsewhere)."""
