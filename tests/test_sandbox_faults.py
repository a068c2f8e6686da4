"""The sandbox's knobs over real loopback HTTP: rate limit, injected faults, drops, latency, counters."""

from __future__ import annotations

import logging
import ssl
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox

TLS = ssl.create_default_context()
"""Built once: httpx would load the CA bundle for every client (slow), though these tests speak plain HTTP."""
DEMO = (DEMO_API_KEY, DEMO_API_SECRET)


def connect(sandbox: RunningSandbox, auth: tuple[str, str] | None = DEMO) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=auth, verify=TLS, timeout=10)


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox) as client:
        yield client


def statuses(api: httpx.Client, count: int, path: str = "/account/get-balance") -> list[int]:
    return [api.get(path).status_code for _ in range(count)]


# -- rate limit ---------------------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.rate_limit = 5
    responses = [api.get("/account/numbers") for _ in range(12)]
    codes = [r.status_code for r in responses]
    assert codes[:5] == [200] * 5
    assert codes.count(429) >= 3
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    body = limited.json()
    assert {"type", "title", "detail", "instance"} <= body.keys()
    assert body["title"] == "Too many requests"
    assert body["type"].endswith("#throttled")
    assert 0 < body["retry_after"] <= 1
    time.sleep(body["retry_after"] + 0.05)
    assert api.get("/account/numbers").status_code == 200


def test_rate_limit_is_per_account(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.rate_limit = 2
    assert 429 in statuses(api, 6)
    with connect(sandbox, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET)) as sub:
        assert sub.get("/account/get-balance").status_code == 200


