"""Account: balance and auto-reload, top-up, the default SMS webhooks, and the account's limits.

Reads go through ``self.api.client`` and the top-up (money) through ``self.vapp.ops`` (journaled);
the webhooks are saved with ``client.update_settings``. Everything runs in workers on this screen,
which hand their result to one ``_show_*`` method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from tui.api import validators
from tui.api.errors import ActionFailed, AutoReloadDisabled, InputError, VonageError
from tui.formatting import money
from tui.screens.base import ReloadingScreen
from tui.widgets.confirm import ConfirmDialog
from tui.service import describe_error

if TYPE_CHECKING:
    from tui.api.models import AccountSettings, Balance
    from tui.operations import Outcome

AUTO_RELOAD_OFF = (
    "Auto-reload is off for this account, so there is no earlier payment to repeat: top-up only works "
    "on accounts with auto-reload enabled (turn it on in the Vonage dashboard). "
    "This is not a login problem — your API key and secret are fine."
)


def balance_line(balance: Balance | None) -> str:
    if balance is None:
        return "Balance  …"
    reload = "[b]on[/b]" if balance.auto_reload else "[b]off[/b] (top-up needs auto-reload)"
    return f"Balance  [b]{money(balance.value)}[/b]   auto-reload: {reload}"


def limits_line(settings: AccountSettings | None) -> str:
    if settings is None:
        return "Limits   …"

    def show(value: int | None) -> str:
        return "?" if value is None else str(value)

    return (
        f"Limits (read-only)  max-outbound-request {show(settings.max_outbound_request)} · "
        f"max-inbound-request {show(settings.max_inbound_request)} · "
        f"max-calls-per-second {show(settings.max_calls_per_second)}"
    )


class AccountScreen(ReloadingScreen):
    """Balance, top-up, default SMS webhooks, limits (reloaded when shown again after a minute)."""

    SCREEN_TITLE = "Account"
    WRITE_ACTIONS = frozenset({"top_up", "save_webhooks"})
    BINDINGS = [
        Binding("t", "top_up", "Top up", id="account.top_up",
                tooltip="Repeat an auto-reload payment by its transaction reference"),
        Binding("ctrl+s,w", "save_webhooks", "Save webhooks", id="account.save_webhooks",
                tooltip="Save the default inbound SMS and delivery-receipt webhooks"),
        Binding("e", "edit_webhooks", "Edit webhooks", show=False, id="account.edit_webhooks",
                tooltip="Go to the inbound SMS webhook field"),
        Binding("r", "refresh", "Refresh", id="account.refresh", tooltip="Reload balance, webhooks and limits"),
        Binding("escape", "leave_field", "Leave field / back", show=False, id="account.leave_field",
                tooltip="Leave the field you are typing in; otherwise go back"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._settings: AccountSettings | None = None

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        read_only = self.vapp.read_only
        with VerticalScroll(id="account-body"):
            yield Static(balance_line(None), id="acct-balance")
            yield Static(limits_line(None), id="acct-limits", classes="dim")
            yield Static("Top up", classes="acct-section")
            with Horizontal(classes="acct-row"):
                yield Label("Transaction ref", classes="acct-label")
                yield Input(placeholder="reference of an auto-reload payment", id="topup-trx",
                            disabled=read_only)
                yield Button("Top up", id="topup-btn", disabled=read_only)
            yield Static("", id="topup-error", classes="field-error", markup=False)
            yield Static("Default SMS webhooks (empty = unset)", classes="acct-section")
            with Horizontal(classes="acct-row"):
                yield Label("Inbound SMS", classes="acct-label")
                yield Input(placeholder="moCallBackUrl: https://…", id="mo-url", disabled=read_only)
            yield Static("", id="mo-error", classes="field-error", markup=False)
            with Horizontal(classes="acct-row"):
                yield Label("Delivery receipts", classes="acct-label")
                yield Input(placeholder="drCallBackUrl: https://…", id="dr-url", disabled=read_only)
            yield Static("", id="dr-error", classes="field-error", markup=False)
            with Horizontal(classes="acct-row", id="acct-save-row"):
                yield Button("Save webhooks", id="save-webhooks", disabled=read_only)
                yield Static("ctrl+s saves · e edits · t tops up · esc leaves a field", classes="dim acct-tip")
            yield Static("", id="acct-status", markup=False)

    def on_mount(self) -> None:
        for error_id in ("#topup-error", "#mo-error", "#dr-error"):
            self.query_one(error_id, Static).display = False
        self.watch(self.app, "balance_text", self._balance_changed, init=False)

    # -- loading ------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """The balance as the store has it; then ReloadingScreen reloads everything if stale."""
        self._show_balance(self.store.balance)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        client = self.api.client
        balance = await client.get_balance()
        self.vapp.set_balance(balance)
        settings = await client.get_settings()
        self._show_settings(settings)

    def _balance_changed(self, _text: str) -> None:
        self._show_balance(self.store.balance)

    def _show_balance(self, balance: Balance | None) -> None:
        self.query_one("#acct-balance", Static).update(balance_line(balance))

    def _show_settings(self, settings: AccountSettings, *, force: bool = False) -> None:
        """Fill the webhook fields, but never overwrite what the user is editing (same account)."""
        if self.loaded():  # another account: nothing of the last one's fields to keep
            self._settings, force = None, True
        previous = self._settings
        self._settings = settings
        for field_id, old, new in (
            ("#mo-url", previous.mo_callback_url if previous else None, settings.mo_callback_url),
            ("#dr-url", previous.dr_callback_url if previous else None, settings.dr_callback_url),
        ):
            field = self.query_one(field_id, Input)
            if force or previous is None or field.value == (old or ""):
                field.value = new or ""
        self.query_one("#acct-limits", Static).update(limits_line(settings))

    # -- helpers ------------------------------------------------------------------------------

    def _field_error(self, error_id: str, text: str) -> None:
        widget = self.query_one(error_id, Static)
        widget.update(text)
        widget.display = bool(text)

    def _status(self, text: str) -> None:
        self.query_one("#acct-status", Static).update(text)

    def action_leave_field(self) -> None:
        if isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.run_worker(self.vapp.action_go_back(), exit_on_error=False)

    def action_edit_webhooks(self) -> None:
        self.query_one("#mo-url", Input).focus()

    # -- top-up -------------------------------------------------------------------------------

    @on(Button.Pressed, "#topup-btn")
    @on(Input.Submitted, "#topup-trx")
    def _top_up_requested(self) -> None:
        self.action_top_up()

    def action_top_up(self) -> None:
        if not self.writes_allowed():
            return
        field = self.query_one("#topup-trx", Input)
        if not field.value.strip():
            field.focus()
            self._field_error("#topup-error", "Type the transaction reference of an auto-reload payment, then Enter.")
            return
        try:
            trx = validators.transaction_ref(field.value)
        except InputError as exc:
            self._field_error("#topup-error", exc.message)
            field.focus()
            return
        self._field_error("#topup-error", "")
        account = self.api.api_key
        body = (
            f"Top up account {account} by repeating the auto-reload payment with transaction reference "
            f"{trx}?\n\nThe amount of that payment is charged again to the card on file."
        )

        def _answer(yes: bool | None) -> None:
            if yes:
                self._status(f"Topping up with {trx}…")
                self.run_top_up(trx)

        self.app.push_screen(ConfirmDialog(f"Top up {account}", body, yes_label="Top up"), _answer)

    @work(group="action", exit_on_error=False)
    async def run_top_up(self, trx: str) -> None:
        try:
            outcome = await self.vapp.ops.top_up(trx)
        except VonageError as exc:  # the balance read before the top-up failed: nothing was sent
            self._top_up_done(trx, None, exc)
            return
        self._top_up_done(trx, outcome, outcome.error)

    def _top_up_done(self, trx: str, outcome: Outcome | None, error: BaseException | None) -> None:
        if outcome is not None and outcome.ok:
            self._field_error("#topup-error", "")
            self.query_one("#topup-trx", Input).value = ""
            self._status(f"✓ {outcome.message}.")
            self.notify(f"{outcome.message}. Refreshing the balance.", title="Top-up")
            self.vapp.refresh_balance()
            return
        if isinstance(error, AutoReloadDisabled):
            text = AUTO_RELOAD_OFF
        elif isinstance(error, ActionFailed):
            text = f"The top-up was refused: {error.label or error.message}"
        elif outcome is not None:
            text = outcome.message if outcome.unknown or outcome.reconciled else f"Top-up failed: {outcome.message}"
        else:
            text = f"Top-up failed: {describe_error(error) if error else 'unknown error'}"
        self._field_error("#topup-error", text)
        self._status("")
        self.notify(text, title="Top-up", severity="error", timeout=10, markup=False)

    # -- webhooks -----------------------------------------------------------------------------

    @on(Button.Pressed, "#save-webhooks")
    @on(Input.Submitted, "#mo-url")
    @on(Input.Submitted, "#dr-url")
    def _save_requested(self) -> None:
        self.action_save_webhooks()

    def action_save_webhooks(self) -> None:
        if not self.writes_allowed():
            return
        values: dict[str, str] = {}
        failed = False
        for key, field_id, error_id in (
            ("mo_callback_url", "#mo-url", "#mo-error"),
            ("dr_callback_url", "#dr-url", "#dr-error"),
        ):
            try:
                values[key] = validators.url(self.query_one(field_id, Input).value, key)
                self._field_error(error_id, "")
            except InputError as exc:
                self._field_error(error_id, exc.message)
                failed = True
        if failed:
            return
        loaded = self._settings
        changes: dict[str, str] = {}
        for key, value in values.items():
            current = getattr(loaded, key, None) if loaded is not None else None
            if loaded is None and value == "":
                continue  # settings never loaded: an empty field means "unknown", not "unset"
            if value != (current or ""):
                changes[key] = value
        if not changes:
            self.notify("Nothing to save: the webhooks are as the account has them.")
            return
        unset = [k for k, v in changes.items() if v == ""]
        if not unset:
            self.run_save(changes)
            return
        names = {"mo_callback_url": "inbound SMS webhook (moCallBackUrl)",
                 "dr_callback_url": "delivery-receipt webhook (drCallBackUrl)"}
        account = self.api.api_key
        body = (
            f"Unset the {' and the '.join(names[k] for k in unset)} of account {account}?\n\n"
            "Numbers without their own webhook will then send nothing there."
        )

        def _answer(yes: bool | None) -> None:
            if yes:
                self.run_save(changes)

        self.app.push_screen(ConfirmDialog(f"Unset webhooks of {account}", body, yes_label="Unset"), _answer)

    @work(group="action", exit_on_error=False)
    async def run_save(self, changes: dict[str, str]) -> None:
        try:
            settings = await self.api.client.update_settings(**changes)
        except VonageError as exc:
            self._save_failed(exc)
            return
        self._saved(settings)

    def _saved(self, settings: AccountSettings) -> None:
        self._show_settings(settings, force=True)
        self._status("✓ Webhooks saved.")
        self.notify("Default SMS webhooks saved.", title="Webhooks")

    def _save_failed(self, exc: VonageError) -> None:
        self._status(f"Saving the webhooks failed: {exc.message}")
        self.report_error(exc, title="Webhooks not saved")
