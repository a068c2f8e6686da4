"""A write whose answer is lost: it happened once, it is reported once, and it is never repeated.

The sandbox performs the change and then cuts the connection (``drop_next_response_after_commit``): the
client sees an ambiguous NetworkError, Operations reads the account back and reports the truth, the
sandbox charged exactly once, and the journal holds one settled entry. Also: an entry a crash left
pending is reconciled when the app starts, and the same lost answer through the Search screen's buy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.api.client import VonageClient
from tui.api.errors import NetworkError
from tui.journal import DONE, FAILED, PENDING, UNKNOWN, Journal
from tui.operations import Operations
from tui.operations.numbers import _matches
from tui.sandbox.inventory import DEMO_API_KEY, SUBACCOUNT_API_KEY
from tui.sandbox.server import RunningSandbox


def _ops(client: VonageClient, path: Path) -> Operations:
    return Operations(lambda: client, Journal(path), "default")


async def _gb_offer(client: VonageClient) -> tuple[str, str]:
    page = await client.search_numbers(country="GB")
    number = page.numbers[0]
    return number.msisdn, str(number.initial_price)


def _entries_for(journal: Journal, msisdn: str):  # type: ignore[no-untyped-def]
    return [e for e in journal.entries() if e.target == msisdn]


async def test_lost_buy_answer_is_reconciled_and_charged_once(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path / "journal.jsonl")
    msisdn, price = await _gb_offer(client)
    balance_before = sandbox.state.accounts[DEMO_API_KEY].balance
    sandbox.state.drop_next_response_after_commit("/number/buy")

    outcome = await ops.buy("GB", msisdn, price=price)

    assert outcome.ok is True and outcome.reconciled is True and outcome.unknown is False
    assert "Bought" in outcome.message and "confirmed" in outcome.message
    assert sandbox.state.dropped == 1  # the answer really was lost
    charged = [p for p in sandbox.state.purchases if p["msisdn"] == msisdn]
    assert len(charged) == 1
    assert sandbox.state.accounts[DEMO_API_KEY].balance == pytest.approx(balance_before - float(price))
    entries = _entries_for(ops.journal, msisdn)  # type: ignore[arg-type]
    assert [(e.op, e.state, e.reconciled) for e in entries] == [("buy", DONE, True)]
    assert entries[0].price == price and entries[0].country == "GB" and entries[0].account == DEMO_API_KEY
    assert ops.journal.unfinished() == []  # type: ignore[union-attr]


async def test_lost_cancel_answer_is_reconciled(client: VonageClient, sandbox: RunningSandbox, tmp_path: Path) -> None:
    ops = _ops(client, tmp_path / "journal.jsonl")
    owned = [n async for page in client.iter_owned_numbers() for n in page]
    target = owned[-1]
    sandbox.state.drop_next_response_after_commit("/number/cancel")

    outcome = await ops.cancel(target.country, target.msisdn)

    assert outcome.ok is True and outcome.reconciled is True
    assert target.msisdn not in sandbox.state.accounts[DEMO_API_KEY].owned
    assert [c["msisdn"] for c in sandbox.state.cancellations] == [target.msisdn]
    entries = _entries_for(ops.journal, target.msisdn)  # type: ignore[arg-type]
    assert [(e.op, e.state, e.reconciled) for e in entries] == [("cancel", DONE, True)]


async def test_a_write_refused_before_processing_is_reported_as_not_done(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A 5xx on a buy is ambiguous: the account is read, shows no purchase, and the outcome says so."""
    ops = _ops(client, tmp_path / "journal.jsonl")
    msisdn, _ = await _gb_offer(client)
    real_buy = client.buy_number

    async def buy_refused_with_503(*args, **kwargs):  # type: ignore[no-untyped-def]
        sandbox.state.config.fault_5xx = 1.0  # only the POST meets the fault; the check reads normally
        try:
            return await real_buy(*args, **kwargs)
        finally:
            sandbox.state.config.fault_5xx = 0.0

    client.buy_number = buy_refused_with_503  # type: ignore[method-assign]
    outcome = await ops.buy("GB", msisdn)
    assert outcome.ok is False and outcome.reconciled is True and outcome.unknown is False
    assert "was not bought" in outcome.message
    assert sandbox.state.purchases == []
    assert [(e.state, e.reconciled) for e in _entries_for(ops.journal, msisdn)] == [(FAILED, True)]  # type: ignore[arg-type]


