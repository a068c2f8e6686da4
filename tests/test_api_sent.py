"""Was it sent? A failed request says "not sent" only when it provably never left; everything that may
have reached the server says so (``NetworkError.request_sent`` / ``VonageError.outcome_unknown``).

Real loopback servers (tests/test_api_fakes.py) produce the failures the sandbox cannot: a purchase
answered with a broken gzip body, a reset after the request was read, a body cut short, a TLS
handshake with something that is not TLS.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpcore
import httpx
import pytest
from test_api_fakes import LoopbackServer, VirtualTime, head, reset

from tui.api.client import VonageClient
from tui.api.errors import (
    ActionFailed,
    AuthError,
    BadResponse,
    Conflict,
    Forbidden,
    InputError,
    NetworkError,
    NotFound,
    RateLimited,
    RequestTimeout,
    ResponseTooLarge,
    ServerError,
    ValidationFailed,
    VonageError,
)
from tui.api.failures import Progress, classify
from tui.api.retry import RetryPolicy

KEY, SECRET = "abcd1234", "Sent-Secret-77"
MSISDN = "447700900123"


def _client(url: str, time: VirtualTime | None = None, retries: int = 2, **options: Any) -> VonageClient:
    time = time or VirtualTime()
    return VonageClient(
        KEY,
        SECRET,
        rest_url=url,
        api_url=url,
        rate_limit=None,
        retry_policy=RetryPolicy(max_retries=retries),
        clock=time.clock,
        sleep=time.sleep,
        **options,
    )


async def _broken_gzip(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    garbage = b"\x1f\x8b\x08\x00 this is not a gzip stream at all \xff\xfe"
    await server.write(
        writer,
        head(content_type="application/json", content_encoding="gzip", content_length=len(garbage)) + garbage,
    )


async def _reset_after_reading(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    reset(writer)


async def _cut_mid_body(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    await server.write(writer, head(content_type="application/json", content_length=100) + b'{"error-code": "2')


async def _not_json(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    body = b'{"error-code": "200", "error-code-label": "succ'
    await server.write(writer, head(content_type="application/json", content_length=len(body)) + body)


# -- writes: after the request may have arrived, the outcome is unknown -------------------------------


@pytest.mark.parametrize(
    "respond, words",
    [(_broken_gzip, "could not be decoded"), (_reset_after_reading, "dropped"), (_cut_mid_body, "dropped")],
    ids=["broken gzip", "reset after the request", "closed mid-body"],
)
async def test_a_purchase_whose_answer_breaks_may_have_happened(respond: Any, words: str) -> None:
    async with LoopbackServer(respond) as server, _client(server.url) as c:
        with pytest.raises(NetworkError) as caught:
            await c.buy_number("GB", MSISDN)
        assert c.stats.requests == 1 and c.stats.retries == 0  # a write is never resent
    assert len(server.requests) == 1 and f"msisdn={MSISDN}".encode() in server.requests[0][1]  # it arrived
    error = caught.value
    assert error.request_sent is True and error.outcome_unknown is True
    assert words in str(error) and "refresh" in str(error)
    assert "could not be sent" not in str(error)
    assert error.__context__ is None and error.__cause__ is None


async def test_an_unreadable_json_answer_to_a_write_is_an_unknown_outcome() -> None:
    async with LoopbackServer(_not_json) as server, _client(server.url) as c:
        with pytest.raises(BadResponse) as caught:
            await c.buy_number("GB", MSISDN)
        assert c.stats.requests == 1
    assert caught.value.outcome_unknown is True and "not valid JSON" in str(caught.value)


# -- reads: the same breakages are retried ----------------------------------------------------------


@pytest.mark.parametrize("respond", [_broken_gzip, _reset_after_reading, _cut_mid_body],
                         ids=["broken gzip", "reset after the request", "closed mid-body"])
async def test_a_read_whose_answer_breaks_is_retried(respond: Any) -> None:
    time = VirtualTime()
    async with LoopbackServer(respond) as server, _client(server.url, time, retries=2) as c:
        with pytest.raises(NetworkError) as caught:
            await c.get_balance()
        assert c.stats.requests == 3 and c.stats.retries == 2
    assert len(server.requests) == 3 and len(time.sleeps) == 2  # back-off waited in virtual time only
    assert caught.value.request_sent is True
    assert "refresh" not in str(caught.value)  # a read changes nothing


# -- provably not sent --------------------------------------------------------------------------------


async def test_a_refused_connection_is_a_definite_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with _client(f"http://127.0.0.1:{port}") as c:
        with pytest.raises(NetworkError) as caught:
            await c.buy_number("GB", MSISDN)
    assert caught.value.request_sent is False and caught.value.outcome_unknown is False


async def test_a_failed_tls_handshake_sends_nothing() -> None:
    """https to something that answers in plain text: the handshake fails before any request byte."""
    received = bytearray()
    done = asyncio.Event()

    async def not_tls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read(4096))  # the TLS ClientHello
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        done.set()

    server = await asyncio.start_server(not_tls, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with _client(f"https://127.0.0.1:{port}") as c:
            with pytest.raises(NetworkError) as caught:
                await c.buy_number("GB", MSISDN)
            assert c.stats.requests == 1
        await asyncio.wait_for(done.wait(), 30)
    finally:
        server.close()
        await server.wait_closed()
    assert caught.value.request_sent is False and caught.value.outcome_unknown is False
    assert received.startswith(b"\x16\x03") and b"POST" not in received and MSISDN.encode() not in received


def _classify(exc: BaseException, method: str = "POST", progress: Progress | None = None) -> tuple[VonageError, str]:
    return classify(
        exc, method=method, netloc="rest.nexmo.com", deadline=30.0, progress=progress or Progress(), reason=str
    )


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("[Errno -2] Name or service not known"),  # DNS
        httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"),  # TLS handshake
        httpx.ConnectTimeout("timed out"),
        httpx.PoolTimeout("no connection free"),
        httpx.ProxyError("403 Forbidden"),  # the proxy refused the CONNECT
        httpx.UnsupportedProtocol("no such scheme"),
    ],
    ids=["dns", "tls", "connect timeout", "pool timeout", "proxy refused", "unsupported protocol"],
)
def test_only_failures_before_the_first_byte_say_not_sent(exc: httpx.HTTPError) -> None:
    error, _ = _classify(exc)
    assert isinstance(error, NetworkError) and error.request_sent is False and error.outcome_unknown is False
    assert "refresh" not in str(error)


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadTimeout("timed out"),
        httpx.WriteTimeout("timed out"),
        httpx.DecodingError("Error -3 while decompressing data"),
        httpx.LocalProtocolError("something we did not expect"),
        httpx.TooManyRedirects("an httpx error we do not know"),
        TimeoutError(),  # the per-attempt deadline, untraced (nothing proves it never left)
    ],
    ids=["read", "write", "remote protocol", "read timeout", "write timeout", "decoding", "local protocol",
         "unknown", "deadline"],
)
def test_everything_after_that_may_have_happened(exc: BaseException) -> None:
    error, _ = _classify(exc)
    assert isinstance(error, NetworkError) and error.request_sent is True and error.outcome_unknown is True
    assert "refresh" in str(error)


def test_the_trace_proves_a_request_never_left_and_a_proxy_connect_is_not_ours() -> None:
    async def run() -> Progress:
        progress = Progress()
        await progress.trace("connection.connect_tcp.started", {})
        connect = httpcore.Request("CONNECT", "http://proxy:3128")
        await progress.trace("http11.send_request_headers.started", {"request": connect})
        return progress

    progress = asyncio.run(run())
    assert progress.never_left  # only the proxy's CONNECT went out
    error, _ = _classify(TimeoutError(), progress=progress)
    assert isinstance(error, RequestTimeout) and error.request_sent is False
    assert "within 30 s" in str(error)

    async def ours() -> None:
        await progress.trace("http11.send_request_headers.started", {"request": httpcore.Request("POST", "http://h")})

    asyncio.run(ours())
    assert not progress.never_left
    error, _ = _classify(TimeoutError(), progress=progress)
    assert error.outcome_unknown and "did not finish answering within 30 s" in str(error)


def test_every_error_says_whether_the_outcome_is_unknown() -> None:
    definite = [
        VonageError(), AuthError(), ActionFailed(label="no"), Forbidden(), NotFound(), ValidationFailed(),
        Conflict(), RateLimited(retry_after=2.0), InputError(field="x"), NetworkError(request_sent=False),
    ]
    unknown = [ServerError(), BadResponse(), ResponseTooLarge(), NetworkError(), RequestTimeout()]
    assert [e.outcome_unknown for e in definite] == [False] * len(definite)
    assert [e.outcome_unknown for e in unknown] == [True] * len(unknown)
