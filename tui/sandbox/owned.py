"""An account's owned numbers, with their sorted order and filtered views kept up to date as they change.

Paging 100,000 numbers must cost what paging ten does, also right after a buy: the sorted msisdns and every
cached filtered view are updated in place of being rebuilt. Each change puts the number into (or takes it
out of) each list with a binary search and one list copy (copy-on-write: a list handed out is never
changed under its reader), instead of re-sorting 100,000 numbers or running a filter over all of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable

Keep = Callable[[dict], bool]

VIEW_CACHE_SIZE = 32
"""Filtered views kept per account; beyond this many distinct filters the cache starts over."""


def _placed(view: list[str], msisdn: str, wanted: bool) -> list[str]:
    """``view`` with ``msisdn`` in it or not, as ``wanted``: the same list when nothing changes, else a copy."""
    i = bisect_left(view, msisdn)
    present = i < len(view) and view[i] == msisdn
    if wanted == present:
        return view
    return [*view[:i], msisdn, *view[i:]] if wanted else [*view[:i], *view[i + 1 :]]


class OwnedNumbers(dict[str, dict]):
    """msisdn -> owned-number record in the ``ownednumber`` JSON shape; ``view()`` pages over it.

    Setting or deleting an entry updates the views; ``version`` counts changes. A route that changes a
    record in place calls ``touch()``, which drops the filtered views (rebuilt on next use). Bulk methods
    (``update``, ``clear``, …) do the same.
    """

    def __init__(self, records: Iterable[dict] = ()) -> None:
        super().__init__((r["msisdn"], r) for r in records)
        self.version = 0
        self._sorted: list[str] | None = None
        self._views: dict[Hashable, tuple[Keep, list[str]]] = {}

    def view(self, key: Hashable, keep: Keep | None) -> list[str]:
        """Sorted msisdns of the numbers ``keep`` accepts (all when None), cached under ``key``."""
        if self._sorted is None:
            self._sorted = sorted(self)
        if keep is None:
            return self._sorted
        cached = self._views.get(key)
        if cached is not None:
            return cached[1]
        view = sorted([m for m, record in self.items() if keep(record)])  # no per-number lookup; sorts ~linearly
        if len(self._views) >= VIEW_CACHE_SIZE:
            self._views.clear()
        self._views[key] = (keep, view)
        return view

    def touch(self) -> None:
        """A record was changed in place: its filtered views may be wrong, so they are rebuilt on next use."""
        self.version += 1
        self._views.clear()

    def _changed(self, msisdn: str, record: dict | None) -> None:
        self.version += 1
        if self._sorted is not None:
            self._sorted = _placed(self._sorted, msisdn, record is not None)
        for key, (keep, view) in self._views.items():
            self._views[key] = (keep, _placed(view, msisdn, record is not None and keep(record)))

    def _reset(self) -> None:
        self.version += 1
        self._sorted = None
        self._views.clear()

    def __setitem__(self, key: str, value: dict) -> None:
        super().__setitem__(key, value)
        self._changed(key, value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed(key, None)

    def pop(self, key: str, *default: dict) -> dict:  # type: ignore[override]
        if key not in self:
            return super().pop(key, *default)
        value = super().pop(key)
        self._changed(key, None)
        return value

    def popitem(self) -> tuple[str, dict]:
        item = super().popitem()
        self._changed(item[0], None)
        return item

    def setdefault(self, key: str, default: dict) -> dict:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs) -> None:  # type: ignore[override]
        super().update(*args, **kwargs)
        self._reset()

    def clear(self) -> None:
        super().clear()
        self._reset()
