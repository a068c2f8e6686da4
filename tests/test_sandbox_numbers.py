"""The sandbox's Numbers API over real loopback HTTP: auth, listing, search, buy, cancel, update."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.inventory import (
    APP_MARKETING,
    APP_SUPPORT,
    DEMO_API_KEY,
    DEMO_API_SECRET,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
)
from tui.sandbox.server import RunningSandbox

AUTH_FAILED = {"error-code": "401", "error-code-label": "authentication failed"}
SUCCESS = {"error-code": "200", "error-code-label": "success"}
TLS = ssl.create_default_context()
"""Built once: httpx would load the CA bundle for every client (slow), though these tests speak plain HTTP."""
DEMO_OWNED = ["13177001234", "18005550199", "33770012345", "442079460123", "447700900001", "49301234567"]


def connect(sandbox: RunningSandbox, auth: tuple[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth, verify=TLS, timeout=10)


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox, (DEMO_API_KEY, DEMO_API_SECRET)) as client:
        yield client


def owned(api: httpx.Client, **params: object) -> dict:
    response = api.get("/account/numbers", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def search(api: httpx.Client, **params: object) -> dict:
    response = api.get("/number/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def first_for_sale(api: httpx.Client, country: str, **params: object) -> dict:
    return search(api, country=country, size=1, **params)["numbers"][0]


# -- authentication -----------------------------------------------------------------------------------------


def test_basic_header_and_query_parameters_both_authenticate(sandbox: RunningSandbox) -> None:
    token = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()
    with connect(sandbox) as plain:
        by_header = plain.get("/account/numbers", headers={"Authorization": f"Basic {token}"})
        by_query = plain.get("/account/numbers", params={"api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET})
    assert by_header.status_code == by_query.status_code == 200
    assert by_header.json() == by_query.json()


def test_form_credentials_authenticate_a_post(sandbox: RunningSandbox) -> None:
    with connect(sandbox) as plain:
        msisdn = plain.get(
            "/number/search", params={"country": "GB", "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET}
        ).json()["numbers"][0]["msisdn"]
        response = plain.post(
            "/number/buy",
            data={"country": "GB", "msisdn": msisdn, "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET},
        )
    assert response.status_code == 200
    assert msisdn in sandbox.state.accounts[DEMO_API_KEY].owned


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/account/numbers"),
        ("GET", "/number/search?country=GB"),
        ("POST", "/number/buy"),
        ("POST", "/number/cancel"),
        ("POST", "/number/update"),
        ("GET", "/account/get-balance"),
        ("POST", "/account/top-up"),
        ("POST", "/account/settings"),
    ],
)
@pytest.mark.parametrize(
    "auth",
    [None, (DEMO_API_KEY, "Wrong-Secret-1"), ("nobody99", DEMO_API_SECRET)],
    ids=["missing", "wrong-secret", "unknown-key"],
)
def test_rest_endpoints_answer_401_authentication_failed(
    sandbox: RunningSandbox, method: str, path: str, auth: tuple[str, str] | None
) -> None:
    with connect(sandbox, auth) as client:
        response = client.request(
            method, path, data={"country": "GB", "msisdn": "447700900001"} if method == "POST" else None
        )
    assert response.status_code == 401
    assert response.json() == AUTH_FAILED


def test_wrong_query_secret_is_401(sandbox: RunningSandbox) -> None:
    with connect(sandbox) as plain:
        response = plain.get("/account/numbers", params={"api_key": DEMO_API_KEY, "api_secret": "nope"})
    assert response.status_code == 401
    assert response.json() == AUTH_FAILED


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b"nocolon").decode()]
)
def test_malformed_authorization_header_is_401(sandbox: RunningSandbox, header: str) -> None:
    with connect(sandbox) as plain:
        response = plain.get("/account/numbers", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == AUTH_FAILED


@pytest.mark.parametrize("path", ["/accounts/abcd1234/secrets", "/v2/numberpools/accounts/abcd1234/pools"])
def test_newer_endpoints_answer_401_as_rfc7807(sandbox: RunningSandbox, path: str) -> None:
    with connect(sandbox) as plain:
        missing = plain.get(path)
        wrong = plain.get(path, auth=(DEMO_API_KEY, "Wrong-Secret-1"))
    for response in (missing, wrong):
        assert response.status_code == 401
        body = response.json()
        assert body["title"] == "Unauthorized"
        assert {"type", "title", "detail", "instance"} <= body.keys()
    assert missing.json()["detail"] != wrong.json()["detail"]


def test_subaccount_credentials_see_only_the_subaccount(sandbox: RunningSandbox) -> None:
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        body = sub.get("/account/numbers").json()
    assert body["count"] == 1
    assert body["numbers"][0]["msisdn"] == "31677001234"


# -- owned numbers ------------------------------------------------------------------------------------------


def test_owned_numbers_demo_handful_sorted_with_configuration(api: httpx.Client) -> None:
    body = owned(api)
    assert body["count"] == 6
    assert [n["msisdn"] for n in body["numbers"]] == DEMO_OWNED
    by_msisdn = {n["msisdn"]: n for n in body["numbers"]}
    linked = by_msisdn["447700900001"]
    assert linked["app_id"] == APP_SUPPORT
    assert linked["messagesCallbackValue"] == linked["voiceCallbackValue"] == APP_SUPPORT
    assert by_msisdn["442079460123"]["moHttpUrl"].startswith("https://")
    assert by_msisdn["18005550199"]["voiceCallbackType"] == "sip"
    for number in body["numbers"]:
        assert number["type"] in ("landline", "mobile-lvn", "landline-toll-free")
        assert number["features"]


def test_owned_paging_and_past_the_end(api: httpx.Client) -> None:
    first, second = owned(api, size=4, index=1), owned(api, size=4, index=2)
    assert first["count"] == second["count"] == 6
    assert [n["msisdn"] for n in first["numbers"] + second["numbers"]] == DEMO_OWNED
    assert owned(api, size=4, index=3) == {}
    assert owned(api, index=99) == {}


@pytest.mark.parametrize(
    "params", [{"size": 101}, {"size": 0}, {"size": "ten"}, {"index": 0}, {"search_pattern": 3, "pattern": "44"}]
)
def test_owned_out_of_range_parameters_are_400(api: httpx.Client, params: dict) -> None:
    response = api.get("/account/numbers", params=params)
    assert response.status_code == 400
    assert response.json()["error-code"] == "400"


def test_owned_size_100_is_allowed(api: httpx.Client) -> None:
    assert owned(api, size=100)["count"] == 6


def test_owned_no_match_omits_numbers(api: httpx.Client) -> None:
    assert owned(api, country="JP") == {"count": 0}


def test_owned_filters(api: httpx.Client) -> None:
    assert {n["msisdn"] for n in owned(api, country="US")["numbers"]} == {"13177001234", "18005550199"}
    assert {n["msisdn"] for n in owned(api, has_application="true")["numbers"]} == {"447700900001", "13177001234"}
    assert owned(api, has_application="false")["count"] == 4
    assert [n["msisdn"] for n in owned(api, application_id=APP_MARKETING)["numbers"]] == ["13177001234"]
    assert owned(api, application_id="00000000-0000-0000-0000-000000000000") == {"count": 0}


@pytest.mark.parametrize(
    ("pattern", "strategy", "expected"),
    [
        ("44", 0, {"442079460123", "447700900001"}),
        ("7700", 1, {"447700900001", "13177001234", "33770012345"}),
        ("0123", 2, {"442079460123"}),
        ("0123", 0, set()),
    ],
)
def test_owned_pattern_strategies(api: httpx.Client, pattern: str, strategy: int, expected: set[str]) -> None:
    body = owned(api, pattern=pattern, search_pattern=strategy)
    assert {n["msisdn"] for n in body.get("numbers", [])} == expected


def test_owned_pattern_defaults_to_starts_with(api: httpx.Client) -> None:
    assert {n["msisdn"] for n in owned(api, pattern="1")["numbers"]} == {"13177001234", "18005550199"}


# -- search -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"country": "GBR"}, {"country": "4"}])
def test_search_needs_a_valid_country(api: httpx.Client, params: dict) -> None:
    response = api.get("/number/search", params=params)
    assert response.status_code == 400
    assert "country" in response.json()["error-code-label"]


def test_search_country_is_case_insensitive_and_unknown_country_is_empty(api: httpx.Client) -> None:
    assert search(api, country="gb")["count"] == search(api, country="GB")["count"] > 0
    assert search(api, country="JP") == {"count": 0}


def test_inventory_covers_many_countries_and_every_type(api: httpx.Client) -> None:
    countries = ["GB", "US", "DE", "FR", "ES", "IT", "NL", "SE", "AU", "CA", "IE"]
    for country in countries:
        for type_ in ("landline", "mobile-lvn", "landline-toll-free"):
            number = first_for_sale(api, country, type=type_)
            assert number["country"] == country and number["type"] == type_
            assert number["msisdn"].isdigit() and 7 <= len(number["msisdn"]) <= 15
            assert isinstance(number["cost"], str) and isinstance(number["initialPrice"], str)
            float(number["cost"]), float(number["initialPrice"])


def test_gb_mobiles_are_in_the_447700900_drama_range(api: httpx.Client) -> None:
    numbers = search(api, country="GB", type="mobile-lvn", size=100)["numbers"]
    assert numbers and all(n["msisdn"].startswith("4477009") and len(n["msisdn"]) == 12 for n in numbers)


@pytest.mark.parametrize("strategy", [0, 1, 2])
def test_search_pattern_strategies(api: httpx.Client, strategy: int) -> None:
    pattern = {0: "4420", 1: "7700", 2: "7"}[strategy]
    body = search(api, country="GB", pattern=pattern, search_pattern=strategy, size=100)
    check = {0: str.startswith, 1: str.__contains__, 2: str.endswith}[strategy]
    assert body["count"] > 0
    assert all(check(n["msisdn"], pattern) for n in body["numbers"])


def test_contains_7700_finds_numbers_in_several_countries(api: httpx.Client) -> None:
    hits = {
        c: search(api, country=c, pattern="7700", search_pattern=1)["count"] for c in ("GB", "US", "DE", "FR", "NL")
    }
    assert all(count >= 5 for count in hits.values()), hits


def test_search_type_filter(api: httpx.Client) -> None:
    body = search(api, country="US", type="landline-toll-free", size=100)
    assert body["count"] > 0
    assert {n["type"] for n in body["numbers"]} == {"landline-toll-free"}


@pytest.mark.parametrize("features", ["SMS", "VOICE", "SMS,VOICE", "MMS", "SMS,MMS", "VOICE,MMS", "SMS,MMS,VOICE"])
def test_search_features_means_has_all_of_them(api: httpx.Client, features: str) -> None:
    everything = search(api, country="US", size=100)["count"]
    body = search(api, country="US", features=features, size=100)
    wanted = set(features.split(","))
    assert 0 < body["count"] <= everything
    assert all(wanted <= set(n["features"]) for n in body["numbers"])


def test_search_features_filter_really_filters(api: httpx.Client) -> None:
    assert search(api, country="US", features="MMS")["count"] < search(api, country="US")["count"]


@pytest.mark.parametrize(("name", "value"), [("features", "VOICE,SMS"), ("features", "FAX"), ("type", "mobile")])
def test_search_rejects_values_outside_the_enums(api: httpx.Client, name: str, value: str) -> None:
    response = api.get("/number/search", params={"country": "US", name: value})
    assert response.status_code == 400
    assert name in response.json()["error-code-label"]


def test_search_paging_covers_everything_once_and_ends_with_empty_object(api: httpx.Client) -> None:
    total = search(api, country="GB")["count"]
    seen: list[str] = []
    index = 1
    while True:
        body = search(api, country="GB", size=50, index=index)
        if body == {}:
            break
        assert body["count"] == total
        seen += [n["msisdn"] for n in body["numbers"]]
        index += 1
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)
    assert search(api, country="GB", size=10)["count"] == total and len(search(api, country="GB")["numbers"]) == 10


def test_search_never_returns_owned_numbers(api: httpx.Client) -> None:
    for_sale = {n["msisdn"] for n in search(api, country="GB", size=100, index=1)["numbers"]}
    for_sale |= {n["msisdn"] for n in search(api, country="GB", size=100, index=2).get("numbers", [])}
    assert not for_sale & set(DEMO_OWNED)


# -- buy / cancel -------------------------------------------------------------------------------------------


def test_buy_moves_the_number_and_charges_the_balance(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = first_for_sale(api, "GB", type="mobile-lvn")
    response = api.post("/number/buy", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert response.status_code == 200
    assert response.json() == SUCCESS
    account = sandbox.state.accounts[DEMO_API_KEY]
    assert account.balance == pytest.approx(24.50 - float(offer["initialPrice"]))
    assert sandbox.state.purchases == [
        {
            "api_key": DEMO_API_KEY,
            "country": "GB",
            "msisdn": offer["msisdn"],
            "type": "mobile-lvn",
            "initialPrice": offer["initialPrice"],
            "cost": offer["cost"],
        }
    ]
    assert offer["msisdn"] in {n["msisdn"] for n in owned(api, size=100)["numbers"]}
    assert first_for_sale(api, "GB", type="mobile-lvn")["msisdn"] != offer["msisdn"]
    assert api.get("/account/get-balance").json()["value"] == pytest.approx(account.balance)


def test_buy_twice_is_420_already_owned(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = first_for_sale(api, "DE")
    assert api.post("/number/buy", data={"country": "DE", "msisdn": offer["msisdn"]}).status_code == 200
    again = api.post("/number/buy", data={"country": "DE", "msisdn": offer["msisdn"]})
    assert again.status_code == 420
    assert again.json()["error-code"] == "420"
    assert "already own" in again.json()["error-code-label"]
    assert len(sandbox.state.purchases) == 1


def test_buy_unknown_or_wrong_country_is_420_not_available(api: httpx.Client) -> None:
    unknown = api.post("/number/buy", data={"country": "GB", "msisdn": "447000000000"})
    assert unknown.status_code == 420 and "not available" in unknown.json()["error-code-label"]
    offer = first_for_sale(api, "FR")
    wrong = api.post("/number/buy", data={"country": "DE", "msisdn": offer["msisdn"]})
    assert wrong.status_code == 420 and "not available in DE" in wrong.json()["error-code-label"]


def test_buy_with_too_low_balance_is_420_and_charges_nothing(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = first_for_sale(api, "AU", type="landline-toll-free")
    assert float(offer["initialPrice"]) > 24.50
    response = api.post("/number/buy", data={"country": "AU", "msisdn": offer["msisdn"]})
    assert response.status_code == 420
    assert "Insufficient balance" in response.json()["error-code-label"]
    assert sandbox.state.accounts[DEMO_API_KEY].balance == 24.50
    assert sandbox.state.purchases == []


@pytest.mark.parametrize(
    "data", [{"country": "GB"}, {"msisdn": "447700900555"}, {"country": "GB", "msisdn": "+44 7700"}]
)
def test_buy_with_missing_or_malformed_fields_is_400(api: httpx.Client, data: dict) -> None:
    assert api.post("/number/buy", data=data).status_code == 400


def test_master_buys_and_cancels_for_its_subaccount(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = first_for_sale(api, "NL", type="landline")
    bought = api.post(
        "/number/buy", data={"country": "NL", "msisdn": offer["msisdn"], "target_api_key": SUBACCOUNT_API_KEY}
    )
    assert bought.status_code == 200
    sub = sandbox.state.accounts[SUBACCOUNT_API_KEY]
    assert offer["msisdn"] in sub.owned
    assert offer["msisdn"] not in sandbox.state.accounts[DEMO_API_KEY].owned
    assert sub.balance == pytest.approx(5.00 - float(offer["initialPrice"]))
    cancelled = api.post(
        "/number/cancel", data={"country": "NL", "msisdn": offer["msisdn"], "target_api_key": SUBACCOUNT_API_KEY}
    )
    assert cancelled.status_code == 200 and offer["msisdn"] not in sub.owned


def test_target_api_key_must_be_a_subaccount(sandbox: RunningSandbox, api: httpx.Client) -> None:
    offer = first_for_sale(api, "NL")
    response = api.post("/number/buy", data={"country": "NL", "msisdn": offer["msisdn"], "target_api_key": "zzzz9999"})
    assert response.status_code == 403
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        upward = sub.post(
            "/number/buy", data={"country": "NL", "msisdn": offer["msisdn"], "target_api_key": DEMO_API_KEY}
        )
    assert upward.status_code == 403


def test_cancel_puts_the_number_back_on_sale_and_out_of_pools(api: httpx.Client, sandbox: RunningSandbox) -> None:
    account = sandbox.state.accounts[DEMO_API_KEY]
    assert "447700900001" in account.pools["demo-pool"].numbers
    response = api.post("/number/cancel", data={"country": "GB", "msisdn": "447700900001"})
    assert response.status_code == 200 and response.json() == SUCCESS
    assert "447700900001" not in account.owned
    assert "447700900001" not in account.pools["demo-pool"].numbers
    assert owned(api)["count"] == 5
    back = search(api, country="GB", pattern="447700900001")
    assert back["count"] == 1 and back["numbers"][0]["initialPrice"] == "1.25"


def test_cancel_a_number_not_owned_is_420(api: httpx.Client) -> None:
    offer = first_for_sale(api, "GB")
    response = api.post("/number/cancel", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert response.status_code == 420
    assert "not owned" in response.json()["error-code-label"]
    wrong_country = api.post("/number/cancel", data={"country": "FR", "msisdn": "447700900001"})
    assert wrong_country.status_code == 420


# -- update -------------------------------------------------------------------------------------------------


def test_update_replaces_the_configuration(api: httpx.Client, sandbox: RunningSandbox) -> None:
    response = api.post(
        "/number/update",
        data={"country": "GB", "msisdn": "447700900001", "moHttpUrl": "https://example.org/sms"},
    )
    assert response.status_code == 200 and response.json() == SUCCESS
    record = sandbox.state.accounts[DEMO_API_KEY].owned["447700900001"]
    assert record["moHttpUrl"] == "https://example.org/sms"
    for cleared in ("app_id", "voiceCallbackType", "voiceCallbackValue", "messagesCallbackType"):
        assert cleared not in record
    assert record["features"] and record["type"] == "mobile-lvn"
    assert owned(api, has_application="true")["count"] == 1


def test_update_every_field_round_trips(api: httpx.Client) -> None:
    fields = {
        "country": "DE",
        "msisdn": "49301234567",
        "moHttpUrl": "https://example.org/in",
        "moSmppSysType": "inbound",
        "voiceCallbackType": "tel",
        "voiceCallbackValue": "447700900123",
        "voiceStatusCallback": "https://example.org/status",
        "messagesCallbackType": "app",
        "messagesCallbackValue": APP_MARKETING,
        "app_id": APP_SUPPORT,
    }
    assert api.post("/number/update", data=fields).status_code == 200
    number = owned(api, pattern="49301234567")["numbers"][0]
    assert {k: number[k] for k in fields} == fields


def test_update_app_id_links_both_channels(api: httpx.Client) -> None:
    response = api.post("/number/update", data={"country": "FR", "msisdn": "33770012345", "app_id": APP_MARKETING})
    assert response.status_code == 200
    linked = owned(api, application_id=APP_MARKETING)
    assert {n["msisdn"] for n in linked["numbers"]} == {"13177001234", "33770012345"}
    number = next(n for n in linked["numbers"] if n["msisdn"] == "33770012345")
    assert number["voiceCallbackType"] == "app" and number["voiceCallbackValue"] == APP_MARKETING
    assert "moHttpUrl" not in number


@pytest.mark.parametrize(
    "extra",
    [
        {"voiceCallbackType": "tel"},
        {"voiceCallbackValue": "447700900123"},
        {"voiceCallbackType": "fax", "voiceCallbackValue": "447700900123"},
        {"voiceCallbackType": "tel", "voiceCallbackValue": "not-a-number"},
        {"voiceCallbackType": "sip", "voiceCallbackValue": "example.com"},
        {"messagesCallbackType": "app"},
        {"app_id": "not-a-uuid"},
        {"moHttpUrl": "ftp://example.com/x"},
        {"voiceStatusCallback": "example.com/status"},
    ],
)
def test_update_rejects_invalid_fields_with_400_and_changes_nothing(
    api: httpx.Client, sandbox: RunningSandbox, extra: dict
) -> None:
    before = dict(sandbox.state.accounts[DEMO_API_KEY].owned["447700900001"])
    response = api.post("/number/update", data={"country": "GB", "msisdn": "447700900001", **extra})
    assert response.status_code == 400
    assert response.json()["error-code"] == "400"
    assert sandbox.state.accounts[DEMO_API_KEY].owned["447700900001"] == before


def test_update_a_number_not_owned_is_420(api: httpx.Client) -> None:
    offer = first_for_sale(api, "GB")
    response = api.post("/number/update", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert response.status_code == 420
    assert api.post("/number/update", data={"msisdn": "447700900001"}).status_code == 400
