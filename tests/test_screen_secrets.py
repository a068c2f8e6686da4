"""The Secrets screen and the rotation against a real sandbox: list, create, revoke, rotate, roll back."""

from __future__ import annotations

import contextlib

from pydantic import SecretStr
from textual.widgets import Input, Static

from conftest import confirm_yes
from tui.api.client import VonageClient
from tui.api.errors import AuthError, ServerError, VonageError
from tui.operations import Operations
from tui.rotation import SecretRotation, generate_secret
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_SECRET_ID
from tui.sandbox.state import Secret as SandboxSecret
from tui.screens.secrets import ONLY_ONE, TOO_MANY, SecretsScreen
from tui.screens.secrets_modals import NewSecretDialog, SecretShownDialog, rule_marks
from tui.widgets.confirm import ConfirmDialog

SIZE = (100, 30)
OTHER_ID = "5f0e9a52-8a5b-4c52-9a3e-000000000002"
OTHER_SECRET = "Other-Secret-99"
STRONG = "NewSecret2024x"


def text_of(node, selector: str) -> str:
    return str(node.query_one(selector, Static).render())


async def settle(app, pilot) -> None:
    """Wait for the workers, then for what their results started (a reload after a change)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()


def add_second_secret(sandbox) -> None:
    sandbox.state.accounts[DEMO_API_KEY].secrets.append(
        SandboxSecret(OTHER_ID, "2024-01-02T03:04:05Z", OTHER_SECRET)
    )


def secret_ids(sandbox) -> list[str]:
    return [s.id for s in sandbox.state.accounts[DEMO_API_KEY].secrets]


def notified(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


def screenshot_text(app, tmp_path, name: str) -> str:
    path = app.save_screenshot(filename=f"{name}.svg", path=str(tmp_path))
    with open(path, encoding="utf-8") as handle:
        return handle.read()


async def authenticates(sandbox, secret: str) -> bool:
    async with VonageClient(DEMO_API_KEY, secret, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None) as c:
        try:
            await c.get_balance()
        except AuthError:
            return False
    return True


async def open_secrets(app, pilot) -> SecretsScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, SecretsScreen)
    return app.screen


# -- listing ------------------------------------------------------------------------------------------


async def test_single_secret_listed_and_marked_in_use(make_app, sandbox):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        assert screen.table.row_count == 1
        row = screen.table.get_row(DEMO_SECRET_ID)
        assert row is not None and row[0] == "✓ in use" and row[2].startswith("2018-12-03")
        assert "the one this profile uses" in text_of(screen, "#secrets-tip")


async def test_two_secrets_none_marked_and_tip_says_why(make_app, sandbox):
    add_second_secret(sandbox)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        assert screen.table.row_count == 2
        assert all(screen.table.get_row(i)[0] == "" for i in (DEMO_SECRET_ID, OTHER_ID))
        assert "not known: none is marked" in text_of(screen, "#secrets-tip")


# -- create -------------------------------------------------------------------------------------------


def test_rule_marks_and_generator():
    assert all(ok for _, ok in rule_marks(STRONG))
    marks = dict(rule_marks("abc"))
    assert marks["a lower-case letter"] and not marks["8–25 characters"] and not marks["a digit"]
    for _ in range(50):
        value = generate_secret()
        assert all(ok for _, ok in rule_marks(value))


async def test_weak_secret_refused_inline_nothing_sent(make_app, sandbox):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        await open_secrets(app, pilot)
        sandbox.state.reset_counters()
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewSecretDialog)
        field = dialog.query_one("#new-secret-input", Input)
        assert field.password and field.has_focus
        field.value = "weakpa"
        await pilot.press("s", "s")  # typed: the checklist follows each key
        await pilot.pause()
        rules = text_of(dialog, "#new-secret-rules")
        assert "✓ 8–25 characters" in rules and "✗ an upper-case letter" in rules and "✗ a digit" in rules
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog
        error = text_of(dialog, "#new-secret-error")
        assert "Not sent" in error and "upper-case" in error and "digit" in error
        assert "weakpass" not in error
        assert field.value == "weakpass"  # never cleared on error
        assert sandbox.state.request_count == 0
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        await pilot.press("escape", "escape")  # out of the field, then asked: what was typed would be lost
        await pilot.pause()
        await pilot.press("tab", "enter")  # discard, deliberately
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsScreen)
        assert sandbox.state.request_count == 0


async def test_create_shows_secret_once_and_copies_on_key(make_app, sandbox, tmp_path):
    app = make_app(initial_screen="secrets")
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        screen = await open_secrets(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#new-secret-input", Input).value = STRONG  # as pasted
        await pilot.pause()
        assert "✗" not in text_of(app.screen, "#new-secret-rules")
        assert STRONG not in screenshot_text(app, tmp_path, "typing")  # masked while typing
        await pilot.press("enter")
        await settle(app, pilot)
        shown = app.screen
        assert isinstance(shown, SecretShownDialog)
        assert STRONG not in screenshot_text(app, tmp_path, "masked")  # hidden until asked for
        await pilot.press("v")
        await pilot.pause()
        assert text_of(shown, "#new-secret-value") == STRONG
        assert STRONG in screenshot_text(app, tmp_path, "shown")  # the one time it is on screen
        assert copied == []  # nothing reaches the clipboard without the key
        await pilot.press("y")
        await pilot.pause()
        assert copied == [STRONG]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsScreen)
        assert STRONG not in screenshot_text(app, tmp_path, "after")
        assert not any(STRONG in m for m in notified(app))
        account = sandbox.state.accounts[DEMO_API_KEY]
        assert len(account.secrets) == 2 and account.authenticates(STRONG)
        assert screen.table.row_count == 2
        assert screen.table.get_row(DEMO_SECRET_ID)[0] == "✓ in use"  # still logged in with the old one


async def test_third_secret_403_explained(make_app, sandbox):
    add_second_secret(sandbox)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        await pilot.press("n", "ctrl+g")  # a generated secret, already filled in
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewSecretDialog)
        assert "✗" not in text_of(dialog, "#new-secret-rules")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsScreen)
        assert text_of(screen, "#secrets-status") == TOO_MANY
        assert any("at most two secrets" in m for m in notified(app))
        assert sandbox.state.status_counts[403] == 1
        assert secret_ids(sandbox) == [DEMO_SECRET_ID, OTHER_ID]


# -- revoke -------------------------------------------------------------------------------------------


async def test_revoke_confirms_no_by_default_then_revokes(make_app, sandbox):
    add_second_secret(sandbox)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        assert screen.table.move_to_key(OTHER_ID)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert OTHER_ID in text_of(dialog, "#confirm-body") and DEMO_API_KEY in text_of(dialog, "#confirm-body")
        await pilot.press("enter")  # "No" has the focus
        await settle(app, pilot)
        assert secret_ids(sandbox) == [DEMO_SECRET_ID, OTHER_ID]
        screen.table.move_to_key(OTHER_ID)
        await pilot.press("d")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        assert screen.table.row_count == 1
        assert screen.table.get_row(DEMO_SECRET_ID)[0] == "✓ in use"
        assert "Revoked" in text_of(screen, "#secrets-status")


async def test_last_secret_explained(make_app, sandbox):
    """The API refuses to revoke the last secret: said up front, with no question asked and nothing sent."""
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen is screen
        assert text_of(screen, "#secrets-status") == ONLY_ONE
        assert any("only secret" in m for m in notified(app))
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        assert sandbox.state.status_counts[403] == 0


# -- rotate -------------------------------------------------------------------------------------------


async def rotate(app, pilot) -> None:
    await pilot.press("R")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ConfirmDialog)
    assert DEMO_API_KEY in text_of(dialog, "#confirm-body")
    await confirm_yes(pilot)
    await settle(app, pilot)


async def test_rotate_replaces_the_secret(make_app, sandbox, tmp_path):
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        await rotate(app, pilot)
        account = sandbox.state.accounts[DEMO_API_KEY]
        assert len(account.secrets) == 1
        new = account.secrets[0]
        assert new.id != DEMO_SECRET_ID
        assert not account.authenticates(DEMO_API_SECRET)
        assert not await authenticates(sandbox, DEMO_API_SECRET)
        assert await authenticates(sandbox, new.value)
        assert app.session.current_secret().get_secret_value() == new.value  # stored for the profile
        assert (await app.session.client.list_secrets())[0].id == new.id  # the app's client uses it
        # the value is neither notified nor on screen: the dialog masks it until v
        shown = app.screen
        assert isinstance(shown, SecretShownDialog)
        assert new.value not in screenshot_text(app, tmp_path, "rotated")
        assert not any(new.value in m for m in notified(app))
        assert any("Rotated" in m for m in notified(app))
        await pilot.press("v")
        await pilot.pause()
        assert text_of(shown, "#new-secret-value") == new.value
        await pilot.press("escape")
        await settle(app, pilot)
        assert new.value not in screenshot_text(app, tmp_path, "after")
        assert screen.table.row_count == 1
        assert screen.table.get_row(new.id)[0] == "✓ in use"


class FailingVerify(SecretRotation):
    async def verify(self, new_id):  # type: ignore[no-untyped-def]
        raise AuthError(status=401)


class FailingOldRevoke(SecretRotation):
    async def revoke(self, secret_id):  # type: ignore[no-untyped-def]
        if secret_id == DEMO_SECRET_ID:
            raise ServerError(status=503)
        return await super().revoke(secret_id)


async def test_rotate_rolls_back_when_the_new_secret_fails_its_check(make_app, sandbox, monkeypatch):
    monkeypatch.setattr(SecretsScreen, "rotation_class", FailingVerify)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        await rotate(app, pilot)
        assert isinstance(app.screen, SecretsScreen)  # nothing to show
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]  # the new one was revoked again
        assert await authenticates(sandbox, DEMO_API_SECRET)
        assert app.session.current_secret().get_secret_value() == DEMO_API_SECRET
        balance = await app.session.client.get_balance()  # the user can still call the API
        assert balance.value > 0
        status = text_of(screen, "#secrets-status")
        assert "rolled back" in status and "old secret is stored and in use" in status
        assert screen.table.get_row(DEMO_SECRET_ID)[0] == "✓ in use"


async def test_rotate_keeps_both_when_the_old_cannot_be_revoked(make_app, sandbox, monkeypatch):
    monkeypatch.setattr(SecretsScreen, "rotation_class", FailingOldRevoke)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        await rotate(app, pilot)
        account = sandbox.state.accounts[DEMO_API_KEY]
        assert len(account.secrets) == 2
        new = next(s for s in account.secrets if s.id != DEMO_SECRET_ID)
        assert await authenticates(sandbox, DEMO_API_SECRET) and await authenticates(sandbox, new.value)
        assert app.session.current_secret().get_secret_value() == new.value
        await app.session.client.get_balance()
        assert "still exists" in text_of(screen, "#secrets-status")
        await pilot.press("escape")  # close the (masked) secret dialog
        await settle(app, pilot)
        assert screen.table.get_row(new.id)[0] == "✓ in use"
        assert screen.table.get_row(DEMO_SECRET_ID)[0] == ""


async def test_rotate_with_two_secrets_asks_to_revoke_first(make_app, sandbox):
    add_second_secret(sandbox)
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        sandbox.state.reset_counters()
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsScreen)
        assert "revoke the one this profile does not use" in text_of(screen, "#secrets-status")
        assert sandbox.state.request_count == 0


async def test_read_only_hides_secret_writes(make_app, sandbox):
    app = make_app(initial_screen="secrets", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_secrets(app, pilot)
        for action in ("create", "revoke", "rotate"):
            assert screen.check_action(action, ()) is False
        await pilot.press("n", "d", "R")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretsScreen)


# -- the rotation module on its own (no UI) ------------------------------------------------------------


class Session:
    """What the app provides the rotation: one swappable client and a stored secret."""

    def __init__(self, sandbox, secret: str) -> None:
        self.sandbox = sandbox
        self.client = self._client(SecretStr(secret))
        self.stored = SecretStr(secret)
        self.fail_store_of: str | None = None

    def _client(self, secret: SecretStr) -> VonageClient:
        return VonageClient(DEMO_API_KEY, secret, rest_url=self.sandbox.url, api_url=self.sandbox.url, rate_limit=None)

    async def connect(self, secret: SecretStr) -> None:
        old, self.client = self.client, self._client(secret)
        await old.aclose()

    async def store(self, secret: SecretStr) -> None:
        if secret.get_secret_value() == self.fail_store_of:
            raise OSError("keyring locked")
        self.stored = secret

    def rotation(self, cls=SecretRotation) -> SecretRotation:  # type: ignore[no-untyped-def]
        ops = Operations(lambda: self.client, None, "test")
        return cls(client=lambda: self.client, ops=ops, connect=self.connect, store=self.store)


async def test_rotation_module_success(sandbox):
    session = Session(sandbox, DEMO_API_SECRET)
    try:
        result = await session.rotation().run(SecretStr(DEMO_API_SECRET), SecretStr(STRONG))
        assert result.ok and result.complete and result.revoked == [DEMO_SECRET_ID]
        assert secret_ids(sandbox) == [result.new_secret_id]
        assert session.stored.get_secret_value() == STRONG
        assert STRONG not in result.message
    finally:
        await session.client.aclose()


async def test_rotation_module_store_failure_rolls_back(sandbox):
    session = Session(sandbox, DEMO_API_SECRET)
    session.fail_store_of = STRONG
    try:
        result = await session.rotation().run(SecretStr(DEMO_API_SECRET), SecretStr(STRONG))
        assert not result.ok and result.rolled_back and not result.leftover_ids
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        assert session.stored.get_secret_value() == DEMO_API_SECRET
        await session.client.get_balance()
        assert "OSError" in result.message and "keyring locked" not in result.message
    finally:
        await session.client.aclose()


async def test_rotation_module_verify_failure_after_store(sandbox):
    session = Session(sandbox, DEMO_API_SECRET)
    try:
        result = await session.rotation(FailingVerify).run(SecretStr(DEMO_API_SECRET), SecretStr(STRONG))
        assert not result.ok and result.rolled_back
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        assert session.stored.get_secret_value() == DEMO_API_SECRET
        assert (await session.client.list_secrets())[0].id == DEMO_SECRET_ID
    finally:
        await session.client.aclose()


async def test_rotation_module_create_failure_changes_nothing(sandbox):
    session = Session(sandbox, DEMO_API_SECRET)

    class FailingCreate(SecretRotation):
        async def create(self, secret):  # type: ignore[no-untyped-def]
            raise VonageError("the Vonage service had a problem; try again later")

    try:
        result = await session.rotation(FailingCreate).run(SecretStr(DEMO_API_SECRET), SecretStr(STRONG))
        assert not result.ok and "nothing was changed" in result.message
        assert secret_ids(sandbox) == [DEMO_SECRET_ID]
        assert session.stored.get_secret_value() == DEMO_API_SECRET
    finally:
        await session.client.aclose()


async def test_rotation_module_cancelled_midway_locks_nobody_out(sandbox):
    import asyncio

    session = Session(sandbox, DEMO_API_SECRET)
    reached = asyncio.Event()

    async def hanging_connect(secret: SecretStr) -> None:
        reached.set()
        await asyncio.Event().wait()

    ops = Operations(lambda: session.client, None, "test")
    rotation = SecretRotation(client=lambda: session.client, ops=ops, connect=hanging_connect, store=session.store)
    task = asyncio.create_task(rotation.run(SecretStr(DEMO_API_SECRET), SecretStr(STRONG)))
    try:
        await asyncio.wait_for(reached.wait(), 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert any("stored" in step for step in rotation.steps)
        assert len(secret_ids(sandbox)) == 2  # nothing revoked: the stored (new) and connected (old) both work
        assert await authenticates(sandbox, session.stored.get_secret_value())
        await session.client.get_balance()
    finally:
        await session.client.aclose()


async def test_ctrl_s_creates_the_typed_secret_as_enter_does(make_app, sandbox):
    """The README promises ctrl+s sends the form you are in; the new-secret form ignored it."""
    app = make_app(initial_screen="secrets")
    async with app.run_test(size=SIZE) as pilot:
        await open_secrets(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewSecretDialog)
        dialog.query_one("#new-secret-input", Input).value = "Typed1Secret22"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SecretShownDialog)
        assert len(secret_ids(sandbox)) == 2
