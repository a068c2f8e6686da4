"""A server that lies, drips, crashes and answers garbage: each fault mode, armed per path or by share.

Every after-commit mode keeps the change (the number is bought and paid for) and spoils only the answer;
the tests prove both halves over real loopback HTTP.
"""

from __future__ import annotations

import json
import ssl
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.config import AFTER_PROCESSING, FAULT_MODES, SandboxConfig
from tui.sandbox.fault_plan import ArmedFaults
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_POOL_ID
from tui.sandbox.server import RunningSandbox, start_sandbox

TLS = ssl.create_default_context()
DEMO = (DEMO_API_KEY, DEMO_API_SECRET)
BUY = "/number/buy"


def connect(sandbox: RunningSandbox, timeout: float = 10) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=DEMO, verify=TLS, timeout=timeout)


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox) as client:
        yield client


def offer(sandbox: RunningSandbox, country: str = "GB") -> dict:
    return next(r for r in sandbox.state.available.values() if r["country"] == country)


def buy(api: httpx.Client, number: dict) -> httpx.Response:
    return api.post(BUY, data={"country": number["country"], "msisdn": number["msisdn"]})


def assert_bought(sandbox: RunningSandbox, number: dict) -> None:
    master = sandbox.state.accounts[DEMO_API_KEY]
    assert number["msisdn"] in master.owned
    assert [p["msisdn"] for p in sandbox.state.purchases] == [number["msisdn"]]
    assert master.balance == pytest.approx(24.50 - float(number["initialPrice"]))


