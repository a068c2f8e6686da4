"""`vonage-tui <screen> -o json|csv` against a real sandbox, compared with the sandbox's own state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from test_cli_support import cli_env, csv_out, error_lines, hosts, json_out, run_cli
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import APP_SUPPORT, DEMO_API_KEY, DEMO_API_SECRET, DEMO_POOL_ID
from tui.sandbox.state import SandboxState

OWNED_COLUMNS = [
    "msisdn", "country", "type", "features", "app_id", "moHttpUrl", "moSmppSysType", "messagesCallbackType",
    "messagesCallbackValue", "voiceCallbackType", "voiceCallbackValue", "voiceStatusCallback", "limitations",
]


def _set(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its empty fields: the output spells absent as null or [], the sandbox leaves it out."""
    return {k: v for k, v in record.items() if v not in (None, [], "")}


def _owned(sandbox: Any) -> dict[str, dict]:
    return sandbox.state.accounts[DEMO_API_KEY].owned


def test_numbers_json_is_every_owned_number_in_wire_form(sandbox: Any) -> None:
    done = run_cli("numbers", "-o", "json", *hosts(sandbox.url))
    records = json_out(done)
    owned = _owned(sandbox)
    assert [r["msisdn"] for r in records] == sorted(owned)  # all of them, in the server's page order
    for record in records:
        assert set(OWNED_COLUMNS) <= set(record)  # wire names: moHttpUrl, voiceCallbackType, app_id…
        assert _set(record) == _set(owned[record["msisdn"]])
    assert any(r["limitations"] for r in records) and any(r["app_id"] for r in records)
    assert done.stderr == ""  # no progress when stderr is not a terminal


def test_numbers_csv_has_a_header_then_one_row_per_number(sandbox: Any) -> None:
    header, rows = csv_out(run_cli("numbers", "-o", "csv", *hosts(sandbox.url)))
    assert header == OWNED_COLUMNS
    owned = _owned(sandbox)
    assert [row[0] for row in rows] == sorted(owned)
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        record = owned[cells["msisdn"]]
        assert cells["features"].split(",") == record["features"]
        assert cells["country"] == record["country"] and cells["type"] == record["type"]
        assert cells["app_id"] == record.get("app_id", "")
        assert cells["moHttpUrl"] == record.get("moHttpUrl", "")
        expected = "; ".join(f"{x['feature']}:{x['type']}:{x['reach']}" for x in record.get("limitations", []))
        assert cells["limitations"] == expected


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (["--country", "GB"], lambda r: r["country"] == "GB"),
        (["--country", "united kingdom"], lambda r: r["country"] == "GB"),
        (["--pattern", "7700", "--match", "contains"], lambda r: "7700" in r["msisdn"]),
        (["--pattern", "44", "--match", "start"], lambda r: r["msisdn"].startswith("44")),
        (["--pattern", "1234", "--match", "end"], lambda r: r["msisdn"].endswith("1234")),
        (["--application", APP_SUPPORT], lambda r: r.get("app_id") == APP_SUPPORT),
        (["--has-application", "no"], lambda r: not r.get("app_id")),
        # a number is looked for in the number only, as the screen's `/` filter does (not in a webhook's digits)
        (["--filter", "+44 7700 900"], lambda r: "447700900" in r["msisdn"]),
        (["--filter", "4477"], lambda r: "4477" in r["msisdn"]),
        (["--filter", "toll-free"], lambda r: r["type"] == "landline-toll-free"),
    ],
)
def test_numbers_filters_apply(sandbox: Any, args: list[str], keep: Any) -> None:
    records = json_out(run_cli("numbers", *args, "-o", "json", *hosts(sandbox.url)))
    expected = sorted(m for m, r in _owned(sandbox).items() if keep(r))
    assert expected, "the filter must select something for the test to mean anything"
    assert [r["msisdn"] for r in records] == expected
    assert len(expected) < len(_owned(sandbox)) or args[0] == "--has-application"


def test_search_json_pages_up_to_the_limit_with_prices(sandbox: Any) -> None:
    records = json_out(run_cli("search", "GB", "--limit", "150", "-o", "json", *hosts(sandbox.url)))
    on_sale = sorted(m for m, r in sandbox.state.available.items() if r["country"] == "GB")
    assert len(on_sale) > 150  # so the limit, not the stock, ends the listing, across two pages
    assert [r["msisdn"] for r in records] == on_sale[:150]
    for record in records:
        offer = sandbox.state.available[record["msisdn"]]
        assert Decimal(record["cost"]) == Decimal(offer["cost"])
        assert Decimal(record["initialPrice"]) == Decimal(offer["initialPrice"])
        assert record["type"] == offer["type"] and record["features"] == offer["features"]


