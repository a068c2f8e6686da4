"""The sandbox's Number Pools API over real loopback HTTP: CRUD, paging, batches, partial success, the switch."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox

TLS = ssl.create_default_context()
"""Built once: httpx would load the CA bundle for every client (slow), though these tests speak plain HTTP."""
POOLS = f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools"
DEMO = f"{POOLS}/demo-pool"
NEW_POOL = {
    "pool_id": "sales",
    "fallback": "CustomFrom",
    "localized_sender_preferred": False,
    "predictable_sender_preferred": True,
}


def connect(sandbox: RunningSandbox, auth: tuple[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth, verify=TLS, timeout=10)


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox, (DEMO_API_KEY, DEMO_API_SECRET)) as client:
        yield client


def owned_numbers(api: httpx.Client) -> list[str]:
    return [n["msisdn"] for n in api.get("/account/numbers", params={"size": 100}).json()["numbers"]]


# -- pools --------------------------------------------------------------------------------------------------


def test_list_has_the_demo_pool_with_hal_paging(api: httpx.Client) -> None:
    response = api.get(POOLS)
    assert response.status_code == 200
    body = response.json()
    assert (body["page"], body["page_size"], body["total_pages"], body["total_items"]) == (1, 10, 1, 1)
    [pool] = body["_embedded"]["pools"]
    assert pool == {
        "fallback": "Pool",
        "localized_sender_preferred": True,
        "predictable_sender_preferred": True,
        "pool_id": "demo-pool",
        "account_id": DEMO_API_KEY,
        "_links": {"self": {"href": DEMO}, "numbers": {"href": f"{DEMO}/numbers"}},
    }
    assert set(body["_links"]) == {"self", "first", "last"}


def test_list_pages_with_next_and_previous_links(api: httpx.Client) -> None:
    for i in range(11):
        assert api.post(POOLS, json={**NEW_POOL, "pool_id": f"pool-{i:02d}"}).status_code == 201
    page2 = api.get(POOLS, params={"page": 2, "page_size": 5}).json()
    assert (page2["total_items"], page2["total_pages"], len(page2["_embedded"]["pools"])) == (12, 3, 5)
    assert page2["_links"]["next"]["href"].endswith("page=3&page_size=5")
    assert page2["_links"]["previous"]["href"].endswith("page=1&page_size=5")
    last = api.get(POOLS, params={"page": 3, "page_size": 5}).json()
    assert len(last["_embedded"]["pools"]) == 2 and "next" not in last["_links"]
    ids = [
        p["pool_id"]
        for n in (1, 2, 3)
        for p in api.get(POOLS, params={"page": n, "page_size": 5}).json()["_embedded"]["pools"]
    ]
    assert ids == ["demo-pool"] + [f"pool-{i:02d}" for i in range(11)]
    assert api.get(POOLS, params={"page": 9, "page_size": 5}).json()["_embedded"]["pools"] == []


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 101}, {"page": "x"}])
def test_list_rejects_bad_paging(api: httpx.Client, params: dict) -> None:
    response = api.get(POOLS, params=params)
    assert response.status_code == 400
    assert response.json()["invalid_parameters"]


def test_create_get_patch_delete(api: httpx.Client) -> None:
    created = api.post(POOLS, json=NEW_POOL)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in NEW_POOL} == NEW_POOL
    assert created.json()["account_id"] == DEMO_API_KEY
    assert api.get(f"{POOLS}/sales").json() == created.json()

    patched = api.patch(f"{POOLS}/sales", json={"fallback": "Reject"})
    assert patched.status_code == 201
    assert patched.json()["fallback"] == "Reject"
    assert patched.json()["predictable_sender_preferred"] is True

    deleted = api.delete(f"{POOLS}/sales")
    assert deleted.status_code == 200
    assert deleted.json()["pool_id"] == "sales" and deleted.json()["fallback"] == "Reject"
    missing = api.get(f"{POOLS}/sales")
    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    assert api.delete(f"{POOLS}/sales").status_code == 404


def test_patch_can_rename_unless_the_id_is_taken(api: httpx.Client) -> None:
    api.post(POOLS, json=NEW_POOL)
    assert api.patch(f"{POOLS}/sales", json={"pool_id": "demo-pool"}).status_code == 409
    renamed = api.patch(f"{POOLS}/sales", json={"pool_id": "sales-eu"})
    assert renamed.status_code == 201 and renamed.json()["_links"]["self"]["href"] == f"{POOLS}/sales-eu"
    assert api.get(f"{POOLS}/sales").status_code == 404
    assert api.get(f"{POOLS}/sales-eu").status_code == 200


def test_create_an_existing_pool_id_is_409(api: httpx.Client) -> None:
    response = api.post(POOLS, json={**NEW_POOL, "pool_id": "demo-pool"})
    assert response.status_code == 409
    assert response.json()["title"] == "Conflict"


@pytest.mark.parametrize(
    "body",
    [
        {**NEW_POOL, "fallback": "PoolCustomFromReject"},
        {**NEW_POOL, "localized_sender_preferred": "yes"},
        {k: v for k, v in NEW_POOL.items() if k != "predictable_sender_preferred"},
        {k: v for k, v in NEW_POOL.items() if k != "pool_id"},
        {**NEW_POOL, "pool_id": "has space"},
    ],
)
def test_create_with_invalid_fields_is_400(api: httpx.Client, body: dict) -> None:
    response = api.post(POOLS, json=body)
    assert response.status_code == 400
    assert response.json()["invalid_parameters"][0]["name"] in NEW_POOL


def test_patch_with_invalid_fallback_is_400(api: httpx.Client) -> None:
    assert api.patch(DEMO, json={"fallback": "Nope"}).status_code == 400


def test_subaccount_cannot_manage_master_pools(sandbox: RunningSandbox, api: httpx.Client) -> None:
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        assert sub.get(POOLS).status_code == 403
        assert sub.get(f"/v2/numberpools/accounts/{SUBACCOUNT_API_KEY}/pools").status_code == 200
    assert api.get(f"/v2/numberpools/accounts/{SUBACCOUNT_API_KEY}/pools").status_code == 200


# -- numbers in a pool --------------------------------------------------------------------------------------


def test_numbers_in_the_demo_pool_paged(api: httpx.Client) -> None:
    body = api.get(f"{DEMO}/numbers").json()
    assert body["_embedded"]["numbers"] == ["447700900001", "13177001234"]
    assert body["total_items"] == 2
    page2 = api.get(f"{DEMO}/numbers", params={"page": 2, "page_size": 1}).json()
    assert page2["_embedded"]["numbers"] == ["13177001234"] and page2["total_pages"] == 2
    assert page2["_links"]["self"]["href"] == f"{DEMO}/numbers?page=2&page_size=1"


def test_add_numbers_all_ok_is_201(api: httpx.Client) -> None:
    response = api.post(f"{DEMO}/numbers", json={"numbers": ["442079460123", "49301234567"]})
    assert response.status_code == 201
    assert response.json() == {
        "numbers": ["442079460123", "49301234567"],
        "_links": {"self": {"href": f"{DEMO}/numbers"}},
    }
    assert api.get(f"{DEMO}/numbers").json()["total_items"] == 4


def test_add_numbers_partially_is_207_with_error_groups(api: httpx.Client, sandbox: RunningSandbox) -> None:
    not_owned = api.get("/number/search", params={"country": "GB", "size": 1}).json()["numbers"][0]["msisdn"]
    response = api.post(f"{DEMO}/numbers", json={"numbers": ["442079460123", "447700900001", not_owned]})
    assert response.status_code == 207
    body = response.json()
    assert body["numbers"] == ["442079460123"]
    assert body["_links"] == {"self": {"href": f"{DEMO}/numbers"}}
    error = body["error"]
    assert {"type", "title", "detail", "errors"} <= error.keys()
    groups = {tuple(g["numbers"]): g for g in error["errors"]}
    assert set(groups) == {("447700900001",), (not_owned,)}
    for group in error["errors"]:
        assert {"type", "title", "detail", "numbers"} <= group.keys()
    assert "already" in groups[("447700900001",)]["title"].lower()
    assert "not owned" in groups[(not_owned,)]["title"].lower()
    assert sandbox.state.accounts[DEMO_API_KEY].pools["demo-pool"].numbers.count("447700900001") == 1


def test_add_numbers_all_failing_is_400(api: httpx.Client) -> None:
    response = api.post(f"{DEMO}/numbers", json={"numbers": ["447700900001", "31677001234"]})
    assert response.status_code == 400
    body = response.json()
    assert {"type", "title", "detail", "instance", "errors"} <= body.keys()
    assert sorted(n for g in body["errors"] for n in g["numbers"]) == ["31677001234", "447700900001"]


@pytest.mark.parametrize("body", [{}, {"numbers": []}, {"numbers": "447700900001"}, {"numbers": [447700900001]}])
def test_add_numbers_malformed_body_is_400(api: httpx.Client, body: dict) -> None:
    assert api.post(f"{DEMO}/numbers", json=body).status_code == 400


def test_batches_are_limited_to_50_numbers() -> None:
    with (
        start_sandbox(SandboxConfig(seed=3, owned_count=60)) as sandbox,
        connect(sandbox, (DEMO_API_KEY, DEMO_API_SECRET)) as api,
    ):
        pool = f"{POOLS}/big"
        assert api.post(POOLS, json={**NEW_POOL, "pool_id": "big"}).status_code == 201
        numbers = owned_numbers(api)[:51]
        too_many = api.post(f"{pool}/numbers", json={"numbers": numbers})
        assert too_many.status_code == 400
        assert too_many.json()["invalid_parameters"][0]["name"] == "numbers"
        assert api.post(f"{pool}/numbers", json={"numbers": numbers[:50]}).status_code == 201
        assert api.post(f"{pool}/numbers/delete", json={"numbers": numbers}).status_code == 400
        assert api.get(f"{pool}/numbers").json()["total_items"] == 50
        assert api.post(f"{pool}/numbers/delete", json={"numbers": numbers[:50]}).status_code == 204
        assert api.get(f"{pool}/numbers").json()["total_items"] == 0


def test_remove_numbers_all_ok_is_204(api: httpx.Client) -> None:
    response = api.post(f"{DEMO}/numbers/delete", json={"numbers": ["447700900001", "13177001234"]})
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"{DEMO}/numbers").json()["total_items"] == 0


def test_remove_numbers_partially_is_207_with_the_extra_error_wrapper(api: httpx.Client) -> None:
    response = api.post(f"{DEMO}/numbers/delete", json={"numbers": ["447700900001", "442079460123"]})
    assert response.status_code == 207
    body = response.json()
    assert body["numbers"] == ["447700900001"]
    assert {"type", "title", "detail", "errors"} <= body["error"].keys()
    [wrapped] = body["error"]["errors"]
    assert set(wrapped) == {"error"}
    assert {"type", "title", "detail", "numbers"} <= wrapped["error"].keys()
    assert wrapped["error"]["numbers"] == ["442079460123"]
    assert api.get(f"{DEMO}/numbers").json()["_embedded"]["numbers"] == ["13177001234"]


def test_remove_numbers_none_in_pool_is_400(api: httpx.Client) -> None:
    response = api.post(f"{DEMO}/numbers/delete", json={"numbers": ["442079460123"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["error"]["numbers"] == ["442079460123"]


def test_remove_one_number_is_204_then_404(api: httpx.Client) -> None:
    assert api.delete(f"{DEMO}/numbers/447700900001").status_code == 204
    assert api.get(f"{DEMO}/numbers").json()["_embedded"]["numbers"] == ["13177001234"]
    assert api.delete(f"{DEMO}/numbers/447700900001").status_code == 404


def test_numbers_of_an_unknown_pool_are_404(api: httpx.Client) -> None:
    assert api.get(f"{POOLS}/nope/numbers").status_code == 404
    assert api.post(f"{POOLS}/nope/numbers", json={"numbers": ["447700900001"]}).status_code == 404


# -- the beta switch ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", POOLS, None),
        ("POST", POOLS, NEW_POOL),
        ("GET", DEMO, None),
        ("PATCH", DEMO, {"fallback": "Reject"}),
        ("DELETE", DEMO, None),
        ("GET", f"{DEMO}/numbers", None),
        ("POST", f"{DEMO}/numbers", {"numbers": ["442079460123"]}),
        ("POST", f"{DEMO}/numbers/delete", {"numbers": ["447700900001"]}),
        ("DELETE", f"{DEMO}/numbers/447700900001", None),
    ],
)
def test_disabled_pools_answer_403_everywhere(
    api: httpx.Client, sandbox: RunningSandbox, method: str, path: str, body: dict | None
) -> None:
    sandbox.state.config.pools_enabled = False
    response = api.request(method, path, json=body)
    assert response.status_code == 403
    assert {"type", "title", "detail"} <= response.json().keys()
    assert sandbox.state.accounts[DEMO_API_KEY].pools["demo-pool"].numbers == ["447700900001", "13177001234"]


def test_disabled_pools_still_check_credentials_first() -> None:
    with start_sandbox(SandboxConfig(pools_enabled=False)) as sandbox, connect(sandbox) as plain:
        assert plain.get(POOLS).status_code == 401
        assert plain.get(POOLS, auth=(DEMO_API_KEY, DEMO_API_SECRET)).status_code == 403
