"""Pacing at the account's own limit: every kind of login reads ``max-calls-per-second`` and paces at it,
without holding back the first page of owned numbers (behaviour only; the benchmark times it)."""

from __future__ import annotations

import keyring
import pytest

from conftest import settle
from tui.app import VonageApp
from tui.config import Profile, add_profile, load_config, save_config
from tui.launch import LaunchOptions
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.routes_account import MAX_PER_SECOND
from tui.sandbox.server import start_sandbox
from tui.service import ApiService


def saved_profile(url: str, **fields: object) -> None:
    profile = Profile(name="work", api_key=DEMO_API_KEY, rest_url=url, api_url=url, **fields)
    save_config(add_profile(load_config(), profile, activate=True))
    keyring.set_password("vonage-tui", "work", DEMO_API_SECRET)


async def logged_in_rate(app: VonageApp) -> tuple[float | None, int | None]:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.session is not None
        return app.session.client.limiter.rate, app.session.account.max_calls_per_second


@pytest.mark.parametrize("kind", ["demo", "environment"])
async def test_session_paces_at_the_accounts_limit(make_app, kind: str) -> None:
    app = make_app(demo=kind == "demo", rate_limit=7.0)  # the guess before the account answers
    rate, reported = await logged_in_rate(app)
    assert app.session is not None and app.session.spec.storage == kind
    assert reported == MAX_PER_SECOND
    assert rate == float(MAX_PER_SECOND)


async def test_saved_profile_paces_at_the_accounts_limit(sandbox, memory_keyring) -> None:
    saved_profile(sandbox.url)  # rate_limit left at the default: only a guess
    app = VonageApp(LaunchOptions())
    rate, reported = await logged_in_rate(app)
    assert app.session is not None and app.session.spec.storage == "system"
    assert (rate, reported) == (float(MAX_PER_SECOND), MAX_PER_SECOND)


async def test_a_profiles_own_lower_rate_is_a_cap(sandbox, memory_keyring) -> None:
    saved_profile(sandbox.url, rate_limit=10.0)  # leave room for other users of the account
    app = VonageApp(LaunchOptions())
    rate, reported = await logged_in_rate(app)
    assert (rate, reported) == (10.0, MAX_PER_SECOND)


async def test_first_page_is_requested_before_the_settings_answer(make_app, monkeypatch) -> None:
    """The settings read runs alongside the owned-numbers load, never in front of it."""
    events: list[tuple[str, str, str]] = []
    original = ApiService._on_event

    def record(self, event) -> None:  # type: ignore[no-untyped-def]
        events.append((event.kind, event.method, event.path))
        original(self, event)

    monkeypatch.setattr(ApiService, "_on_event", record)
    with start_sandbox(SandboxConfig(seed=7, owned_count=300, latency=0.3)) as running:
        app = make_app(rest_url=running.url, api_url=running.url)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            assert app.session is not None and app.session.account.owned.complete
    settings_end = events.index(("end", "POST", "/account/settings"))
    first_page = events.index(("start", "GET", "/account/numbers"))
    assert first_page < settings_end


async def test_a_failed_settings_read_keeps_the_guess(make_app, sandbox, monkeypatch) -> None:
    from tui.api.client import VonageClient
    from tui.api.errors import ServerError

    async def broken(self):  # type: ignore[no-untyped-def]
        raise ServerError("the settings could not be read", status=503)

    monkeypatch.setattr(VonageClient, "get_settings", broken)
    app = make_app(rate_limit=7.0)
    rate, reported = await logged_in_rate(app)
    assert (rate, reported) == (7.0, None)
    assert app.session is not None and app.session.account.owned.complete  # the load went on
