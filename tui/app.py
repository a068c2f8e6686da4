"""The App: modes (one per screen), global keys, the command palette, and switching sessions.

Kept thin on purpose. What a login builds is ``tui.session.Session``; start-up, login and profile
switching are ``tui.login_flow``; the reads every screen shares run here as workers (``tui.loading``) and announce
their results as messages (``tui.messages``), which the App relays to every screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from tui import key_order, loading, style_cache
from tui.formatting import money, plural
from tui.launch import LaunchOptions, first_mode
from tui.messages import AccountEvent, BalanceChanged, JournalSettled, NumberBought, SessionOpened
from tui.modes import EXTRA_SCREENS, GLOBAL_KEYS, SCREEN_PATHS, screen_class, screen_classes
from tui.palette import commands, extra_screen
from tui.paths import cache_dir
from tui.widgets.fields import takes_text
from tui.widgets.notify import say

if TYPE_CHECKING:
    from tui.demo import EmbeddedSandbox
    from tui.session import Session, SessionSpec


class VonageApp(App[None]):
    """vonage-tui: owned numbers, search & buy, account, secrets and pools."""

    TITLE = "vonage-tui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        mode: (lambda mode=mode: screen_class(mode)()) for mode in SCREEN_PATHS}
    BINDINGS = [
        *(Binding(str(n), f"goto('{mode}')", mode.title(), show=False, priority=True, id=f"app.goto.{mode}")
          for n, mode in enumerate(SCREEN_PATHS, start=1)),
        Binding("colon", "jump", "Jump", priority=True, id="app.jump", tooltip="Go to a screen by name"),
        Binding("question_mark", "keys", "Keys", priority=True, id="app.keys", tooltip="Keys of this screen"),
        Binding("escape", "go_back", "Back", show=False, id="app.back"),
        # Priority: "key, Tab, secret" typed at once land in two fields (see tui.key_order)
        Binding("tab", "focus_next", show=False, priority=True, id="app.next_field"),
        Binding("shift+tab", "focus_previous", show=False, priority=True, id="app.previous_field"),
        Binding("ctrl+x", "cancel_requests", "Cancel requests", show=False, priority=True, id="app.cancel"),
        Binding("q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    # Watched by the header, not drawn by the App: no repaint of the screen per request (hundreds a second)
    profile_label: var[str] = var("")
    balance_text: var[str] = var("")
    activity_text: var[str] = var("")
    badges: var[str] = var("")

    def __init__(self, options: LaunchOptions | None = None) -> None:
        self.options = options or LaunchOptions()
        self.DEFAULT_MODE = first_mode(self.options)  # type: ignore[misc]  # not a blank screen to switch from
        super().__init__()
        self.styles_preloaded = style_cache.preload(self.stylesheet, cache_dir())  # no CSS parse on the first frame
        self._styles_saved = False
        self.session: Session | None = None
        self.account_events: Signal[AccountEvent] = Signal(self, "account-events")
        self.keymap: dict[str, str] = {}
        self._mode_history: list[str] = []
        self.sandbox: EmbeddedSandbox | None = None
        self.animation_level = "none"

    async def on_event(self, event: events.Event) -> None:
        """Keys in the order typed (``tui.key_order``): one on its way at a time; a field's applied here."""
        if isinstance(event, events.Key):
            return await key_order.dispatch(self, event, super().on_event)
        await super().on_event(event)

    # -- start-up -------------------------------------------------------------------------------

    async def on_mount(self) -> None:
        labels = (["SANDBOX"] if self.options.demo else []) + (["READ-ONLY"] if self.options.read_only else [])
        self.badges = " ".join(f" {b} " for b in labels)
        from tui import login_flow

        loading.hold_gc()  # the first frame first: no GC, no sandbox, keyring, httpx or other screens
        login = await login_flow.begin(self)  # the first screen, or the first-run form before any key is read
        self.run_worker(loading.after_first_frame(self, login=login), group="first-frame", exit_on_error=False)

    @work(group="session", exclusive=True, exit_on_error=False)
    async def open_session(self, spec: SessionSpec) -> None:
        """Log in with ``spec``: the new session replaces the old one once it is connected."""
        from tui.session import Session  # not before the first frame

        session = Session(spec, on_activity=lambda activity: setattr(self, "activity_text", activity.text),
                          journal_path=self.options.journal_path, read_only=self.options.read_only)
        await session.open()
        old, self.session = self.session, session
        if old is not None:
            await old.close()
        loading.keep_out_of_gc()
        self.post_message(SessionOpened(session))

    @on(SessionOpened)
    def _session_opened(self, event: SessionOpened) -> None:
        self.profile_label = event.session.label
        self.balance_text = ""
        if self.current_mode not in SCREEN_PATHS:
            self.run_worker(self.switch_mode(self.options.initial_screen), exit_on_error=False)
        self.refresh_balance()
        self.load_owned()
        self._settle_journal(event.session)

    # -- the reads every screen shares ------------------------------------------------------------

    @work(group="balance", exclusive=True, exit_on_error=False)
    async def refresh_balance(self) -> None:
        if self.session is not None:
            await loading.refresh_balance(self.session, self.post_message)

    @work(group="owned", exclusive=True, exit_on_error=False, description="load the owned numbers")
    async def load_owned(self, use_cache: bool = True) -> None:
        if self.session is not None:
            await loading.load_owned(self.session, self.post_message, use_cache=use_cache)

    @work(group="reconcile", exclusive=True, exit_on_error=False)
    async def _settle_journal(self, session: Session) -> None:
        await loading.settle_journal(session, self.post_message)
        from tui.screens.bulk_result import (
            offer_resume,  # then unfinished bulk edits: offer to continue
        )

        await offer_resume(self, session)

    # -- messages: app-wide effects, then every screen gets a copy --------------------------------
    @on(AccountEvent)
    def _relay(self, event: AccountEvent) -> None:
        self.account_events.publish(event)

    @on(BalanceChanged)
    @on(NumberBought)
    def _balance(self, event: AccountEvent) -> None:
        """The header shows the balance the session read last (a purchase reads it back)."""
        if isinstance(event, BalanceChanged) and event.error:
            self.balance_text = "balance ?"
            say(self, event.error, title="Balance", severity="error")
            return
        balance = self.session.account.balance if self.session is not None else None
        if balance is not None:
            self.balance_text = money(balance.value)

    @on(JournalSettled)
    def _journal_settled(self, event: JournalSettled) -> None:
        for text in event.reports:
            say(self, text, title="Recovered an interrupted change", severity="warning", timeout=15)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own tasks (start-up, login, loads) fail with a message, never silently."""
        if event.state == WorkerState.ERROR and event.worker.node is self and event.worker.error is not None:
            from tui.login_flow import app_task_failed
            app_task_failed(self, event.worker.group or "", event.worker.error)

    # -- navigation -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Global keys are priority keys (after "2" the next key must reach Search, not the screen being left);
        they give way, as before, to a field and to a dialog."""
        return not (action in GLOBAL_KEYS and (self.screen.is_modal or takes_text(self.focused)))

    async def action_quit(self) -> None:
        from tui.modes import confirm_quit

        await confirm_quit(self)

    async def action_goto(self, mode: str) -> None:
        while len(self.screen_stack) > 1 and not self.screen.is_modal:  # :activity, :profiles
            self.pop_screen()
        if mode == self.current_mode:
            return
        self._mode_history += [self.current_mode] if self.current_mode in SCREEN_PATHS else []  # not first-run blank
        await self.switch_mode(mode)

    async def action_go_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self._mode_history:
            await self.switch_mode(self._mode_history.pop())

    def action_jump(self) -> None:
        from tui.screens.jump import JumpPrompt, go

        self.push_screen(JumpPrompt(), lambda target: go(self, target))

    def open_extra(self, name: str) -> None:
        """Screens outside the five modes (login, profiles, activity)."""
        if name == "login":
            from tui import login_flow

            return login_flow.open_login(self)
        while len(self.screen_stack) > 1 and not self.screen.is_modal:
            self.pop_screen()
        self.push_screen(extra_screen(name))

    def action_keys(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_cancel_requests(self) -> None:
        """A priority key, so a field's "cut" never eats it and a dialog (a bulk edit's progress) gets it too."""
        running = [w for w in self.workers if not w.is_finished]
        for worker in running:
            worker.cancel()
        say(self, f"Cancelled {plural(len(running), 'running task')}." if running else "Nothing in flight.")

    # -- command palette --------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action of every main screen, with its key, so ctrl+p reaches anything from anywhere.
        Textual's "Keys" is our help; its "Screenshot" is left out (it would capture a secret on show)."""
        yield from (c for c in super().get_system_commands(screen) if c.title not in ("Keys", "Screenshot"))
        yield SystemCommand("Keys  ·  ?", "The keys of this screen", self.action_keys)
        read_only = self.options.read_only or (self.session is not None and self.session.read_only)
        yield from commands(keymap=self.keymap, read_only=read_only, display=self.get_key_display,
                            goto=self.action_goto, run=self._run_on, open_extra=self.open_extra)

    async def _run_on(self, mode: str, action: str) -> None:
        await self.action_goto(mode)
        await self.screen.run_action(action)

    def known_secrets(self) -> list[str]:  # what a crash report must never show
        return self.session.known_secrets() if self.session is not None else []

    def _handle_exception(self, error: Exception) -> None:
        """Instead of Textual's crash screen, which prints every frame's locals (the secret among them)."""
        from tui.crash import handle

        handle(self, error)

    async def on_unmount(self) -> None:
        from tui import login_flow

        if self.session is not None:
            await self.session.close()
        await login_flow.stop_sandbox(self)


__all__ = ["EXTRA_SCREENS", "SCREEN_PATHS", "VonageApp", "screen_class", "screen_classes"]
