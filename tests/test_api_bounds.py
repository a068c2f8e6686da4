"""Every attempt is bounded: a total deadline (connect to last byte) and a cap on the answer's size.

Real loopback servers: one drips its body a byte at a time (each read is quick, so per-read timeouts
never fire), others send a huge declared body, an endless chunked body, or a small gzip body that
inflates far past the cap. The tests check the error and that the client stopped reading: what the
server got into its socket stays far below the size of the body. Nothing here measures time.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from test_api_fakes import LoopbackServer, VirtualTime, head

from tui.api.client import VonageClient
from tui.api.errors import InputError, RequestTimeout, ResponseTooLarge
from tui.api.retry import RetryPolicy

KEY, SECRET = "abcd1234", "Bound-Secret-55"
MB = 1 << 20


def _client(url: str, **options: Any) -> VonageClient:
    time = VirtualTime()
    options.setdefault("retry_policy", RetryPolicy(max_retries=3))
    return VonageClient(
        KEY, SECRET, rest_url=url, api_url=url, rate_limit=None, clock=time.clock, sleep=time.sleep, **options
    )


def _dripper(total: int) -> Any:
    async def drip(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head(content_type="application/json", content_length=total))
        for _ in range(total):
            await server.write(writer, b" ")
            await asyncio.sleep(0.02)  # the slow server's pace (a 1000-byte body would take 20 s)

    return drip


async def test_a_dripping_answer_to_a_write_hits_the_deadline_and_may_have_happened() -> None:
    async with LoopbackServer(_dripper(1000)) as server:
        async with _client(server.url, deadline=0.5) as c:
            with pytest.raises(RequestTimeout) as caught:
                await c.top_up("00X123456Y7890123Z")
            assert c.stats.requests == 1  # not resent
        await server.wait_finished()
    error = caught.value
    assert "did not finish answering within 0.5 s" in str(error) and "refresh" in str(error)
    assert error.request_sent is True and error.outcome_unknown is True
    assert len(server.requests) == 1
    assert server.sent < len(head(content_type="application/json", content_length=1000)) + 1000  # cut short


async def test_a_dripping_answer_to_a_read_is_not_retried_into_another_deadline() -> None:
    async with LoopbackServer(_dripper(1000)) as server:
        async with _client(server.url, deadline=0.5) as c:
            with pytest.raises(RequestTimeout) as caught:
                await c.get_balance()
            assert c.stats.requests == 1 and c.stats.retries == 0
    assert "within 0.5 s" in str(caught.value) and "refresh" not in str(caught.value)


async def _huge_declared(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    await server.write(writer, head(content_type="application/json", content_length=300 * MB))
    await server.write(writer, b'{"count": 0, "numbers": [], "padding": "')
    chunk = b"x" * 65536
    while server.sent < 300 * MB:
        await server.write(writer, chunk)


async def _endless_chunked(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    await server.write(writer, head(content_type="application/json", transfer_encoding="chunked"))
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while server.sent < 300 * MB:  # "endless": far more than any client should take
        await server.write(writer, frame)


@pytest.mark.parametrize("respond", [_huge_declared, _endless_chunked], ids=["declared 300 MB", "endless chunked"])
async def test_a_huge_answer_is_refused_and_not_read(respond: Any) -> None:
    async with LoopbackServer(respond) as server:
        async with _client(server.url) as c:
            with pytest.raises(ResponseTooLarge) as caught:
                await c.list_owned_numbers()  # today's "0 numbers" from a 300 MB answer
            assert c.stats.requests == 1  # the same answer would come back: not retried
        await server.wait_finished()
    assert "larger than 4 MB and was not read" in str(caught.value)
    assert server.sent < 40 * MB  # the cap, plus what the sockets' buffers held; the body was 300 MB


async def test_a_huge_answer_to_a_write_may_have_happened() -> None:
    async with LoopbackServer(_endless_chunked) as server:
        async with _client(server.url, max_response_bytes=64 * 1024) as c:
            with pytest.raises(ResponseTooLarge) as caught:
                await c.buy_number("GB", "447700900123")
        await server.wait_finished()
    error = caught.value
    assert error.outcome_unknown is True and "refresh" in str(error)
    assert "larger than 64 KB" in str(error)
    assert server.sent < 40 * MB


async def test_a_small_gzip_body_that_inflates_past_the_cap_is_refused() -> None:
    bomb = gzip.compress(b'{"value": 1, "padding": "' + b"0" * (16 * MB) + b'"}')
    assert len(bomb) < 64 * 1024

    async def inflate(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(
            writer, head(content_type="application/json", content_encoding="gzip", content_length=len(bomb)) + bomb
        )

    async with LoopbackServer(inflate) as server, _client(server.url, max_response_bytes=MB) as c:
        with pytest.raises(ResponseTooLarge) as caught:
            await c.get_balance()
    assert "larger than 1 MB" in str(caught.value)


async def test_answers_under_the_cap_are_read_whole() -> None:
    body = json.dumps({"value": 12.5, "autoReload": False, "padding": "x" * 200_000}).encode()
    compressed = gzip.compress(body)

    async def answer(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(
            writer,
            head(content_type="application/json", content_encoding="gzip", content_length=len(compressed))
            + compressed,
        )

    async with LoopbackServer(answer) as server, _client(server.url, max_response_bytes=len(body)) as c:
        balance = await c.get_balance()
    assert str(balance.value) == "12.5"


@pytest.mark.parametrize(
    "options",
    [{"deadline": 0}, {"deadline": float("inf")}, {"deadline": True}, {"max_response_bytes": 0},
     {"max_response_bytes": 1.5}, {"max_response_bytes": "4MB"}],
)
def test_bounds_must_be_positive(options: dict[str, Any]) -> None:
    with pytest.raises(InputError) as caught:
        VonageClient(KEY, SECRET, **options)
    assert caught.value.field == next(iter(options))
