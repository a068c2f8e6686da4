"""What the app knows about the logged-in account, shared by every screen (plain data, no Textual).

One ``AccountState`` per session: a new login gets a new one, so nothing of one account can show
under another. Workers change it (through ``Operations`` and the owned-numbers loader) and announce
the change with a message (``tui.messages``); screens read it when they are shown or told.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.owned import OwnedList

if TYPE_CHECKING:
    from tui.api.client import VonageClient
    from tui.api.models import Balance


@dataclass
class AccountState:
    """The balance and the owned numbers as last read, and the account's request rate."""

    owned: OwnedList = field(default_factory=OwnedList)
    balance: Balance | None = None
    #: The ``max-calls-per-second`` the account reported (None until read).
    max_calls_per_second: int | None = None


async def pace_at_account_limit(client: VonageClient, state: AccountState, *, cap: float | None = None) -> None:
    """Read the account's ``max-calls-per-second`` and pace ``client`` at it (at most ``cap``).

    Why: the limit is the account's, not ours (30/s by default, more for some accounts), and a list of
    100,000 numbers takes 1,000 requests: paced at a guess of 25/s that is 40 s, at the account's 30/s
    33 s, with no 429. Run alongside the first requests (they start at the guess and follow the new
    pace as soon as it is known). A failed read keeps the guess: the requests that follow say what is wrong.
    """
    try:
        settings = await client.get_settings()
    except Exception:  # noqa: BLE001 - pacing is an optimisation; the next request reports the failure
        return
    rate = settings.max_calls_per_second
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 < rate < math.inf:
        return
    state.max_calls_per_second = rate
    client.set_rate_limit(min(float(rate), cap) if cap else float(rate))
