"""Secrets, first contact: the last secret is refused before any question; rotation says what else stops."""

from __future__ import annotations

from textual.widgets import Static

from conftest import settle
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_SECRET_ID
from tui.sandbox.state import Secret as SandboxSecret
from tui.screens.secrets import ONLY_ONE, SecretsScreen
from tui.widgets.confirm import ConfirmDialog

OTHER_ID = "5f0e9a52-8a5b-4c52-9a3e-000000000002"


async def open_secrets(app, pilot) -> SecretsScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, SecretsScreen)
    return screen


async def test_d_on_the_only_secret_is_refused_before_any_confirmation(make_app, sandbox) -> None:
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_secrets(app, pilot)
        assert screen.table.row_count == 1
        sandbox.state.reset_counters()
        await pilot.press("d")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog) and app.screen is screen
        assert str(screen.query_one("#secrets-status", Static).render()) == ONLY_ONE
        assert "never revokes the last one" in ONLY_ONE and "create another (n)" in ONLY_ONE
        assert any(ONLY_ONE == str(n.message) for n in app._notifications)
        assert sandbox.state.request_count == 0  # nothing sent


async def test_with_two_secrets_d_on_the_other_still_asks(make_app, sandbox) -> None:
    sandbox.state.accounts[DEMO_API_KEY].secrets.append(SandboxSecret(OTHER_ID, "2024-01-02T03:04:05Z", "Other-9x"))
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_secrets(app, pilot)
        assert screen.table.move_to_key(OTHER_ID)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)


async def test_rotate_confirmation_warns_that_other_users_of_the_old_secret_stop(make_app, sandbox) -> None:
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_secrets(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = " ".join(str(dialog.query_one("#confirm-body").render()).split())
        assert f"revoke the old secret {DEMO_SECRET_ID}" in body
        assert "Anything else still using the old secret" in body and "stops working once it is revoked" in body
        yes = dialog.query_one("#confirm-yes")
        assert yes.region.bottom <= 24  # the longer body still leaves the buttons on screen at 80x24
