"""Retries, pacing, timeouts and dropped connections, against injected sandbox faults over real loopback HTTP.

Back-off waits run in virtual time (``VirtualTime`` from tests/test_api_fakes.py) unless the test is about
the sandbox's own real-time rate limit, which only real waiting can satisfy.
"""

from __future__ import annotations

import asyncio
import random
import socket
import time

import httpx
import pytest

from test_api_fakes import VirtualTime

from tui.api.client import VonageClient
from tui.api.errors import NetworkError, RateLimited, RequestTimeout, ServerError
from tui.api.ratelimit import RateLimiter
from tui.api.retry import ClientEvent, RetryPolicy, parse_retry_after
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox

FAST = RetryPolicy(max_retries=8, base_delay=0.001, max_delay=0.01)


def _client(url: str, events: list[ClientEvent] | None = None, **kwargs: object) -> VonageClient:
    time = VirtualTime()  # back-off takes no real time; a test that needs real waits passes sleep/clock
    options: dict = {"rate_limit": None, "retry_policy": FAST, "clock": time.clock, "sleep": time.sleep, **kwargs}
    return VonageClient(
        DEMO_API_KEY,
        DEMO_API_SECRET,
        rest_url=url,
        api_url=url,
        on_event=events.append if events is not None else None,
        **options,
    )


# -- policy and limiter units --------------------------------------------------------------------


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.2, max_delay=5.0)
    rng = random.Random(1)
    for retry, ceiling in ((1, 0.2), (2, 0.4), (3, 0.8), (5, 3.2), (6, 5.0), (12, 5.0)):
        delays = [policy.backoff(retry, rng) for _ in range(200)]
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > 0  # jittered
    assert policy.delay_for(6, None) is None  # out of retries (max_retries=5)
    assert 2.5 <= policy.delay_for(1, 2.5, rng) <= 2.7  # Retry-After honoured, plus a little spread
    assert policy.delay_for(1, 31.0) is None  # longer than the cap: give up and tell the user


def test_which_outcomes_are_retried() -> None:
    may = RetryPolicy.may_retry
    for status in (429, 502, 503, 504):
        assert may("GET", status=status)
    for status in (200, 400, 401, 404, 420, 500):
        assert not may("GET", status=status)
    assert may("POST", status=429) and may("DELETE", status=429) and may("PATCH", status=429)
    for status in (502, 503, 504):
        assert not may("POST", status=status) and not may("DELETE", status=status)
    assert may("GET", failure="timeout") and may("GET", failure="dropped")
    assert not may("GET", failure="connect")
    assert not may("POST", failure="timeout") and not may("POST", failure="dropped")


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None, {"retry_after": 0.25}) == 0.25
    assert parse_retry_after("nonsense", {"retry_after": "2"}) == 2.0
    assert parse_retry_after("-1") is None and parse_retry_after("inf") is None
    assert parse_retry_after(None, {"retry_after": True}) is None
    future = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT")
    assert future == 0.0  # a date in the past: retry now


async def test_rate_limiter_paces_after_the_burst() -> None:
    virtual = VirtualTime()
    limiter = RateLimiter(50.0, clock=virtual.clock, sleep=virtual.sleep)
    start = virtual.clock()
    for _ in range(60):  # 50 from the burst, then 10 at 50/s
        await limiter.acquire()
    assert 0.15 <= virtual.clock() - start < 1.0
    unlimited = RateLimiter(None, clock=virtual.clock, sleep=virtual.sleep)
    start = virtual.clock()
    await asyncio.gather(*(unlimited.acquire() for _ in range(1000)))
    assert virtual.clock() - start < 0.5
    with pytest.raises(ValueError):
        RateLimiter(0)


# -- retries against the sandbox -----------------------------------------------------------------


async def test_gets_survive_injected_5xx_drops_and_429s() -> None:
    with start_sandbox(SandboxConfig(seed=3, fault_5xx=0.3, fault_drop=0.15, fault_429=0.1)) as sandbox:
        events: list[ClientEvent] = []
        async with _client(sandbox.url, events) as c:
            for _ in range(20):
                page = await c.list_owned_numbers()
                assert page.count == 6
            stats = c.stats
    assert stats.retries > 0 and stats.requests == 20 + stats.retries
    assert stats.rate_limited == stats.status_counts[429] > 0
    assert stats.network_errors > 0  # the drops
    assert any(stats.status_counts[s] for s in (502, 503, 504))
    retries = [e for e in events if e.kind == "retry"]
    assert len(retries) == stats.retries
    assert {e.reason for e in retries} >= {"HTTP 429", "dropped"}
    assert all(1 <= e.attempt <= e.max_attempts == FAST.max_retries for e in retries)
    starts = [e for e in events if e.kind == "start"]
    ends = [e for e in events if e.kind == "end"]
    assert len(starts) == len(ends) == 20 and all(e.ok for e in ends)


async def test_retries_run_out_with_numbered_events() -> None:
    with start_sandbox(SandboxConfig(seed=1, fault_5xx=1.0)) as sandbox:
        events: list[ClientEvent] = []
        async with _client(sandbox.url, events, retry_policy=RetryPolicy(max_retries=2, base_delay=0.001)) as c:
            with pytest.raises(ServerError) as caught:
                await c.get_balance()
            assert c.stats.requests == 3
    assert caught.value.status in (502, 503, 504)
    assert [(e.attempt, e.max_attempts) for e in events if e.kind == "retry"] == [(1, 2), (2, 2)]
    assert [e.ok for e in events if e.kind == "end"] == [False]


