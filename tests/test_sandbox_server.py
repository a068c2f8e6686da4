"""Running the sandbox: HTTPS, start/stop speed, the CLI server, seeding speed and big-inventory paging."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from tui.sandbox import inventory
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.number_queries import OwnedFilter
from tui.sandbox.server import RunningSandbox, banner, start_sandbox
from tui.sandbox.state import SandboxState

TLS = ssl.create_default_context()
"""Built once: httpx would load the CA bundle for every client (slow), though most tests speak plain HTTP."""
DEMO = (DEMO_API_KEY, DEMO_API_SECRET)


def connect(sandbox: RunningSandbox, verify: ssl.SSLContext = TLS) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=DEMO, verify=verify, timeout=10)


# -- serving ------------------------------------------------------------------------------------------------


def test_fixture_serves_both_hosts_on_loopback(sandbox: RunningSandbox) -> None:
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
    assert sandbox.config.seed == 7
    with connect(sandbox) as api:
        assert api.get("/account/numbers").status_code == 200
        assert api.get(f"/accounts/{DEMO_API_KEY}/secrets").status_code == 200


def test_https_with_a_trusted_certificate(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    with start_sandbox(certfile=str(certfile), keyfile=str(keyfile)) as sandbox:
        assert sandbox.url.startswith("https://127.0.0.1:")
        with connect(sandbox, trusted) as api:
            assert api.get("/account/get-balance").json()["value"] == 24.50
        with pytest.raises(httpx.ConnectError), connect(sandbox, ssl.create_default_context()) as untrusted:
            untrusted.get("/account/get-balance")


def test_starting_and_stopping_again_and_again_serves_each_time() -> None:
    for _ in range(5):
        with start_sandbox() as sandbox, connect(sandbox) as api:
            assert api.get("/account/get-balance").status_code == 200


def test_stop_closes_the_port() -> None:
    with start_sandbox() as sandbox:
        port = sandbox.port
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_a_busy_port_is_an_error() -> None:
    with start_sandbox() as sandbox, pytest.raises(OSError), start_sandbox(port=sandbox.port):
        pass


def test_serve_prints_urls_and_demo_credentials_then_serves() -> None:
    code = "from tui.sandbox.server import serve; serve(port=0)"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Vonage sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        lines = [process.stdout.readline() for _ in range(6)]
        assert any(DEMO_API_KEY in line for line in lines) and any(DEMO_API_SECRET in line for line in lines)
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"{url}/account/get-balance", auth=DEMO, verify=TLS, timeout=2)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_banner_names_the_credentials() -> None:
    text = banner("http://127.0.0.1:8080")
    assert "http://127.0.0.1:8080" in text and DEMO_API_KEY in text and DEMO_API_SECRET in text


# -- inventory ----------------------------------------------------------------------------------------------


def test_inventory_is_deterministic_from_the_seed() -> None:
    assert inventory.generate_available(7) == inventory.generate_available(7)
    assert set(inventory.generate_available(7)) != set(inventory.generate_available(8))
    assert len(inventory.COUNTRIES) >= 10
    assert inventory.DEMO_RESERVED.isdisjoint(inventory.generate_available(7))


def test_seeding_100k_owned_numbers_gives_a_realistic_inventory() -> None:
    """(How long seeding takes is a benchmark's business, not a test's: timed asserts fail on a busy machine.)"""
    state = SandboxState(SandboxConfig(owned_count=100_000))
    owned = state.accounts[DEMO_API_KEY].owned
    assert len(owned) == 100_000
    assert owned.keys().isdisjoint(state.available)
    linked = sum(1 for record in owned.values() if record.get("app_id"))
    assert 15_000 < linked < 25_000
    assert {record["country"] for record in owned.values()} >= {"GB", "US", "DE", "FR", "AU", "CA"}


def test_owned_views_are_cached_until_the_numbers_change() -> None:
    state = SandboxState(SandboxConfig(owned_count=1_000))
    account = state.accounts[DEMO_API_KEY]
    assert account.owned_view(None, None) is account.owned_view(None, None)
    gb = OwnedFilter(country="GB")
    first = account.owned_view(gb, gb.predicate())
    assert first is account.owned_view(gb, gb.predicate())
    offer = next(r for r in state.available.values() if r["country"] == "GB")
    account.owned[offer["msisdn"]] = dict(offer)
    refreshed = account.owned_view(gb, gb.predicate())
    assert refreshed is not first and len(refreshed) == len(first) + 1


@pytest.fixture(scope="module")
def big() -> Iterator[RunningSandbox]:
    """One 100,000-number sandbox shared by the read-only tests below."""
    with start_sandbox(SandboxConfig(owned_count=100_000)) as running:
        yield running


def test_a_thousand_pages_over_100k_numbers(big: RunningSandbox) -> None:
    """Deep pages answer right: 1,000 requests spread over all 10,000 pages of ten (their cost: the bench)."""
    expected = sorted(big.state.accounts[DEMO_API_KEY].owned)
    assert len(expected) == len(set(expected)) == 100_000
    with connect(big) as api:
        for index in range(1, 10_001, 10):
            body = api.get("/account/numbers", params={"size": 10, "index": index}).json()
            assert body["count"] == 100_000
            assert [n["msisdn"] for n in body["numbers"]] == expected[(index - 1) * 10 : index * 10]
        last = api.get("/account/numbers", params={"size": 100, "index": 1000}).json()
        assert [n["msisdn"] for n in last["numbers"]] == expected[-100:]
        assert api.get("/account/numbers", params={"size": 100, "index": 1001}).json() == {}


def test_filtered_paging_over_100k_numbers(big: RunningSandbox) -> None:
    with connect(big) as api:
        gb = api.get("/account/numbers", params={"country": "GB", "size": 100}).json()
        assert 5_000 < gb["count"] < 15_000
        assert all(n["country"] == "GB" for n in gb["numbers"])
        again = api.get("/account/numbers", params={"country": "GB", "size": 100, "index": 2}).json()
        assert again["count"] == gb["count"] and again["numbers"][0]["msisdn"] > gb["numbers"][-1]["msisdn"]
        contains = api.get("/account/numbers", params={"pattern": "7700", "search_pattern": 1}).json()
        assert contains["count"] > 1_000
        linked = api.get("/account/numbers", params={"has_application": "true", "size": 100}).json()
        assert all(n.get("app_id") for n in linked["numbers"])
