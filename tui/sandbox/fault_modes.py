"""How each response-side fault spoils an answer (what each one means is in the ``faults`` docstring).

The after-commit modes run the app first (``capture``), so the change a request asks for is made and its
true answer is known, then send a spoilt version of it. Long answers (``drip``, ``huge``, ``slow-headers``)
watch for the client going away and stop at once, so an abandoned fault costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NoReturn

from starlette.types import ASGIApp, Message, Receive, Scope, Send

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A valid gzip member header (deflate, no flags, no mtime, unknown OS)."""
BROKEN_DEFLATE = b"\xff"
"""First deflate block with BFINAL=1 and BTYPE=11, a reserved type: every inflater stops with an error here."""

GARBAGE_BODY = b"<html><body><h1>200 OK</h1><p>Your request has been accepted.</p></body></html>\n"
"""What a lying proxy or captive portal might answer, sent as ``application/json`` (it is not JSON)."""

HUGE_PREFIX = b'{"count": 0, "padding": "'
HUGE_SUFFIX = b'"}'
_CHUNK = b"x" * 65536
"""The one 64 KiB block every ``huge`` answer is streamed from."""


class DroppedConnection(Exception):
    """Raised on purpose after the response head so the server closes the connection mid-response."""


@dataclass
class Captured:
    """The answer the app gave, held back so a fault can send a spoilt version of it."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def capture(app: ASGIApp, scope: Scope, receive: Receive) -> Captured:
    """Run the app (its change is made) and keep its answer instead of sending it."""
    start: dict = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return Captured(start.get("status", 500), list(start.get("headers", [])), b"".join(chunks))


def _bodyful(status: int) -> int:
    """A status that may carry a body: a spoilt 204 is sent as a 200 so there is something to spoil."""
    return 200 if status in (204, 304) or status < 200 else status


def _without(headers: list[tuple[bytes, bytes]], *names: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in names]


def _start(status: int, headers: list[tuple[bytes, bytes]]) -> Message:
    return {"type": "http.response.start", "status": status, "headers": headers}


def _body(chunk: bytes, more: bool = False) -> Message:
    return {"type": "http.response.body", "body": chunk, "more_body": more}


@contextlib.asynccontextmanager
async def client_watch(receive: Receive) -> AsyncIterator[asyncio.Task]:
    """A task that finishes when the client disconnects, cancelled when the block ends."""

    async def wait_gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    task = asyncio.ensure_future(wait_gone())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _client_left_during(seconds: float, gone: asyncio.Task) -> bool:
    """Wait ``seconds`` unless the client leaves first; True when it left."""
    if seconds > 0:
        await asyncio.wait({gone}, timeout=seconds)
    else:
        await asyncio.sleep(0)
    return gone.done()


async def start_then_drop(send: Send, status: int, length: int) -> NoReturn:
    """Promise a body of ``length`` bytes, send none of it, and make the server cut the connection."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(max(length, 16)).encode())]
    await send(_start(_bodyful(status), headers))
    raise DroppedConnection()


async def send_corrupt(send: Send, answer: Captured) -> None:
    """The answer's status, ``Content-Encoding: gzip``, and a gzip stream that breaks after its header."""
    broken = GZIP_HEADER + BROKEN_DEFLATE + answer.body
    headers = _without(answer.headers, b"content-length", b"content-encoding")
    headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(broken)).encode())]
    await send(_start(_bodyful(answer.status), headers))
    await send(_body(broken))


async def send_garbage(send: Send) -> None:
    """200 claiming JSON, with an HTML page for a body."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(GARBAGE_BODY)).encode())]
    await send(_start(200, headers))
    await send(_body(GARBAGE_BODY))


async def send_drip(send: Send, answer: Captured, interval: float, gone: asyncio.Task) -> None:
    """The true answer: head (full ``Content-Length``) and first byte at once, then a byte per ``interval``."""
    await send(_start(answer.status, answer.headers))
    for i in range(len(answer.body)):
        if i and await _client_left_during(interval, gone):
            return
        await send(_body(answer.body[i : i + 1], more=True))
    await send(_body(b""))


def _huge_shape(size: int | None) -> tuple[bytes, int, bytes]:
    """(prefix, filler bytes, suffix): valid JSON of exactly ``size`` bytes, or an endless prefix + filler."""
    if size is None:
        return HUGE_PREFIX, -1, b""
    if size < len(HUGE_PREFIX) + len(HUGE_SUFFIX):
        return b"", size, b""
    return HUGE_PREFIX, size - len(HUGE_PREFIX) - len(HUGE_SUFFIX), HUGE_SUFFIX


async def send_huge(send: Send, size: int | None, gone: asyncio.Task) -> None:
    """200 with ``size`` bytes of JSON (or an endless chunked body), streamed from one 64 KiB block."""
    prefix, filler, suffix = _huge_shape(size)
    headers = [(b"content-type", b"application/json")]
    if size is not None:
        headers.append((b"content-length", str(size).encode()))
    await send(_start(200, headers))
    await send(_body(prefix, more=True))
    left = filler
    while left != 0:
        if gone.done():
            return
        block = _CHUNK if left < 0 or left >= len(_CHUNK) else _CHUNK[:left]
        await send(_body(block, more=True))  # waits while the client is not reading (uvicorn's flow control)
        if left > 0:
            left -= len(block)
        await asyncio.sleep(0)
    await send(_body(suffix))


async def send_slow_headers(send: Send, answer: Captured, delay: float, gone: asyncio.Task) -> None:
    """Nothing at all for ``delay`` seconds, then the true answer (unless the client gave up meanwhile)."""
    if await _client_left_during(delay, gone):
        return
    await send(_start(answer.status, answer.headers))
    await send(_body(answer.body))
