"""The App: modes (one per screen), global keys, the command palette. Kept thin on purpose."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from tui.launch import LaunchOptions
from tui.screens.account import AccountScreen
from tui.screens.numbers import NumbersScreen
from tui.screens.pools import PoolsScreen
from tui.screens.search import SearchScreen
from tui.screens.secrets import SecretsScreen
from tui.store import Store
from tui.worker import Activity, ApiService, describe_error

MAIN_SCREENS: dict[str, type[Screen]] = {
    "numbers": NumbersScreen,
    "search": SearchScreen,
    "account": AccountScreen,
    "secrets": SecretsScreen,
    "pools": PoolsScreen,
}


class VonageApp(App[None]):
    """vonage-tui: owned numbers, search & buy, account, secrets and pools."""

    TITLE = "vonage-tui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, type[Screen]]] = dict(MAIN_SCREENS)  # type: ignore[assignment]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("1", "goto('numbers')", "Numbers", show=False, id="app.goto.numbers"),
        Binding("2", "goto('search')", "Search", show=False, id="app.goto.search"),
        Binding("3", "goto('account')", "Account", show=False, id="app.goto.account"),
        Binding("4", "goto('secrets')", "Secrets", show=False, id="app.goto.secrets"),
        Binding("5", "goto('pools')", "Pools", show=False, id="app.goto.pools"),
        Binding("colon", "jump", "Jump", id="app.jump", tooltip="Go to a screen by name"),
        Binding("question_mark", "keys", "Keys", id="app.keys", tooltip="Keys of this screen"),
        Binding("escape", "go_back", "Back", show=False, id="app.back"),
        Binding("ctrl+x", "cancel_requests", "Cancel requests", show=False, id="app.cancel"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]

    profile_label: reactive[str] = reactive("")
    balance_text: reactive[str] = reactive("")
    activity_text: reactive[str] = reactive("")
    badges: reactive[str] = reactive("")

    def __init__(self, options: LaunchOptions | None = None) -> None:
        super().__init__()
        self.options = options or LaunchOptions()
        self.read_only = self.options.read_only
        self.api = ApiService(on_activity=self._on_activity)
        self.store = Store()
        self._mode_history: list[str] = []
        self.animation_level = "none"

    # -- start-up -----------------------------------------------------------------------------

    async def on_mount(self) -> None:
        badges = []
        if self.options.demo:
            badges.append("SANDBOX")
        if self.read_only:
            badges.append("READ-ONLY")
        self.badges = " ".join(f"[reverse] {b} [/]" for b in badges)
        opts = self.options
        if opts.api_key and opts.api_secret is not None:
            await self.api.connect(
                opts.api_key,
                opts.api_secret,
                rest_url=opts.rest_url or "https://rest.nexmo.com",
                api_url=opts.api_url or "https://api.nexmo.com",
            )
            self.profile_label = opts.profile_label or f"key {opts.api_key}"
            await self.switch_mode(opts.initial_screen)
            self.refresh_balance()
        else:
            await self.switch_mode(opts.initial_screen)

    # -- shared state -------------------------------------------------------------------------

    def _on_activity(self, activity: Activity) -> None:
        parts = []
        if activity.in_flight:
            parts.append(f"⟳ {activity.in_flight}")
        if activity.retrying:
            parts.append(activity.retrying)
        self.activity_text = " ".join(parts)

    @work(group="balance", exclusive=True, exit_on_error=False)
    async def refresh_balance(self) -> None:
        """Fetch the balance for the header; failures are shown, never fatal."""
        try:
            balance = await self.api.client.get_balance()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            self.balance_text = "balance ?"
            self.notify(describe_error(exc), title="Balance", severity="error")
            return
        self.set_balance(balance)

    def set_balance(self, balance: object) -> None:
        self.store.balance = balance  # type: ignore[assignment]
        self.balance_text = f"€ {balance.value:.2f} EUR"  # type: ignore[attr-defined]

    # -- navigation ---------------------------------------------------------------------------

    async def action_goto(self, mode: str) -> None:
        if mode == self.current_mode:
            return
        self._mode_history.append(self.current_mode)
        await self.switch_mode(mode)

    async def action_go_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
        elif self._mode_history:
            await self.switch_mode(self._mode_history.pop())

    def action_jump(self) -> None:
        from tui.screens.jump import JumpPrompt

        def _go(target: str | None) -> None:
            if target is None:
                return
            if target == "quit":
                self.exit()
            elif target in MAIN_SCREENS:
                self.run_worker(self.action_goto(target), exit_on_error=False)
            else:
                self.open_extra(target)

        self.push_screen(JumpPrompt(), _go)

    def open_extra(self, name: str) -> None:
        """Screens outside the five modes (login, profiles, activity)."""
        self.notify(f"The {name} screen is not available yet.", severity="warning")

    def action_keys(self) -> None:
        from tui.screens.help import HelpScreen, describe_bindings

        title = getattr(self.screen, "SCREEN_TITLE", "") or self.current_mode
        self.push_screen(HelpScreen(title, describe_bindings(self.screen)))

    def action_cancel_requests(self) -> None:
        cancelled = 0
        for worker in list(self.workers):
            if not worker.is_finished:
                worker.cancel()
                cancelled += 1
        self.notify(f"Cancelled {cancelled} running task(s)." if cancelled else "Nothing in flight.")

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of every main screen, so ctrl+p reaches anything from anywhere."""
        yield from super().get_system_commands(screen)
        for mode, screen_cls in MAIN_SCREENS.items():
            title = getattr(screen_cls, "SCREEN_TITLE", mode.title())
            yield SystemCommand(f"Go to {title}", f"Open the {title} screen", self._goto_cb(mode))
            for binding in getattr(screen_cls, "BINDINGS", []):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                action = binding.action
                if self.read_only and action in getattr(screen_cls, "WRITE_ACTIONS", ()):
                    continue
                yield SystemCommand(
                    f"{title}: {binding.description}",
                    binding.tooltip or f"{binding.description} ({binding.key})",
                    self._action_cb(mode, action),
                )

    def _goto_cb(self, mode: str):  # type: ignore[no-untyped-def]
        async def _go() -> None:
            await self.action_goto(mode)

        return _go

    def _action_cb(self, mode: str, action: str):  # type: ignore[no-untyped-def]
        async def _run() -> None:
            await self.action_goto(mode)
            await self.screen.run_action(action)

        return _run

    async def on_unmount(self) -> None:
        await self.api.close()
