"""The journal tells the truth when a change is cut off, when two instances share it, and for updates that
remove a setting: each test here failed before its fix (a hostile review's scripts, kept as tests).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from tui.api.client import VonageClient
from tui.journal import DONE, FAILED, OWNER, PENDING, UNKNOWN, Journal, owner_running
from tui.operations import Operations
from tui.owned import OwnedRecord
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_TRX
from tui.sandbox.server import RunningSandbox


def _ops(client: VonageClient, path: Path) -> Operations:
    return Operations(lambda: client, Journal(path / "journal.jsonl"), "default")


async def _cut_off(coro, started: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    """Run ``coro`` and cancel it once ``started`` is set (the request is out, its answer not yet in)."""
    task = asyncio.ensure_future(coro)
    await started.wait()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def test_a_top_up_cut_off_mid_request_is_unknown_and_blocks_the_next_one(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path)
    real, out = client.top_up, asyncio.Event()

    async def slow_top_up(trx: str):  # type: ignore[no-untyped-def]
        result = await real(trx)  # the payment is made...
        out.set()
        await asyncio.sleep(3600)  # ...and its answer never comes before the user leaves
        return result

    client.top_up = slow_top_up  # type: ignore[method-assign]
    await _cut_off(ops.top_up(DEMO_TRX), out)
    client.top_up = real  # type: ignore[method-assign]
    (entry,) = [e for e in ops.journal.entries() if e.op == "top-up"]  # type: ignore[union-attr]
    assert entry.state == UNKNOWN and "stopped while waiting" in entry.outcome
    assert ops.take_cancelled() and ops.take_cancelled() == []  # said once
    charged = sandbox.state.accounts[DEMO_API_KEY].balance
    again = await ops.top_up(DEMO_TRX)
    assert not again.ok and again.unsettled is not None and "payment history" in again.message
    assert sandbox.state.accounts[DEMO_API_KEY].balance == charged  # no second payment


async def test_a_top_up_another_running_instance_began_blocks_this_one(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        start = Path(f"/proc/{other.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        owner = f"{other.pid}:{start}"
        assert owner_running(owner) and not owner_running(OWNER)
        journal = ops.journal
        assert journal is not None
        entry_id = journal.begin(profile="default", op="top-up", target=DEMO_TRX, account=DEMO_API_KEY)
        _rewrite_owner(journal.path, entry_id, owner)
        balance = sandbox.state.accounts[DEMO_API_KEY].balance
        outcome = await ops.top_up(DEMO_TRX)
        assert not outcome.ok and "Another vonage-tui is topping up" in outcome.message
        assert sandbox.state.accounts[DEMO_API_KEY].balance == balance
        assert await ops.reconcile_unfinished() == []  # the other instance's change is its own to settle
        assert [e.state for e in journal.entries()] == [PENDING]
    finally:
        other.kill()
        other.wait()
    assert not owner_running(owner)  # gone: now this instance settles it
    (text,) = await ops.reconcile_unfinished()
    assert "payment" in text and DEMO_TRX in text


def _rewrite_owner(path: Path, entry_id: str, owner: str) -> None:
    text = path.read_text()
    path.write_text(text.replace(f'"owner":"{OWNER}"', f'"owner":"{owner}"'))
    assert owner in path.read_text() and entry_id in text


async def test_cancelling_the_same_numbers_again_after_rebuying_them_is_not_skipped(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path)
    page = await client.search_numbers(country="GB")
    number = page.numbers[0]
    for _ in range(2):
        bought = await ops.buy("GB", number.msisdn)
        assert bought.ok
        report, removed, _, _ = await ops.cancel_numbers([OwnedRecord(number.msisdn, "GB")])
        assert removed == [number.msisdn]
        assert "earlier run" not in report.outcomes[number.msisdn].message
        assert number.msisdn not in sandbox.state.accounts[DEMO_API_KEY].owned  # really cancelled, twice


async def test_an_interrupted_update_that_removes_a_webhook_is_not_settled_as_done(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Start-up read the update back: the webhook is still there, so it did not happen (before: "done")."""
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    msisdn = next(iter(owned))
    owned[msisdn] = {**owned[msisdn], "moHttpUrl": "https://old.example.com/sms"}
    ops = _ops(client, tmp_path)
    real, out = client.update_number, asyncio.Event()

    async def never_sent(update):  # type: ignore[no-untyped-def]
        out.set()
        await asyncio.sleep(3600)

    client.update_number = never_sent  # type: ignore[method-assign]
    record = OwnedRecord(msisdn, owned[msisdn].get("country", "GB"))
    await _cut_off(ops.update_number(record, {"mo_http_url": ""}), out)
    client.update_number = real  # type: ignore[method-assign]
    (entry,) = [e for e in ops.journal.entries() if e.op == "update"]  # type: ignore[union-attr]
    assert entry.details["wanted"]["mo_http_url"] == "" and entry.details["base"]["mo_http_url"]
    (text,) = await _ops(client, tmp_path).reconcile_unfinished()
    assert "did not happen" in text
    assert [e.state for e in Journal(tmp_path / "journal.jsonl").entries()] == [FAILED]


