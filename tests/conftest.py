"""Shared fixtures: a real sandbox on a loopback port, and a client talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh, deterministic sandbox per test, so tests cannot see each other's purchases."""
    with start_sandbox(SandboxConfig(seed=7)) as running:
        yield running


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator["VonageClient"]:  # noqa: F821
    from tui.api.client import VonageClient

    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None
    ) as c:
        yield c


# -- app fixtures: private dirs, an in-memory keyring, the app on a sandbox -----------------------

from fixtures_keyring import *  # noqa: E402,F401,F403  (isolated_dirs, memory_keyring, …)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(isolated_dirs, memory_keyring):  # noqa: F811
    """No test touches the real config dir, cache dir or OS keyring."""
    return isolated_dirs


@pytest.fixture
def make_app(sandbox: RunningSandbox):
    """Build a VonageApp logged in with the demo credentials against this test's sandbox."""
    from pydantic import SecretStr

    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    def _make(**overrides):  # type: ignore[no-untyped-def]
        options = LaunchOptions(
            demo=True,
            rest_url=sandbox.url,
            api_url=sandbox.url,
            api_key=DEMO_API_KEY,
            api_secret=SecretStr(DEMO_API_SECRET),
            profile_label=f"demo · {DEMO_API_KEY}",
        )
        for key, value in overrides.items():
            setattr(options, key, value)
        return VonageApp(options)

    return _make


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for every worker; a worker that failed on purpose (shown to the user) is not a test error."""
    from textual.worker import WorkerFailed

    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()


@pytest.fixture(autouse=True)
def _confirm_arms_at_once(monkeypatch):
    """The confirm dialog's "yes" arms after a pause against typed-ahead keys; tests press deliberately.

    tests/test_confirm_dialog.py checks the pause itself.
    """
    monkeypatch.setattr("tui.widgets.confirm.ARM_DELAY", 0.0)


@pytest.fixture(autouse=True)
def _late_checks_at_once(monkeypatch):
    """After a timeout the account is read again after 1 s and 3 s; tests read again at once (same logic)."""
    monkeypatch.setattr("tui.operations.core.LATE_CHECKS", (0.0, 0.0))


async def confirm_yes(pilot) -> None:  # type: ignore[no-untyped-def]
    """Confirm the open dialog the only way there is: move to the yes button, press enter."""
    await pilot.press("tab", "enter")
