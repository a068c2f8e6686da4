"""Data the screens share, so moving between screens never refetches what is fresh.

The store is plain Python (no widgets): screens read it when they are shown and write it when a
worker brings new data. ``version`` grows on every change, so a screen can tell whether what it
rendered is stale without comparing lists.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.models import Balance, OwnedNumber


def _keep_out_of_gc() -> None:
    """Owned numbers live as long as the profile: move them out of the collector's reach.

    A full garbage collection rescans every tracked object; with 100,000 models that is a
    stall of over a second on the UI thread. Frozen objects are still freed by reference
    counting when replaced (the models hold no reference cycles); only cycle detection skips them.
    """
    gc.freeze()


@dataclass
class OwnedNumbers:
    """The owned-number list of the active profile, possibly still loading."""

    by_msisdn: dict[str, OwnedNumber] = field(default_factory=dict)
    total: int | None = None
    complete: bool = False
    loaded_at: float | None = None
    from_cache: bool = False
    version: int = 0

    def replace(self, numbers: list[OwnedNumber], *, complete: bool, total: int | None = None) -> None:
        self.by_msisdn = {n.msisdn: n for n in numbers}
        self.total = total if total is not None else len(numbers)
        self.complete = complete
        self.loaded_at = time.time() if complete else self.loaded_at
        self.from_cache = False
        self.version += 1
        _keep_out_of_gc()

    def settle(self, fresh: dict[str, OwnedNumber]) -> None:
        """A full load finished: keep what its pages already put here, drop what is gone.

        Cheaper than ``replace`` at 100,000 numbers (no new dict built on the UI thread).
        """
        if len(self.by_msisdn) != len(fresh):  # numbers from the cache that the account no longer has
            for msisdn in [m for m in self.by_msisdn if m not in fresh]:
                del self.by_msisdn[msisdn]
        if len(self.by_msisdn) != len(fresh):  # pages that did not pass through add_page
            self.by_msisdn.update(fresh)
        self.total = len(self.by_msisdn)
        self.complete = True
        self.loaded_at = time.time()
        self.from_cache = False
        self.version += 1

    def add_page(self, numbers: list[OwnedNumber]) -> None:
        for n in numbers:
            self.by_msisdn[n.msisdn] = n
        self.version += 1
        _keep_out_of_gc()

    def upsert(self, number: OwnedNumber) -> None:
        self.by_msisdn[number.msisdn] = number
        if self.total is not None and self.complete:
            self.total = len(self.by_msisdn)
        self.version += 1

    def remove(self, msisdn: str) -> None:
        if self.by_msisdn.pop(msisdn, None) is not None:
            if self.total is not None and self.complete:
                self.total = len(self.by_msisdn)
            self.version += 1

    def invalidate(self) -> None:
        self.complete = False
        self.version += 1



@dataclass
class Store:
    """Everything shared across screens for one profile; replaced whole on a profile switch."""

    owned: OwnedNumbers = field(default_factory=OwnedNumbers)
    balance: Balance | None = None
    balance_at: float | None = None
