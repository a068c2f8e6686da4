"""Fakes the API tests share - virtual time and a raw loopback HTTP server - and tests that they behave
the way those tests rely on.

Virtual time: the client takes a ``clock`` and a ``sleep`` (for back-off and pacing), so tests pass
these instead of waiting for real. ``VirtualTime`` moves on as soon as something sleeps;
``ManualTime`` holds every sleeper until the test moves the clock itself, for "who is still waiting?"

``LoopbackServer``: a real HTTP/1.1 server on 127.0.0.1 in the test's own event loop, for answers the
sandbox cannot give (a broken gzip body, a reset after reading the request, a body dripped one byte at
a time, an endless body). It reads each request whole, records it, then lets the test's responder
write whatever bytes it wants, counting what the socket accepted.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import socket
import struct
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx
import pytest

Responder = Callable[["LoopbackServer", asyncio.StreamWriter], Awaitable[None]]


class VirtualTime:
    """A clock that only moves when something sleeps: ``sleep(d)`` records d, adds it, yields once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += max(0.0, delay)
        await asyncio.sleep(0)


class ManualTime:
    """A clock the test moves with ``advance``; every ``sleep`` waits until the clock reaches its end."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    @property
    def sleeping(self) -> int:
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, delay), next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move the clock on, waking sleepers in order (each gets to run before the next wakes)."""
        target = self.now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            if not future.done():
                future.set_result(None)
            await settle()
        self.now = target


async def settle(rounds: int = 20) -> None:
    """Let every ready task run until it blocks again (on I/O, an event, or a fake sleep)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class LoopbackServer:
    """A raw HTTP/1.1 server on 127.0.0.1: records each request, then lets ``respond`` answer."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.requests: list[tuple[bytes, bytes]] = []  # (head, body) of each request read
        self.sent = 0  # bytes the responders' writes got into the socket
        self.finished = asyncio.Event()  # a responder returned or its connection broke
        self.url = ""
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> LoopbackServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            body = await reader.readexactly(length)
            self.requests.append((head, body))
            await self.respond(self, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:  # the server is shutting down: end quietly (asyncio would log it)
            pass
        finally:
            writer.close()
            self.finished.set()

    async def write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        """Write and wait until the socket took it; raises ConnectionError once the client has gone."""
        if writer.is_closing():
            raise ConnectionResetError("the client closed the connection")
        writer.write(data)
        await writer.drain()
        self.sent += len(data)

    async def wait_finished(self) -> None:
        await asyncio.wait_for(self.finished.wait(), 30)  # a guard against a hang, not a timing


def head(status: str = "200 OK", **headers: str | int) -> bytes:
    """A response head: ``head("200 OK", content_type="application/json", content_length=2)``."""
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0) instead of an orderly FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# -- the fakes do what the tests assume -------------------------------------------------------------


async def test_virtual_time_moves_only_when_something_sleeps() -> None:
    time = VirtualTime()
    await time.sleep(1.5)
    await time.sleep(0.25)
    assert time.now == 1.75 and time.sleeps == [1.5, 0.25]


async def test_manual_time_holds_sleepers_until_advanced() -> None:
    time = ManualTime()
    woke: list[str] = []

    async def nap(name: str, delay: float) -> None:
        await time.sleep(delay)
        woke.append(name)

    tasks = [asyncio.create_task(nap("short", 1.0)), asyncio.create_task(nap("long", 3.0))]
    await settle()
    assert time.sleeping == 2 and woke == []
    await time.advance(2.0)
    assert woke == ["short"] and time.sleeping == 1 and time.now == 2.0
    await time.advance(5.0)
    await asyncio.gather(*tasks)
    assert woke == ["short", "long"]


async def test_loopback_server_records_the_request_and_counts_what_it_sent() -> None:
    async def answer(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head(content_type="text/plain", content_length=2) + b"ok")

    async with LoopbackServer(answer) as server, httpx.AsyncClient() as http:
        response = await http.post(server.url + "/x", data={"a": "1"})
        await server.wait_finished()
    assert response.text == "ok"
    assert server.requests[0][0].startswith(b"POST /x ") and server.requests[0][1] == b"a=1"
    assert server.sent == len(head(content_type="text/plain", content_length=2)) + 2


async def test_loopback_server_reset_is_a_reset() -> None:
    async def hang_up(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        reset(writer)

    async with LoopbackServer(hang_up) as server, httpx.AsyncClient() as http:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await http.get(server.url + "/x")
    assert len(server.requests) == 1
