"""The reads a session needs whatever screen is shown: owned numbers, balance, unfinished changes.

Why here and not in a screen: the first page of owned numbers should be on its way the moment the
login succeeds, not when the Numbers screen is built, and a purchase on the Search screen must show
up in a list that screen never loaded. The App runs these in its own workers; each changes the
session's plain state and posts a message (``tui.messages``) that the screens apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.messages import AccountEvent, BalanceChanged, JournalSettled, OwnedNumbersChanged

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

    from tui.owned import OwnedList, OwnedRecord
    from tui.session import Session

Post = Callable[["Message"], object]


def hold_gc() -> None:
    """The one garbage-collection policy, part 1: none while the first screen is built.

    Start-up allocates tens of thousands of long-lived objects (modules, widgets, styles); the
    collections they trigger walk all of them again and again (~40 ms before the first frame). The
    first frame is built without, and ``keep_out_of_gc`` turns collection back on once it is out.
    The command line (``tui.cli``) turns it off already before importing the App: the imports are
    most of those objects.
    """
    gc.disable()


def keep_out_of_gc(*, collect: bool = True) -> None:
    """The one garbage-collection policy, part 3: what is alive at a quiet moment lives on.

    A full collection walks every tracked object; with 100,000 owned numbers that is a pause of tens of
    milliseconds on the UI thread. Objects alive after the first frame, after login and after a full
    load are moved out of the collector's reach (young garbage is collected first, cheaply); reference
    counting still frees them when they are replaced, and records hold no reference cycles.
    ``collect=False`` after the first frame: nothing was collected since the process started, so the
    young generations hold every object of the imports (~60,000; a 30 ms pause that delayed a warm
    start's rows) and only a few hundred garbage ones; they are frozen as they are.
    """
    if collect:
        gc.collect(1)
    gc.freeze()
    gc.enable()


class _Loading:
    """The one garbage-collection policy, part 2: no full collection while a list is loading.

    Loading adds 100,000 long-lived objects; each time enough of them pile up, Python would walk the
    whole heap again (tens of ms each, growing with the list). While any load runs, only the young
    generations are collected (they hold Textual's short-lived garbage); when the last one ends the
    old threshold is back and what was loaded is frozen (``keep_out_of_gc``).
    """

    depth = 0
    saved: tuple[int, int, int] | None = None

    def __enter__(self) -> None:
        if _Loading.depth == 0:
            _Loading.saved = gc.get_threshold()
            first, second, _ = _Loading.saved
            gc.set_threshold(first, second, 1_000_000)
        _Loading.depth += 1

    def __exit__(self, *exc: object) -> None:
        _Loading.depth -= 1
        if _Loading.depth == 0 and _Loading.saved is not None:
            gc.set_threshold(*_Loading.saved)
            keep_out_of_gc()


loading_many = _Loading


class CachedListRead(AccountEvent):
    """Start-up: the disk cache was read into a session that is still connecting (``owned`` is its list).

    Why before ``SessionOpened``: connecting imports httpx and the models and builds the client (~250 ms),
    and a restart's list should not wait for that. The list is shown read-only: the session is not the
    App's yet and has no client, so every change is refused until ``SessionOpened`` (or a failed login) follows.
    """

    def __init__(self, owned: OwnedList) -> None:
        super().__init__()
        self.owned = owned
        #: Set by the screen that shows the list once it is painted (relayed copies share it).
        self.shown = asyncio.Event()


#: How long connecting waits for the cached list to be painted when no screen says it was.
SHOWN_WAIT = 0.5


async def show_cache_first(app: App[Any], session: Session) -> None:
    """``tui.session.before_connect`` at start-up: the disk cache into the connecting session, posted at once.

    Connecting waits until the list is on screen: importing httpx and the models in a thread takes the
    GIL from the UI thread half the time, which made painting 100,000 cached rows ~40% slower.
    """
    if session.cache_key and await asyncio.to_thread(read_cache, session):
        message = CachedListRead(session.account.owned)
        app.post_message(message)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(message.shown.wait(), SHOWN_WAIT)


def read_cache(session: Session) -> bool:
    """Fill an empty owned list from the disk cache (call it in a thread); True if it did."""
    from tui import cache

    with loading_many():
        return cache.fill(session.account.owned, session.cache_key)


async def load_owned(session: Session, post: Post, *, use_cache: bool = True) -> None:
    """Every owned number, page by page (the cache first, when there is one and nothing is shown)."""
    from tui.owned import iter_owned_records

    owned = session.account.owned
    if use_cache and not owned.by_msisdn and session.cache_key and await asyncio.to_thread(read_cache, session):
        post(OwnedNumbersChanged(base_version=-1, version=owned.version, loading=True))
    before = owned.begin_load()  # what this load must see again to keep
    loaded = 0
    total: int | None = None

    def on_total(count: int) -> None:
        nonlocal total
        total = count

    with loading_many():
        try:
            async for records in iter_owned_records(session.client, on_total=on_total):
                loaded += len(records)
                base = owned.version
                owned.add_page(records)
                post(OwnedNumbersChanged(base_version=base, version=owned.version, added=records, loading=True,
                                         loaded=loaded, total=total))
        except asyncio.CancelledError:
            post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=loaded,
                                     total=total, note="paused, r reloads"))
            raise
        except Exception:
            post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=loaded,
                                     total=total, note="load failed, r retries"))
            raise  # the App's worker handler shows what failed
        base = owned.version
        gone = owned.settle(before)
        post(OwnedNumbersChanged(base_version=base, version=owned.version, removed=gone, loaded=loaded,
                                 total=len(owned.by_msisdn)))
    if session.cache_key:
        try:
            await asyncio.to_thread(cache_save, session.cache_key, list(owned.by_msisdn.values()))
        except Exception as exc:  # noqa: BLE001 - a cache is only a head start: say so, never fail the load
            post(OwnedNumbersChanged(base_version=owned.version, version=owned.version, loaded=loaded,
                                     total=len(owned.by_msisdn), note=f"not cached ({type(exc).__name__})"))


def cache_save(key: str, records: list[OwnedRecord]) -> None:
    from tui import cache

    cache.save_owned(key, records)


async def after_first_frame(app: App[Any], *, login: bool = True) -> None:
    """Start-up, once the first frame is on screen: build the Numbers screen while idle, and log in.

    Why here: this decides when the reads start. Logging in imports httpx and the models, reads the
    keyring or starts the demo's sandbox, all of which would slow the first frame; and when another
    screen was the first, building Numbers now (~100 ms of Textual work, on the UI thread) means `1`
    only has to show it. It is built before the login, not during it: once pages arrive, 100 ms of
    building would be a stall of the load, while now it ends long before the first page is back.
    Runs as the App's worker and ends when the login's own first tasks do, so whoever waits for
    the App's workers at start-up waits for the login too.
    """
    from tui import login_flow, session, style_cache

    painted = asyncio.Event()
    app.call_after_refresh(painted.set)
    await painted.wait()
    style_cache.save_soon(app)  # done at the first paint already, unless that was not one of our screens
    keep_out_of_gc(collect=False)
    _build_mode(app, "numbers")  # before the login: done by the time the first page arrives
    if not login:  # a first run: the login form is on screen and logs in itself
        return
    before = set(app.workers)
    session.before_connect.set(functools.partial(show_cache_first, app))  # the start-up login's workers inherit it
    login_flow.start(app)
    started = [worker for worker in app.workers if worker not in before]
    with contextlib.suppress(Exception):  # their failures are reported where they happen
        await app.workers.wait_for_complete(started)


def _build_mode(app: App[Any], mode: str) -> None:
    """Build and style a mode's screen without showing it (Textual's own first step of switching to it)."""
    if mode not in app._screen_stacks and app.is_running:
        app._init_mode(mode)


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


__all__ = ["CachedListRead", "after_first_frame", "hold_gc", "keep_out_of_gc", "load_owned", "loading_many",
           "read_cache", "refresh_balance", "settle_journal", "show_cache_first"]
