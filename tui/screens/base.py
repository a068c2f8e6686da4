"""What every main screen shares — the one way to do each common thing.

- ``session``: the logged-in account (``tui.session.Session``), typed, or None before a login.
- ``say()``: a toast, always literal text (server and user text may hold ``[brackets]``).
- ``confirm()``: the one confirmation dialog (No focused, keys on the buttons, no hidden yes).
- the write guard: in read-only mode the actions in ``WRITE_ACTIONS`` are hidden from the key bar,
  the help and the palette, and refused if reached another way.
- account messages: the App relays each ``tui.messages.AccountEvent`` to every screen; screens
  handle the ones they care about with ``@on``.
- workers: each screen runs its API calls in its own workers (``@work(group=...)``), so Textual
  cancels them when the screen goes away; a failed worker becomes one message, never a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui import style_cache
from tui.messages import AccountEvent
from tui.widgets.app_header import AppHeader
from tui.widgets.fields import is_field, takes_text
from tui.widgets.key_bar import KeyBar
from tui.widgets.notify import Severity, say

if TYPE_CHECKING:
    from tui.host import SessionHost
    from tui.session import Session


class VonageScreen(Screen[None]):
    """Base for the main screens (one per mode) and the full-screen extras (activity, profiles)."""

    SCREEN_TITLE: ClassVar[str] = ""
    #: Actions that change the account; hidden (not just disabled) in read-only mode.
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    BINDINGS: ClassVar = [
        Binding("escape", "leave_field", "Back", show=False, id="screen.back",
                tooltip="Leave the field you are typing in; otherwise go back"),
    ]

    # -- what a screen may ask of the app ---------------------------------------------------------

    @property
    def host(self) -> SessionHost:
        return cast("SessionHost", self.app)

    @property
    def session(self) -> Session | None:
        return self.host.session

    @property
    def connected(self) -> bool:
        session = self.session
        return session is not None and session.service.connected

    @property
    def read_only(self) -> bool:
        session = self.session
        return self.host.options.read_only or (session is not None and session.read_only)

    # -- layout ---------------------------------------------------------------------------------

    def _compositor_refresh(self) -> None:
        """Not while the App holds a batch (its start-up compose): Textual would render the whole screen
        (~30 ms for Numbers) and then drop it unseen; the repaint waits for the batch to end."""
        if self.app._batch_count:
            self._repaint_required = True
            return
        style_cache.save_soon(self.app)  # once, as this first frame is drawn: the CSS it needed, for the next start
        super()._compositor_refresh()

    def compose(self) -> ComposeResult:
        yield AppHeader(self.SCREEN_TITLE)
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def focus_main(self) -> None:
        """Focus what the screen is about (its first table); nothing when it has none."""
        from tui.widgets.fast_table import FastTable

        tables = [t for t in self.query(FastTable) if t.display and t.can_focus]
        if tables:
            self.set_focus(tables[0])
        else:
            self.set_focus(None)

    async def action_leave_field(self) -> None:
        """Esc: out of a field first (what was typed stays), then back a screen — awaited, so a key typed
        right after Esc reaches the screen gone back to, not the one being left."""
        if is_field(self.focused):
            self.focus_main()
        else:
            await self.app.run_action("go_back")

    def on_mount(self) -> None:
        self.host.account_events.subscribe(self, self._relay, immediate=True)

    def _relay(self, event: AccountEvent) -> None:
        self.post_message(event.relay())

    # -- the one way to tell and to ask ------------------------------------------------------------

    def say(self, message: str, *, title: str = "", severity: Severity = "information",
            timeout: float | None = None) -> None:
        """A toast with ``message`` shown literally."""
        say(self, message, title=title, severity=severity, timeout=timeout)

    def report_error(self, exc: BaseException, *, title: str = "Request failed") -> None:
        """A failure as one message; a bug of ours also leaves a crash report (no locals, no secret)."""
        from tui.crash import explain

        self.say(explain(exc, self.host.known_secrets()), title=title, severity="error", timeout=12)

    def confirm(self, title: str, body: str, *, yes: str, then: Callable[..., object],
                otherwise: Callable[[], object] | None = None, accounts: Sequence[tuple[str, str]] = (),
                describe: Callable[[str], tuple[str, str, str]] | None = None) -> None:
        """Ask before a change; ``then`` runs only after a deliberate yes.

        With ``accounts`` (key, label) the dialog also offers "for account" (the first is the default;
        ``describe(key)`` rewrites title, body and yes label for a choice) and ``then`` gets the key chosen.
        """
        from tui.widgets.confirm import ConfirmDialog  # not before the first frame

        dialog = ConfirmDialog(title, body, yes_label=yes, accounts=accounts, describe=describe)

        def answered(answer: bool | None) -> None:
            if answer:
                then(dialog.account) if accounts else then()
            elif otherwise is not None:
                otherwise()

        self.app.push_screen(dialog, answered)

    def set_status(self, text: str) -> None:
        """The right-hand status of the key bar (e.g. "3 marked")."""
        self.query_one(KeyBar).status = text

    # -- the write guard ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS and self.read_only:
            return False
        if action == "focus_filter" and takes_text(self.focused):
            return False  # "/" is a priority key (routed before the next key): in a field it is just "/"
        return True

    def writes_allowed(self) -> bool:
        """May a change start now? Says why not (read-only, not logged in, one still running)."""
        if self.read_only:
            self.say("Read-only mode: changes are disabled.", severity="warning")
            return False
        if not self.connected:
            self.say("Log in first.", severity="warning")
            return False
        if any(w.node is self and w.group == "action" and not w.is_finished for w in self.app.workers):
            self.say("A change is still running: wait for it to finish.", severity="warning")
            return False
        return True

    # -- workers ------------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker of this screen becomes a message, never a crash."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)
        elif event.state == WorkerState.CANCELLED and event.worker.group == "action" and self.session is not None:
            for text in self.session.ops.take_cancelled():  # a change cut off mid-request: say so, never silence
                self.say(f"{text}. It is read back at the next start; see :activity before trying again.",
                         severity="warning", timeout=15)

    def on_screen_suspend(self) -> None:
        """Leaving a screen cancels what it was fetching; it resumes from the session on return."""
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


class ReloadingScreen(VonageScreen):
    """A screen showing one small read of the account (``load``), fetched again when it is shown after
    ``STALE_AFTER`` seconds, for another account than last time, after a login, and on ``r``.

    Subclasses implement ``load`` (a "load" worker) and call ``loaded()`` when a read arrived.
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
        account = self.session.api_key if self.session is not None else None
        changed, self._account = account != self._account, account
        return changed

    def is_stale(self) -> bool:
        """Never read, read too long ago, or read for another account."""
        session = self.session
        return (
            self._loaded_at is None
            or time.monotonic() - self._loaded_at > self.STALE_AFTER
            or session is None
            or self._account != session.api_key
        )

    def reload(self) -> None:
        """Read again now (and again on return, should a modal cancel this load)."""
        self._loaded_at = None
        self.load()

    def on_screen_resume(self) -> None:
        if self.connected and self.is_stale():
            self.load()

    def on_session_opened(self) -> None:
        """A (re)login while this screen exists: read again."""
        if self.is_attached:
            self.reload()

    def action_refresh(self) -> None:
        if self.connected:
            self.load()
