"""The reads a session needs whatever screen is shown: owned numbers, balance, unfinished changes.

Why here and not in a screen: the first page of owned numbers should be on its way the moment the
login succeeds, not when the Numbers screen is built, and a purchase on the Search screen must show
up in a list that screen never loaded. The App runs these in its own workers; each changes the
session's plain state and posts a message (``tui.messages``) that the screens apply.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui import cache
from tui.messages import BalanceChanged, JournalSettled, OwnedNumbersChanged
from tui.owned import OwnedRecord, iter_owned_records

if TYPE_CHECKING:
    from textual.message import Message

    from tui.session import Session

Post = Callable[["Message"], object]


def keep_out_of_gc() -> None:
    """The one garbage-collection policy: what is alive now (imports, a loaded list) lives on.

    A full collection walks every tracked object; with 100,000 owned numbers that is a long pause on
    the UI thread. Objects alive at a quiet moment (after login, after a full load) are moved out of
    the collector's reach; reference counting still frees them when replaced, and records hold no
    reference cycles.
    """
    gc.freeze()


async def load_owned(session: Session, post: Post, *, use_cache: bool = True) -> None:
    """Every owned number, page by page (the cache first, when there is one and nothing is shown)."""
    owned = session.account.owned
    if use_cache and not owned.by_msisdn and session.cache_key:
        cached = await asyncio.to_thread(cache.load_owned, session.cache_key)
        if cached is not None and not owned.by_msisdn:
            records, saved_at = cached
            owned.replace(records, complete=False, from_cache=True, loaded_at=saved_at)
            post(OwnedNumbersChanged(base_version=-1, version=owned.version, loading=True))
    fresh: dict[str, OwnedRecord] = {}
    total: int | None = None

    def on_total(count: int) -> None:
        nonlocal total
        total = count

    try:
        async for records in iter_owned_records(session.client, on_total=on_total):
            for record in records:
                fresh[record.msisdn] = record
            base = owned.version
            owned.add_page(records)
            post(OwnedNumbersChanged(base_version=base, version=owned.version, added=records, loading=True,
                                     loaded=len(fresh), total=total))
    except asyncio.CancelledError:
        post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=len(fresh),
                                 total=total, note="paused, r reloads"))
        raise
    except Exception:
        post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=len(fresh),
                                 total=total, note="load failed, r retries"))
        raise  # the App's worker handler shows what failed
    base = owned.version
    gone = owned.settle(fresh)
    post(OwnedNumbersChanged(base_version=base, version=owned.version, removed=gone, loaded=len(fresh),
                             total=len(fresh)))
    keep_out_of_gc()
    if session.cache_key:
        try:
            await asyncio.to_thread(cache.save_owned, session.cache_key, list(owned.by_msisdn.values()))
        except Exception as exc:  # noqa: BLE001 - a cache is only a head start: say so, never fail the load
            post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=len(fresh),
                                     total=len(fresh), note=f"not cached ({type(exc).__name__})"))


async def refresh_balance(session: Session, post: Post) -> None:
    """Read the balance for the header; a failure is a message, never fatal."""
    try:
        balance = await session.ops.read_balance()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        post(BalanceChanged(session.account.balance, error=session.describe(exc)))
        return
    post(BalanceChanged(balance))


async def settle_journal(session: Session, post: Post) -> None:
    """Settle the changes a crash left unfinished, and say what they turned out to be."""
    reports = await session.ops.reconcile_unfinished()
    if reports:
        post(JournalSettled(reports))


__all__ = ["keep_out_of_gc", "load_owned", "refresh_balance", "settle_journal"]
