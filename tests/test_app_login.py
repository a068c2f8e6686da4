"""First run, login, keyring storage and profiles, through the real app against the sandbox."""

from __future__ import annotations

import keyring
import pytest

from tui.app import VonageApp
from tui.config import Profile, add_profile, config_path, load_config, save_config
from tui.launch import LaunchOptions
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET


async def _fill_login(app: VonageApp, pilot, *, key: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    screen = app.screen
    screen.query_one("#login-key").value = key
    screen.query_one("#login-secret").value = secret
    screen.query_one("#login-secret").focus()
    await pilot.press("ctrl+s")
    await pilot.pause()
    await screen.workers.wait_for_complete()
    await pilot.pause()


async def test_first_run_login_checks_then_saves_to_keyring(sandbox, memory_keyring) -> None:
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"

        await _fill_login(app, pilot, key=DEMO_API_KEY, secret="Wrong-Secret-1")
        assert "refused" in str(app.screen.query_one("#login-secret-error").render())
        assert keyring.get_password("vonage-tui", "default") is None
        assert not config_path().exists()
        # what the user typed is kept for another try
        assert app.screen.query_one("#login-key").value == DEMO_API_KEY

        await _fill_login(app, pilot, key=DEMO_API_KEY, secret=DEMO_API_SECRET)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "NumbersScreen"
        assert app.profile_label == f"default · {DEMO_API_KEY}"
        assert "24.50" in app.balance_text

    assert keyring.get_password("vonage-tui", "default") == DEMO_API_SECRET
    text = config_path().read_text()
    assert DEMO_API_KEY in text and DEMO_API_SECRET not in text
    assert (config_path().stat().st_mode & 0o777) == 0o600


async def test_login_refuses_bad_input_before_sending(sandbox) -> None:
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = sandbox.state.request_count
        screen = app.screen
        screen.query_one("#login-rest").value = "http://rest.example.com"
        await _fill_login(app, pilot, key="bad key!", secret="")
        assert str(screen.query_one("#login-key-error").render())
        assert str(screen.query_one("#login-secret-error").render())
        assert "http" in str(screen.query_one("#login-url-error").render()).lower()
        assert sandbox.state.request_count == before


async def test_stored_profile_opens_without_login(sandbox, memory_keyring) -> None:
    save_config(add_profile(load_config(), Profile(name="work", api_key=DEMO_API_KEY,
                                                   rest_url=sandbox.url, api_url=sandbox.url)))
    keyring.set_password("vonage-tui", "work", DEMO_API_SECRET)
    app = VonageApp(LaunchOptions())
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert type(app.screen).__name__ == "NumbersScreen"
        assert app.profile_label == f"work · {DEMO_API_KEY}"
        assert "24.50" in app.balance_text


async def test_headless_keyring_is_explained(sandbox, headless_keyring) -> None:
    save_config(add_profile(load_config(), Profile(name="work", api_key=DEMO_API_KEY,
                                                   rest_url=sandbox.url, api_url=sandbox.url)))
    app = VonageApp(LaunchOptions())
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "LoginScreen"
        reason = str(screen.query_one("#login-reason").render())
        assert "keyring" in reason.lower() and "VONAGE_API_KEY" in reason
        assert screen.query_one("#login-storage").value == "encrypted-file"


async def test_hanging_keyring_times_out_instead_of_freezing(sandbox, hanging_keyring, monkeypatch) -> None:
    import tui.startup as session

    real = session.resolve_startup
    monkeypatch.setattr(session, "resolve_startup", lambda name, timeout=0.3: real(name, timeout=0.3))
    save_config(add_profile(load_config(), Profile(name="work", api_key=DEMO_API_KEY,
                                                   rest_url=sandbox.url, api_url=sandbox.url)))
    app = VonageApp(LaunchOptions())
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert str(app.screen.query_one("#login-reason").render())


async def test_secret_input_refuses_copy(sandbox) -> None:
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        field = app.screen.query_one("#login-secret")
        field.value = "Very-Secret-99"
        field.focus()
        await pilot.press("ctrl+a", "ctrl+c", "ctrl+x")
        await pilot.pause()
        assert field.value == "Very-Secret-99"
        assert app.clipboard != "Very-Secret-99"


@pytest.mark.parametrize("storage", ["memory"])
async def test_memory_login_writes_nothing(sandbox, memory_keyring, storage) -> None:
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#login-storage").value = storage
        await _fill_login(app, pilot, key=DEMO_API_KEY, secret=DEMO_API_SECRET)
        await app.workers.wait_for_complete()
        assert type(app.screen).__name__ == "NumbersScreen"
    assert keyring.get_password("vonage-tui", "default") is None
    assert not config_path().exists()


async def test_login_form_profile_is_the_one_rotation_stores_to(sandbox, memory_keyring) -> None:
    """After a first-run login the app knows its profile, so a rotated secret is stored (not dropped)."""
    from pydantic import SecretStr

    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await _fill_login(app, pilot, key=DEMO_API_KEY, secret=DEMO_API_SECRET)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.spec.profile is not None and app.session.spec.profile.name == "default"
        await app.session.store_secret(SecretStr("Rotated-Secret-9"))
    assert keyring.get_password("vonage-tui", "default") == "Rotated-Secret-9"
