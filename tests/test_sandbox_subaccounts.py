"""Subaccounts over real loopback HTTP: the demo pair, numbers bought for them, their secrets, and refusals.

What the app's "for account: primary / name (key)" feature needs: the master lists its subaccounts (with
names), buys and cancels numbers for one with ``target_api_key`` (the number is the subaccount's, paid from
its balance), the subaccount's own credentials list its numbers, the master manages its secrets, and any key
that is not the caller's subaccount is refused in the endpoint's dialect.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.inventory import (
    DEMO_ACCOUNT_NAME,
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_SUBACCOUNTS,
    SUBACCOUNT2_API_KEY,
    SUBACCOUNT2_API_SECRET,
    SUBACCOUNT2_BALANCE,
    SUBACCOUNT2_NAME,
    SUBACCOUNT2_SECRET_ID,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
    SUBACCOUNT_NAME,
)
from tui.sandbox.server import RunningSandbox

TLS = ssl.create_default_context()
MASTER = (DEMO_API_KEY, DEMO_API_SECRET)
SUB1 = (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)
SUB2 = (SUBACCOUNT2_API_KEY, SUBACCOUNT2_API_SECRET)
SUB2_SECRETS = f"/accounts/{SUBACCOUNT2_API_KEY}/secrets"


def connect(sandbox: RunningSandbox, auth: tuple[str, str]) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth, verify=TLS, timeout=10)


@pytest.fixture
def master(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox, MASTER) as client:
        yield client


@pytest.fixture
def sub2(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox, SUB2) as client:
        yield client


def owned(api: httpx.Client) -> list[str]:
    body = api.get("/account/numbers", params={"size": 100}).json()
    return [n["msisdn"] for n in body.get("numbers", [])]


def an_offer(sandbox: RunningSandbox) -> dict:
    return next(r for r in sandbox.state.available.values() if r["country"] == "GB")


# -- the demo subaccounts -----------------------------------------------------------------------------------


def test_two_deterministic_demo_subaccounts_with_their_own_credentials(sandbox: RunningSandbox) -> None:
    assert [s.api_key for s in DEMO_SUBACCOUNTS] == [SUBACCOUNT_API_KEY, SUBACCOUNT2_API_KEY]
    assert len({s.secret for s in DEMO_SUBACCOUNTS} | {DEMO_API_SECRET}) == 3
    for sub in DEMO_SUBACCOUNTS:
        with connect(sandbox, (sub.api_key, sub.secret)) as api:
            assert api.get("/account/get-balance").json() == {"value": sub.balance, "autoReload": False}
            assert api.get(f"/accounts/{sub.api_key}/secrets").json()["_embedded"]["secrets"][0]["id"] == sub.secret_id
    with connect(sandbox, SUB2) as api:
        assert api.get("/account/numbers").json() == {"count": 0}  # the second one starts with no numbers


def test_the_master_lists_its_subaccounts_with_names(master: httpx.Client) -> None:
    body = master.get(f"/accounts/{DEMO_API_KEY}/subaccounts").json()
    primary, subs = body["_embedded"]["primary_account"], body["_embedded"]["subaccounts"]
    assert primary["api_key"] == DEMO_API_KEY and primary["name"] == DEMO_ACCOUNT_NAME
    assert [(s["api_key"], s["name"]) for s in subs] == [
        (SUBACCOUNT_API_KEY, SUBACCOUNT_NAME),
        (SUBACCOUNT2_API_KEY, SUBACCOUNT2_NAME),
    ]
    assert all(s["primary_account_api_key"] == DEMO_API_KEY and s["suspended"] is False for s in subs)
    assert body["total_balance"] == pytest.approx(24.50 + 5.00 + SUBACCOUNT2_BALANCE)
    one = master.get(f"/accounts/{DEMO_API_KEY}/subaccounts/{SUBACCOUNT2_API_KEY}").json()
    assert one == subs[1]


@pytest.mark.parametrize(
    ("auth", "path", "status"),
    [
        (SUB1, f"/accounts/{SUBACCOUNT_API_KEY}/subaccounts", 403),  # a subaccount has none
        (SUB1, f"/accounts/{DEMO_API_KEY}/subaccounts", 403),  # nor may it list its master's
        (MASTER, "/accounts/nobody99/subaccounts", 404),
        (MASTER, f"/accounts/{DEMO_API_KEY}/subaccounts/nobody99", 404),
        (MASTER, f"/accounts/{DEMO_API_KEY}/subaccounts/{DEMO_API_KEY}", 404),  # not its own subaccount
    ],
)
def test_subaccount_listing_refusals_are_problems(
    sandbox: RunningSandbox, auth: tuple[str, str], path: str, status: int
) -> None:
    with connect(sandbox, auth) as api:
        response = api.get(path)
    assert response.status_code == status
    assert {"type", "title", "detail", "instance"} <= response.json().keys()


# -- numbers bought and cancelled for a subaccount ----------------------------------------------------------


def test_a_number_bought_for_a_subaccount_is_the_subaccounts(
    master: httpx.Client, sub2: httpx.Client, sandbox: RunningSandbox
) -> None:
    offer = an_offer(sandbox)
    before = owned(master)
    for_sub2 = {"country": "GB", "msisdn": offer["msisdn"], "target_api_key": SUBACCOUNT2_API_KEY}
    bought = master.post("/number/buy", data=for_sub2)
    assert bought.json() == {"error-code": "200", "error-code-label": "success"}
    assert owned(sub2) == [offer["msisdn"]]
    assert owned(master) == before
    with connect(sandbox, SUB1) as sub1:
        assert offer["msisdn"] not in owned(sub1)
    assert sub2.get("/account/get-balance").json()["value"] == pytest.approx(
        SUBACCOUNT2_BALANCE - float(offer["initialPrice"])
    )
    assert master.get("/account/get-balance").json()["value"] == 24.50
    assert sandbox.state.purchases[-1]["api_key"] == SUBACCOUNT2_API_KEY


def test_the_master_cancels_a_subaccounts_number_and_it_goes_back_on_sale(
    master: httpx.Client, sub2: httpx.Client, sandbox: RunningSandbox
) -> None:
    offer = an_offer(sandbox)
    target = {"country": "GB", "msisdn": offer["msisdn"], "target_api_key": SUBACCOUNT2_API_KEY}
    assert master.post("/number/buy", data=target).status_code == 200
    not_the_masters = master.post("/number/cancel", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert not_the_masters.status_code == 420 and DEMO_API_KEY in not_the_masters.json()["error-code-label"]
    assert master.post("/number/cancel", data=target).status_code == 200
    assert owned(sub2) == []
    assert offer["msisdn"] in sandbox.state.available
    cancelled = {"api_key": SUBACCOUNT2_API_KEY, "country": "GB", "msisdn": offer["msisdn"]}
    assert sandbox.state.cancellations[-1] == cancelled


def test_a_subaccount_cancels_its_own_number_with_its_own_credentials(
    master: httpx.Client, sub2: httpx.Client, sandbox: RunningSandbox
) -> None:
    offer = an_offer(sandbox)
    master.post("/number/buy", data={"country": "GB", "msisdn": offer["msisdn"], "target_api_key": SUBACCOUNT2_API_KEY})
    assert sub2.post("/number/cancel", data={"country": "GB", "msisdn": offer["msisdn"]}).status_code == 200
    assert owned(sub2) == []


@pytest.mark.parametrize(
    ("auth", "target"),
    [
        (SUB1, SUBACCOUNT2_API_KEY),  # a sibling
        (SUB2, DEMO_API_KEY),  # its master
        (MASTER, "nobody99"),  # no such account
    ],
)
@pytest.mark.parametrize("action", ["buy", "cancel"])
def test_a_key_that_is_not_the_callers_subaccount_is_refused_403(
    sandbox: RunningSandbox, auth: tuple[str, str], target: str, action: str
) -> None:
    offer = an_offer(sandbox)
    with connect(sandbox, auth) as api:
        data = {"country": "GB", "msisdn": offer["msisdn"], "target_api_key": target}
        response = api.post(f"/number/{action}", data=data)
    assert response.status_code == 403
    assert response.json() == {
        "error-code": "403",
        "error-code-label": f"Account {target} is not a subaccount of {auth[0]}",
    }
    assert sandbox.state.purchases == [] and sandbox.state.cancellations == []


# -- a subaccount's secrets, managed by the master ----------------------------------------------------------


def test_the_master_lists_creates_and_revokes_a_subaccounts_secrets(
    master: httpx.Client, sandbox: RunningSandbox
) -> None:
    listed = master.get(SUB2_SECRETS).json()
    assert [s["id"] for s in listed["_embedded"]["secrets"]] == [SUBACCOUNT2_SECRET_ID]
    assert listed["_links"]["self"]["href"] == SUB2_SECRETS
    created = master.post(SUB2_SECRETS, json={"secret": "Sub2-Rotated-1"})
    assert created.status_code == 201 and created.json()["_links"]["self"]["href"].startswith(SUB2_SECRETS)
    with connect(sandbox, (SUBACCOUNT2_API_KEY, "Sub2-Rotated-1")) as rotated:
        assert rotated.get("/account/get-balance").status_code == 200
    assert master.delete(f"{SUB2_SECRETS}/{SUBACCOUNT2_SECRET_ID}").status_code == 204
    with connect(sandbox, SUB2) as old:
        assert old.get("/account/get-balance").status_code == 401
    assert [s.value for s in sandbox.state.accounts[DEMO_API_KEY].secrets] == [DEMO_API_SECRET]  # untouched


@pytest.mark.parametrize(
    ("auth", "path", "status"),
    [
        (SUB1, SUB2_SECRETS, 403),  # a sibling
        (SUB2, f"/accounts/{DEMO_API_KEY}/secrets", 403),  # its master
        (MASTER, "/accounts/nobody99/secrets", 404),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_secrets_of_an_account_that_is_not_the_callers_are_refused(
    sandbox: RunningSandbox, auth: tuple[str, str], path: str, status: int, method: str
) -> None:
    with connect(sandbox, auth) as api:
        response = api.request(method, path, json={"secret": "Valid-Secret-9"} if method == "POST" else None)
    assert response.status_code == status
    assert {"type", "title", "detail", "instance"} <= response.json().keys()
    assert all(len(a.secrets) == 1 for a in sandbox.state.accounts.values())


def test_the_master_manages_a_subaccounts_pools_and_a_subaccount_not_its_masters(
    master: httpx.Client, sub2: httpx.Client
) -> None:
    pools = f"/v2/numberpools/accounts/{SUBACCOUNT2_API_KEY}/pools"
    made = master.post(pools, json={"pool_id": "sub2-pool", "fallback": "Pool", "localized_sender_preferred": True,
                                    "predictable_sender_preferred": False})  # fmt: skip
    assert made.status_code == 201 and made.json()["account_id"] == SUBACCOUNT2_API_KEY
    assert [p["pool_id"] for p in sub2.get(pools).json()["_embedded"]["pools"]] == ["sub2-pool"]
    assert sub2.get(f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools").status_code == 403
