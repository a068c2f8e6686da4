"""Subaccounts in the UI: the list to choose and label them, and the "for account" confirmation.

``SubaccountsDialog`` lists the login's primary account and its subaccounts (``tui.subaccounts``):
enter chooses one (the Secrets screen's ``A``), n adds, e relabels, d takes one off the list — for a
saved profile the change is written to config.toml at once, for an environment or demo login it is
kept for the run. ``confirm_for_account`` opens the one confirmation dialog with the "for account"
choice (primary first and by default); ``ask_subaccount_cancel`` is how a subaccount's number, which
no list here shows, is cancelled: typed, then confirmed for the account chosen in that dialog.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen

from tui.countries import format_msisdn, name_of
from tui.messages import NumbersCancelled
from tui.owned import OwnedRecord
from tui.screens.base import VonageScreen
from tui.screens.subaccounts_forms import SubaccountForm, SubaccountNumberForm
from tui.subaccounts import PRIMARY, SOURCE_TEXT, KnownSubaccounts
from tui.widgets.confirm import Describe
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal
from tui.widgets.notify import say

if TYPE_CHECKING:
    from tui.operations import Outcome

COLUMNS = (Column("account", "Account", width=30), Column("key", "API key", width=12), Column("kept", "Kept"))


def confirm_for_account(screen: VonageScreen, known: KnownSubaccounts, describe: Describe, *,
                        then: Callable[[str | None], object], otherwise: Callable[[], object] | None = None,
                        accounts: Sequence[tuple[str, str]] | None = None) -> None:
    """The one confirmation dialog with a "for account" choice; ``then(None)`` for the primary, else its key."""
    choices = list(known.choices() if accounts is None else accounts)
    title, body, yes = describe(choices[0][0] if choices else PRIMARY)
    screen.confirm(title, body, yes=yes, then=lambda account: then(account or None), otherwise=otherwise,
                 accounts=choices, describe=describe)


def buy_body(body: str, known: KnownSubaccounts, account: str) -> str:
    """The buy confirmation's ``body`` for ``account``: who pays and who owns.

    For a subaccount the balance line goes (it is the primary's balance); the subaccount's own is not
    read here, and Vonage refuses the purchase if it is too low."""
    if not account:
        return f"{body}\nPaid by and owned by the primary account {known.primary_key} (this login)."
    lines = [line for line in body.splitlines() if not line.startswith("Balance ")]
    return "\n".join([*lines, f"Paid by and owned by subaccount {known.describe(account)}."])


def ask_subaccount_cancel(screen: VonageScreen, known: KnownSubaccounts, typed: str,
                          then: Callable[[OwnedRecord, str | None], object]) -> None:
    """Type a number (prefilled from ``typed``), then confirm its cancel for the account chosen in the dialog."""
    def typed_in(result: tuple[str, str] | None) -> None:
        if result is None:
            return
        number, country = result
        name = format_msisdn(number, country)
        where = name_of(country)

        def describe(account: str) -> tuple[str, str, str]:
            who = known.describe(account)
            if account:
                body = (f"Cancel {name} ({where}) of subaccount {who}?\n\nIt goes back to Vonage and may not be "
                        "available again; calls and messages to it stop reaching the subaccount. Vonage refuses "
                        "if the subaccount does not own it.")
            else:
                body = (f"Cancel {name} ({where}) of the primary account {who}?\n\nIt is not in the list loaded "
                        "here: if it is a subaccount's number, choose that subaccount below. Vonage refuses if "
                        "the account does not own it.")
            return f"Cancel a number of {who}", body, f"Cancel {name}"

        confirm_for_account(screen, known, describe, then=lambda target: then(OwnedRecord(number, country), target))

    screen.app.push_screen(SubaccountNumberForm(typed), typed_in)


def owner_note(known: KnownSubaccounts | None) -> str:
    """For the cancel of listed numbers when subaccounts are known: whose they are, and where the others are."""
    if not known:
        return ""
    return (f"\nOwner: the primary account {known.primary_key} (this list shows its own numbers). A subaccount's "
            "number is not listed: type it in the / filter, then press d.")


class SubaccountNumberCancelled(NumbersCancelled):
    """A subaccount's number was cancelled or not (one outcome). Posted to the Numbers screen only, not the
    App: nothing in this login's lists changed (``removed`` is empty and the list version is unchanged)."""

    def __init__(self, record: OwnedRecord, target: str, outcome: Outcome, known: KnownSubaccounts) -> None:
        from tui.operations import BatchReport

        super().__init__([record], BatchReport("", {record.msisdn: outcome}), [], -1, -1)
        self.target = target
        self.who = known.describe(target)


async def save_subaccounts(profile: str, subaccounts: dict[str, str]) -> str:
    """Write a profile's subaccounts to config.toml (in a thread); "" or why it could not be saved."""
    from tui.config import load_config, save_config, update_profile

    def save() -> None:
        save_config(update_profile(load_config(), profile, subaccounts=subaccounts))

    try:
        await asyncio.to_thread(save)
    except Exception as exc:  # noqa: BLE001 - config errors are ours: they name the file or field, never a value
        return str(exc) or type(exc).__name__
    return ""


class SubaccountsSaved(Message, bubble=False):
    """A change to a profile's subaccounts was written (``problem`` empty) or could not be."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class SubaccountsDialog(ModalScreen["str | None"]):
    """The primary account and its subaccounts; dismisses with the chosen one ("" = primary) or None."""

    BINDINGS = [
        Binding("enter", "choose", "Choose", id="subaccounts.choose", tooltip="Use the highlighted account"),
        Binding("n", "add", "Add", id="subaccounts.add", tooltip="Add a subaccount: its API key and a label"),
        Binding("e", "rename", "Rename", id="subaccounts.rename", tooltip="Give the highlighted subaccount another label"),
        Binding("d", "remove", "Remove", id="subaccounts.remove",
                tooltip="Take the highlighted subaccount off this list (nothing changes at Vonage)"),
        Binding("escape", "close", "Close", id="subaccounts.close", tooltip="Close without choosing"),
    ]  # fmt: skip

    def __init__(self, known: KnownSubaccounts, *, current: str | None = None, title: str = "") -> None:
        super().__init__()
        self.known = known
        #: The account shown now ("" = primary); None: the list is only managed here, not chosen from.
        self._current = current
        self._title = title or f"Accounts of this login ({known.primary_key})"

    def compose(self) -> ComposeResult:
        with Vertical(id="subaccounts-box", classes="dialog"):
            yield Literal(self._title, classes="dialog-title")
            yield FastTable(COLUMNS, id="subaccounts-table")
            yield Literal(self._note(), id="subaccounts-note", classes="dim")
        yield KeyBar()

    def _note(self) -> str:
        where = (f"Changes are saved to profile '{self.known.profile}' in config.toml." if self.known.profile
                 else "This login is not a saved profile: changes last for this run.")
        pick = "enter chooses · " if self._current is not None else ""
        return f"{pick}n add · e rename · d remove · esc close. {where}"

    def on_mount(self) -> None:
        self._fill(self._current or PRIMARY)
        self.set_focus(self.table)
    @property
    def table(self) -> FastTable:
        return self.query_one("#subaccounts-table", FastTable)

    def _fill(self, cursor: str) -> None:
        def mark(value: str) -> str:
            return "● " if value == self._current else "  "

        rows = [(PRIMARY, (mark(PRIMARY) + "primary (this login)", self.known.primary_key, "—"))]
        rows += [(s.api_key, (mark(s.api_key) + s.label, s.api_key, SOURCE_TEXT[s.source])) for s in self.known]
        self.table.set_rows(rows)
        if not self.table.move_to_key(cursor):
            self.table.cursor_index = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and self._current is None:
            return False
        return True

    def _highlighted(self) -> str | None:
        """The highlighted subaccount's key; None (with a word why) on the primary's row."""
        key = self.table.cursor_key
        if not isinstance(key, str) or key == PRIMARY:
            say(self, "The primary account is this login itself, not a subaccount.", severity="warning")
            return None
        return key

    # -- choosing -------------------------------------------------------------------------------------

    @on(FastTable.RowSelected, "#subaccounts-table")
    def action_choose(self) -> None:
        key = self.table.cursor_key
        if self._current is not None and isinstance(key, str):
            self.dismiss(key)

    @on(FastTable.CopyRequested, "#subaccounts-table")
    def _copy(self, event: FastTable.CopyRequested) -> None:
        key = event.key if event.key != PRIMARY else self.known.primary_key
        if isinstance(key, str):
            self.app.copy_to_clipboard(key)
            say(self, f"Copied {key}", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)

    # -- labelling ------------------------------------------------------------------------------------

    def action_add(self) -> None:
        self.app.push_screen(SubaccountForm(primary_key=self.known.primary_key), self._put)

    def action_rename(self) -> None:
        key = self._highlighted()
        entry = self.known.get(key)
        if entry is not None:
            form = SubaccountForm((entry.api_key, entry.label), primary_key=self.known.primary_key,
                                  title=f"Rename subaccount {entry.api_key}", fixed_first=True)
            self.app.push_screen(form, self._put)

    def _put(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        from tui.config import ProfileError

        try:
            entry = self.known.put(*result)
        except ProfileError as exc:
            say(self, str(exc), severity="error")
            return
        self._changed(entry.api_key, f"{entry.title} is on the list.")

    def action_remove(self) -> None:
        key = self._highlighted()
        entry = self.known.remove(key) if key is not None else None
        if entry is not None:
            self._changed(PRIMARY, f"{entry.title} is off the list (nothing changed at Vonage).")

    def _changed(self, cursor: str, text: str) -> None:
        self._fill(cursor)
        say(self, text, title="Subaccounts", timeout=4)
        if self.known.profile:
            self._save(self.known.profile, self.known.saved())

    @work(group="action", exclusive=True, exit_on_error=False)
    async def _save(self, profile: str, subaccounts: dict[str, str]) -> None:
        self.post_message(SubaccountsSaved(await save_subaccounts(profile, subaccounts)))

    @on(SubaccountsSaved)
    def _saved(self, event: SubaccountsSaved) -> None:
        if event.problem:
            say(self, f"Kept for this run, but not saved: {event.problem}", title="Subaccounts", severity="error",
                timeout=10)


__all__ = ["SubaccountNumberCancelled", "SubaccountsDialog", "ask_subaccount_cancel", "buy_body",
           "confirm_for_account", "owner_note", "save_subaccounts"]
