"""What the app knows about the logged-in account, shared by every screen (plain data, no Textual).

One ``AccountState`` per session: a new login gets a new one, so nothing of one account can show
under another. Workers change it (through ``Operations`` and the owned-numbers loader) and announce
the change with a message (``tui.messages``); screens read it when they are shown or told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.owned import OwnedList

if TYPE_CHECKING:
    from tui.api.models import Balance


@dataclass
class AccountState:
    """The balance and the owned numbers as last read, and the account's request rate."""

    owned: OwnedList = field(default_factory=OwnedList)
    balance: Balance | None = None
    #: The ``max-calls-per-second`` the account reported (None until read).
    max_calls_per_second: int | None = None
