"""The outermost layer of the sandbox: counters, latency and injected faults, before any route runs.

Faults are drawn from ``state.fault_random`` (seeded) so a run can be repeated. Injected 429s, 5xx and drops
happen *before* the request is processed (nothing changes); ``drop_next_response_after_commit`` is the one
fault that happens *after*, to test a write whose answer was lost.

A drop sends the response head with a ``Content-Length`` and then raises ``DroppedConnection``: uvicorn closes
the socket mid-response and an HTTP client sees the connection end early (httpx: ``RemoteProtocolError``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import NoReturn

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ERRORS_URL, problem, rate_limited
from .state import SandboxState

FAULT_RETRY_AFTER = 0.2
"""Seconds an injected 429 asks the client to wait (the body carries it exactly; the header rounds up)."""

_GATEWAY_PAGE = "<html><head><title>{code} {reason}</title></head><body><h1>{code} {reason}</h1></body></html>"


class DroppedConnection(Exception):
    """Raised on purpose after the response head so the server closes the connection mid-response."""


class _HideDeliberateDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for every deliberate drop."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def install_log_filter() -> None:
    """Idempotently silence deliberate drops on uvicorn's error logger."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDeliberateDrops) for f in logger.filters):
        logger.addFilter(_HideDeliberateDrops())


def _server_error(dice_roll: float) -> Response:
    """503 (JSON problem) most of the time; sometimes a gateway's HTML 502 or 504, as a real edge would send."""
    if dice_roll < 0.6:
        return problem(
            503,
            "Service Unavailable",
            "The service is temporarily unavailable. Please try again later.",
            type_=f"{ERRORS_URL}#service-unavailable",
        ).response()
    code, reason = (502, "Bad Gateway") if dice_roll < 0.8 else (504, "Gateway Time-out")
    return HTMLResponse(_GATEWAY_PAGE.format(code=code, reason=reason), status_code=code)


async def _start_then_drop(send: Send, status: int, length: int) -> NoReturn:
    """Promise a body of ``length`` bytes, send none of it, and make the server cut the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 200 if status in (204, 304) else status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(max(length, 16)).encode())],
        }
    )
    raise DroppedConnection()


class FaultMiddleware:
    """Pure ASGI middleware: counts requests and statuses, sleeps, and injects the configured faults."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    def _roll(self) -> str | None:
        config = self.state.config
        shares = (("drop", config.fault_drop), ("429", config.fault_429), ("5xx", config.fault_5xx))
        if not any(share > 0 for _, share in shares):
            return None
        roll = self.state.fault_random.random()
        for name, share in shares:
            if roll < share:
                return name
            roll -= share
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        state.request_count += 1
        if state.config.latency > 0:
            await asyncio.sleep(state.config.latency)

        async def counted_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.status_counts[message["status"]] += 1
            await send(message)

        fault = self._roll()
        if fault == "drop":
            state.dropped += 1
            await _start_then_drop(send, 200, 64)
        if fault == "429":
            await rate_limited(FAULT_RETRY_AFTER).response()(scope, receive, counted_send)
            return
        if fault == "5xx":
            await _server_error(state.fault_random.random())(scope, receive, counted_send)
            return

        if not state.take_drop(scope["path"]):
            await self.app(scope, receive, counted_send)
            return

        async def dropping_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.dropped += 1
                length = dict(message.get("headers", [])).get(b"content-length", b"64")
                await _start_then_drop(send, message["status"], int(length))
            await send(message)

        await self.app(scope, receive, dropping_send)
