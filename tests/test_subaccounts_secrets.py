"""The Secrets screen on a subaccount: A chooses the account, then list, create and revoke act on it.

Against the sandbox, whose master account may manage its subaccounts' secrets: the subaccount's
secrets change and the primary's do not; rotation (which replaces the secret this login uses) is
hidden while a subaccount is shown; the line above the table says whose secrets these are.
"""

from __future__ import annotations

from textual.widgets import Input, Static

from conftest import confirm_yes, settle
from tui.sandbox.inventory import (
    DEMO_API_KEY,
    DEMO_SECRET_ID,
    SUBACCOUNT2_API_KEY,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_SECRET_ID,
)
from tui.screens.secrets import SecretsScreen
from tui.screens.secrets_modals import NewSecretDialog, SecretShownDialog
from tui.screens.subaccounts import SubaccountsDialog
from tui.widgets.confirm import ConfirmDialog

SIZE = (80, 24)
STRONG = "SubSecret2024x"
SUPPORT = f"Support team ({SUBACCOUNT_API_KEY})"


def text_of(node, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(node.query_one(selector, Static).content)


def ids(sandbox, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.id for s in sandbox.state.accounts[key].secrets]


async def secrets_screen(app, pilot) -> SecretsScreen:  # type: ignore[no-untyped-def]
    await settle(app, pilot)
    await settle(app, pilot)
    assert isinstance(app.screen, SecretsScreen)
    return app.screen


async def switch_to(app, pilot, key: str) -> SecretsScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    await pilot.press("A")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SubaccountsDialog)
    assert dialog.table.move_to_key(key)
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.screen is screen
    return screen


async def test_A_shows_a_subaccounts_secrets_and_hides_rotation(make_app, sandbox):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await secrets_screen(app, pilot)
        assert text_of(screen, "#secrets-account").startswith(f"Secrets of the primary account {DEMO_API_KEY}")
        assert screen.table.visible_keys() == [DEMO_SECRET_ID]
        assert "R" in screen.active_bindings and "A" in screen.active_bindings

        await pilot.press("A")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SubaccountsDialog)
        assert dialog.table.visible_keys() == ["", SUBACCOUNT_API_KEY, SUBACCOUNT2_API_KEY]
        assert dialog.table.get_row("")[0].startswith("● primary")  # the account shown now
        assert dialog.table.get_row(SUBACCOUNT_API_KEY)[2] == "listed by Vonage"
        await pilot.press("j", "enter")
        await settle(app, pilot)

        assert app.screen is screen
        assert text_of(screen, "#secrets-account").startswith(f"Secrets of subaccount {SUPPORT}")
        assert screen.table.visible_keys() == [SUBACCOUNT_SECRET_ID]
        assert screen.table.get_row(SUBACCOUNT_SECRET_ID)[0] == ""  # this login uses none of them
        assert "R" not in screen.active_bindings and screen.check_action("rotate", ()) is False
        await pilot.press("R")
        await settle(app, pilot)
        assert app.screen is screen  # no rotation dialog
        assert ids(sandbox, DEMO_API_KEY) == [DEMO_SECRET_ID]

        await switch_to(app, pilot, "")  # back to the primary: rotation is offered again
        assert screen.table.visible_keys() == [DEMO_SECRET_ID]
        assert screen.table.get_row(DEMO_SECRET_ID)[0] == "✓ in use"
        assert screen.check_action("rotate", ()) is True


async def test_create_and_revoke_act_on_the_subaccount_only(make_app, sandbox):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await secrets_screen(app, pilot)
        await switch_to(app, pilot, SUBACCOUNT_API_KEY)

        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewSecretDialog)
        assert f"New secret for account {SUPPORT}" in text_of(dialog, ".dialog-title")
        dialog.query_one("#new-secret-input", Input).value = STRONG
        await pilot.press("enter")
        await settle(app, pilot)
        shown = app.screen
        assert isinstance(shown, SecretShownDialog)
        assert SUPPORT in text_of(shown, "#new-secret-note")
        await pilot.press("escape")
        await settle(app, pilot)

        sub = sandbox.state.accounts[SUBACCOUNT_API_KEY]
        assert len(sub.secrets) == 2 and sub.authenticates(STRONG)
        assert ids(sandbox, DEMO_API_KEY) == [DEMO_SECRET_ID]  # the primary's are untouched
        new_id = next(i for i in ids(sandbox, SUBACCOUNT_API_KEY) if i != SUBACCOUNT_SECRET_ID)
        assert set(screen.table.visible_keys()) == {SUBACCOUNT_SECRET_ID, new_id}

        assert screen.table.move_to_key(SUBACCOUNT_SECRET_ID)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert f"of account {SUPPORT}" in text_of(app.screen, "#confirm-body")
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert ids(sandbox, SUBACCOUNT_API_KEY) == [new_id]
        assert ids(sandbox, DEMO_API_KEY) == [DEMO_SECRET_ID]
        assert screen.table.visible_keys() == [new_id]
        assert app.session.service.connected  # the primary's login was never at risk


async def test_a_subaccount_the_primary_may_not_manage_is_reported_not_crashed(make_app, sandbox):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await secrets_screen(app, pilot)
        app.session.subaccounts.put("zz999999", "Someone else")  # typed by mistake: not a subaccount of ours
        await switch_to(app, pilot, "zz999999")
        assert screen.table.row_count == 0
        assert "could not be read" in text_of(screen, "#secrets-status")
        assert app.is_running and app.screen is screen
