"""Number Pools through the real client against the sandbox (and MockTransport for answers it cannot give)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tui.api.client import VonageClient
from tui.api.errors import Conflict, InputError, NotFound, PoolsUnavailable, ServerError
from tui.api.models import PoolCreate, PoolUpdate
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_POOL_ID
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.sandbox.state import Pool as SandboxPool

POOLS = f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools"


@pytest.fixture
def numbers_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(seed=7, owned_count=130)) as running:
        yield running


@pytest.fixture
async def numbers_client(numbers_sandbox: RunningSandbox) -> AsyncIterator[VonageClient]:
    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=numbers_sandbox.url, api_url=numbers_sandbox.url, rate_limit=None
    ) as c:
        yield c


def _mock_client(handler) -> VonageClient:  # type: ignore[no-untyped-def]
    return VonageClient(DEMO_API_KEY, DEMO_API_SECRET, transport=httpx.MockTransport(handler), rate_limit=None)


async def test_pool_lifecycle(client: VonageClient, sandbox: RunningSandbox) -> None:
    pools = await client.list_pools()
    assert [p.pool_id for p in pools.pools] == [DEMO_POOL_ID]
    assert pools.total_items == 1 and pools.total_pages == 1 and "self" in pools.links
    created = await client.create_pool(
        PoolCreate(pool_id="support", fallback="reject", localized_sender_preferred=True)
    )
    assert (created.pool_id, created.fallback, created.account_id) == ("support", "Reject", DEMO_API_KEY)
    assert created.localized_sender_preferred is True and created.predictable_sender_preferred is False
    assert (await client.get_pool("support")).fallback == "Reject"
    updated = await client.update_pool("support", PoolUpdate(fallback="CustomFrom", predictable_sender_preferred=True))
    assert (updated.fallback, updated.predictable_sender_preferred, updated.localized_sender_preferred) == (
        "CustomFrom",
        True,
        True,
    )
    renamed = await client.update_pool("support", PoolUpdate(pool_id="helpdesk"))
    assert renamed.pool_id == "helpdesk"
    deleted = await client.delete_pool("helpdesk")
    assert deleted.pool_id == "helpdesk"
    assert set(sandbox.state.accounts[DEMO_API_KEY].pools) == {DEMO_POOL_ID}


async def test_pool_errors(client: VonageClient) -> None:
    with pytest.raises(Conflict) as exists:
        await client.create_pool(PoolCreate(pool_id=DEMO_POOL_ID))
    assert exists.value.status == 409 and DEMO_POOL_ID in exists.value.message
    with pytest.raises(NotFound) as missing:
        await client.get_pool("no-such-pool")
    assert "no-such-pool" in missing.value.message
    with pytest.raises(NotFound):
        await client.update_pool("no-such-pool", PoolUpdate(fallback="Pool"))
    with pytest.raises(NotFound):
        await client.remove_pool_number(DEMO_POOL_ID, "447700900777")


async def test_pool_input_is_checked_before_sending(client: VonageClient, sandbox: RunningSandbox) -> None:
    before = sandbox.state.request_count
    for make in (
        lambda: PoolCreate(pool_id="has space"),
        lambda: PoolCreate(pool_id="x" * 65),
        lambda: PoolCreate(pool_id="ok", fallback="Nope"),
        lambda: PoolCreate(pool_id="ok", localized_sender_preferred="yes"),
        lambda: PoolUpdate(fallback="Sometimes"),
    ):
        with pytest.raises(InputError):
            make()
    with pytest.raises(InputError):
        await client.get_pool("..")
    with pytest.raises(InputError):
        await client.add_pool_numbers(DEMO_POOL_ID, ["447700900001", "not a number"])
    with pytest.raises(InputError):
        await client.add_pool_numbers(DEMO_POOL_ID, "447700900001")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        await client.list_pools(page_size=0)
    with pytest.raises(InputError):
        await client.create_pool({"pool_id": "dict"})  # type: ignore[arg-type]
    assert client.stats.requests == 0 and sandbox.state.request_count == before


async def test_all_pools_walks_pages(client: VonageClient, sandbox: RunningSandbox) -> None:
    account = sandbox.state.accounts[DEMO_API_KEY]
    for i in range(149):
        account.pools[f"pool-{i:03d}"] = SandboxPool(f"pool-{i:03d}", DEMO_API_KEY, "Pool", False, False)
    first = await client.list_pools(page=1, page_size=100)
    assert (first.total_items, first.total_pages, len(first.pools)) == (150, 2, 100)
    pools = await client.all_pools()
    assert len(pools) == 150 and len({p.pool_id for p in pools}) == 150
    assert client.stats.requests == 3


async def test_pool_numbers_paging_and_single_removal(client: VonageClient, sandbox: RunningSandbox) -> None:
    page = await client.list_pool_numbers(DEMO_POOL_ID, page_size=1)
    assert page.total_items == 2 and page.total_pages == 2 and len(page.numbers) == 1
    numbers = await client.all_pool_numbers(DEMO_POOL_ID)
    assert [str(n) for n in numbers] == sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers
    await client.remove_pool_number(DEMO_POOL_ID, numbers[0].number)
    assert [n.number for n in await client.all_pool_numbers(DEMO_POOL_ID)] == [numbers[1].number]


async def test_add_130_numbers_in_chunks_of_50(numbers_client: VonageClient, numbers_sandbox: RunningSandbox) -> None:
    await numbers_client.create_pool(PoolCreate(pool_id="bulk"))
    owned = sorted(numbers_sandbox.state.accounts[DEMO_API_KEY].owned)
    assert len(owned) == 130
    numbers_sandbox.state.reset_counters()
    result = await numbers_client.add_pool_numbers("bulk", owned + owned[:5])  # duplicates sent once
    assert result.ok and sorted(result.succeeded) == owned
    assert numbers_sandbox.state.request_count == 3  # 50 + 50 + 30
    assert numbers_sandbox.state.status_counts[201] == 3
    assert sorted(n.number for n in await numbers_client.all_pool_numbers("bulk")) == owned
    removed = await numbers_client.remove_pool_numbers("bulk", owned)
    assert removed.ok and sorted(removed.succeeded) == owned
    assert numbers_sandbox.state.accounts[DEMO_API_KEY].pools["bulk"].numbers == []


async def test_add_partial_207_and_all_failed_400(client: VonageClient, sandbox: RunningSandbox) -> None:
    owned = sorted(sandbox.state.accounts[DEMO_API_KEY].owned)
    in_pool = sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers
    fresh = next(n for n in owned if n not in in_pool)
    partial = await client.add_pool_numbers(DEMO_POOL_ID, [fresh, "447700900777", in_pool[0]])
    assert partial.succeeded == [fresh]
    by_title = {f.title: f for f in partial.failed}
    assert by_title["Number not owned"].numbers == ["447700900777"]
    assert by_title["Number already in pool"].numbers == [in_pool[0]]
    assert all(f.detail for f in partial.failed)
    assert sandbox.state.status_counts[207] == 1
    none = await client.add_pool_numbers(DEMO_POOL_ID, ["447700900777", "447700900778"])
    assert none.succeeded == [] and none.failed_numbers == ["447700900777", "447700900778"]
    assert none.failed[0].title == "Number not owned"
    assert sandbox.state.status_counts[400] == 1


async def test_remove_partial_207_with_the_extra_error_wrapper(client: VonageClient, sandbox: RunningSandbox) -> None:
    in_pool = list(sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers)
    partial = await client.remove_pool_numbers(DEMO_POOL_ID, [in_pool[0], "447700900777"])
    assert partial.succeeded == [in_pool[0]]
    assert [(f.title, f.numbers) for f in partial.failed] == [("Number not in pool", ["447700900777"])]
    assert "not in pool" in partial.failed[0].detail
    none = await client.remove_pool_numbers(DEMO_POOL_ID, ["447700900777"])
    assert none.succeeded == [] and none.failed_numbers == ["447700900777"]
    assert sandbox.state.status_counts[207] == 1 and sandbox.state.status_counts[400] == 1


async def test_mixed_chunks_are_merged(numbers_client: VonageClient, numbers_sandbox: RunningSandbox) -> None:
    await numbers_client.create_pool(PoolCreate(pool_id="mixed"))
    owned = sorted(numbers_sandbox.state.accounts[DEMO_API_KEY].owned)[:50]
    strangers = [f"4477009{n:05d}" for n in range(10)]
    result = await numbers_client.add_pool_numbers("mixed", owned + strangers)  # chunk 1: 201, chunk 2: 400
    assert result.succeeded == owned
    assert result.failed_numbers == strangers


async def test_pools_not_enabled_is_a_plain_sentence() -> None:
    with start_sandbox(SandboxConfig(seed=7, pools_enabled=False)) as sandbox:
        async with VonageClient(
            DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None
        ) as c:
            for call in (
                c.list_pools(),
                c.all_pools(),
                c.create_pool(PoolCreate(pool_id="x")),
                c.get_pool(DEMO_POOL_ID),
                c.delete_pool(DEMO_POOL_ID),
                c.add_pool_numbers(DEMO_POOL_ID, ["447700900001"]),
            ):
                with pytest.raises(PoolsUnavailable) as caught:
                    await call
                assert str(caught.value) == "number pools are not enabled for this account"
                assert caught.value.status == 403


@pytest.mark.parametrize(
    ("method", "status", "op", "sentence"),
    [
        ("DELETE", 405, "delete", "this pool cannot be deleted through the API"),
        ("DELETE", 403, "delete", "number pools are not enabled for this account"),
        ("GET", 404, "list", "number pools are not enabled for this account"),
        ("POST", 404, "create", "number pools are not enabled for this account"),
        ("PATCH", 405, "update", "the number pools API does not support this operation"),
    ],
)
async def test_pools_403_404_405_from_the_real_api(method: str, status: int, op: str, sentence: str) -> None:
    body = b"<html><body>Method Not Allowed</body></html>" if status == 405 else b'{"title":"Not Found"}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    async with _mock_client(handler) as c:
        calls = {
            "delete": lambda: c.delete_pool("p1"),
            "list": lambda: c.list_pools(),
            "create": lambda: c.create_pool(PoolCreate(pool_id="p1")),
            "update": lambda: c.update_pool("p1", PoolUpdate(fallback="Pool")),
        }
        with pytest.raises(PoolsUnavailable) as caught:
            await calls[op]()
    assert str(caught.value) == sentence and caught.value.status == status


async def test_delete_answering_204_and_a_later_chunk_failing() -> None:
    calls: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        calls.append(json.loads(request.content))
        if len(calls) == 1:
            return httpx.Response(201, json={"numbers": calls[-1]["numbers"]})
        return httpx.Response(503, json={"title": "Service Unavailable"})

    async with _mock_client(handler) as c:
        assert (await c.delete_pool("p1")).pool_id == "p1"
        numbers = [f"4477009{n:05d}" for n in range(120)]
        result = await c.add_pool_numbers("p1", numbers)
    assert len(calls) == 2, "a failed write is not retried and the remaining chunk is not sent"
    assert result.succeeded == numbers[:50]
    assert result.failed[0].numbers == numbers[50:100] and result.failed[0].title == "ServerError"
    assert result.failed[1].numbers == numbers[100:] and result.failed[1].title == "Not attempted"


async def test_first_chunk_failing_raises() -> None:
    async with _mock_client(lambda request: httpx.Response(502, text="<html>bad gateway</html>")) as c:
        with pytest.raises(ServerError):
            await c.add_pool_numbers("p1", ["447700900001"])
        assert c.stats.requests == 1


async def test_207_without_error_groups_does_not_claim_success() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["numbers"]
        if request.url.path.endswith("/delete"):
            return httpx.Response(207, content=b"<xml/>")
        return httpx.Response(207, json={"numbers": sent[:1]})

    async with _mock_client(handler) as c:
        added = await c.add_pool_numbers("p1", ["447700900001", "447700900002"])
        removed = await c.remove_pool_numbers("p1", ["447700900001"])
    assert added.succeeded == ["447700900001"]
    assert added.failed[0].numbers == ["447700900002"] and added.failed[0].title == "Unknown"
    assert removed.succeeded == [] and removed.failed_numbers == ["447700900001"]
