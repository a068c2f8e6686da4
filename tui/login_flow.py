"""Session switching: which account to open at start-up, and the login, unlock and profile flows.

Each flow ends in one ``SessionSpec`` handed to ``open_session``; nothing here builds a client. The
config file and the keyring are read in threads (a locked keyring can hang for seconds), and the
heavy modules (pydantic, keyring back-ends) are imported there too, never on the UI thread.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App

from tui.launch import first_run
from tui.widgets.notify import say

if TYPE_CHECKING:
    from textual.worker import Worker

    from tui.config import Profile
    from tui.demo import EmbeddedSandbox
    from tui.launch import LaunchOptions
    from tui.session import Session, SessionSpec


class Switcher(Protocol):
    """The part of the App these flows use (``tui.app.VonageApp``)."""

    options: LaunchOptions
    keymap: dict[str, str]
    sandbox: EmbeddedSandbox | None

    @property
    def session(self) -> Session | None: ...

    def open_session(self, spec: SessionSpec) -> Worker[None]: ...

    def known_secrets(self) -> list[str]: ...


async def begin(app: App[Any]) -> bool:
    """The first screen: the login form on a first run, else the screen asked for. True when a login
    follows (``start``, run by the App once this first frame is on screen).

    On a first run the login form is mounted and focused before any key is read, so keys typed
    while the app starts land in its first field, in order (and Tab moves to the secret).
    """
    host: Switcher = app  # type: ignore[assignment]
    if first_run(host.options):
        from tui.screens.login import LoginScreen

        await app.push_screen(LoginScreen(**_login_kwargs(host, "Welcome! Add your Vonage API key and secret.")),
                              _login_done(host))
        return False
    await app.switch_mode(host.options.initial_screen)
    return True


def start(app: App[Any]) -> None:
    """The login after the first frame: the keymap, then the demo, the environment's credentials, or the
    saved profile (each a worker: the sandbox, keyring and httpx are never on the first frame's path).
    The session's modules are imported here, not with this module: the first frame does not need them."""
    from tui.session import spec_from_options

    host: Switcher = app  # type: ignore[assignment]
    options = host.options
    app.run_worker(_apply_keymap(app), group="keymap", exit_on_error=False)
    if options.embedded_sandbox:
        app.run_worker(_start_demo(app), group="startup", exclusive=True, exit_on_error=False)
    elif options.api_key and options.api_secret is not None:
        host.open_session(spec_from_options(
            options, api_key=options.api_key, secret=options.api_secret,
            rest_url=options.rest_url or _default("rest"), api_url=options.api_url or _default("api"),
            storage="demo" if options.demo else "environment",
            label=options.profile_label or f"key {options.api_key}",
        ))
    else:
        app.run_worker(_from_profile(app), group="startup", exclusive=True, exit_on_error=False)


def _default(host: str) -> str:
    return "https://rest.nexmo.com" if host == "rest" else "https://api.nexmo.com"


async def _apply_keymap(app: App[Any]) -> None:
    """The config's ``[keymap]``, for every kind of login (demo and environment included)."""
    from tui import keymap

    host: Switcher = app  # type: ignore[assignment]
    loaded = await asyncio.to_thread(keymap.load)
    if loaded.keymap:
        host.keymap = dict(loaded.keymap)
        app.set_keymap(loaded.keymap)
    if loaded.problem:
        say(app, loaded.problem, title="Keymap", severity="warning", timeout=15)


async def _start_demo(app: App[Any]) -> None:
    """`--demo`: the sandbox starts in a thread after the first paint; its credentials stay in memory."""
    from pydantic import SecretStr

    from tui import demo
    from tui.session import spec_from_options

    host: Switcher = app  # type: ignore[assignment]
    sandbox = await asyncio.to_thread(demo.start)
    host.sandbox = sandbox
    host.options.rest_url = host.options.api_url = sandbox.url
    host.open_session(spec_from_options(
        host.options, api_key=sandbox.api_key, secret=SecretStr(sandbox.api_secret),
        rest_url=sandbox.url, api_url=sandbox.url, storage="demo", label=f"demo · {sandbox.api_key}",
    ))


async def _from_profile(app: App[Any]) -> None:
    """The saved profile: its secret from the keyring or the encrypted file, else the login form."""
    from tui.session import spec_from_profile

    host: Switcher = app  # type: ignore[assignment]
    options = host.options

    def resolve() -> Any:
        return importlib.import_module("tui.startup").resolve_startup(options.profile)

    result = await asyncio.to_thread(resolve)
    profile = result.profile
    if profile is not None and result.secret is not None:
        host.open_session(spec_from_profile(profile, result.secret, options))
        return
    if profile is not None and profile.keyring_backend == "encrypted-file":
        from tui.screens.unlock import UnlockScreen

        unlocked = await app.push_screen_wait(UnlockScreen(profile.name))
        if unlocked is not None:
            secret, storage = unlocked
            host.open_session(spec_from_profile(profile, secret, options, secret_storage=storage))
            return
        open_login(app, profile=profile, storage="encrypted-file",
                   reason=f"Unlock cancelled. Profile '{profile.name}' keeps its secret in the encrypted file: "
                          "log in again below (with the file's master password), or choose another store.")
        return
    open_login(app, reason=result.reason, profile=profile, keyring_usable=result.keyring_usable)


def _login_kwargs(host: Switcher, reason: str, profile: Profile | None | object = None,
                  keyring_usable: bool = True, storage: str | None = None) -> dict[str, Any]:
    options = host.options
    kwargs: dict[str, Any] = {"reason": reason, "keyring_usable": keyring_usable, "storage": storage,
                              "cancellable": host.session is not None}
    if profile is not None:
        kwargs.update(profile=profile.name, api_key=profile.api_key,  # type: ignore[attr-defined]
                      rest_url=profile.rest_url, api_url=profile.api_url)  # type: ignore[attr-defined]
    elif options.profile:
        kwargs["profile"] = options.profile  # `--profile work` on a first run creates "work"
    if options.rest_url:
        kwargs["rest_url"] = options.rest_url
    if options.api_url:
        kwargs["api_url"] = options.api_url
    return kwargs


def _login_done(host: Switcher) -> Callable[[Any], None]:
    def done(result: Any) -> None:
        if result is not None:
            host.open_session(result.spec(host.options))

    return done


def open_login(app: App[Any], *, reason: str = "", profile: Profile | None | object = None,
               keyring_usable: bool = True, storage: str | None = None) -> None:
    """The login form; a checked and saved login becomes the session."""
    from tui.screens.login import LoginScreen

    host: Switcher = app  # type: ignore[assignment]
    app.push_screen(LoginScreen(**_login_kwargs(host, reason, profile, keyring_usable, storage)), _login_done(host))


async def switch_profile(app: App[Any], name: str) -> bool:
    """Make ``name`` the active profile and log in with it (the login form if its secret is missing)."""
    from tui.session import spec_from_profile

    host: Switcher = app  # type: ignore[assignment]

    def activate() -> Any:
        from tui.config import load_config, save_config
        from tui.config import switch_profile as switch

        save_config(switch(load_config(), name))
        return importlib.import_module("tui.startup").resolve_startup(name)

    result = await asyncio.to_thread(activate)
    if result.profile is None or result.secret is None:
        open_login(app, reason=result.reason, profile=result.profile, keyring_usable=result.keyring_usable)
        return False
    host.open_session(spec_from_profile(result.profile, result.secret, host.options))
    return True


async def stop_sandbox(app: App[Any]) -> None:
    host: Switcher = app  # type: ignore[assignment]
    if host.sandbox is not None:
        sandbox, host.sandbox = host.sandbox, None
        await asyncio.to_thread(sandbox.stop)



def app_task_failed(app: App[Any], group: str, error: BaseException) -> None:
    """One of the App's own tasks failed: say it in one sentence; a failed start-up or login offers the form."""
    from tui.crash import explain
    from tui.widgets.notify import say

    host: Switcher = app  # type: ignore[assignment]
    title = {"startup": "Start-up", "session": "Log in", "owned": "Numbers"}.get(group, "Error")
    session = host.session
    describe = session.describe if session is not None else None
    say(app, explain(error, host.known_secrets(), describe), title=title, severity="error", timeout=15)
    if group in ("startup", "session") and session is None and not host.options.embedded_sandbox:
        open_login(app, reason="Start-up failed; log in to continue.")


__all__ = ["Switcher", "app_task_failed", "begin", "open_login", "start", "stop_sandbox", "switch_profile"]
