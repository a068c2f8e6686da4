"""The sandbox's mutable world: accounts, their numbers, secrets and pools, plus the counters tests read.

One ``SandboxState`` per app. It is only changed from the server's event loop (one thread), so no locks;
tests may read it, and turn the knobs on ``state.config``, from their own thread.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from . import inventory
from .config import SandboxConfig
from .fault_plan import ArmedFaults
from .owned import OwnedNumbers
from .ratelimit import TokenBuckets

MAX_SECRETS = 2

__all__ = ["Account", "OwnedNumbers", "Pool", "SandboxState", "Secret"]


@dataclass
class Secret:
    """An API secret; its value is only used to authenticate and is never serialised."""

    id: str
    created_at: str
    value: str = field(repr=False)


@dataclass
class Pool:
    """A number pool: its settings and its numbers, in the order they were added."""

    pool_id: str
    account_id: str
    fallback: str
    localized_sender_preferred: bool
    predictable_sender_preferred: bool
    numbers: list[str] = field(default_factory=list)


@dataclass
class Account:
    """A Vonage account (master or subaccount) with everything the endpoints read and change."""

    api_key: str
    secrets: list[Secret]
    balance: float
    auto_reload: bool
    owned: OwnedNumbers
    master: str | None = None
    transactions: dict[str, float] = field(default_factory=dict)
    """Top-up references the account may reuse -> amount added (EUR)."""
    mo_callback_url: str = ""
    dr_callback_url: str = ""
    pools: dict[str, Pool] = field(default_factory=dict)
    name: str = ""
    """What the Subaccounts API calls the account (the app shows it as the account's label)."""
    created_at: str = ""

    def authenticates(self, secret: str) -> bool:
        """Any current secret (at most two) opens the account."""
        return any(s.value == secret for s in self.secrets)

    def owned_view(self, key: Hashable, keep: Callable[[dict], bool] | None) -> list[str]:
        """Sorted msisdns of the owned numbers ``keep`` accepts (all when None), kept up to date as they change.

        The unfiltered view is the sorted list itself, so paging without filters costs O(page size).
        """
        return self.owned.view(key, keep)

    def charge(self, amount: str | float) -> None:
        """Subtract EUR with decimal arithmetic so 24.50 - 1.25 is exactly 23.25."""
        self.balance = float(Decimal(str(self.balance)) - Decimal(str(amount)))

    def credit(self, amount: str | float) -> None:
        self.balance = float(Decimal(str(self.balance)) + Decimal(str(amount)))


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SandboxState:
    """Everything the fake remembers between requests; ``app.state.sandbox`` in ``create_app``."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.available: dict[str, dict] = inventory.generate_available(config.seed)
        self.accounts: dict[str, Account] = {}
        self.purchases: list[dict] = []
        """Every successful buy: api_key, country, msisdn, type, initialPrice (charged), cost."""
        self.cancellations: list[dict] = []
        self.request_count = 0
        self.status_counts: Counter[int] = Counter()
        self.dropped = 0
        """Connections cut on purpose (``drop`` and ``drop-after-commit``)."""
        self.fault_counts: Counter[str] = Counter()
        """Injected faults by mode, armed or rolled."""
        self.faults = ArmedFaults()
        """Faults armed for the next requests to a path: ``state.faults.arm(path, mode, times=1)``."""
        self.fault_random = random.Random(config.seed)
        self._ids = random.Random(f"ids:{config.seed}")
        self.buckets = TokenBuckets()
        self._seed_accounts()

    # -- building -------------------------------------------------------------------------------------------
    def _seed_accounts(self) -> None:
        config = self.config
        handmade = inventory.demo_owned(include_master=config.owned_count is None)
        if config.owned_count is None:
            master_numbers = handmade.get(inventory.DEMO_API_KEY, [])
        else:
            master_numbers = inventory.generate_owned(config.seed, config.owned_count, self.available)
        master = Account(
            api_key=inventory.DEMO_API_KEY,
            secrets=[Secret(inventory.DEMO_SECRET_ID, inventory.DEMO_CREATED_AT, inventory.DEMO_API_SECRET)],
            balance=config.balance,
            auto_reload=config.auto_reload,
            owned=OwnedNumbers(master_numbers),
            transactions={inventory.DEMO_TRX: inventory.DEMO_TOP_UP_AMOUNT},
            mo_callback_url="https://example.com/webhooks/inbound-sms",
            dr_callback_url="https://example.com/webhooks/delivery-receipt",
            name=inventory.DEMO_ACCOUNT_NAME,
            created_at=inventory.DEMO_CREATED_AT,
        )
        subs = [
            Account(
                api_key=demo.api_key,
                secrets=[Secret(demo.secret_id, demo.created_at, demo.secret)],
                balance=demo.balance,
                auto_reload=False,
                owned=OwnedNumbers(handmade.get(demo.api_key, [])),
                master=inventory.DEMO_API_KEY,
                transactions={demo.trx: 5.00},
                name=demo.name,
                created_at=demo.created_at,
            )
            for demo in inventory.DEMO_SUBACCOUNTS
        ]
        self.accounts = {master.api_key: master, **{sub.api_key: sub for sub in subs}}
        pool_numbers = [m for m in master.owned if master.owned[m].get("app_id")][:2] or list(master.owned)[:2]
        master.pools[inventory.DEMO_POOL_ID] = Pool(
            pool_id=inventory.DEMO_POOL_ID,
            account_id=master.api_key,
            fallback="Pool",
            localized_sender_preferred=True,
            predictable_sender_preferred=True,
            numbers=pool_numbers,
        )

    # -- helpers for routes ---------------------------------------------------------------------------------
    def new_id(self) -> str:
        """A reproducible UUID4 for new secrets."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def may_act_on(self, caller: Account, target_key: str) -> bool:
        """An account acts on itself; a master also on its subaccounts."""
        target = self.accounts.get(target_key)
        return target is not None and (target is caller or target.master == caller.api_key)

    def subaccounts_of(self, master: Account) -> list[Account]:
        """The master's subaccounts, in the order they were created."""
        return [a for a in self.accounts.values() if a.master == master.api_key]

    # -- test hooks -----------------------------------------------------------------------------------------
    def drop_next_response_after_commit(self, path: str) -> None:
        """The next request to ``path`` is processed (its change is kept), then its answer is cut off.

        Shorthand for ``faults.arm(path, "drop-after-commit")``.
        """
        self.faults.arm(path, "drop-after-commit")

    def reset_counters(self) -> None:
        """Zero ``request_count``, ``status_counts``, ``dropped`` and ``fault_counts`` (e.g. after setup calls)."""
        self.request_count = 0
        self.status_counts.clear()
        self.dropped = 0
        self.fault_counts.clear()
