"""The typed messages through which workers tell the UI what happened to the account.

The rule: a worker never touches a widget. It changes the session's plain state (through
``Operations`` or the owned-numbers loader) and posts one of these to the App; the App applies
what is app-wide (the header) and relays a copy to every screen, whose ``@on`` handlers update
what they show. Tests capture them with ``App.run_test(message_hook=...)``.

Messages that change the owned list carry ``base_version`` (the list's version before the change)
and ``version`` (after): a view that shows ``base_version`` applies the change; one that is further
behind renders the list again; one that is already at ``version`` ignores it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

from textual.message import Message

if TYPE_CHECKING:
    from tui.api.models import Balance
    from tui.operations import BatchReport, BuyOutcome
    from tui.owned import OwnedRecord
    from tui.session import Session


class AccountEvent(Message, bubble=False):
    """Base: something happened to the session's account. Posted to the App, relayed to screens.

    Never bubbles (subclasses included): a copy relayed to a screen must not climb back to the App.
    """

    #: True on the copies the App relays to screens (the original is the one the App handled).
    relayed: bool = False

    def __init_subclass__(cls, bubble: bool | None = False, **kwargs: Any) -> None:
        super().__init_subclass__(bubble=bubble, **kwargs)

    def relay(self) -> Self:
        """A fresh copy to post to another node (a message's handling flags belong to one delivery)."""
        clone = copy.copy(self)
        clone.__post_init__()
        clone.relayed = True
        return clone


class SessionOpened(AccountEvent):
    """A login succeeded: this session (a new account, or the same one reconnected) is now in use."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class BalanceChanged(AccountEvent):
    """A balance was read (``balance``), or reading it failed (``error``, the balance kept is older)."""

    def __init__(self, balance: Balance | None, error: str = "") -> None:
        super().__init__()
        self.balance = balance
        self.error = error


class OwnedNumbersChanged(AccountEvent):
    """The owned list moved: a page arrived, the cache was shown, a load ended or failed."""

    def __init__(
        self,
        *,
        base_version: int,
        version: int,
        added: Sequence[OwnedRecord] = (),
        removed: Sequence[str] = (),
        loading: bool = False,
        loaded: int = 0,
        total: int | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.base_version = base_version
        self.version = version
        self.added = added
        self.removed = removed
        self.loading = loading
        self.loaded = loaded
        self.total = total
        self.note = note


class NumberBought(AccountEvent):
    """A purchase ended: bought, not bought, or unknown (being checked). ``outcome`` says which."""

    def __init__(self, outcome: BuyOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class NumbersCancelled(AccountEvent):
    """Cancellations of ``numbers`` ended; ``report`` has each one's outcome, ``removed`` the numbers gone."""

    def __init__(self, numbers: Sequence[OwnedRecord], report: BatchReport, removed: Sequence[str],
                 base_version: int, version: int) -> None:
        super().__init__()
        self.numbers = numbers
        self.report = report
        self.removed = removed
        self.base_version = base_version
        self.version = version


class NumberUpdated(AccountEvent):
    """A number's configuration changed (``record`` is how it is now)."""

    def __init__(self, record: OwnedRecord, base_version: int, version: int) -> None:
        super().__init__()
        self.record = record
        self.base_version = base_version
        self.version = version


class JournalSettled(AccountEvent):
    """Changes an earlier run left unfinished were checked; one sentence per change."""

    def __init__(self, reports: Sequence[str]) -> None:
        super().__init__()
        self.reports = reports


__all__ = [
    "AccountEvent",
    "BalanceChanged",
    "JournalSettled",
    "NumberBought",
    "NumberUpdated",
    "NumbersCancelled",
    "OwnedNumbersChanged",
    "SessionOpened",
]
