"""The App: modes (one per screen), global keys, the command palette. Kept thin on purpose."""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.journal import Journal
from tui.launch import LaunchOptions
from tui.operations import Operations
from tui.store import Store
from tui.service import Activity, ApiService, describe_error

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.config import Profile

DEFAULT_REST = "https://rest.nexmo.com"
DEFAULT_API = "https://api.nexmo.com"

#: mode -> (module, class). Screens are imported when first shown, so start-up imports only one.
SCREEN_PATHS: dict[str, tuple[str, str]] = {
    "numbers": ("tui.screens.numbers", "NumbersScreen"),
    "search": ("tui.screens.search", "SearchScreen"),
    "account": ("tui.screens.account", "AccountScreen"),
    "secrets": ("tui.screens.secrets", "SecretsScreen"),
    "pools": ("tui.screens.pools", "PoolsScreen"),
}


def screen_class(mode: str) -> type[Screen]:
    module, name = SCREEN_PATHS[mode]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def screen_classes() -> dict[str, type[Screen]]:
    """Every main screen class (imports them all: for the palette and tests, not start-up)."""
    return {mode: screen_class(mode) for mode in SCREEN_PATHS}


def _factory(mode: str) -> Callable[[], Screen]:
    return lambda: screen_class(mode)()


class VonageApp(App[None]):
    """vonage-tui: owned numbers, search & buy, account, secrets and pools."""

    TITLE = "vonage-tui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {m: _factory(m) for m in SCREEN_PATHS}  # type: ignore[assignment]
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
        self.ops = Operations(lambda: self.api.client, None, self.options.profile or "default")
        self._mode_history: list[str] = []
        self.profile: Profile | None = None
        self.credential_storage = "system"
        self._secret: SecretStr | None = None
        self._demo_dir: str | None = None
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
        # Paint the first screen before anything slow (sandbox, keyring, httpx, models): the
        # screens show "connecting…" until `login` calls their `on_logged_in`.
        await self.switch_mode(opts.initial_screen)
        if opts.embedded_sandbox:
            self.call_after_refresh(self._start_embedded_sandbox)
        elif opts.api_key and opts.api_secret is not None:
            await self.login(
                opts.api_key,
                opts.api_secret,
                rest_url=opts.rest_url or DEFAULT_REST,
                api_url=opts.api_url or DEFAULT_API,
                label=opts.profile_label or f"key {opts.api_key}",
                rate_limit=opts.rate_limit,
            )
        else:
            self._startup()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own tasks (start-up, sandbox, balance) fail with a message, never silently."""
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.node is not self or worker.error is None:
            return
        self.notify(describe_error(worker.error), title="Start-up" if worker.group == "startup" else "Error",
                    severity="error", markup=False, timeout=15)
        if worker.group == "startup" and not self.api.connected and not self.options.embedded_sandbox:
            self.open_login(reason="Start-up failed; log in to continue.")

    @work(group="startup", exclusive=True, exit_on_error=False)
    async def _start_embedded_sandbox(self) -> None:
        """`--demo`: the sandbox starts in a thread after the first paint; its credentials stay in memory."""
        import asyncio

        def start() -> tuple[object, str, str, str]:
            importlib.import_module("tui.api.client")  # warm the heavy imports off the UI thread
            from tui.sandbox.config import SandboxConfig
            from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
            from tui.sandbox.server import start_sandbox

            context = start_sandbox(SandboxConfig())
            running = context.__enter__()
            return context, running.url, DEMO_API_KEY, DEMO_API_SECRET

        from pydantic import SecretStr

        context, url, key, secret = await asyncio.to_thread(start)
        self._sandbox_context = context
        self.options.rest_url = self.options.api_url = url
        await self.login(key, SecretStr(secret), rest_url=url, api_url=url,
                         label=f"demo · {key}", rate_limit=self.options.rate_limit)

    @work(group="startup", exclusive=True, exit_on_error=False)
    async def _startup(self) -> None:
        """Config and keyring are read in a thread: a hanging keyring never freezes the UI."""
        import asyncio

        from tui.startup import resolve_startup

        result = await asyncio.to_thread(resolve_startup, self.options.profile)
        if result.keymap:
            self.set_keymap(result.keymap)
        profile = result.profile
        if profile is not None and result.secret is not None:
            self.profile = profile
            await self.login(
                profile.api_key,
                result.secret,
                rest_url=self.options.rest_url or profile.rest_url,
                api_url=self.options.api_url or profile.api_url,
                label=f"{profile.name} · {profile.api_key}",
                rate_limit=profile.rate_limit,
            )
            return
        if profile is not None and profile.keyring_backend == "encrypted-file":
            from tui.screens.unlock import UnlockScreen

            secret = await self.push_screen_wait(UnlockScreen(profile.name))
            if secret is not None:
                self.profile = profile
                await self.login(
                    profile.api_key, secret, rest_url=profile.rest_url, api_url=profile.api_url,
                    label=f"{profile.name} · {profile.api_key}", rate_limit=profile.rate_limit,
                )
                return
        self.open_login(reason=result.reason, profile=profile, keyring_usable=result.keyring_usable)

    def open_login(self, *, reason: str = "", profile: object | None = None, keyring_usable: bool = True) -> None:
        from tui.screens.login import LoginResult, LoginScreen

        kwargs: dict[str, object] = {"reason": reason, "keyring_usable": keyring_usable,
                                     "cancellable": self.api.connected}
        if profile is not None:
            kwargs.update(profile=profile.name, api_key=profile.api_key,  # type: ignore[attr-defined]
                          rest_url=profile.rest_url, api_url=profile.api_url)  # type: ignore[attr-defined]
        if self.options.rest_url:
            kwargs["rest_url"] = self.options.rest_url
        if self.options.api_url:
            kwargs["api_url"] = self.options.api_url

        async def _done(result: LoginResult | None) -> None:
            if result is None:
                return
            self.credential_storage = result.storage
            # The profile just saved is the one in use now: a rotation must store its new secret there
            # (not under the profile loaded at start-up, nor nowhere when there was none).
            if result.storage == "memory":
                self.profile = None
            else:
                from tui.config import Profile

                self.profile = Profile(name=result.profile, api_key=result.api_key, rest_url=result.rest_url,
                                       api_url=result.api_url, keyring_backend=result.storage)  # type: ignore[arg-type]
            await self.login(result.api_key, result.secret, rest_url=result.rest_url,
                             api_url=result.api_url, label=f"{result.profile} · {result.api_key}",
                             profile_name=result.profile)

        self.push_screen(LoginScreen(**kwargs), _done)  # type: ignore[arg-type]

    async def login(
        self,
        api_key: str,
        secret: SecretStr,
        *,
        rest_url: str,
        api_url: str,
        label: str,
        rate_limit: float | None = 25.0,
        profile_name: str | None = None,
    ) -> None:
        """Connect the one client; a new account gets a fresh store so nothing leaks across."""
        if self.api.connected and self.api.api_key != api_key:
            self.store = Store()
        import asyncio

        # httpx and the pydantic models take a few hundred ms to import: not on the UI thread.
        await asyncio.to_thread(importlib.import_module, "tui.api.client")
        await self.api.connect(api_key, secret, rest_url=rest_url, api_url=api_url, rate_limit=rate_limit)
        # Everything imported so far lives as long as the app: keep it out of every garbage
        # collection, so a full collection over 100,000 loaded numbers stays short (no UI stall).
        gc.freeze()
        self._secret = secret
        name = profile_name or (self.profile.name if self.profile else None) or self.options.profile or "default"
        self.ops.profile = name
        self.ops.journal = self._make_journal()
        self.profile_label = label
        if self.current_mode not in SCREEN_PATHS:
            await self.switch_mode(self.options.initial_screen)
        self.refresh_balance()
        self.reconcile_journal()
        screen = self.screen
        if hasattr(screen, "on_logged_in"):
            screen.on_logged_in()

    def _make_journal(self) -> Journal:
        if self.options.journal_path is not None:  # tests, or a journal kept elsewhere on purpose
            from pathlib import Path

            return Journal(Path(self.options.journal_path))
        if self.options.demo:
            import tempfile
            from pathlib import Path

            if self._demo_dir is None:
                self._demo_dir = tempfile.mkdtemp(prefix="vonage-tui-demo-")
            return Journal(Path(self._demo_dir) / "journal.jsonl")
        return Journal()

    @work(group="reconcile", exclusive=True, exit_on_error=False)
    async def reconcile_journal(self) -> None:
        """Settle changes a crash left unfinished, and say what they turned out to be."""
        try:
            reports = await self.ops.reconcile_unfinished()
        except Exception as exc:  # noqa: BLE001
            self.notify(describe_error(exc), title="Journal", severity="warning")
            return
        for text in reports:
            self.notify(text, title="Recovered an interrupted change", severity="warning", timeout=15)

    async def store_secret(self, secret: SecretStr) -> None:
        """Keep a rotated secret: in memory for demo/env/memory runs, else in the profile's store."""
        import asyncio

        self._secret = secret
        if self.options.demo or self.profile is None or self.credential_storage == "memory":
            return
        from tui.credentials import SecretStorage

        store = SecretStorage.for_profile(self.profile, allow_plaintext=True)
        await asyncio.to_thread(store.set_secret, self.profile.name, secret)

    def secret_storage_note(self) -> str:
        """Where `store_secret` keeps a rotated secret, in words for the rotation dialog."""
        if self.options.demo:
            return "The new secret is kept in memory for this demo run, and the app now uses it."
        if self.options.api_key and self.profile is None:
            return ("The app now uses the new secret, for this run only: update VONAGE_API_SECRET, "
                    "because the old value no longer works.")
        if self.profile is None or self.credential_storage == "memory":
            return "The app now uses the new secret, kept in memory for this run only: save it somewhere safe."
        return f"The new secret is stored for profile '{self.profile.name}' and the app now uses it."

    def current_secret(self) -> SecretStr | None:
        """The secret the session is logged in with (rotation needs it to roll back); never shown."""
        return self._secret

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
            elif target in SCREEN_PATHS:
                self.run_worker(self.action_goto(target), exit_on_error=False)
            else:
                self.open_extra(target)

        self.push_screen(JumpPrompt(), _go)

    def open_extra(self, name: str) -> None:
        """Screens outside the five modes (login, profiles, activity)."""
        if name == "login":
            self.open_login()
        elif name == "profiles":
            from tui.screens.profiles import ProfilesScreen

            self.push_screen(ProfilesScreen())
        elif name == "activity":
            from tui.screens.activity import ActivityScreen

            self.push_screen(ActivityScreen())

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
        for mode, screen_cls in screen_classes().items():
            title = getattr(screen_cls, "SCREEN_TITLE", mode.title())
            yield SystemCommand(f"Go to {title}", f"Open the {title} screen", self._goto_cb(mode))
            for binding in screen_cls.__dict__.get("BINDINGS", []):
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
        context = getattr(self, "_sandbox_context", None)
        if context is not None:
            import asyncio

            await asyncio.to_thread(context.__exit__, None, None, None)
