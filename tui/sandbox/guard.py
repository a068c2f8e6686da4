"""Hostile input refused cleanly: the body cap, unreadable request targets, and the last-resort 500.

* **Body cap** (``read_body``): a ``Content-Length`` over ``config.max_body_bytes`` answers 413 at once; a
  body without one is read in a stream that stops at the cap. The body is read in full before anything else
  happens, so a fault that cuts the connection never leaves unread request bytes behind (which would turn
  the server's FIN into a RST, and the client's "incomplete answer" into "connection reset").
* **Request target** (``check_target``): a path or query that is not UTF-8 once percent-decoded, or that
  holds control characters, answers 400 in the endpoint's dialect instead of reaching a handler as U+FFFD.
* **Safety net** (``SafetyNet``): anything a handler did not expect answers 500 in the API's shape and logs
  one line naming the exception type and path, never a traceback and never the request's content.
* **Stopping** (``SafetyNet`` too): a request still in flight when the server stops (uvicorn cancels it after
  its grace period) answers 503 in the API's shape and logs one line, instead of uvicorn's plain-text 500
  and a CancelledError traceback. An answer already under way is cut off (the connection closes).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import Family, internal_error, invalid_input, shutting_down
from .fault_modes import DroppedConnection

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0, DEL and C1 controls: no parameter of these APIs has a use for them."""

logger = logging.getLogger("tui.sandbox")


class BodyTooLarge(Exception):
    """The request body is over the cap; the rest of it is left unread."""


class ClientGone(Exception):
    """The client disconnected before its request body arrived."""


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length`` (h11 has already refused malformed or conflicting ones)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(scope: Scope, receive: Receive, cap: int) -> bytes:
    """The whole request body, never holding more than ``cap`` bytes of it."""
    declared = declared_length(scope)
    if declared is not None and declared > cap:
        raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then waits on the real one (for disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _readable(raw: bytes, name: str, family: Family) -> str:
    """Percent-decoded ``raw`` as text, or a 400: it must be UTF-8 and free of control characters."""
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_input(family, name, "Must be valid UTF-8 once percent-decoded") from None
    if _CONTROL.search(text):
        raise invalid_input(family, name, "Must not contain control characters")
    return text


def check_target(scope: Scope, family: Family) -> None:
    """Refuse a path or query string that no handler should see (see the module docstring)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    _readable(raw_path, "path", family)
    query: bytes = scope.get("query_string", b"")
    if not query:
        return
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        shown = _readable(name.replace(b"+", b" "), "query", family)
        _readable(value.replace(b"+", b" "), shown[:40] or "query", family)


def check_text(value: str, name: str, family: Family) -> None:
    """The same rule for a value that arrived decoded already (form fields)."""
    if _CONTROL.search(value):
        raise invalid_input(family, name[:40] or "form", "Must not contain control characters")


class SafetyNet:
    """Outermost middleware: an unexpected exception becomes a 500 in the API's shape and one log line.

    ``reraise`` lets deliberate faults (a dropped connection) through to the server, which closes the
    connection; ``family`` picks the dialect from the path; ``count`` records the status like other answers.
    """

    def __init__(
        self,
        app: ASGIApp,
        family: Callable[[str], Family],
        reraise: tuple[type[BaseException], ...],
        count: Callable[[int], None],
    ) -> None:
        self.app = app
        self.family = family
        self.reraise = reraise
        self.count = count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except asyncio.CancelledError as cancel:
            await self._stopped(scope, receive, send, started, cancel)
        except self.reraise:
            raise
        except Exception as exc:  # noqa: BLE001 - the point of a safety net
            # One line, no traceback: the type and where; never the query or body (they may hold a secret).
            logger.error("sandbox: %s while handling %s %r", type(exc).__name__, scope["method"], scope["path"][:200])
            if not started:
                self.count(500)
                await internal_error(self.family(scope["path"])).response()(scope, receive, send)

    async def _stopped(
        self, scope: Scope, receive: Receive, send: Send, started: bool, cancel: asyncio.CancelledError
    ) -> None:
        """The server is stopping and cancelled this request: a 503, or a cut-off answer, and one log line.

        The cancellation is the server's way to end this task, and ending it is what happens here (the
        answer is sent first), so it is not propagated to uvicorn, which would log a traceback.
        """
        task = asyncio.current_task()
        if task is None or task.cancelling() == 0:  # not a cancellation of this request: not ours to end
            raise cancel
        task.uncancel()
        logger.warning("sandbox: stopping while handling %s %r", scope["method"], scope["path"][:200])
        if started:  # too late for a 503: cut the answer off, as a deliberate drop does (no traceback logged)
            raise DroppedConnection() from None
        self.count(503)
        await shutting_down(self.family(scope["path"])).response()(scope, receive, send)