def test_search_csv_with_filters_stops_at_the_stock(sandbox: Any) -> None:
    done = run_cli("search", "gb", "--type", "mobile-lvn", "--features", "sms", "--limit", "1000", "-o", "csv",
                   *hosts(sandbox.url))
    header, rows = csv_out(done)
    assert header == ["msisdn", "country", "type", "features", "cost", "initialPrice", "limitations"]
    expected = sorted(m for m, r in sandbox.state.available.items()
                      if r["country"] == "GB" and r["type"] == "mobile-lvn" and "SMS" in r["features"])
    assert [row[0] for row in rows] == expected
    assert {row[4] for row in rows} == {sandbox.state.available[m]["cost"] for m in expected}
    assert done.stderr == ""


def test_account_json_has_balance_auto_reload_and_settings(sandbox: Any) -> None:
    record = json_out(run_cli("account", "-o", "json", *hosts(sandbox.url)))
    account = sandbox.state.accounts[DEMO_API_KEY]
    assert record["api_key"] == DEMO_API_KEY
    assert record["balance"] == {"value": account.balance, "autoReload": account.auto_reload}
    assert record["settings"]["mo-callback-url"] == account.mo_callback_url
    assert record["settings"]["dr-callback-url"] == account.dr_callback_url
    assert record["settings"]["max-calls-per-second"] == 30


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_secrets_list_ids_and_dates_only(sandbox: Any, fmt: str) -> None:
    done = run_cli("secrets", "-o", fmt, *hosts(sandbox.url))  # run_cli: no secret value in any output
    expected = [{"id": s.id, "created_at": s.created_at} for s in sandbox.state.accounts[DEMO_API_KEY].secrets]
    if fmt == "json":
        assert json_out(done) == expected
    else:
        header, rows = csv_out(done)
        assert header == ["id", "created_at"]
        assert [dict(zip(header, row, strict=True)) for row in rows] == expected


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_pools_and_a_pools_numbers(sandbox: Any, fmt: str) -> None:
    pool = sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID]
    listing = run_cli("pools", "-o", fmt, *hosts(sandbox.url))
    members = run_cli("pools", DEMO_POOL_ID, "-o", fmt, *hosts(sandbox.url))
    expected_pool = {
        "pool_id": pool.pool_id, "account_id": pool.account_id, "fallback": pool.fallback,
        "localized_sender_preferred": pool.localized_sender_preferred,
        "predictable_sender_preferred": pool.predictable_sender_preferred,
    }
    if fmt == "json":
        assert json_out(listing) == [expected_pool]
        assert json_out(members) == [{"number": n} for n in pool.numbers]
    else:
        header, rows = csv_out(listing)
        assert dict(zip(header, rows[0], strict=True)) == {
            k: (str(v).lower() if isinstance(v, bool) else v) for k, v in expected_pool.items()
        }
        assert len(rows) == 1
        assert csv_out(members) == (["number"], [[n] for n in pool.numbers])


def test_an_unknown_pool_is_an_api_error(sandbox: Any) -> None:
    done = run_cli("pools", "no-such-pool", "-o", "json", *hosts(sandbox.url))
    assert done.returncode == 1 and done.stdout == ""
    assert len(error_lines(done)) == 1 and "no-such-pool" in done.stderr


def test_demo_numbers_json_uses_the_embedded_sandbox() -> None:
    done = run_cli("--demo", "numbers", "-o", "json", env=cli_env(key=None, secret=None))
    expected = SandboxState(SandboxConfig()).accounts[DEMO_API_KEY].owned
    assert [r["msisdn"] for r in json_out(done)] == sorted(expected)


def test_output_mode_never_imports_textual(sandbox: Any) -> None:
    done = run_cli("numbers", "-o", "json", *hosts(sandbox.url), python_flags=("-X", "importtime"))
    assert done.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "tui.scripting.run" in imported and "httpx" in imported  # the log is what we think it is
    assert not [m for m in imported if m == "textual" or m.startswith("textual.")]
    assert DEMO_API_SECRET not in done.stdout
