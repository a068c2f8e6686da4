"""The sandbox's Account API over real loopback HTTP: balance, top-up, settings and secret management."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.inventory import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_SECRET_ID,
    DEMO_TRX,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
)
from tui.sandbox.server import RunningSandbox

TLS = ssl.create_default_context()
"""Built once: httpx would load the CA bundle for every client (slow), though these tests speak plain HTTP."""
NEW_SECRET = "Fresh-Secret-2024"
SECRETS = f"/accounts/{DEMO_API_KEY}/secrets"


def connect(sandbox: RunningSandbox, auth: tuple[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth, verify=TLS, timeout=10)


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox, (DEMO_API_KEY, DEMO_API_SECRET)) as client:
        yield client


# -- balance and top-up -------------------------------------------------------------------------------------


def test_balance_of_the_demo_account(api: httpx.Client) -> None:
    response = api.get("/account/get-balance")
    assert response.status_code == 200
    assert response.json() == {"value": 24.50, "autoReload": True}


def test_top_up_with_a_known_transaction_adds_its_amount(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = api.post("/account/top-up", data={"trx": DEMO_TRX})
    assert response.status_code == 200
    assert response.json() == {"response": "success"}
    assert sandbox.state.accounts[DEMO_API_KEY].balance == pytest.approx(34.50)
    assert api.get("/account/get-balance").json()["value"] == pytest.approx(34.50)


def test_top_up_with_an_unknown_transaction_is_420(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = api.post("/account/top-up", data={"trx": "00X000000Y0000000Z"})
    assert response.status_code == 420
    assert response.json()["error-code"] == "420"
    assert "transaction" in response.json()["error-code-label"]
    assert sandbox.state.accounts[DEMO_API_KEY].balance == 24.50


def test_top_up_without_trx_is_400(api: httpx.Client) -> None:
    assert api.post("/account/top-up", data={}).status_code == 400


def test_top_up_without_auto_reload_is_401_not_auto_reload_enabled(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.accounts[DEMO_API_KEY].auto_reload = False
    response = api.post("/account/top-up", data={"trx": DEMO_TRX})
    assert response.status_code == 401
    assert response.json() == {"error-code": "401", "error-code-label": "not auto-reload enabled"}
    assert api.get("/account/get-balance").json()["autoReload"] is False
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        assert (
            sub.post("/account/top-up", data={"trx": DEMO_TRX}).json()["error-code-label"] == "not auto-reload enabled"
        )


# -- settings -----------------------------------------------------------------------------------------------


def test_settings_echo_the_account_settings_shape(api: httpx.Client) -> None:
    response = api.post(
        "/account/settings",
        data={"moCallBackUrl": "https://example.org/mo", "drCallBackUrl": "https://example.org/dr"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "mo-callback-url": "https://example.org/mo",
        "dr-callback-url": "https://example.org/dr",
        "max-outbound-request": 30,
        "max-inbound-request": 30,
        "max-calls-per-second": 30,
    }


@pytest.mark.parametrize(("rate_limit", "reported"), [(None, 30), (7.9, 7), (30, 30), (100, 100), (0.25, 1)])
def test_settings_report_the_enforced_rate_limit_as_max_calls_per_second(
    api: httpx.Client, sandbox: RunningSandbox, rate_limit: float | None, reported: int
) -> None:
    """Whole requests per second, at least 1, so a client pacing at what the account reports is never throttled."""
    sandbox.state.config.rate_limit = rate_limit
    body = api.post("/account/settings").json()
    assert body["max-calls-per-second"] == reported
    assert body["max-outbound-request"] == 30 and body["max-inbound-request"] == 30


def test_pacing_at_the_reported_rate_is_never_throttled(api: httpx.Client, sandbox: RunningSandbox) -> None:
    """The bucket holds one second's worth: a burst of ``max-calls-per-second`` requests all pass."""
    sandbox.state.config.rate_limit = 12.5
    # Read with the subaccount: it has its own bucket, so the master's stays full for the burst.
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        reported = sub.post("/account/settings").json()["max-calls-per-second"]
    assert [api.get("/account/get-balance").status_code for _ in range(reported)] == [200] * reported


def test_settings_change_only_what_is_sent_and_empty_unsets(api: httpx.Client) -> None:
    api.post(
        "/account/settings", data={"moCallBackUrl": "https://example.org/mo", "drCallBackUrl": "https://example.org/dr"}
    )
    only_dr = api.post("/account/settings", data={"drCallBackUrl": ""}).json()
    assert only_dr["mo-callback-url"] == "https://example.org/mo"
    assert only_dr["dr-callback-url"] == ""
    assert api.post("/account/settings").json()["mo-callback-url"] == "https://example.org/mo"


def test_settings_reject_a_malformed_url(api: httpx.Client) -> None:
    response = api.post("/account/settings", data={"moCallBackUrl": "not a url"})
    assert response.status_code == 400
    assert "moCallBackUrl" in response.json()["error-code-label"]


# -- secrets ------------------------------------------------------------------------------------------------


