"""What every main screen shares: header, footer, read-only gating, error reporting.

Each screen runs its API calls in its own workers (``@work(group=...)``), so Textual cancels them
when the screen goes away, and ``on_screen_suspend`` cancels loads when the user leaves (a screen
that keeps loading under its dialogs calls ``suspended_under_dialog``). ``ReloadingScreen`` adds the
"read again when shown if stale or for another account" rule of the Account and Secrets screens.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from tui.widgets.app_header import AppHeader
from tui.service import describe_error

if TYPE_CHECKING:
    from tui.app import VonageApp
    from tui.store import Store
    from tui.service import ApiService


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
        self.notify(describe_error(exc), title=title, severity="error", timeout=8, markup=False)  # server text

    def writes_allowed(self) -> bool:
        """May a change start now? Says why not (read-only, not logged in, one still running)."""
        if self.vapp.read_only:
            self.notify("Read-only mode: changes are disabled.", severity="warning")
            return False
        if not self.api.connected:
            self.notify("Log in first.", severity="warning")
            return False
        if any(w.node is self and w.group == "action" and not w.is_finished for w in self.app.workers):
            self.notify("A change is still running: wait for it to finish.", severity="warning")
            return False
        return True

    def on_screen_suspend(self) -> None:
        """Leaving a screen cancels what it was fetching; it resumes from the store on return."""
        self.workers.cancel_group(self, "load")

    def suspended_under_dialog(self, event: events.ScreenSuspend) -> bool:
        """For a screen whose loads go on while a dialog (edit, confirm, help…) is on top of it.

        True when this suspend is only that: then the default handlers are skipped (VonageScreen's,
        which cancels the "load" group, and Textual's own bookkeeping, which is therefore run here).
        False when the user left the screen. Call it first in the screen's ``on_screen_suspend``.
        """
        if self in self.app.screen_stack and self.app.screen is not self:
            event.prevent_default()
            Screen._on_screen_suspend(self)
            return True
        return False

    def refresh_from_store(self) -> None:
        """Re-render from the shared store (called when shown, and after changes elsewhere)."""


class ReloadingScreen(VonageScreen):
    """A screen showing one small read of the account (``load``), fetched again when it is shown after
    ``STALE_AFTER`` seconds, for another account than last time, after a login, and on ``r``.

    Subclasses implement ``load`` (a "load" worker) and call ``loaded()`` when a read arrived. A
    subclass may add its own ``on_screen_resume``: Textual runs it, then this one.
    """

    #: Seconds after which coming back to the screen reloads it.
    STALE_AFTER: ClassVar[float] = 60.0

    def __init__(self) -> None:
        super().__init__()
        self._loaded_at: float | None = None  # time.monotonic() of the last read; None = read again
        self._account: str | None = None  # the API key the shown read is for

    def load(self) -> None:
        raise NotImplementedError

    def loaded(self) -> bool:
        """Note that a read arrived now; True when it is for another account than the last one (so the
        caller forgets what belonged to that one)."""
        self._loaded_at = time.monotonic()
        account = self.api.api_key
        changed, self._account = account != self._account, account
        return changed

    def is_stale(self) -> bool:
        """Never read, read too long ago, or read for another account."""
        return (
            self._loaded_at is None
            or time.monotonic() - self._loaded_at > self.STALE_AFTER
            or self._account != self.api.api_key
        )

    def reload(self) -> None:
        """Read again now (and again on return, should a modal cancel this load)."""
        self._loaded_at = None
        self.load()

    def on_screen_resume(self) -> None:
        if self.api.connected and self.is_stale():
            self.load()

    def on_logged_in(self) -> None:
        """Called by the app after a (re)login while this screen is shown."""
        self.reload()

    def action_refresh(self) -> None:
        if self.api.connected:
            self.load()
