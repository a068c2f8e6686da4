"""Pages fetched concurrently but handed over in page order, with bounded memory.

Why not ``VonageClient.iter_owned_numbers``: it yields pages as they complete and without their
index, so a script's output would change order from one run to the next. Here at most
``concurrency`` requests are in flight (the client's rate limiter still paces them) and a page is
only started once every page more than ``window`` places before it has been handed over: a slow or
retried page holds back at most ``window`` finished pages, never the whole listing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def in_order(
    fetch: Callable[[int], Awaitable[T]], first: int, last: int, *, concurrency: int, window: int
) -> AsyncIterator[T]:
    """``await fetch(i)`` for i in first..last, yielded in that order.

    A page that fails raises its error when its turn comes (earlier pages have been yielded by
    then); leaving early (an error, ``aclose()``) cancels every request still outstanding.
    """
    if concurrency < 1 or window < concurrency:
        raise ValueError("need concurrency >= 1 and window >= concurrency")
    slots = asyncio.Semaphore(concurrency)

    async def one(index: int) -> T:
        async with slots:  # tasks queue here in creation (page) order
            return await fetch(index)

    tasks: dict[int, asyncio.Task[T]] = {}
    started = first
    try:
        for index in range(first, last + 1):
            while started <= last and started < index + window:
                tasks[started] = asyncio.ensure_future(one(started))
                started += 1
            yield await tasks.pop(index)
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
