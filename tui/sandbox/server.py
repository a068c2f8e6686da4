"""Running the sandbox: in a background thread for tests and ``--demo`` (``start_sandbox``), or in the
foreground for ``vonage-tui sandbox`` (``serve``).

The listening socket is bound here, before uvicorn starts, so an ephemeral port (0) is known at once.
Shutdown is quick (tests start one sandbox per test): the server wakes as soon as it is asked to stop and
closes idle keep-alive connections without uvicorn's fixed 0.1 s pauses. A request still running after
the grace period is cancelled and answers 503 in the API's shape (``guard.SafetyNet``), or is cut off if its
answer had begun. Logging: warnings only, no access log, so an ``Authorization`` header can never end up
in a log. The protocol is uvicorn's h11 with an API-shaped 400 for unparsable bytes (``protocol``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import uvicorn

from . import inventory
from .app import create_app
from .config import SandboxConfig
from .faults import install_log_filter
from .protocol import ApiShapedH11Protocol
from .state import SandboxState

_START_TIMEOUT = 10.0
_GRACE = 2.0
_TLS_CLOSE_WAIT = 0.05
"""How long an idle TLS connection may take to answer our close_notify before it is cut off.

``transport.close()`` on a TLS connection waits for the peer's close_notify, and a pooled keep-alive
client that is not reading (``requests``, which the official SDK uses, or any client left open) never
sends one: without this, every such connection would hold the shutdown for the whole ``_GRACE``.
"""


@dataclass
class RunningSandbox:
    """A sandbox that is accepting connections; ``url`` serves both the REST and the API host paths."""

    url: str
    state: SandboxState
    config: SandboxConfig
    host: str
    port: int


class _QuickServer(uvicorn.Server):
    """uvicorn's server, woken by ``stop()`` instead of a 0.1 s poll, and without the fixed shutdown sleeps."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.1)
            should_exit = await self.on_tick(counter)

    def stop(self) -> None:
        """Thread-safe: ask the server to shut down now."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()
        started = time.monotonic()
        deadline = started + _GRACE
        while (state.connections or state.tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            if time.monotonic() - started >= _TLS_CLOSE_WAIT:
                _abort_idle(state.connections)
        cancelled = list(state.tasks)
        for task in cancelled:
            task.cancel()
        if cancelled:  # let each answer its 503 (guard.SafetyNet) before the loop and its transports go away
            await asyncio.wait(cancelled, timeout=_GRACE)
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=_GRACE)


def _abort_idle(connections: set) -> None:
    """Cut off connections that are between requests and have nothing left to send.

    A request in flight, or a response still being written, keeps the rest of the grace period.
    """
    for connection in list(connections):
        cycle = getattr(connection, "cycle", None)
        transport = getattr(connection, "transport", None)
        if transport is None or not (cycle is None or getattr(cycle, "response_complete", True)):
            continue
        with contextlib.suppress(Exception):
            if transport.get_write_buffer_size() == 0:
                transport.abort()


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
"""The only hosts the sandbox listens on: its demo credentials are public, it must not be reachable."""


class CannotListen(OSError):
    """The address cannot be listened on (in use, not permitted); the message says which, in one line."""


def _bind(host: str, port: int) -> socket.socket:
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"the sandbox serves on loopback only ({', '.join(LOOPBACK_HOSTS)}), not {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be a whole number between 0 and 65535 (got {port!r})")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP proto: asyncio then sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CannotListen(f"cannot listen on {_url(host, port, False)[7:]}: {exc.strerror or exc}") from None
    sock.listen(128)  # connections queue from now on, even before uvicorn's loop serves them
    return sock


def check_tls_files(certfile: str | None, keyfile: str | None) -> None:
    """Refuse TLS files uvicorn could not load, with one clear sentence instead of its traceback later."""
    if keyfile and not certfile:
        raise ValueError("a TLS key file needs a certificate file too")
    if not certfile:
        return
    for label, path in (("certificate", certfile), ("key", keyfile)):
        if path is not None and not os.path.isfile(path):
            raise ValueError(f"{label} file not found: {path}")
    try:
        # A password callback that gives nothing: an encrypted key fails here instead of prompting.
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(certfile, keyfile, password=lambda: b"")
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
        raise ValueError(f"cannot use {certfile} for TLS (a PEM certificate and unencrypted key): {reason}") from None


def _url(host: str, port: int, tls: bool) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def _uvicorn_config(app: object, certfile: str | None, keyfile: str | None, *, quiet_config: bool) -> uvicorn.Config:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
        lifespan="off",
        loop="asyncio",
        http=ApiShapedH11Protocol,  # uvicorn's h11, answering an unparsable request in the API's shape
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        log_config=None if quiet_config else uvicorn.config.LOGGING_CONFIG,
    )
    install_log_filter()
    return config


@contextlib.contextmanager
def start_sandbox(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    certfile: str | None = None,
    keyfile: str | None = None,
) -> Iterator[RunningSandbox]:
    """Run a fresh sandbox in a daemon thread until the block ends; HTTPS when certfile/keyfile are given."""
    config = config or SandboxConfig()
    check_tls_files(certfile, keyfile)
    app = create_app(config)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    server = _QuickServer(_uvicorn_config(app, certfile, keyfile, quiet_config=True))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="vonage-sandbox", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.001)
        yield RunningSandbox(
            url=_url(host, bound_port, certfile is not None),
            state=app.state.sandbox,
            config=config,
            host=host,
            port=bound_port,
        )
    finally:
        server.stop()
        thread.join(timeout=_GRACE + 3)
        sock.close()


def banner(url: str) -> str:
    """What ``serve`` prints: where to point a client, and the demo credentials (they are not real)."""
    lines = [
        f"Vonage sandbox listening on {url}",
        f"  REST host (rest.nexmo.com paths): {url}",
        f"  API host  (api.nexmo.com paths):  {url}",
        f"  demo api_key:    {inventory.DEMO_API_KEY}",
        f"  demo api_secret: {inventory.DEMO_API_SECRET}",
    ]
    for sub in inventory.DEMO_SUBACCOUNTS:
        lines.append(f"  subaccount:      {sub.api_key} / {sub.secret}  ({sub.name})")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


@dataclass
class Listener:
    """A sandbox bound to its port but not serving yet: every start-up error has happened by now."""

    app: object
    sock: socket.socket
    url: str
    certfile: str | None
    keyfile: str | None

    def run(self, out: TextIO | None = None) -> None:
        """Print the banner and serve in the foreground until Ctrl+C (re-raised as KeyboardInterrupt)."""
        print(banner(self.url), file=out or sys.stdout, flush=True)
        server = _QuickServer(_uvicorn_config(self.app, self.certfile, self.keyfile, quiet_config=False))
        try:
            server.run(sockets=[self.sock])
        finally:
            self.sock.close()


def listen(
    host: str = "127.0.0.1",
    port: int = 8080,
    certfile: str | None = None,
    keyfile: str | None = None,
    config: SandboxConfig | None = None,
) -> Listener:
    """Check the TLS files, build the app and bind the port; ``ValueError``/``CannotListen`` say what is wrong."""
    check_tls_files(certfile, keyfile)
    app = create_app(config or SandboxConfig())
    sock = _bind(host, port)
    return Listener(app, sock, _url(host, sock.getsockname()[1], certfile is not None), certfile, keyfile)


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    certfile: str | None = None,
    keyfile: str | None = None,
    config: SandboxConfig | None = None,
    out: TextIO | None = None,
) -> None:
    """Run the sandbox in the foreground until Ctrl+C (``vonage-tui sandbox``)."""
    listen(host, port, certfile, keyfile, config).run(out)
