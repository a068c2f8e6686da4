"""Shared fixtures: a real sandbox on a loopback port, and a client talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh, deterministic sandbox per test, so tests cannot see each other's purchases."""
    with start_sandbox(SandboxConfig(seed=7)) as running:
        yield running


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator["VonageClient"]:  # noqa: F821
    from tui.api.client import VonageClient

    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None
    ) as c:
        yield c
