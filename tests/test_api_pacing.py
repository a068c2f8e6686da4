"""Pacing at the account's own limit, changed at run time, and one shared wait after a 429.

The client's limiter runs on an injected clock and sleep (tests/test_api_fakes.py), so these tests
prove how long it *would* wait without waiting: ``VirtualTime`` sums the waits, ``ManualTime`` holds
every waiter until the test moves the clock, which shows who is still held while a 429's Retry-After
runs.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from test_api_fakes import ManualTime, VirtualTime, settle

from tui.api.client import VonageClient
from tui.api.errors import InputError
from tui.api.ratelimit import RateLimiter
from tui.api.retry import ClientEvent, RetryPolicy
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox


def _limiter(rate: float | None, time: VirtualTime | ManualTime, burst: float | None = None) -> RateLimiter:
    return RateLimiter(rate, burst, clock=time.clock, sleep=time.sleep)


async def test_a_pause_holds_every_acquire_paced_or_not() -> None:
    for rate in (None, 10.0):
        time = VirtualTime()
        limiter = _limiter(rate, time)
        limiter.pause(2.0)
        assert limiter.paused_for == 2.0
        await limiter.acquire()
        assert time.now == pytest.approx(2.0)
        assert limiter.paused_for == 0


async def test_after_a_pause_requests_come_back_at_the_pace_not_in_a_burst() -> None:
    time = VirtualTime()
    limiter = _limiter(10.0, time, burst=5.0)  # a full bucket: 5 could go at once
    limiter.pause(1.0)
    starts = []
    for _ in range(4):
        await limiter.acquire()
        starts.append(round(time.now, 6))
    assert starts == [1.0, 1.1, 1.2, 1.3]


async def test_a_shorter_or_nonsense_pause_does_not_shorten_or_break_a_longer_one() -> None:
    time = VirtualTime()
    limiter = _limiter(None, time)
    limiter.pause(3.0)
    for seconds in (1.0, -1.0, 0.0, math.nan, math.inf):
        limiter.pause(seconds)
    assert limiter.paused_for == 3.0


async def test_set_rate_changes_the_pace_of_waiters_and_can_switch_it_off() -> None:
    time = VirtualTime()
    limiter = _limiter(10.0, time, burst=1.0)
    await limiter.acquire()
    await limiter.acquire()
    assert time.now == pytest.approx(0.1)
    limiter.set_rate(2.0, burst=1.0)
    await limiter.acquire()
    assert time.now == pytest.approx(0.6)
    limiter.set_rate(None)
    for _ in range(100):
        await limiter.acquire()
    assert time.now == pytest.approx(0.6)
    for bad in (0, -1, math.inf, math.nan, True):
        with pytest.raises(ValueError):
            limiter.set_rate(bad)


async def test_set_rate_limit_paces_the_client_at_the_accounts_limit(client: VonageClient) -> None:
    time = VirtualTime()
    async with VonageClient(
        DEMO_API_KEY,
        DEMO_API_SECRET,
        rest_url=client.rest_url,
        api_url=client.api_url,
        rate_limit=None,
        clock=time.clock,
        sleep=time.sleep,
    ) as c:
        await asyncio.gather(*(c.get_balance() for _ in range(15)))
        assert time.now == 0  # unpaced
        c.set_rate_limit(10)  # e.g. max-calls-per-second from /account/settings; burst: half a second
        assert c.limiter.rate == 10 and c.limiter.burst == 5
        await asyncio.gather(*(c.get_balance() for _ in range(15)))
        assert time.now == pytest.approx(1.0)  # 5 at once, then 10 at 10/s
        c.set_rate_limit(None)
        await asyncio.gather(*(c.get_balance() for _ in range(15)))
        assert time.now == pytest.approx(1.0)
        for bad in (0, -3, math.inf, math.nan, True, "30"):
            with pytest.raises(InputError):
                c.set_rate_limit(bad)  # type: ignore[arg-type]


async def test_a_429_pauses_every_request_of_the_client_until_its_retry_after(sandbox: RunningSandbox) -> None:
    """Request A is refused with 429 (Retry-After 0.2 s); B and C, started meanwhile, wait with it."""
    time = ManualTime()
    retried = asyncio.Event()

    def on_event(event: ClientEvent) -> None:
        if event.kind == "retry":
            retried.set()

    sandbox.state.config.fault_429 = 1.0
    async with VonageClient(
        DEMO_API_KEY,
        DEMO_API_SECRET,
        rest_url=sandbox.url,
        api_url=sandbox.url,
        rate_limit=None,
        retry_policy=RetryPolicy(max_retries=3, base_delay=0.2),
        on_event=on_event,
        clock=time.clock,
        sleep=time.sleep,
    ) as c:
        first = asyncio.create_task(c.get_balance())
        await asyncio.wait_for(retried.wait(), 30)  # A got its 429 and is waiting to retry
        sandbox.state.config.fault_429 = 0.0
        assert sandbox.state.request_count == 1 and c.limiter.paused_for == pytest.approx(0.2)
        others = [asyncio.create_task(c.get_balance()) for _ in range(2)]
        await settle()
        assert time.sleeping == 3  # A's back-off, and B and C held by the paused limiter
        assert sandbox.state.request_count == 1  # B and C did not go and collect 429s of their own
        await time.advance(0.1)
        assert sandbox.state.request_count == 1  # still within the Retry-After
        await time.advance(10.0)
        results = await asyncio.gather(first, *others)
    assert all(r.auto_reload for r in results)
    assert sandbox.state.request_count == 4 and c.stats.rate_limited == 1
    assert sorted(time.sleeps)[:2] == [pytest.approx(0.2), pytest.approx(0.2)]  # B and C: the pause itself