async def test_a_lost_answer_that_cannot_be_checked_is_unknown(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A subaccount's numbers cannot be listed with the master's credentials: never guess, say unknown."""
    ops = _ops(client, tmp_path / "journal.jsonl")
    msisdn, _ = await _gb_offer(client)
    sandbox.state.drop_next_response_after_commit("/number/buy")
    outcome = await ops.buy("GB", msisdn, target_api_key=SUBACCOUNT_API_KEY)
    assert outcome.ok is False and outcome.unknown is True and outcome.reconciled is False
    assert "cannot be listed" in outcome.message
    assert msisdn in sandbox.state.accounts[SUBACCOUNT_API_KEY].owned  # it did happen: "not bought" would be a lie
    (entry,) = _entries_for(ops.journal, msisdn)  # type: ignore[arg-type]
    assert entry.state == UNKNOWN and entry.details == {"target_api_key": SUBACCOUNT_API_KEY}
    # Start-up reconciliation cannot read it either: it says so once, and does not repeat it every start.
    reports = await ops.reconcile_unfinished()
    assert len(reports) == 1 and "check it by hand" in reports[0]
    assert await ops.reconcile_unfinished() == []


async def test_the_raw_client_reports_the_lost_answer_as_ambiguous(client: VonageClient, sandbox: RunningSandbox) -> None:
    """Without Operations, the client's error says the purchase may have happened (and it did)."""
    msisdn, _ = await _gb_offer(client)
    sandbox.state.drop_next_response_after_commit("/number/buy")
    with pytest.raises(NetworkError) as caught:
        await client.buy_number("GB", msisdn)
    assert caught.value.request_sent is True
    assert len(sandbox.state.purchases) == 1  # sent once, never retried


def test_update_check_accepts_callbacks_the_server_routes_to_the_linked_application() -> None:
    from tui.api.models import NumberUpdate, OwnedNumber

    app = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    update = NumberUpdate(country="GB", msisdn="447700900001", app_id=app, mo_http_url="https://example.com/in")
    wanted = update.model_dump(exclude={"country", "msisdn"})
    server_view = OwnedNumber.model_validate(
        {"msisdn": "447700900001", "country": "GB", "app_id": app, "moHttpUrl": "https://example.com/in",
         "voiceCallbackType": "app", "voiceCallbackValue": app,
         "messagesCallbackType": "app", "messagesCallbackValue": app}
    )
    assert _matches(server_view, wanted)
    assert not _matches(server_view.model_copy(update={"mo_http_url": "https://example.com/old"}), wanted)


# -- journal robustness ---------------------------------------------------------------------------


def test_a_torn_last_line_does_not_swallow_the_next_entry(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    first = journal.begin(profile="default", op="buy", target="447700900001")
    with journal.path.open("a", encoding="utf-8") as fh:  # a crash half-way through writing a line
        fh.write('{"kind":"end","id":"' + first[:4])
    second = journal.begin(profile="default", op="buy", target="447700900002")
    journal.end(second, DONE, "Bought")
    by_id = {e.id: e for e in journal.entries()}
    assert by_id[first].state == PENDING
    assert by_id[second].state == DONE


def test_odd_lines_are_skipped_not_fatal(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    good = journal.begin(profile="default", op="cancel", target="447700900003")
    for line in ['{"kind":"begin"}', '{"kind":"begin","id":[1]}', "[1,2]", "null", '{"kind":"end","id":7}',
                 '{"kind":"begin","id":"x1","details":"nope","ts":"soon","target":5}',
                 '{"kind":"end","id":"x1","state":"weird"}']:
        with journal.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    entries = {e.id: e for e in journal.entries()}
    assert set(entries) == {good, "x1"}
    assert entries["x1"].details == {} and entries["x1"].ts == 0.0 and entries["x1"].target == ""
    assert entries["x1"].state == UNKNOWN


# -- crash mid-purchase: start-up reconciliation ------------------------------------------------------


def _notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_a_purchase_interrupted_by_a_crash_is_reconciled_at_start_up(
    make_app, client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "crash" / "journal.jsonl"
    journal = Journal(path)
    bought, _ = await _gb_offer(client)
    page = await client.search_numbers(country="GB")
    not_bought = next(n.msisdn for n in page.numbers if n.msisdn != bought)
    # The app wrote "begin", sent the buy, and died before it could write the outcome.
    done_id = journal.begin(profile="default", op="buy", target=bought, country="GB", price="1.25")
    await client.buy_number("GB", bought)
    # ...and another whose request never left the machine.
    lost_id = journal.begin(profile="default", op="buy", target=not_bought, country="GB")
    # An entry of another profile is not this account's business.
    other_id = journal.begin(profile="elsewhere", op="buy", target=not_bought, country="GB")
    # Nor is one made under the same profile name with another account's key.
    foreign_id = journal.begin(profile="default", op="buy", target=not_bought, country="GB", account="zz999999")
    charged_before = len(sandbox.state.purchases)

    app = make_app(journal_path=str(path))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = _notes(app)

    states = {e.id: (e.state, e.reconciled) for e in journal.entries()}
    assert states[done_id] == (DONE, True)
    assert states[lost_id] == (FAILED, True)
    assert states[other_id] == (PENDING, False)
    assert states[foreign_id] == (PENDING, False)
    assert any(bought in n and "happened" in n and "did not" not in n for n in notes), notes
    assert any(not_bought in n and "did not happen" in n for n in notes), notes
    assert len(sandbox.state.purchases) == charged_before == 1  # reconciling reads, it never re-buys
    # The journal file is private and holds no credentials.
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    for line in path.read_text().splitlines():
        record = json.loads(line)
        assert "secret" not in json.dumps(record).lower()


# -- through the UI: Search & buy with the buy's answer lost ------------------------------------------


async def _until(pilot, condition, tries: int = 200) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


async def test_buying_from_the_search_screen_with_the_answer_lost(
    make_app, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    from tui.screens.search import SearchScreen
    from tui.widgets.confirm import ConfirmDialog
    from tui.widgets.fast_table import FastTable

    buy_key = next(b.key for b in SearchScreen.BINDINGS if b.action == "buy")
    path = tmp_path / "ui" / "journal.jsonl"
    app = make_app(initial_screen="search", screen_args={"country": "GB"}, journal_path=str(path))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#search-results", FastTable)
        msisdn = table.cursor_key
        assert isinstance(msisdn, str) and msisdn in sandbox.state.available
        table.focus()
        sandbox.state.drop_next_response_after_commit("/number/buy")
        await pilot.press(buy_key)
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert _digits(msisdn) in _digits(str(app.screen.query_one("#confirm-title").render()))
        await pilot.press("right")  # "No" is focused: move to "Buy"
        await pilot.press("enter")
        await _until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [(str(n.title), str(n.message)) for n in app._notifications]
        in_store = msisdn in app.session.account.owned.by_msisdn
        still_listed = table.has_key(msisdn) if hasattr(table, "has_key") else None

    # The sandbox charged exactly once, and the answer really was lost.
    assert [p["msisdn"] for p in sandbox.state.purchases] == [msisdn]
    assert sandbox.state.dropped == 1
    assert msisdn in sandbox.state.accounts[DEMO_API_KEY].owned
    # The app says "bought" exactly once, says the answer was lost, and nothing says "not bought".
    about = [(t, m) for t, m in notes if _digits(msisdn) in _digits(t + m)]
    bought = [(t, m) for t, m in about if t == "Purchase" and m.startswith("Bought")]
    assert len(bought) == 1, notes
    assert "answer was lost" in bought[0][1]
    assert not [n for n in about if "not bought" in (n[0] + n[1]).lower() or "unknown" in n[0].lower()], notes
    assert in_store
    assert still_listed in (False, None)
    journal = Journal(path)
    assert [(e.op, e.target, e.state, e.reconciled) for e in journal.entries()] == [("buy", msisdn, DONE, True)]
