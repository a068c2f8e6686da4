"""Many pages: every owned number arrives exactly once, in server page order, paced at the account's limit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import tui.sandbox.routes_account as routes_account
from test_cli_support import SECRETS, cli_env, csv_out, hosts, json_out, run_cli
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY
from tui.sandbox.server import RunningSandbox, start_sandbox

OWNED = 3_000  # 30 pages of 100


@pytest.fixture
def big_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(seed=7, owned_count=OWNED)) as running:
        yield running


def _owned_sorted(sandbox: RunningSandbox) -> list[str]:
    return sorted(sandbox.state.accounts[DEMO_API_KEY].owned)


def _page_requests(sandbox: RunningSandbox) -> int:
    return sandbox.state.status_counts[200] - 1  # minus the settings request


def test_every_page_arrives_once_in_page_order_json(big_sandbox: RunningSandbox) -> None:
    big_sandbox.state.reset_counters()
    records = json_out(run_cli("numbers", "-o", "json", *hosts(big_sandbox.url)))
    msisdns = [r["msisdn"] for r in records]
    assert len(msisdns) == OWNED == len(set(msisdns))
    assert msisdns == _owned_sorted(big_sandbox)
    assert _page_requests(big_sandbox) == OWNED // 100  # one request per page: none fetched twice


def test_every_page_arrives_once_csv(big_sandbox: RunningSandbox) -> None:
    header, rows = csv_out(run_cli("numbers", "-o", "csv", *hosts(big_sandbox.url)))
    assert header[0] == "msisdn"
    assert [row[0] for row in rows] == _owned_sorted(big_sandbox)


def test_pages_survive_injected_faults_in_order(big_sandbox: RunningSandbox) -> None:
    """503s, 429s and dropped connections on ~30% of requests: retried pages still land in place."""
    big_sandbox.config.fault_5xx = 0.1
    big_sandbox.config.fault_429 = 0.1
    big_sandbox.config.fault_drop = 0.1
    done = run_cli("numbers", "-o", "json", *hosts(big_sandbox.url))
    assert [r["msisdn"] for r in json_out(done)] == _owned_sorted(big_sandbox)
    faults = sum(n for status, n in big_sandbox.state.status_counts.items() if status >= 429)
    assert faults + big_sandbox.state.dropped > 0  # the faults really happened


def test_paced_at_the_accounts_own_limit(big_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The account reports 10 calls/s and the sandbox enforces 10/s: pacing at what the settings say
    gives no 429 (the client's default of 25/s would burst 12 requests into a bucket of 10)."""
    monkeypatch.setattr(routes_account, "MAX_PER_SECOND", 10)
    big_sandbox.config.rate_limit = 10
    done = run_cli("numbers", "-o", "json", *hosts(big_sandbox.url))
    assert [r["msisdn"] for r in json_out(done)] == _owned_sorted(big_sandbox)
    assert big_sandbox.state.status_counts[429] == 0


def test_a_closed_pipe_ends_quietly(big_sandbox: RunningSandbox) -> None:
    """`vonage-tui numbers -o csv | head -1`: the reader leaves early; no traceback, exit 0."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "numbers", "-o", "csv", *hosts(big_sandbox.url)],
        env=cli_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # 300 KB of CSV do not fit in the pipe: the writer must hit the closed end
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b"msisdn,")
    assert err == ""
    assert not any(secret in err for secret in SECRETS)
