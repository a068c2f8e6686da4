"""Walking the owned numbers when the count lies: empty or repeated pages end the walk, and a shortfall is said.

A raw loopback server answers ``GET /account/numbers`` page by page from a table the test sets, and stops
cooperating (400) after a few dozen requests, so a walk that would go on for 10,000 pages fails fast here
instead of taking minutes. The honest server is the sandbox (tests/test_api_numbers.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from contextlib import aclosing
from typing import Any

import pytest
from test_api_fakes import LoopbackServer, head

from tui.api.client import VonageClient
from tui.api.errors import ShortListing
from tui.api.retry import ClientEvent, RetryPolicy
from tui.owned import iter_owned_records

KEY, SECRET = "abcd1234", "Paging-Secret-64"
PATIENCE = 40  # requests the server answers before it refuses (a guard, far above what a good walk needs)


def _numbers(start: int, count: int) -> list[dict[str, Any]]:
    return [{"msisdn": f"4477009{n:05d}", "country": "GB", "type": "mobile-lvn"} for n in range(start, start + count)]


def _server(count: int, page: Callable[[int], list[dict[str, Any]]]) -> LoopbackServer:
    """Every page says ``count`` numbers; ``page(index)`` is what it holds."""

    async def respond(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        request_head = server.requests[-1][0].decode()  # this request's: nothing has awaited since it was read
        found = re.search(r"[?&]index=(\d+)", request_head.split("\r\n", 1)[0])
        index = int(found.group(1)) if found else 1
        if len(server.requests) > PATIENCE:
            body = b'{"error-code": "400", "error-code-label": "enough"}'
            await server.write(writer, head("400 Bad Request", content_length=len(body)) + body)
            return
        body = json.dumps({"count": count, "numbers": page(index)}).encode()
        await server.write(writer, head(content_type="application/json", content_length=len(body)) + body)

    return LoopbackServer(respond)


def _client(url: str, **options: Any) -> VonageClient:
    return VonageClient(KEY, SECRET, rest_url=url, api_url=url, rate_limit=None,
                        retry_policy=RetryPolicy(max_retries=0), **options)


async def _walk(client: VonageClient, **options: Any) -> tuple[list[list[str]], BaseException | None]:
    pages: list[list[str]] = []
    try:
        async for numbers in client.iter_owned_numbers(**options):
            pages.append([n.msisdn for n in numbers])
    except Exception as error:  # noqa: BLE001 - returned for the test to look at
        return pages, error
    return pages, None


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_a_lying_count_with_empty_pages_stops_at_the_first_empty_page(concurrency: int) -> None:
    async with _server(999_999, lambda index: _numbers(0, 100) if index == 1 else []) as server:
        async with _client(server.url) as c:
            pages, error = await _walk(c, concurrency=concurrency)
            requests = c.stats.requests
    assert [len(p) for p in pages] == [100]  # what did come was handed over first
    assert isinstance(error, ShortListing)
    assert (error.expected, error.received) == (999_999, 100)
    assert "the server said 999,999 numbers but sent 100" in str(error)
    assert requests <= 1 + concurrency  # page 1, and the pages already in flight when page 2 came back empty
    assert requests == 2 or concurrency > 1


async def test_an_empty_first_page_with_a_count_is_one_request_and_a_shortfall() -> None:
    async with _server(500, lambda index: []) as server, _client(server.url) as c:
        pages, error = await _walk(c)
        assert c.stats.requests == 1
    assert pages == [[]]
    assert isinstance(error, ShortListing) and (error.expected, error.received) == (500, 0)


async def test_pages_that_repeat_the_first_one_end_the_walk() -> None:
    async with _server(5_000, lambda index: _numbers(0, 100)) as server, _client(server.url) as c:
        pages, error = await _walk(c, concurrency=4)
        assert c.stats.requests <= 5
    assert [len(p) for p in pages] == [100]  # the repeats are not handed over again
    assert isinstance(error, ShortListing) and (error.expected, error.received) == (5_000, 100)


async def test_a_list_that_shrank_while_it_was_read_is_not_an_error() -> None:
    table = {1: _numbers(0, 100), 2: _numbers(100, 100), 3: _numbers(200, 40)}  # said 250, 240 left
    async with _server(250, lambda index: table.get(index, [])) as server, _client(server.url) as c:
        pages, error = await _walk(c, concurrency=2)
    assert error is None
    assert sorted(len(p) for p in pages) == [40, 100, 100]


async def test_a_number_on_two_pages_is_handed_over_once() -> None:
    table = {1: _numbers(0, 100), 2: _numbers(99, 100), 3: _numbers(199, 50)}  # a purchase shifted the pages
    async with _server(250, lambda index: table.get(index, [])) as server, _client(server.url) as c:
        pages, error = await _walk(c, concurrency=1)
    flat = [m for page in pages for m in page]
    assert error is None and len(flat) == len(set(flat)) == 249


async def test_the_records_the_app_loads_from_end_with_the_shortfall_too() -> None:
    async with _server(999_999, lambda index: _numbers(0, 100) if index == 1 else []) as server:
        async with _client(server.url) as c:
            received: list[str] = []
            totals: list[int] = []
            with pytest.raises(ShortListing):
                async for records in iter_owned_records(c, on_total=totals.append):
                    received.extend(r.msisdn for r in records)
    assert totals == [999_999] and len(received) == 100


async def test_leaving_early_cancels_the_pages_in_flight() -> None:
    in_flight = 0

    def track(event: ClientEvent) -> None:
        nonlocal in_flight
        in_flight += {"start": 1, "end": -1}.get(event.kind, 0)

    async with _server(3_000, lambda index: _numbers(100 * (index - 1), 100)) as server:
        async with _client(server.url, on_event=track) as c:
            async with aclosing(c.iter_owned_numbers(concurrency=4)) as pages:
                seen = 0
                async for _numbers_page in pages:
                    seen += 1
                    if seen == 2:
                        break
            assert in_flight == 0  # nothing still running once the walk is closed
            sent = c.stats.requests
            await asyncio.sleep(0)
            assert c.stats.requests == sent and sent < 30