# -- arming -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mode", "times", "message"),
    [
        (BUY, "explode", 1, "unknown fault mode"),
        ("number/buy", "drip", 1, "starting with '/'"),
        ("/number/buy?x=1", "drip", 1, "without a query"),
        (BUY, "drip", 0, "times must be"),
        (BUY, "drip", True, "times must be"),
    ],
)
def test_arm_refuses_what_it_cannot_do(path: str, mode: str, times: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ArmedFaults().arm(path, mode, times=times)


def test_arming_hits_the_next_n_requests_to_that_path_and_method_only(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    faults = sandbox.state.faults
    faults.arm("/account/get-balance", "garbage-after-commit", times=2)
    faults.arm("/account/settings", "5xx", method="POST")
    assert api.get("/account/numbers").status_code == 200
    garbled = [api.get("/account/get-balance") for _ in range(3)]
    assert [r.content.startswith(b"<html>") for r in garbled] == [True, True, False]
    assert api.get("/account/settings").status_code == 405  # a GET does not take the POST's fault
    assert api.post("/account/settings").status_code == 503
    assert api.post("/account/settings").status_code == 200
    assert faults.pending() == []
    assert sandbox.state.fault_counts == {"garbage-after-commit": 2, "5xx": 1}


def test_armed_faults_are_first_armed_first_served_and_can_be_disarmed(sandbox: RunningSandbox) -> None:
    faults = sandbox.state.faults
    faults.arm(BUY, "drip", times=2)
    faults.arm(BUY, "huge")
    faults.arm("/account/get-balance", "429", times=5)
    assert [(a.mode, a.remaining) for a in faults.pending(BUY)] == [("drip", 2), ("huge", 1)]
    assert faults.take(BUY, "POST") == "drip"
    assert faults.disarm(BUY) == 2
    assert [a.path for a in faults.pending()] == ["/account/get-balance"]
    assert faults.disarm() == 5 and faults.take("/account/get-balance", "GET") is None


def test_an_armed_fault_does_not_shift_the_seeded_dice() -> None:
    def balance_statuses(arm_elsewhere: bool) -> list[int]:
        with start_sandbox(SandboxConfig(seed=5, fault_5xx=0.4)) as sandbox, connect(sandbox) as api:
            codes = []
            for i in range(30):
                if arm_elsewhere and i % 3 == 0:
                    sandbox.state.faults.arm("/account/numbers", "garbage-after-commit")
                    assert api.get("/account/numbers").content.startswith(b"<html>")
                codes.append(api.get("/account/get-balance").status_code)
            return codes

    plain = balance_statuses(False)
    assert 200 in plain and 503 in plain
    assert balance_statuses(True) == plain


def test_drop_next_response_after_commit_is_an_armed_drop(sandbox: RunningSandbox) -> None:
    sandbox.state.drop_next_response_after_commit(BUY)
    assert [(a.path, a.mode, a.remaining) for a in sandbox.state.faults.pending()] == [(BUY, "drop-after-commit", 1)]


# -- each mode ----------------------------------------------------------------------------------------------


def test_corrupt_after_commit_applies_the_change_then_sends_a_broken_gzip_stream(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "corrupt-after-commit")
    with pytest.raises(httpx.DecodingError):
        buy(api, number)
    assert_bought(sandbox, number)
    sandbox.state.faults.arm(BUY, "corrupt-after-commit")
    with api.stream("POST", BUY, data={"country": "GB", "msisdn": number["msisdn"]}) as raw:
        assert raw.status_code == 420  # the true status of the retry: already owned
        assert raw.headers["content-encoding"] == "gzip"
        body = b"".join(raw.iter_raw())
    assert body.startswith(b"\x1f\x8b") and len(body) == int(raw.headers["content-length"])


def test_corrupt_after_commit_spoils_a_bodyless_answer_too(api: httpx.Client, sandbox: RunningSandbox) -> None:
    path = f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools/{DEMO_POOL_ID}/numbers/447700900001"
    sandbox.state.faults.arm(path, "corrupt-after-commit")
    with pytest.raises(httpx.DecodingError):
        api.delete(path)
    assert "447700900001" not in sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers


def test_garbage_after_commit_answers_200_with_a_body_that_is_not_json(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "garbage-after-commit")
    response = buy(api, number)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert_bought(sandbox, number)


def test_drip_sends_the_head_at_once_then_one_byte_at_a_time(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.drip_interval = 30.0
    sandbox.state.faults.arm("/account/get-balance", "drip")
    with api.stream("GET", "/account/get-balance") as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(b'{"value":24.5,"autoReload":true}')
        first = next(response.iter_raw())
    assert first == b"{"  # the next byte is half a minute away: the client leaves, and the drip stops
    assert api.get("/account/get-balance").json()["value"] == 24.5  # the abandoned drip holds nothing up


def test_drip_delivers_the_true_answer_and_keeps_the_change(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.drip_interval = 0.0
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "drip")
    response = buy(api, number)
    assert response.json() == {"error-code": "200", "error-code-label": "success"}
    assert_bought(sandbox, number)
    assert sandbox.state.fault_counts["drip"] == 1


def test_a_drip_slower_than_the_clients_read_timeout_times_out_after_the_change(sandbox: RunningSandbox) -> None:
    sandbox.state.config.drip_interval = 5.0
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "drip")
    with connect(sandbox, timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        buy(impatient, number)
    assert_bought(sandbox, number)


def test_huge_streams_valid_json_of_the_configured_size(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.huge_bytes = 3 * 1024 * 1024 + 7
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "huge")
    response = buy(api, number)
    assert response.status_code == 200 and len(response.content) == 3 * 1024 * 1024 + 7
    assert response.json()["count"] == 0
    assert_bought(sandbox, number)


def test_huge_by_default_promises_300_mib_and_is_never_built_in_memory(
    api: httpx.Client, sandbox: RunningSandbox
) -> None:
    sandbox.state.faults.arm("/account/numbers", "huge")
    tracemalloc.start()
    try:
        with api.stream("GET", "/account/numbers") as response:
            assert int(response.headers["content-length"]) == 300 * 1024 * 1024
            received = 0
            for chunk in response.iter_raw():
                received += len(chunk)
                if received >= 40 * 1024 * 1024:
                    break
        peak = tracemalloc.get_traced_memory()[1]
        print(f"traced peak while 40 MiB of a huge answer went through: {peak / 2**20:.1f} MiB")
    finally:
        tracemalloc.stop()
    assert received >= 40 * 1024 * 1024
    assert peak < 16 * 1024 * 1024, peak  # both ends together, while 40 MiB went through
    assert api.get("/account/get-balance").status_code == 200


def test_huge_without_a_size_never_ends(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.huge_bytes = None
    sandbox.state.faults.arm("/account/get-balance", "huge")
    with api.stream("GET", "/account/get-balance") as response:
        assert "content-length" not in response.headers
        assert response.headers["transfer-encoding"] == "chunked"
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 8 * 1024 * 1024:
                break
    assert received > 8 * 1024 * 1024
    assert api.get("/account/get-balance").status_code == 200


def test_slow_headers_say_nothing_until_the_delay_is_over(sandbox: RunningSandbox) -> None:
    sandbox.state.config.slow_headers_delay = 30.0
    number = offer(sandbox)
    sandbox.state.faults.arm(BUY, "slow-headers")
    with connect(sandbox, timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        buy(impatient, number)
    assert_bought(sandbox, number)  # the change was made before the silence
    sandbox.state.config.slow_headers_delay = 0.0
    sandbox.state.faults.arm("/account/get-balance", "slow-headers")
    with connect(sandbox) as patient:
        assert patient.get("/account/get-balance").status_code == 200
    assert sandbox.state.fault_counts["slow-headers"] == 2


@pytest.mark.parametrize("mode", AFTER_PROCESSING)
def test_every_after_commit_mode_keeps_the_change(mode: str) -> None:
    config = SandboxConfig(seed=7, drip_interval=0.0, slow_headers_delay=0.0, huge_bytes=4096)
    with start_sandbox(config) as sandbox, connect(sandbox) as api:
        number = offer(sandbox, "DE")
        sandbox.state.faults.arm(BUY, mode)
        try:
            buy(api, number)
        except (httpx.RemoteProtocolError, httpx.DecodingError):
            pass  # the answer is lost or unreadable: that is the fault
        assert_bought(sandbox, number)
        assert sandbox.state.fault_counts == {mode: 1}


@pytest.mark.parametrize("mode", ["drop", "429", "5xx"])
def test_every_before_processing_mode_changes_nothing(mode: str) -> None:
    with start_sandbox(SandboxConfig(seed=7)) as sandbox, connect(sandbox) as api:
        number = offer(sandbox)
        sandbox.state.faults.arm(BUY, mode)
        try:
            assert buy(api, number).status_code in (429, 503)
        except httpx.RemoteProtocolError:
            assert mode == "drop"
        assert sandbox.state.purchases == [] and number["msisdn"] in sandbox.state.available


# -- by share -----------------------------------------------------------------------------------------------


def test_each_mode_can_strike_every_request_by_share() -> None:
    config = SandboxConfig(seed=7, fault_garbage_after_commit=1.0)
    with start_sandbox(config) as sandbox, connect(sandbox) as api:
        assert all(api.get("/account/get-balance").content.startswith(b"<html>") for _ in range(5))
        sandbox.state.config.fault_garbage_after_commit = 0.0
        sandbox.state.config.fault_corrupt_after_commit = 1.0
        with pytest.raises(httpx.DecodingError):
            api.get("/account/get-balance")
        assert sandbox.state.fault_counts == {"garbage-after-commit": 5, "corrupt-after-commit": 1}


def test_mixed_shares_are_reproducible_from_the_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        config = SandboxConfig(
            seed=seed,
            fault_drop_after_commit=0.1,
            fault_corrupt_after_commit=0.1,
            fault_garbage_after_commit=0.1,
            fault_5xx=0.1,
        )
        seen = []
        with start_sandbox(config) as sandbox, connect(sandbox) as api:
            for _ in range(60):
                try:
                    response = api.get("/account/get-balance")
                    seen.append("garbage" if response.content.startswith(b"<") else str(response.status_code))
                except httpx.HTTPError as exc:
                    seen.append(type(exc).__name__)
        return seen

    first = outcomes(3)
    assert first == outcomes(3)
    assert {"200", "garbage", "RemoteProtocolError", "DecodingError"} <= set(first)


def test_every_mode_has_a_share_field_and_the_shares_are_validated() -> None:
    for mode in FAULT_MODES:
        assert SandboxConfig().share(mode) == 0.0
    with pytest.raises(ValueError, match="fault_drip"):
        SandboxConfig(fault_drip=-0.1)
    with pytest.raises(ValueError, match="add up to at most 1"):
        SandboxConfig(fault_huge=0.6, fault_slow_headers=0.6)