async def test_an_interrupted_update_overtaken_by_someone_else_is_unknown(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    msisdn = next(iter(owned))
    ops = _ops(client, tmp_path)
    real, out = client.update_number, asyncio.Event()

    async def never_answered(update):  # type: ignore[no-untyped-def]
        out.set()
        await asyncio.sleep(3600)

    client.update_number = never_answered  # type: ignore[method-assign]
    record = OwnedRecord(msisdn, owned[msisdn].get("country", "GB"))
    await _cut_off(ops.update_number(record, {"mo_http_url": "https://ours.example.com/in"}), out)
    client.update_number = real  # type: ignore[method-assign]
    owned[msisdn] = {**owned[msisdn], "moHttpUrl": "https://theirs.example.com/in"}  # another admin
    (text,) = await _ops(client, tmp_path).reconcile_unfinished()
    assert "someone else" in text and "did not happen" not in text
    assert [e.state for e in Journal(tmp_path / "journal.jsonl").entries()] == [UNKNOWN]


async def test_a_partly_refused_pool_add_is_journaled_with_its_failures(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path)
    pool = (await client.all_pools())[0]
    members = {n.number for n in await client.all_pool_numbers(pool.pool_id)}
    mine = next(m for m in sandbox.state.accounts[DEMO_API_KEY].owned if m not in members)
    outcome = await ops.add_pool_numbers(pool.pool_id, [mine, "19999999999"])  # the second is not ours: a 207
    assert outcome.ok and "failed" in outcome.message and "19999999999" in outcome.message
    assert ops.journal is not None
    (entry,) = [e for e in ops.journal.entries() if e.op == "pool-add"]
    assert entry.state == DONE and entry.outcome == outcome.message  # not "Added 2 number(s)"


class _LateEdge(httpx.AsyncBaseTransport):
    """Forwards POST /number/buy to the sandbox ``late`` seconds after the client has given up waiting."""

    def __init__(self, late: float) -> None:
        self.inner, self.late, self.tasks = httpx.AsyncHTTPTransport(), late, []  # type: ignore[var-annotated]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/number/buy":
            forward = httpx.Request(request.method, request.url, headers=request.headers,
                                    content=await request.aread())

            async def later() -> None:
                await asyncio.sleep(self.late)
                await (await self.inner.handle_async_request(forward)).aread()

            self.tasks.append(asyncio.create_task(later()))
            await asyncio.sleep(3600)
        return await self.inner.handle_async_request(request)


async def test_a_purchase_that_lands_after_the_timeout_is_found_or_unknown_never_not_bought(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch
) -> None:
    from tui.sandbox.inventory import DEMO_API_SECRET

    edge = _LateEdge(late=0.8)
    monkeypatch.setattr("tui.operations.core.LATE_CHECKS", (0.3, 0.3))  # a first read finds nothing yet
    async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None, transport=edge, deadline=0.5) as client:
        ops = _ops(client, tmp_path)
        number = (await client.search_numbers(country="GB")).numbers[0]
        outcome = await ops.buy_number(number, "GB")
        assert outcome.ok and outcome.reconciled  # bought ~0.3 s after the timeout: seen by a later read
        assert number.msisdn in sandbox.state.accounts[DEMO_API_KEY].owned

        edge.late = 5.0  # lands after every read: unknown, never "not bought"
        second = (await client.search_numbers(country="GB")).numbers[1]
        outcome = await ops.buy_number(second, "GB")
        assert outcome.unknown and not outcome.ok and "not bought" not in outcome.message
        (entry,) = [e for e in ops.journal.entries() if e.target == second.msisdn]  # type: ignore[union-attr]
        assert entry.state == UNKNOWN and not entry.reconciled  # read back again at the next start
        for task in edge.tasks:
            task.cancel()


async def test_two_top_ups_of_one_payment_at_once_never_both_charge(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Two vonage-tui on one journal (here two Operations on the same file) paying the same transaction at
    the same moment: each journals first, sees the other, and at most one payment is made."""
    sandbox.state.config.latency = 0.2  # the balance read before paying is a round trip: both are inside it
    first, second = _ops(client, tmp_path), _ops(client, tmp_path)
    before = sandbox.state.accounts[DEMO_API_KEY].balance
    outcomes = await asyncio.gather(first.top_up(DEMO_TRX), second.top_up(DEMO_TRX))
    charged = round((sandbox.state.accounts[DEMO_API_KEY].balance - before) / 10.0)
    assert charged <= 1 and sum(o.ok for o in outcomes) == charged
    assert all(o.ok or "Another vonage-tui" in o.message or "earlier top-up" in o.message for o in outcomes)


async def test_a_purchase_stopped_while_it_is_read_back_is_said_as_bought(
    client: VonageClient, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    ops = _ops(client, tmp_path)
    number = (await client.search_numbers(country="GB")).numbers[0]
    real, reading = client.get_owned_number, asyncio.Event()

    async def slow_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        reading.set()
        await asyncio.sleep(3600)

    client.get_owned_number = slow_read  # type: ignore[method-assign]
    await _cut_off(ops.buy_number(number, "GB"), reading)
    client.get_owned_number = real  # type: ignore[method-assign]
    assert number.msisdn in sandbox.state.accounts[DEMO_API_KEY].owned  # it was bought
    (said,) = ops.take_cancelled()
    assert said.startswith(f"Bought {number.msisdn}") and "refresh" in said
    assert not ops.account.owned.complete  # the list is read again on the next visit
