"""Secrets: list the account's API secrets, create one, revoke one, and rotate the one in use.

The API lists ids and creation times only, so which secret this profile uses is known only when it can
be deduced: the account has a single secret (we authenticated, so it is ours), or this session rotated
(the new id is ours). Otherwise none is marked and the tip says so. The rotation itself lives in
``tui.rotation`` (no Textual); this screen only asks, runs it in a worker and reports.

``A`` switches to a subaccount's secrets (the primary's credentials may manage them: the path takes
the subaccount's key). List, create and revoke then act on that account; rotation stays with the
primary, because it replaces the secret this login uses, so R is hidden while a subaccount is shown.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from tui.api.errors import AuthError, Forbidden, ValidationFailed, VonageError
from tui.crash import hold
from tui.formatting import plural
from tui.rotation import RotationResult, SecretRotation, generate_secret
from tui.screens.base import ReloadingScreen
from tui.screens.secrets_modals import NewSecretDialog, SecretShownDialog
from tui.screens.subaccounts import SubaccountsDialog
from tui.subaccounts import PRIMARY
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.api.models import Secret
    from tui.operations import Outcome

TOO_MANY = "An account can have at most two secrets — revoke one first (d), then create the new one."
ONLY_ONE = ("This is the account's only secret, and the API never revokes the last one: create another (n) "
            "first, move whatever uses this one to it, then revoke this one.")
IN_USE_MARK = "✓ in use"

COLUMNS = [
    Column("use", "in use", width=9),
    Column("id", "secret id", width=38),
    Column("created", "created"),
]


class SecretsTable(FastTable):
    """The house table; marks and "open" mean nothing for two rows, so they stay out of the footer."""

    BINDINGS = [
        Binding("space", "toggle_mark", "Mark", show=False, id="secrets.table_mark"),
        Binding("enter", "select", "Open", show=False, id="secrets.table_open"),
        Binding("y", "copy", "Copy id", id="secrets.copy_id", tooltip="Copy the highlighted secret id"),
    ]


def created_text(secret: Secret) -> str:
    when = secret.created
    if when is None:
        return secret.created_at or "?"
    return when.strftime("%Y-%m-%d %H:%M UTC")


class SecretsRead(Message, bubble=False):
    """The secrets of ``account`` ("" = primary) as listed (``secrets``), or why they could not be (``error``)."""

    def __init__(self, secrets: list[Secret] | None, error: VonageError | None = None, account: str = "") -> None:
        super().__init__()
        self.secrets = secrets
        self.error = error
        self.account = account


class SecretChanged(Message, bubble=False):
    """A create, revoke or rotation ended: ``what``, its outcome and the secrets involved."""

    def __init__(self, what: str, outcome: Any, error: BaseException | None = None, *,
                 secret: SecretStr | None = None, secret_id: str = "") -> None:
        super().__init__()
        self.what = what
        self.outcome = outcome
        self.error = error
        self.secret = secret
        self.secret_id = secret_id


class SecretsScreen(ReloadingScreen):
    """The account's secrets: n new (or generated), d revoke, R rotate."""

    SCREEN_TITLE = "Secrets"
    WRITE_ACTIONS = frozenset({"create", "revoke", "rotate"})
    BINDINGS = [
        Binding("n", "create", "New secret", id="secrets.create",
                tooltip="Create a secret: type it (hidden) or generate a strong one (ctrl+g)"),
        Binding("d", "revoke", "Revoke", id="secrets.revoke", tooltip="Revoke the highlighted secret"),
        Binding("R", "rotate", "Rotate", id="secrets.rotate",
                tooltip="Replace the secret this profile uses: create, store, check, revoke the old"),
        Binding("r", "refresh", "Refresh", id="secrets.refresh", tooltip="Reload the list of secrets"),
        Binding("A", "account", "Account…", show=False, id="secrets.account",  # named on the line above the table
                tooltip="Show the secrets of the primary account or of a subaccount"),
    ]  # fmt: skip

    #: The rotation class (a test may swap in one whose step fails).
    rotation_class: type[SecretRotation] = SecretRotation

    def __init__(self) -> None:
        super().__init__()
        self._secrets: list[Secret] = []
        self._in_use: str | None = None
        self._just_revoked: str | None = None
        self._target = PRIMARY  # whose secrets are shown: "" the primary, else a subaccount's key

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Literal("", id="secrets-account")
        yield SecretsTable(COLUMNS, id="secrets-table")
        yield Literal("", id="secrets-tip", classes="dim")
        yield Literal("", id="secrets-status")
        yield Literal("n new (ctrl+g generates one) · d revoke · R rotate (safe replacement of the secret in use) "
                      "· y copy id", id="secrets-help", classes="dim")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(FastTable))
        self._show_account()
        if self.read_only:  # read-only: no hint of what cannot be done
            self.query_one("#secrets-help", Literal).update("y copies the highlighted secret id · r refreshes")

    @property
    def table(self) -> FastTable:
        return self.query_one("#secrets-table", FastTable)

    # -- loading ------------------------------------------------------------------------------

    @work(group="load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        session, account = self.session, self._target
        if session is None:
            return
        await session.subaccounts.read_listing(session.client)  # the demo's, once: for A
        try:
            self.post_message(SecretsRead(await session.client.list_secrets(account or None), account=account))
        except AuthError as exc:
            self.post_message(SecretsRead(None, exc, account))
        except VonageError as exc:  # a subaccount the primary may not manage (403/404): said, not crashed
            if not account:
                raise
            self.post_message(SecretsRead(None, exc, account))

    @on(SecretsRead)
    def _read(self, event: SecretsRead) -> None:
        if event.account != self._target:  # read for the account shown before a switch
            return
        if event.secrets is None:
            if event.error is not None:
                self._load_failed(event.error)
            return
        self._show(event.secrets)

    def _load_failed(self, exc: VonageError) -> None:
        if self._just_revoked:
            text = (
                f"The list could not be read: {exc.message}. The secret just revoked "
                f"({self._just_revoked}) was probably the one this profile used; log in again with the "
                "other secret (: login)."
            )
        else:
            text = f"The list could not be read: {exc.message}."
        self._status(text, error=True)
        self.say(text, title="Secrets", severity="error", timeout=12)

    def _show(self, secrets: list[Secret]) -> None:
        if self.loaded():  # another account: what we knew of the secret in use was about the last one
            self._in_use = None
        self._secrets = list(secrets)
        self._just_revoked = None
        ids = [s.id for s in secrets]
        if not self._target and len(ids) == 1:  # (a subaccount's secrets: this login uses none of them)
            self._in_use = ids[0]  # we authenticated, and this is the only secret: it is ours
        elif not self._target and self._in_use not in ids:
            self._in_use = None
        in_use = None if self._target else self._in_use
        self.table.set_rows((s.id, (IN_USE_MARK if s.id == in_use else "", s.id, created_text(s))) for s in secrets)
        self.query_one("#secrets-tip", Literal).update(self._tip())

    def _tip(self) -> str:
        count = len(self._secrets)
        if count == 0:
            return "No secrets listed."
        if self._target:
            return (f"{plural(count, 'secret')} of this subaccount; whatever logs in as it uses one of them. n adds one "
                    "(at most two), d revokes one. Rotation is for the primary account only.")
        if count == 1:
            return "One secret: it is the one this profile uses. R rotates it; n adds a second one."
        if self._in_use:
            return (f"{count} secrets; this profile uses the one marked (known from earlier in this session). "
                    "The other can be revoked with d.")
        return (f"{count} secrets (the most an account may have). The API lists ids only, so which one this "
                "profile uses is not known: none is marked. Revoke the one you no longer use before "
                "creating or rotating.")

    def _status(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#secrets-status", Literal)
        widget.update(text)
        widget.set_class(error, "field-error")

    @on(FastTable.CopyRequested, "#secrets-table")
    def _copy_id(self, event: FastTable.CopyRequested) -> None:
        if event.key is not None:
            self.app.copy_to_clipboard(str(event.key))
            self.say(f"Copied secret id {event.key}.")

    # -- whose secrets ----------------------------------------------------------------------------

    def _show_account(self) -> None:
        key = self._api_key()
        who = f"subaccount {key}" if self._target else f"the primary account {key} (this login)"
        self.query_one("#secrets-account", Literal).update(f"Secrets of {who} · A switches account")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rotate" and self._target:
            return False  # it replaces the secret this login uses: the primary's only
        return super().check_action(action, parameters)

    def action_account(self) -> None:
        session = self.session
        if session is None:
            return

        def chosen(account: str | None) -> None:
            if account is not None and self.session is session and account != self._target:
                self.switch_account(account)

        self.app.push_screen(SubaccountsDialog(session.subaccounts, current=self._target,
                                               title="Whose secrets? Accounts of this login"), chosen)

    def switch_account(self, account: str, *, reload: bool = True) -> None:
        """Show the secrets of ``account`` ("" = the primary) from now on."""
        self._target, self._secrets = account, []
        self.table.set_rows(())
        self._status("")
        self.query_one("#secrets-tip", Literal).update("")
        self._show_account()
        self.refresh_bindings()
        if reload:
            self.reload()

    def on_session_opened(self) -> None:
        """Another login: its primary's secrets (a subaccount of the last login means nothing here).

        Textual runs ReloadingScreen's handler of the same name too (handlers run along the MRO): it reloads."""
        if self.is_attached:
            self.switch_account(PRIMARY, reload=False)

    # -- create -------------------------------------------------------------------------------

    def action_create(self) -> None:
        if not self.writes_allowed():
            return

        def _chosen(secret: SecretStr | None) -> None:
            if secret is not None:
                self._status("Creating a secret…")
                self.run_create(secret)

        self.app.push_screen(NewSecretDialog(self._api_key()), _chosen)

    def _api_key(self) -> str:
        """The account shown, in words: "abcd1234", or "Support team (sub12345)" for a subaccount."""
        session = self.session
        if session is None:
            return "?"
        return session.subaccounts.describe(self._target) if self._target else session.api_key

    @work(group="action", exit_on_error=False)
    async def run_create(self, secret: SecretStr) -> None:
        session = self.session
        if session is None:
            return
        try:
            outcome = await session.ops.create_secret(secret, api_key=self._target or None)
        except VonageError as exc:
            self.post_message(SecretChanged("create", None, exc))
            return
        self.post_message(SecretChanged("create", outcome, outcome.error, secret=secret))

    @on(SecretChanged)
    def _changed(self, event: SecretChanged) -> None:
        if event.what == "create":
            if event.outcome is not None and event.outcome.ok and event.secret is not None:
                self._created(event.outcome, event.secret)
            else:
                message = event.outcome.message if event.outcome is not None else getattr(event.error, "message", "")
                self._create_failed(message, event.error)
        elif event.what == "revoke":
            self._revoked(event.secret_id, event.outcome, event.error)
        elif event.what == "rotate" and event.secret is not None:
            self._rotated(event.outcome, event.secret)
        elif event.what == "interrupted":
            self._rotation_interrupted(event.outcome)

    def _created(self, outcome: Outcome, secret: SecretStr) -> None:
        secret_id = getattr(outcome.result, "id", None)
        self._status(f"✓ Created secret {secret_id or ''}. This profile still uses its current secret.")
        self.say(f"Created secret {secret_id or ''}.", title="Secrets")
        self.reload()
        self.app.push_screen(SecretShownDialog(secret, secret_id, self._api_key()))

    def _create_failed(self, message: str, error: BaseException | None) -> None:
        if isinstance(error, Forbidden):
            text = TOO_MANY
        elif isinstance(error, ValidationFailed):
            text = f"The server refused the secret: {message}"
        else:
            text = f"No secret was created: {message}"
        self._status(text, error=True)
        self.say(text, title="Secret not created", severity="error", timeout=10)

    # -- revoke -------------------------------------------------------------------------------

    def action_revoke(self) -> None:
        if not self.writes_allowed():
            return
        secret_id = self.table.cursor_key
        if secret_id is None:
            self.say("No secret highlighted.", severity="warning")
            return
        secret_id = str(secret_id)
        text = ONLY_ONE if len(self._secrets) == 1 else ""  # the API refuses it: said now, before any question
        if not text and not self._target and secret_id == self._in_use:
            text = (f"This profile is logged in with secret {secret_id}: revoking it would lock this session "
                    "out. Use R (rotate) to replace it safely, or revoke the other one.")
        if text:
            self._status(text, error=True)
            self.say(text, title="Not revoked", severity="warning", timeout=10)
            return
        account = self._api_key()
        body = f"Revoke secret {secret_id} of account {account}?\n\nAnything still using this secret stops working."
        if not self._target and self._in_use is None and len(self._secrets) > 1:
            body += (" If this profile is logged in with it, this session is locked out too — R (rotate) "
                     "replaces the secret in use safely.")

        def revoke() -> None:
            self._status(f"Revoking {secret_id}…")
            self.run_revoke(secret_id)

        self.confirm(f"Revoke secret {secret_id}", body, yes=f"Revoke {secret_id[:8]}…", then=revoke)

    @work(group="action", exit_on_error=False)
    async def run_revoke(self, secret_id: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            outcome = await session.ops.revoke_secret(secret_id, api_key=self._target or None)
        except VonageError as exc:
            self.post_message(SecretChanged("revoke", None, exc, secret_id=secret_id))
            return
        self.post_message(SecretChanged("revoke", outcome, outcome.error, secret_id=secret_id))

    def _revoked(self, secret_id: str, outcome: Outcome | None, error: BaseException | None) -> None:
        if outcome is not None and outcome.ok:
            self._just_revoked = secret_id
            self._status(f"✓ {outcome.message}.")
            self.say(f"{outcome.message}.", title="Secrets")
            self.reload()
            return
        if isinstance(error, Forbidden):
            text = ONLY_ONE
        else:
            text = outcome.message if outcome is not None else f"Not revoked: {getattr(error, 'message', error)}"
        self._status(text, error=True)
        self.say(text, title="Secret not revoked", severity="error", timeout=10)

    # -- rotate -------------------------------------------------------------------------------

    def action_rotate(self) -> None:
        if not self.writes_allowed():
            return
        if len(self._secrets) >= 2:
            text = ("An account can have at most two secrets — revoke the one this profile does not use (d) "
                    "first, then rotate.")
            self._status(text, error=True)
            self.say(text, title="Cannot rotate yet", severity="warning", timeout=10)
            return
        account = self._api_key()
        old = ", ".join(s.id for s in self._secrets) or "the current secret"
        body = (
            f"Rotate the API secret of account {account}?\n\n"
            "1. create a new random secret\n2. store it for this profile\n3. reconnect and check that it works\n"
            f"4. revoke the old secret {old}\n\nIf a step fails it is undone and the old secret keeps working. "
            "Anything else still using the old secret (servers, scripts, other tools) stops working once it is "
            "revoked: give them the new one, shown once after the rotation."
        )

        def rotate() -> None:
            self._status("Rotating…")
            self.run_rotate()

        self.confirm(f"Rotate the secret of {account}", body, yes="Rotate", then=rotate)

    def make_rotation(self) -> SecretRotation:
        session = self.session
        assert session is not None
        return self.rotation_class(client=lambda: session.client, ops=session.ops, connect=session.reconnect,
                                   store=session.store_secret)

    @work(group="action", exit_on_error=False)
    async def run_rotate(self) -> None:
        from pydantic import SecretStr

        session = self.session
        if session is None:
            return
        old = session.current_secret()
        hold(new := SecretStr(generate_secret()))
        rotation = self.make_rotation()
        try:
            result = await rotation.run(old, new)
        except asyncio.CancelledError:
            self.post_message(SecretChanged("interrupted", rotation.steps))
            raise
        self.post_message(SecretChanged("rotate", result, secret=new))

    def _rotation_interrupted(self, steps: list[str]) -> None:
        done = "; ".join(steps) or "nothing yet"
        text = (f"Rotation interrupted (done: {done}). No secret in use or stored was revoked, so you are not "
                "locked out; refresh (r) and revoke any secret you do not need.")
        self._status(text, error=True)
        self.say(text, title="Rotation", severity="warning", timeout=15)
        self._loaded_at = None

    def _rotated(self, result: RotationResult, new: SecretStr) -> None:
        if result.in_use_id:
            self._in_use = result.in_use_id
        severity: Any = "information" if result.complete else ("warning" if result.ok else "error")
        self._status(("✓ " if result.complete else "") + result.message, error=not result.ok)
        self.say(result.message, title="Rotation", severity=severity, timeout=12)
        self.reload()
        if result.ok and self.session is not None:
            self.app.push_screen(SecretShownDialog(
                new, result.new_secret_id, self._api_key(), title="Secret rotated",
                intro=self.session.secret_storage_note(),
            ))
