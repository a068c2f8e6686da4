"""Account: balance and auto-reload, top-up, the default SMS webhooks, and the account's limits.

Reads go through the session's client; the changes (top-up: money; webhooks) through the session's
``Operations`` (journaled, reconciled). Workers post their results as messages; the handlers here
update the widgets. A top-up names its amount when it is known (learnt from the last top-up of that
payment, or typed once from the dashboard), and an earlier top-up whose outcome is unknown blocks a
second one of the same payment until the user says they checked their payment history.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tui.api import validators
from tui.api.errors import ActionFailed, AutoReloadDisabled, InputError, VonageError
from tui.journal import DONE, PENDING, owner_running
from tui.messages import BalanceChanged
from tui.operations import describe_amount
from tui.screens.account_text import (
    AUTO_RELOAD_OFF,
    RECENT_TOP_UP,
    balance_line,
    limits_line,
    top_up_body,
    top_up_done_text,
)
from tui.screens.base import ReloadingScreen
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.api.models import AccountSettings
    from tui.journal import JournalEntry
    from tui.operations import Outcome, TopUpOutcome
    from tui.topups import KnownAmount


class Done(Message, bubble=False):
    """A worker of this screen finished: ``what`` it was, and its ``value`` or ``error``."""

    def __init__(self, what: str, value: Any = None, error: BaseException | None = None) -> None:
        super().__init__()
        self.what = what
        self.value = value
        self.error = error


class TopUpField(Input):
    """A field of the top-up form: there ctrl+s tops up (the form you are in), and the key bar says so
    rather than "Save webhooks" (the screen's ctrl+s, hidden while one of these has focus)."""

    BINDINGS = [Binding("ctrl+s", "screen.top_up", "Top up", id="account.top_up_from_field",
                        tooltip="Top up with the reference (and amount) typed here: asks first")]


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
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._settings: AccountSettings | None = None

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        read_only = self.read_only
        with VerticalScroll(id="account-body"):
            yield Static(balance_line(None), id="acct-balance")
            yield Literal(limits_line(None), id="acct-limits", classes="dim")
            if not read_only:
                yield Static("Top up", classes="acct-section")
                with Horizontal(classes="acct-row"):
                    yield Label("Transaction ref", classes="acct-label")
                    yield TopUpField(placeholder="reference of an auto-reload payment", id="topup-trx")
                    top_up = Button("Top up", id="topup-btn")
                    top_up.can_focus = False  # Enter in the fields tops up: Tab goes field to field
                    yield top_up
                yield Literal("", id="topup-error", classes="field-error")
                with Horizontal(classes="acct-row"):
                    yield Label("Its amount", classes="acct-label")
                    yield TopUpField(placeholder="optional: EUR, as the dashboard shows it", id="topup-amount")
                yield Literal("", id="topup-hint", classes="dim acct-hint")
            yield Static("Default SMS webhooks (empty = unset)", classes="acct-section")
            with Horizontal(classes="acct-row"):
                yield Label("Inbound SMS", classes="acct-label")
                yield Input(placeholder="moCallBackUrl: https://…", id="mo-url", disabled=read_only)
            yield Literal("", id="mo-error", classes="field-error")
            with Horizontal(classes="acct-row"):
                yield Label("Delivery receipts", classes="acct-label")
                yield Input(placeholder="drCallBackUrl: https://…", id="dr-url", disabled=read_only)
            yield Literal("", id="dr-error", classes="field-error")
            if not read_only:
                with Horizontal(classes="acct-row", id="acct-save-row"):
                    yield Button("Save webhooks", id="save-webhooks")
                    yield Static("ctrl+s saves · e edits · t tops up · esc leaves a field", classes="dim acct-tip")
            yield Literal("", id="acct-status")

    def on_mount(self) -> None:
        for widget in self.query(".field-error"):
            widget.display = False
        session = self.session
        if session is not None and session.is_demo and not self.read_only:
            from tui.sandbox.inventory import DEMO_TRX

            self.query_one("#topup-hint", Literal).update(f"Demo account: its auto-reload payment is {DEMO_TRX}.")

    # -- loading ------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """The balance as the session has it; then ReloadingScreen reloads everything if stale."""
        self._show_balance()

    @work(group="load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        session = self.session
        if session is None:
            return
        balance = await session.ops.read_balance()
        self.app.post_message(BalanceChanged(balance))
        self.post_message(Done("settings", await session.client.get_settings()))

    @on(BalanceChanged)
    def _show_balance(self) -> None:
        session = self.session
        self.query_one("#acct-balance", Static).update(balance_line(session.account.balance if session else None))

    def _show_settings(self, settings: AccountSettings, *, force: bool = False) -> None:
        """Fill the webhook fields, but never overwrite what the user typed for this account (on a first
        visit they may type before the settings arrive: the answer merged into the field, and saved)."""
        if self.loaded() and self._settings is not None:  # another account: nothing of its fields to keep
            self._settings, force = None, True
        previous = self._settings
        self._settings = settings
        for field_id, old, new in (
            ("#mo-url", previous.mo_callback_url if previous else None, settings.mo_callback_url),
            ("#dr-url", previous.dr_callback_url if previous else None, settings.dr_callback_url),
        ):
            field = self.query_one(field_id, Input)
            if force or field.value == (old or ""):  # untouched since the last fill (first: empty)
                field.value = new or ""
        self.query_one("#acct-limits", Literal).update(limits_line(settings))

    def unsaved_edits(self) -> str:
        """What ``q`` would lose here: a transaction typed but not topped up, webhooks typed but not saved."""
        held = []
        if self.query_one("#topup-trx", Input).value.strip():
            held.append("a top-up transaction typed on Account")
        settings = self._settings
        if settings is not None and any(
            self.query_one(field, Input).value != (saved or "")
            for field, saved in (("#mo-url", settings.mo_callback_url), ("#dr-url", settings.dr_callback_url))
        ):
            held.append("webhooks edited on Account (ctrl+s saves them)")
        return "; ".join(held)

    @on(Done)
    def _done(self, event: Done) -> None:
        handlers = {"settings": self._show_settings, "prepared": self._top_up_prepared,
                    "topped-up": self._top_up_done, "acknowledged": self._acknowledged, "saved": self._saved}
        handlers[event.what](event.value)

    # -- helpers ------------------------------------------------------------------------------

    @on(Input.Changed, "#topup-trx")
    @on(Input.Changed, "#topup-amount")
    @on(Input.Changed, "#mo-url")
    @on(Input.Changed, "#dr-url")
    def _field_changed(self, event: Input.Changed) -> None:
        """The field changed: the message next to it was about what was there before."""
        error_id = {"mo-url": "#mo-error", "dr-url": "#dr-error"}.get(event.input.id or "", "#topup-error")
        self._field_error(error_id, "")

    def _field_error(self, error_id: str, text: str) -> None:
        widget = self.query_one(error_id, Literal)
        widget.update(text)
        widget.display = bool(text)

    def _status(self, text: str) -> None:
        self.query_one("#acct-status", Literal).update(text)

    def action_edit_webhooks(self) -> None:
        self.set_focus(self.query_one("#mo-url", Input))
    # -- top-up -------------------------------------------------------------------------------

    @on(Button.Pressed, "#topup-btn")
    @on(Input.Submitted, "#topup-trx")
    @on(Input.Submitted, "#topup-amount")
    def _top_up_requested(self) -> None:
        self.action_top_up()

    def action_top_up(self) -> None:
        if not self.writes_allowed():
            return
        field = self.query_one("#topup-trx", Input)
        if not field.value.strip():
            self.set_focus(field)
            self._field_error("#topup-error", "Type the transaction reference of an auto-reload payment, then Enter.")
            return
        try:
            trx = validators.transaction_ref(field.value)
            amount = self._typed_amount()
        except (InputError, ValueError) as exc:
            self._field_error("#topup-error", exc.message if isinstance(exc, InputError) else str(exc))
            return
        self._field_error("#topup-error", "")
        self._prepare_top_up(trx, amount)

    def _typed_amount(self) -> Decimal | None:
        from tui.topups import parse_amount

        text = self.query_one("#topup-amount", Input).value
        return parse_amount(text) if text.strip() else None

    @work(group="action", exit_on_error=False, description="prepare a top-up")
    async def _prepare_top_up(self, trx: str, typed: Decimal | None) -> None:
        """What is known of this payment: its amount, and an earlier attempt whose outcome is unknown."""
        session = self.session
        if session is None:
            return
        if typed is not None:
            await session.ops.remember_amount(trx, typed, "entered")
        known = await session.ops.known_amount(trx)
        unsettled = await session.ops.unsettled_top_up(trx)
        recent = None
        for entry in await asyncio.to_thread(session.journal.entries):
            when = entry.ended_at or entry.ts
            if (entry.op == "top-up" and entry.target == trx and entry.state == DONE
                    and entry.account in ("", session.api_key) and time.time() - when < RECENT_TOP_UP):
                recent = time.time() - when  # the latest such entry wins (oldest first)
        self.post_message(Done("prepared", (trx, known, unsettled, recent)))

    def _top_up_prepared(self, value: tuple[str, KnownAmount | None, JournalEntry | None, float | None]) -> None:
        trx, known, unsettled, recent = value
        session = self.session
        if session is None:
            return
        if unsettled is not None and unsettled.state == PENDING and owner_running(unsettled.owner):
            self._field_error("#topup-error", f"Another vonage-tui is topping up with {trx} right now: wait for "
                              "its outcome (shown there and on :activity) before trying again.")
            return
        if unsettled is not None:
            body = (f"An earlier top-up with {trx} was sent and its outcome is unknown: it may have charged "
                    "the card. Check your payment history in the Vonage dashboard (Billing → Payments) first. "
                    "Have you checked, and found that it did not go through?")
            self.confirm("Top-up outcome unknown", body, yes="I checked: it did not go through",
                         then=lambda: self._acknowledge(unsettled))
            return
        amount = describe_amount(known)
        yes = f"Top up {amount.split(',')[0]}" if known else "Top up"
        self.confirm(f"Top up {session.api_key}", top_up_body(session.api_key, trx, amount, recent_ago=recent),
                     yes=yes, then=lambda: self._run_top_up(trx))

    @work(group="action", exit_on_error=False, description="acknowledge an unknown top-up")
    async def _acknowledge(self, entry: JournalEntry) -> None:
        session = self.session
        if session is not None:
            await session.ops.acknowledge_top_up(entry)
            self.post_message(Done("acknowledged", entry.target))

    def _acknowledged(self, trx: str) -> None:
        self._status(f"Noted: you checked the earlier top-up with {trx}. Press t to top up again.")

    @work(group="action", exit_on_error=False, description="top up")
    async def _run_top_up(self, trx: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            outcome = await session.ops.top_up(trx)
        except VonageError as exc:  # the balance read before the top-up failed: nothing was sent
            self.post_message(Done("topped-up", (trx, None, exc)))
            return
        self.app.post_message(BalanceChanged(session.account.balance))
        self.post_message(Done("topped-up", (trx, outcome, outcome.error)))

    def _top_up_done(self, value: tuple[str, TopUpOutcome | None, BaseException | None]) -> None:
        trx, outcome, error = value
        if outcome is not None and outcome.ok:
            self._field_error("#topup-error", "")
            self.query_one("#topup-trx", Input).value = ""
            self.query_one("#topup-amount", Input).value = ""
            text = top_up_done_text(outcome.message, outcome.amount)
            self._status(f"✓ {text}")
            self.say(text, title="Top-up")
            self.set_focus(None)  # out of the field: t, r, 1-5 and : work again
            return
        if isinstance(error, AutoReloadDisabled):
            text = AUTO_RELOAD_OFF
        elif isinstance(error, ActionFailed):
            text = f"The top-up was refused: {error.label or error.message}"
        elif outcome is not None and outcome.unknown:
            text = f"Unknown whether the top-up with {trx} happened: {outcome.message}"
        elif outcome is not None:
            text = outcome.message if outcome.reconciled else f"Top-up failed: {outcome.message}"
        else:
            text = f"Top-up not sent: {getattr(error, 'message', None) or type(error).__name__}"
        self._field_error("#topup-error", text)
        self._status("")
        self.say(text, title="Top-up", severity="warning" if outcome and outcome.unknown else "error", timeout=15)

    # -- webhooks -----------------------------------------------------------------------------

    @on(Button.Pressed, "#save-webhooks")
    @on(Input.Submitted, "#mo-url")
    @on(Input.Submitted, "#dr-url")
    def _save_requested(self) -> None:
        self.action_save_webhooks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_webhooks" and isinstance(self.focused, TopUpField):
            return False  # the field's own ctrl+s (top up) is the one shown and run
        return super().check_action(action, parameters)

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
            self.say("Nothing to save: the webhooks are as the account has them.")
            return
        unset = [k for k, v in changes.items() if v == ""]
        if not unset:
            self._run_save(changes)
            return
        names = {"mo_callback_url": "inbound SMS webhook (moCallBackUrl)",
                 "dr_callback_url": "delivery-receipt webhook (drCallBackUrl)"}
        account = self.session.api_key if self.session else "?"
        body = (
            f"Unset the {' and the '.join(names[k] for k in unset)} of account {account}?\n\n"
            "Numbers without their own webhook will then send nothing there."
        )
        self.confirm(f"Unset webhooks of {account}", body, yes="Unset", then=lambda: self._run_save(changes))

    @work(group="action", exit_on_error=False, description="save the webhooks")
    async def _run_save(self, changes: dict[str, str]) -> None:
        session = self.session
        if session is None:
            return
        outcome = await session.ops.save_settings(changes)
        settings = None
        if outcome.ok:
            settings = outcome.result or await session.client.get_settings()
        self.post_message(Done("saved", (outcome, settings)))

    def _saved(self, value: tuple[Outcome, AccountSettings | None]) -> None:
        outcome, settings = value
        if outcome.ok and settings is not None:
            self._show_settings(settings, force=True)
            self._status("✓ Webhooks saved.")
            self.say("Default SMS webhooks saved.", title="Webhooks")
            return
        self._status(f"Saving the webhooks failed: {outcome.message}")
        self.say(outcome.message, title="Webhooks not saved" if not outcome.unknown else "Webhooks: outcome unknown",
                 severity="warning" if outcome.unknown else "error", timeout=10)


__all__ = ["AccountScreen"]