def test_rate_limit_applies_to_the_newer_apis_too(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.rate_limit = 1
    codes = statuses(api, 4, f"/accounts/{DEMO_API_KEY}/secrets")
    assert codes[0] == 200 and 429 in codes


def test_rate_limit_none_never_limits(api: httpx.Client) -> None:
    assert set(statuses(api, 50)) == {200}


# -- injected faults ----------------------------------------------------------------------------------------


def test_fault_shares_roughly_as_configured(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.fault_5xx = 0.25
    sandbox.state.config.fault_429 = 0.15
    counts = Counter(statuses(api, 400))
    server_errors = sum(n for code, n in counts.items() if code >= 500)
    assert set(counts) <= {200, 429, 502, 503, 504}
    assert 0.17 <= server_errors / 400 <= 0.33, counts
    assert 0.09 <= counts[429] / 400 <= 0.21, counts
    assert counts[503] > counts[502] and counts[503] > counts[504]
    assert sandbox.state.status_counts[200] == counts[200]


def test_injected_faults_carry_realistic_bodies(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.fault_5xx = 1.0
    seen = {r.status_code: r for r in (api.get("/account/get-balance") for _ in range(40))}
    assert seen[503].json()["title"] == "Service Unavailable"
    assert "<html>" in seen[502].text and seen[502].headers["content-type"].startswith("text/html")
    sandbox.state.config.fault_5xx = 0.0
    sandbox.state.config.fault_429 = 1.0
    throttled = api.get("/account/get-balance")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1" and throttled.json()["retry_after"] == pytest.approx(0.2)


def test_injected_faults_happen_before_processing(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = api.get("/number/search", params={"country": "GB", "size": 1}).json()["numbers"][0]
    sandbox.state.config.fault_5xx = 1.0
    assert api.post("/number/buy", data={"country": "GB", "msisdn": offer["msisdn"]}).status_code >= 500
    assert sandbox.state.purchases == []
    assert offer["msisdn"] in sandbox.state.available


def test_faults_are_reproducible_from_the_seed() -> None:
    def run(seed: int) -> list[int]:
        config = SandboxConfig(seed=seed, fault_5xx=0.3, fault_429=0.2)
        with start_sandbox(config) as sandbox, connect(sandbox) as api:
            return statuses(api, 60)

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_knobs_can_be_turned_at_runtime(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.fault_5xx = 1.0
    assert api.get("/account/get-balance").status_code >= 500
    sandbox.state.config.fault_5xx = 0.0
    assert api.get("/account/get-balance").status_code == 200


# -- dropped connections ------------------------------------------------------------------------------------


def test_fault_drop_makes_httpx_raise(
    api: httpx.Client, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sandbox.state.config.fault_drop = 1.0
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/account/numbers")
    offer = next(iter(sandbox.state.available.values()))
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/number/buy", data={"country": offer["country"], "msisdn": offer["msisdn"]})
    assert sandbox.state.purchases == []
    assert sandbox.state.dropped == 2
    sandbox.state.config.fault_drop = 0.0
    assert api.get("/account/numbers").status_code == 200
    assert not [r for r in caplog.records if "Exception in ASGI application" in r.getMessage()]


def test_a_dropped_post_always_surfaces_as_an_incomplete_answer(api: httpx.Client, sandbox: RunningSandbox) -> None:
    """The drop comes only once the whole request is read, so the server's close is a clean FIN.

    It used to come before the body was read: closing a socket with unread bytes sends a RST, and about one
    dropped POST in ten surfaced as ``httpx.ReadError`` (connection reset) instead of ``RemoteProtocolError``.
    """
    sandbox.state.config.fault_drop = 1.0
    offer = next(iter(sandbox.state.available.values()))
    for _ in range(100):
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/number/buy", data={"country": offer["country"], "msisdn": offer["msisdn"]})
    assert sandbox.state.dropped == 100 and sandbox.state.purchases == []


def test_fault_drop_share(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.fault_drop = 0.3
    dropped = 0
    for _ in range(100):
        try:
            api.get("/account/get-balance")
        except httpx.RemoteProtocolError:
            dropped += 1
    assert 15 <= dropped <= 45
    assert sandbox.state.dropped == dropped


def test_drop_after_commit_keeps_the_change_but_loses_the_answer(api: httpx.Client, sandbox: RunningSandbox) -> None:
    offer = api.get("/number/search", params={"country": "GB", "size": 1}).json()["numbers"][0]
    sandbox.state.drop_next_response_after_commit("/number/buy")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/number/buy", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert offer["msisdn"] in sandbox.state.accounts[DEMO_API_KEY].owned
    assert len(sandbox.state.purchases) == 1
    assert sandbox.state.accounts[DEMO_API_KEY].balance == pytest.approx(24.50 - float(offer["initialPrice"]))
    retry = api.post("/number/buy", data={"country": "GB", "msisdn": offer["msisdn"]})
    assert retry.status_code == 420
    assert "already own" in retry.json()["error-code-label"]


def test_drop_after_commit_works_for_bodyless_answers(api: httpx.Client, sandbox: RunningSandbox) -> None:
    path = f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools/demo-pool/numbers/447700900001"
    sandbox.state.drop_next_response_after_commit(path)
    with pytest.raises(httpx.RemoteProtocolError):
        api.delete(path)
    assert "447700900001" not in sandbox.state.accounts[DEMO_API_KEY].pools["demo-pool"].numbers


def test_drop_after_commit_only_hits_its_path_once(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.drop_next_response_after_commit("/account/get-balance")
    assert api.get("/account/numbers").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/account/get-balance")
    assert api.get("/account/get-balance").status_code == 200


# -- latency and counters -----------------------------------------------------------------------------------


def test_latency_delays_every_request(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.latency = 0.15
    started = time.perf_counter()
    assert api.get("/account/get-balance").status_code == 200
    assert time.perf_counter() - started >= 0.15


def test_counters(api: httpx.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    api.get("/account/get-balance")
    api.get("/account/numbers", params={"size": 500})
    api.get("/no/such/path")
    with connect(sandbox, None) as anonymous:
        anonymous.get("/account/get-balance")
    assert state.request_count == 4
    assert state.status_counts == Counter({200: 1, 400: 1, 404: 1, 401: 1})
    state.reset_counters()
    assert state.request_count == 0 and not state.status_counts


def test_unknown_paths_and_methods_answer_problems(api: httpx.Client) -> None:
    missing = api.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    wrong = api.delete("/account/get-balance")
    assert wrong.status_code == 405 and wrong.json()["title"] == "Method Not Allowed"
