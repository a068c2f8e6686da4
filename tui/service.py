"""The one API service every screen shares: the client of the logged-in profile, and what it is doing.

Screens never build requests: they call ``app.api.client.<operation>`` from a Textual worker
(``@work(group=...)`` on the screen, so leaving the screen cancels it) and hand failures to
``describe_error``. This module owns the single ``VonageClient`` (one ``httpx.AsyncClient``, one
rate limiter, one retry policy) and turns its events into an ``Activity`` snapshot the header
shows ("2 requests", "retrying (2/5)…"). It imports no widgets: the app passes a callback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.api.client import ClientEvent, VonageClient


@dataclass(frozen=True)
class Activity:
    """What the network is doing right now, for the header."""

    in_flight: int = 0
    retrying: str = ""

    @property
    def text(self) -> str:
        """For the header: "⟳ 2 retrying (1/5)…", or "" when nothing is in flight."""
        parts = [f"⟳ {self.in_flight}"] if self.in_flight else []
        if self.retrying:
            parts.append(self.retrying)
        return " ".join(parts)


def is_expected(exc: BaseException) -> bool:
    """Ours to explain (the API layer's, the files', the keyring's errors) rather than a bug of ours."""
    from tui.api.errors import VonageError

    if isinstance(exc, (VonageError, asyncio.CancelledError, TimeoutError)):
        return True
    return type(exc).__module__.startswith(("tui.credentials", "tui.config", "tui.fsutil"))


def describe_error(exc: BaseException) -> str:
    """One sentence a person can act on, for any failure a worker may meet.

    Our own errors carry such a sentence (they never hold a secret); anything else is a bug on our
    side, named by type only (its text could hold data we do not control), and what it interrupted
    is not known — so the sentence says where to look rather than claiming nothing changed.
    """
    from tui.api.errors import VonageError

    if isinstance(exc, VonageError):
        return exc.message
    if isinstance(exc, asyncio.CancelledError):
        return "Cancelled."
    if isinstance(exc, TimeoutError):
        return "The operation timed out. Check the network and try again."
    if is_expected(exc):
        return str(exc) or type(exc).__name__
    return (f"Unexpected error on our side ({type(exc).__name__}). If you were changing something, check it "
            "before trying again: :activity lists every change and its outcome.")


class ApiService:
    """Holds the client for the active profile and counts what is in flight."""

    def __init__(self, on_activity: Callable[[Activity], None] | None = None) -> None:
        self._client: VonageClient | None = None
        self._on_activity = on_activity
        self._in_flight = 0
        self._retrying = ""

    @property
    def client(self) -> VonageClient:
        if self._client is None:
            raise RuntimeError("No credentials yet: log in first.")
        return self._client

    @property
    def connected(self) -> bool:
        return self._client is not None

    @property
    def api_key(self) -> str:
        return self._client.api_key if self._client else ""

    async def connect(
        self,
        api_key: str,
        api_secret: str | SecretStr,
        *,
        rest_url: str,
        api_url: str,
        rate_limit: float | None = 25.0,
        timeout: float = 15.0,
    ) -> VonageClient:
        """Replace the client (new profile or rotated secret); the old one is closed."""
        from tui.api.client import VonageClient

        old = self._client
        self._client = VonageClient(
            api_key,
            api_secret,
            rest_url=rest_url,
            api_url=api_url,
            rate_limit=rate_limit,
            timeout=timeout,
            on_event=self._on_event,
        )
        if old is not None:
            await old.aclose()
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _on_event(self, event: ClientEvent) -> None:
        if event.kind == "start":
            self._in_flight += 1
        elif event.kind == "end":
            self._in_flight = max(0, self._in_flight - 1)
            if self._in_flight == 0:
                self._retrying = ""
        elif event.kind == "retry":
            self._retrying = f"retrying ({event.attempt}/{event.max_attempts})…"
        if self._on_activity is not None:
            self._on_activity(Activity(self._in_flight, self._retrying))
