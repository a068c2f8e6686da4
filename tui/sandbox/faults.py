"""The outer layer of the sandbox: counters, the request body cap, latency and injected faults.

Every fault can strike a share of requests (``SandboxConfig.fault_*``, drawn from ``state.fault_random``,
seeded, so a run can be repeated) or be armed for the next N requests to a path from Python
(``state.faults.arm("/number/buy", "corrupt-after-commit", times=1)``, see ``fault_plan``) or from the
command line (``vonage-tui sandbox --arm corrupt-after-commit:/number/buy``). An armed fault wins over the
shares. The modes:

Before processing (nothing changes on the server; a retry is safe):

* ``429``  -- refused with 429, ``Retry-After: 1`` and ``retry_after: 0.2`` in an RFC 7807 body.
* ``5xx``  -- by share: 503 (JSON problem) 60 %, an edge's HTML 502 20 %, HTML 504 20 %. Armed: always 503.
* ``drop`` -- the response head promises a body (``Content-Length``), then the connection is closed.

After processing (the change is made and kept; only the answer is lost, spoilt or late):

* ``drop-after-commit``    -- as ``drop``, once the request has been handled.
* ``corrupt-after-commit`` -- the true status, ``Content-Encoding: gzip`` and a gzip stream whose first
  deflate block has a reserved type, so every decoder fails (httpx: ``DecodingError``).
* ``garbage-after-commit`` -- 200, ``Content-Type: application/json``, and an HTML page for a body.
* ``drip``          -- the true answer with its full ``Content-Length``; the head and the first body byte at
  once, then one byte every ``config.drip_interval`` seconds (0.1 by default).
* ``huge``          -- 200 with ``config.huge_bytes`` (300 MiB by default) of valid JSON padding, or an
  endless chunked body when that is ``None``; streamed from one 64 KiB block at the client's pace.
* ``slow-headers``  -- nothing at all for ``config.slow_headers_delay`` seconds (5 by default), then the
  true answer.

A spoilt 204 is sent as a 200 so it has a body to spoil. Drops are cut after the whole request body has
been read, so the client always sees a clean end of stream mid-answer (httpx: ``RemoteProtocolError``), never
a reset. Drops are counted in ``state.dropped`` and not in ``status_counts``; every injected fault is counted
by mode in ``state.fault_counts``. Long answers stop as soon as the client goes away.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import FAULT_MODES
from .errors import ERRORS_URL, family_of, problem, rate_limited, too_large
from .fault_modes import (
    DroppedConnection,
    capture,
    client_watch,
    send_corrupt,
    send_drip,
    send_garbage,
    send_huge,
    send_slow_headers,
    start_then_drop,
)
from .guard import BodyTooLarge, ClientGone, read_body, replay
from .state import SandboxState

FAULT_RETRY_AFTER = 0.2
"""Seconds an injected 429 asks the client to wait (the body carries it exactly; the header rounds up)."""

_GATEWAY_PAGE = "<html><head><title>{code} {reason}</title></head><body><h1>{code} {reason}</h1></body></html>"


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


class FaultMiddleware:
    """Pure ASGI middleware: counts requests and statuses, caps the body, sleeps, and injects faults."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    def _roll(self) -> str | None:
        config = self.state.config
        shares = [(mode, config.share(mode)) for mode in FAULT_MODES]
        if not any(share > 0 for _, share in shares):
            return None
        roll = self.state.fault_random.random()
        for mode, share in shares:
            if roll < share:
                return mode
            roll -= share
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        state.request_count += 1

        async def counted_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.status_counts[message["status"]] += 1
            await send(message)

        cap = state.config.max_body_bytes
        try:
            body = await read_body(scope, receive, cap)
        except BodyTooLarge:
            await too_large(family_of(scope["path"]), cap).response()(scope, receive, counted_send)
            return
        except ClientGone:
            return
        receive = replay(body, receive)
        if state.config.latency > 0:
            await asyncio.sleep(state.config.latency)

        armed = state.faults.take(scope["path"], scope["method"])
        mode = armed or self._roll()
        if mode is None:
            await self.app(scope, receive, counted_send)
            return
        state.fault_counts[mode] += 1
        if mode == "drop":
            state.dropped += 1
            await start_then_drop(send, 200, 64)
        if mode == "429":
            await rate_limited(FAULT_RETRY_AFTER).response()(scope, receive, counted_send)
        elif mode == "5xx":
            await _server_error(0.0 if armed else state.fault_random.random())(scope, receive, counted_send)
        else:
            await self._after_commit(mode, scope, receive, send, counted_send)

    async def _after_commit(self, mode: str, scope: Scope, receive: Receive, send: Send, counted_send: Send) -> None:
        """Handle the request for real, then deliver its answer the way ``mode`` spoils it."""
        state, config = self.state, self.state.config
        answer = await capture(self.app, scope, receive)
        if mode == "drop-after-commit":
            state.dropped += 1
            await start_then_drop(send, answer.status, len(answer.body))
        if mode == "corrupt-after-commit":
            await send_corrupt(counted_send, answer)
            return
        if mode == "garbage-after-commit":
            await send_garbage(counted_send)
            return
        async with client_watch(receive) as gone:
            if mode == "drip":
                await send_drip(counted_send, answer, config.drip_interval, gone)
            elif mode == "huge":
                await send_huge(counted_send, config.huge_bytes, gone)
            else:
                await send_slow_headers(counted_send, answer, config.slow_headers_delay, gone)