async def test_writes_are_not_retried_on_5xx() -> None:
    with start_sandbox(SandboxConfig(seed=1, fault_5xx=1.0)) as sandbox:
        async with _client(sandbox.url) as c:
            with pytest.raises(ServerError):
                await c.buy_number("GB", "447700900123")
            assert c.stats.requests == 1 and c.stats.retries == 0
        assert sandbox.state.request_count == 1 and sandbox.state.purchases == []


async def test_writes_are_retried_on_429_because_nothing_was_done(sandbox: RunningSandbox) -> None:
    page = None
    async with _client(sandbox.url) as c:
        page = await c.search_numbers(country="GB", size=1)
        sandbox.state.config.fault_429 = 0.6
        await c.buy_number("GB", page.numbers[0].msisdn)
        sandbox.state.config.fault_429 = 0.0
        assert c.stats.status_counts[429] >= 1 and c.stats.retries == c.stats.status_counts[429]
    assert [p["msisdn"] for p in sandbox.state.purchases] == [page.numbers[0].msisdn]


async def test_sandbox_rate_limit_is_absorbed_by_retries(sandbox: RunningSandbox) -> None:
    sandbox.state.config.rate_limit = 20
    # a realistic base delay: the jitter on top of Retry-After is what spreads the retries out; real waits,
    # because the sandbox's bucket refills in real time
    async with _client(
        sandbox.url,
        retry_policy=RetryPolicy(max_retries=8, base_delay=0.05, max_delay=0.5),
        clock=time.monotonic,
        sleep=asyncio.sleep,
    ) as c:
        results = await asyncio.gather(*(c.get_balance() for _ in range(30)))
        assert len(results) == 30
        assert c.stats.rate_limited > 0 and c.stats.retries >= c.stats.rate_limited


async def test_client_pacing_avoids_429s(sandbox: RunningSandbox) -> None:
    sandbox.state.config.rate_limit = 20
    # real pacing against the sandbox's real-time bucket
    async with _client(sandbox.url, rate_limit=15, clock=time.monotonic, sleep=asyncio.sleep) as c:
        await asyncio.gather(*(c.get_balance() for _ in range(20)))
        assert c.stats.rate_limited == 0 and c.stats.requests == 20


async def test_a_long_retry_after_is_not_waited_out() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "120"}, json={"title": "Rate Limit Hit"})

    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, transport=httpx.MockTransport(handler), rate_limit=None
    ) as c:
        start = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            await c.get_balance()
        assert time.monotonic() - start < 1.0 and c.stats.requests == 1
    assert caught.value.retry_after == 120 and "120" in str(caught.value)


async def test_a_dropped_write_is_ambiguous_and_not_repeated(sandbox: RunningSandbox) -> None:
    async with _client(sandbox.url) as c:
        page = await c.search_numbers(country="GB", size=1)
        msisdn = page.numbers[0].msisdn
        sandbox.state.drop_next_response_after_commit("/number/buy")
        with pytest.raises(NetworkError) as caught:
            await c.buy_number("GB", msisdn)
        assert c.stats.requests == 2  # search + one buy, no retry
    assert caught.value.request_sent is True
    assert "refresh" in str(caught.value)
    assert [p["msisdn"] for p in sandbox.state.purchases] == [msisdn]  # it did happen


async def test_a_dropped_read_is_retried(sandbox: RunningSandbox) -> None:
    sandbox.state.drop_next_response_after_commit("/account/numbers")
    async with _client(sandbox.url) as c:
        page = await c.list_owned_numbers()
        assert page.count == 6 and c.stats.retries == 1 and c.stats.network_errors == 1


async def test_timeouts(sandbox: RunningSandbox) -> None:
    sandbox.state.config.latency = 0.5
    events: list[ClientEvent] = []
    async with _client(
        sandbox.url, events, timeout=0.1, retry_policy=RetryPolicy(max_retries=1, base_delay=0.001)
    ) as c:
        with pytest.raises(RequestTimeout) as read:
            await c.get_balance()
        assert c.stats.requests == 2 and [e.reason for e in events if e.kind == "retry"] == ["timeout"]
        with pytest.raises(RequestTimeout) as write:
            await c.top_up("00X123456Y7890123Z")
        assert c.stats.requests == 3  # the write was not repeated
    assert read.value.request_sent and write.value.request_sent
    assert "refresh" in str(write.value)
    assert isinstance(read.value, NetworkError)


async def test_connection_refused_fails_fast_and_says_nothing_was_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with _client(f"http://127.0.0.1:{port}") as c:
        with pytest.raises(NetworkError) as caught:
            await c.get_balance()
        assert c.stats.requests == 1 and c.stats.retries == 0
    assert caught.value.request_sent is False and not isinstance(caught.value, RequestTimeout)
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_a_failing_event_callback_does_not_break_requests(sandbox: RunningSandbox) -> None:
    def explode(event: ClientEvent) -> None:
        raise RuntimeError("UI bug")

    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None, on_event=explode
    ) as c:
        assert (await c.get_balance()).auto_reload is True


async def test_cancellation_still_ends_the_request(sandbox: RunningSandbox) -> None:
    sandbox.state.config.latency = 0.3
    events: list[ClientEvent] = []
    async with _client(sandbox.url, events) as c:
        task = asyncio.create_task(c.get_balance())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [e.kind for e in events] == ["start", "end"] and events[-1].ok is False


async def test_a_read_answered_with_garbage_is_asked_again_not_failed(sandbox, client) -> None:  # type: ignore[no-untyped-def]
    """A GET is safe to repeat: an unreadable answer (garbage, a torn body) is retried like a dropped one."""
    sandbox.state.faults.arm("/account/get-balance", "garbage-after-commit")
    balance = await client.get_balance()
    assert balance.value > 0
    assert client.stats.requests >= 2  # the first answer was garbage, the second was read
