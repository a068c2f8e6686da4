"""What the status of an answer to a write means: success, a definite refusal, or "unknown, check".

A purchase that was carried out can come back as 201/202/204 (an edge that rewrites statuses) or as
408/499 (a proxy that gave up waiting after the work was done). Only 400, 401, 403, 404, 405, 409, 420
and 429 say "not done" for certain; a 2xx is judged by its body; anything else leaves the outcome
unknown, so Operations reads the account back instead of telling the user "not bought". Reads keep
their old mapping. Raw loopback servers answer the statuses; the Operations test runs the real sandbox
behind a transport that rewrites the status of the purchase's answer (the purchase itself is real).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_api_fakes import LoopbackServer, head

from tui.api.client import VonageClient
from tui.api.errors import BadResponse, RateLimited, VonageError
from tui.api.models import AvailableNumber
from tui.api.retry import RetryPolicy
from tui.journal import Journal
from tui.operations import Operations
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox

KEY, SECRET = "abcd1234", "Status-Secret-31"
SUCCESS = json.dumps({"error-code": "200", "error-code-label": "success"}).encode()
REASONS = {201: "Created", 202: "Accepted", 204: "No Content", 408: "Request Timeout", 410: "Gone",
           418: "I'm a teapot", 422: "Unprocessable Content", 499: "Client Closed Request", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           420: "Enhance Your Calm", 429: "Too Many Requests"}


def _answer(status: int, body: bytes = b"") -> Any:
    async def respond(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(
            writer,
            head(f"{status} {REASONS[status]}", content_type="application/json", content_length=len(body)) + body,
        )

    return respond


def _client(url: str) -> VonageClient:
    return VonageClient(KEY, SECRET, rest_url=url, api_url=url, rate_limit=None,
                        retry_policy=RetryPolicy(max_retries=0))


@pytest.mark.parametrize("status", [201, 202])
async def test_a_2xx_with_the_success_body_is_a_purchase(status: int) -> None:
    async with LoopbackServer(_answer(status, SUCCESS)) as server, _client(server.url) as c:
        answer = await c.buy_number("GB", "447700900123")
    assert answer.ok


async def test_a_204_to_a_purchase_is_unknown_not_a_refusal() -> None:
    async with LoopbackServer(_answer(204)) as server, _client(server.url) as c:
        with pytest.raises(BadResponse) as caught:
            await c.buy_number("GB", "447700900123")
    assert caught.value.outcome_unknown is True and "success" not in str(caught.value)


async def test_a_2xx_top_up_with_the_expected_body_is_a_top_up() -> None:
    body = json.dumps({"error-code": "200", "error-code-label": "success"}).encode()
    async with LoopbackServer(_answer(202, body)) as server, _client(server.url) as c:
        assert (await c.top_up("00X123456Y7890123Z")).ok


async def test_a_202_to_a_secret_revocation_is_done() -> None:
    async with LoopbackServer(_answer(202)) as server, _client(server.url) as c:
        await c.revoke_secret("ad6dc56f-07b5-46e1-a527-85530e625800")


@pytest.mark.parametrize("status", [408, 410, 418, 422, 499])
@pytest.mark.parametrize("with_body", [False, True], ids=["bare", "with server text"])
async def test_a_status_that_is_not_a_refusal_leaves_a_purchase_unknown(status: int, with_body: bool) -> None:
    body = json.dumps({"error-code-label": "success"}).encode() if with_body else b""
    async with LoopbackServer(_answer(status, body)) as server, _client(server.url) as c:
        with pytest.raises(VonageError) as caught:
            await c.buy_number("GB", "447700900123")
        assert c.stats.requests == 1  # a write is never repeated on such an answer
    error = caught.value
    assert error.outcome_unknown is True and error.status == status
    if not with_body:
        assert f"HTTP {status}" in str(error) and "refresh to check" in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 420, 429])
async def test_the_definite_refusals_stay_refusals(status: int) -> None:
    async with LoopbackServer(_answer(status, b"{}")) as server, _client(server.url) as c:
        with pytest.raises(VonageError) as caught:
            await c.buy_number("GB", "447700900123")
    assert caught.value.outcome_unknown is False
    assert caught.value.status == status or isinstance(caught.value, RateLimited)


@pytest.mark.parametrize("status", [408, 499])
async def test_a_status_that_is_not_a_refusal_leaves_a_pool_deletion_unknown(status: int) -> None:
    async with LoopbackServer(_answer(status)) as server, _client(server.url) as c:
        with pytest.raises(VonageError) as caught:
            await c.delete_pool("pool1")
    assert caught.value.outcome_unknown is True


async def test_reads_keep_their_mapping() -> None:
    balance = json.dumps({"value": 1.5, "autoReload": False}).encode()
    async with LoopbackServer(_answer(201, balance)) as server, _client(server.url) as c:
        with pytest.raises(VonageError) as unexpected:
            await c.get_balance()
    async with LoopbackServer(_answer(499)) as server, _client(server.url) as c:
        with pytest.raises(VonageError) as odd:
            await c.get_balance()
    assert type(unexpected.value) is VonageError and unexpected.value.status == 201
    assert type(odd.value) is VonageError and odd.value.outcome_unknown is False


# -- through Operations: the purchase happens, its answer says 499 -----------------------------------


class RewriteBuyStatus(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox; the answer to POST /number/buy comes back with another status."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/number/buy":
            return response
        return httpx.Response(self.status, headers=response.headers, stream=response.stream, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("status", [201, 499])
async def test_operations_reads_back_a_purchase_answered_oddly(
    sandbox: RunningSandbox, tmp_path: Path, status: int
) -> None:
    async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None, transport=RewriteBuyStatus(status)) as client:
        ops = Operations(lambda: client, Journal(tmp_path / "journal.jsonl"), "default")
        number: AvailableNumber = (await client.search_numbers(country="GB")).numbers[0]
        outcome = await ops.buy_number(number, "GB")
    assert number.msisdn in sandbox.state.accounts[DEMO_API_KEY].owned  # it really was bought
    assert outcome.ok, outcome.message  # and the user is told so (before: "not bought", from "success")