def test_list_secrets_is_hal_with_ids_and_dates_only(api: httpx.Client) -> None:
    response = api.get(SECRETS)
    assert response.status_code == 200
    body = response.json()
    assert body["_links"]["self"]["href"] == SECRETS
    [secret] = body["_embedded"]["secrets"]
    assert set(secret) == {"_links", "id", "created_at"}
    assert secret["id"] == DEMO_SECRET_ID
    assert secret["_links"]["self"]["href"] == f"{SECRETS}/{DEMO_SECRET_ID}"
    assert DEMO_API_SECRET not in response.text


def test_create_secret_then_it_authenticates(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = api.post(SECRETS, json={"secret": NEW_SECRET})
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"_links", "id", "created_at"}
    assert created["created_at"].endswith("Z")
    assert NEW_SECRET not in response.text
    assert api.get(f"{SECRETS}/{created['id']}").json()["id"] == created["id"]
    with connect(sandbox, (DEMO_API_KEY, NEW_SECRET)) as fresh:
        assert fresh.get("/account/get-balance").status_code == 200
        assert fresh.get(SECRETS).status_code == 200


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("Short1a", "at least 8"),
        ("Aa1" + "x" * 23, "at most 25"),
        ("NOLOWER123", "lower case"),
        ("noupper123", "upper case"),
        ("NoDigitsHere", "digit"),
    ],
)
def test_create_secret_rules_answer_400_with_invalid_parameters(api: httpx.Client, secret: str, reason: str) -> None:
    response = api.post(SECRETS, json={"secret": secret})
    assert response.status_code == 400
    body = response.json()
    assert {"type", "title", "detail", "instance", "invalid_parameters"} <= body.keys()
    assert all(p["name"] == "secret" for p in body["invalid_parameters"])
    assert any(reason in p["reason"] for p in body["invalid_parameters"])


@pytest.mark.parametrize("body", [{}, {"secret": 12345678}, ["Fresh-Secret-2024"]])
def test_create_secret_with_a_malformed_body_is_400(api: httpx.Client, body: object) -> None:
    assert api.post(SECRETS, json=body).status_code == 400
    assert api.post(SECRETS, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400


def test_boundary_lengths_8_and_25_are_accepted(api: httpx.Client) -> None:
    eight = api.post(SECRETS, json={"secret": "Abcdefg1"})
    assert eight.status_code == 201
    assert api.delete(f"{SECRETS}/{eight.json()['id']}").status_code == 204
    assert api.post(SECRETS, json={"secret": "Abcdefghijklmnopqrstuvw12"}).status_code == 201


def test_a_third_secret_is_403_addition_forbidden(api: httpx.Client, sandbox: RunningSandbox) -> None:
    assert api.post(SECRETS, json={"secret": "Abcdefghijklmnopqrstuvw12"}).status_code == 201
    response = api.post(SECRETS, json={"secret": "Another-Secret-3"})
    assert response.status_code == 403
    body = response.json()
    assert body["title"] == "Secret Addition Forbidden"
    assert "maximum number [2]" in body["detail"]
    assert len(sandbox.state.accounts[DEMO_API_KEY].secrets) == 2


def test_revoking_the_secret_in_use_makes_it_stop_working(sandbox: RunningSandbox, api: httpx.Client) -> None:
    created = api.post(SECRETS, json={"secret": NEW_SECRET}).json()
    with connect(sandbox, (DEMO_API_KEY, NEW_SECRET)) as fresh:
        revoked = fresh.delete(f"{SECRETS}/{DEMO_SECRET_ID}")
        assert revoked.status_code == 204 and revoked.content == b""
        assert fresh.get(SECRETS).json()["_embedded"]["secrets"][0]["id"] == created["id"]
    after = api.get("/account/numbers")
    assert after.status_code == 401
    assert after.json() == {"error-code": "401", "error-code-label": "authentication failed"}
    assert api.get(SECRETS).status_code == 401


def test_revoking_the_last_secret_is_403(api: httpx.Client) -> None:
    response = api.delete(f"{SECRETS}/{DEMO_SECRET_ID}")
    assert response.status_code == 403
    assert response.json()["title"] == "Secret Deletion Forbidden"
    assert api.get("/account/get-balance").status_code == 200


def test_unknown_secret_id_is_404_invalid_id(api: httpx.Client) -> None:
    for response in (
        api.get(f"{SECRETS}/07239aeb-d756-4c32-a1de-cf64f8b21827"),
        api.delete(f"{SECRETS}/07239aeb-d756-4c32-a1de-cf64f8b21827"),
    ):
        assert response.status_code == 404
        assert response.json()["title"] == "Invalid ID"


def test_unknown_api_key_is_404_invalid_api_key(api: httpx.Client) -> None:
    response = api.get("/accounts/zzzz9999/secrets")
    assert response.status_code == 404
    assert response.json()["title"] == "Invalid API Key"


def test_master_manages_its_subaccount_secrets_but_not_the_reverse(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sub_secrets = f"/accounts/{SUBACCOUNT_API_KEY}/secrets"
    assert api.get(sub_secrets).status_code == 200
    created = api.post(sub_secrets, json={"secret": "Sub-Rotated-99"})
    assert created.status_code == 201
    with connect(sandbox, (SUBACCOUNT_API_KEY, "Sub-Rotated-99")) as sub:
        assert sub.get("/account/numbers").status_code == 200
        assert sub.get(SECRETS).status_code == 403
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        assert sub.get(sub_secrets).status_code == 200
