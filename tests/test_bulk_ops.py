"""Bulk edit in the operations layer: a journaled plan, one read-modify-write per number, and resuming.

Everything runs against the real sandbox over loopback HTTP. "Applied" counts are taken on the server
side (every write to an account's owned numbers), so "exactly once" means what the account saw.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tui.api.errors import InputError
from tui.journal import DONE, FAILED, PENDING, Journal
from tui.operations import Operations
from tui.operations.bulk import (
    CLOSE_OP, CONFLICT, PLAN_OP, BulkPlan, changes_applied, check_bulk_changes, describe_changes,
)
from tui.owned import OwnedRecord
from tui.sandbox.inventory import DEMO_API_KEY
from tui.sandbox.owned import OwnedNumbers

HOOK = "https://hooks.example.org/bulk"


def _owned(sandbox) -> dict:  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY].owned


@pytest.fixture
def applied(monkeypatch) -> Counter:
    """msisdn -> how many times the server stored a new configuration for it."""
    counts: Counter = Counter()
    original = OwnedNumbers.__setitem__

    def counting(self, key, value):  # type: ignore[no-untyped-def]
        counts[key] += 1
        original(self, key, value)

    monkeypatch.setattr(OwnedNumbers, "__setitem__", counting)
    return counts


def _records(sandbox, count: int | None = None) -> list[OwnedRecord]:  # type: ignore[no-untyped-def]
    numbers = sorted(_owned(sandbox).values(), key=lambda n: n["msisdn"])[:count]
    return [OwnedRecord.from_wire(n) for n in numbers]


def test_the_sentence_names_the_count_and_every_change() -> None:
    text = describe_changes({"mo_http_url": HOOK, "app_id": ""}, 37)
    assert text == f"Unlink the application of 37 numbers; set their inbound SMS webhook to {HOOK}."
    voice = describe_changes({"voice_callback_type": "tel", "voice_callback_value": "447700900111"}, 1)
    assert voice == "Route the voice calls of 1 number to tel 447700900111."
    assert describe_changes({"voice_status_callback": ""}, 2) == "Remove the voice status webhook of 2 numbers."


def test_bad_changes_are_refused_by_field_before_anything_is_sent() -> None:
    sample = OwnedRecord("447700900001", "GB")
    with pytest.raises(InputError) as bad_url:
        check_bulk_changes({"mo_http_url": "ftp://nope"}, sample)
    assert bad_url.value.field == "mo_http_url"
    with pytest.raises(InputError) as no_value:
        check_bulk_changes({"voice_callback_type": "tel", "voice_callback_value": ""}, sample)
    assert no_value.value.field == "voice_callback_value"
    with pytest.raises(InputError) as bad_app:
        check_bulk_changes({"app_id": "not-a-uuid"}, sample)
    assert bad_app.value.field == "app_id"
    check_bulk_changes({"app_id": "", "voice_callback_type": "", "voice_callback_value": ""}, sample)  # unsets


async def test_a_bulk_edit_changes_only_the_touched_fields_and_journals_its_plan(
    client, sandbox, tmp_path, applied,
) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    numbers = _records(sandbox)
    before = {m: dict(n) for m, n in _owned(sandbox).items()}
    plan = await ops.start_bulk_edit(numbers, {"mo_http_url": HOOK})
    heard: list[str] = []
    items = await ops.run_bulk_edit(plan, lambda item: heard.append(item.msisdn))

    assert sorted(heard) == sorted(n.msisdn for n in numbers)
    assert {i.state for i in items} == {DONE}
    for number in numbers:
        after = _owned(sandbox)[number.msisdn]
        assert after["moHttpUrl"] == HOOK
        for key in ("app_id", "voiceCallbackType", "voiceCallbackValue", "voiceStatusCallback"):
            assert after.get(key) == before[number.msisdn].get(key), key  # untouched: kept per number
        assert applied[number.msisdn] == 1
        assert ops.account.owned.by_msisdn[number.msisdn].mo_http_url == HOOK
    ops_seen = [(e.op, e.state) for e in journal.batch_items(plan.batch)]
    assert ops_seen[0] == (PLAN_OP, DONE) and ops_seen[-1] == (CLOSE_OP, DONE)
    assert ops_seen.count(("update", DONE)) == len(numbers)
    plan_entry = journal.batch_items(plan.batch)[0]
    assert plan_entry.details["changes"] == {"mo_http_url": HOOK}
    assert [tuple(n) for n in plan_entry.details["numbers"]] == list(plan.numbers)
    assert await ops.unfinished_bulk_edits() == []  # closed: nothing to offer


async def test_a_cancelled_bulk_edit_resumes_with_only_the_numbers_left(client, sandbox, tmp_path, applied) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    numbers = _records(sandbox)
    plan = await ops.start_bulk_edit(numbers, {"voice_status_callback": HOOK})
    sandbox.config.latency = 0.02
    seen: list[str] = []

    def stop_after_two(item) -> None:  # type: ignore[no-untyped-def]
        seen.append(item.msisdn)
        if len(seen) == 2:
            task.cancel()

    task = asyncio.ensure_future(ops.run_bulk_edit(plan, stop_after_two, concurrency=1))
    with pytest.raises(asyncio.CancelledError):
        await task
    sandbox.config.latency = 0.0

    # the next start: settle what was in flight, then find the plan
    fresh = Operations(lambda: client, Journal(tmp_path / "journal.jsonl"), "default")
    await fresh.reconcile_unfinished()
    (status,) = await fresh.unfinished_bulk_edits()
    assert status.plan.batch == plan.batch and status.plan.changes == {"voice_status_callback": HOOK}
    assert set(seen) <= set(status.done)
    assert len(status.done) + len(status.unknown) + len(status.left) == len(numbers)
    assert status.left, "the run was stopped before the end"

    items = await fresh.run_bulk_edit(status.plan)
    assert {i.state for i in items} == {DONE}
    earlier = [i for i in items if i.text == "done in an earlier run"]
    assert sorted(i.msisdn for i in earlier) == sorted(status.done)
    for number in numbers:
        assert _owned(sandbox)[number.msisdn]["voiceStatusCallback"] == HOOK
        assert applied[number.msisdn] == 1, number.msisdn  # never twice
    assert await fresh.unfinished_bulk_edits() == []


async def test_an_unknown_update_is_read_first_and_sent_only_if_it_was_not_done(
    client, sandbox, tmp_path, applied,
) -> None:
    """Two numbers were sent when the app died (no answer): one change landed, one did not."""
    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    landed, lost, untouched = _records(sandbox, 3)
    plan = await ops.start_bulk_edit([landed, lost, untouched], {"mo_http_url": HOOK})
    await client.update_number_fields(landed.msisdn, landed.country, mo_http_url=HOOK)  # it reached the server
    for number in (landed, lost):
        journal.begin(profile="default", op="update", target=number.msisdn, country=number.country,
                      batch=plan.batch, account=DEMO_API_KEY, details={"fields": ["mo_http_url"]})
    applied.clear()

    (status,) = await ops.unfinished_bulk_edits()
    assert sorted(status.unknown) == sorted([landed.msisdn, lost.msisdn])
    assert status.left == [untouched.msisdn]
    items = {i.msisdn: i for i in await ops.run_bulk_edit(status.plan)}
    assert items[landed.msisdn].state == DONE and "confirmed by reading" in items[landed.msisdn].text
    assert applied[landed.msisdn] == 0  # not sent again
    assert applied[lost.msisdn] == 1 and applied[untouched.msisdn] == 1
    assert all(_owned(sandbox)[n.msisdn]["moHttpUrl"] == HOOK for n in (landed, lost, untouched))
    states = [(e.target, e.state, e.reconciled) for e in journal.batch_items(plan.batch) if e.op == "update"]
    assert (landed.msisdn, DONE, True) in states and (lost.msisdn, FAILED, True) in states
    assert not [s for s in states if s[1] == PENDING]
    assert journal.unfinished() == []  # nothing left for the next start to report


async def test_a_number_changed_by_someone_else_mid_update_is_a_conflict_not_a_resend(
    client, sandbox, tmp_path, monkeypatch,
) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    target, other = _records(sandbox, 2)
    original = OwnedNumbers.__setitem__
    stored: Counter = Counter()

    def someone_else_follows(self, key, value):  # type: ignore[no-untyped-def]
        stored[key] += 1
        original(self, key, value)
        if key == target.msisdn and stored[key] == 1:  # right after our write, another client changes it
            original(self, key, {**value, "voiceStatusCallback": "https://someone.example.org/else"})

    monkeypatch.setattr(OwnedNumbers, "__setitem__", someone_else_follows)
    sandbox.state.faults.arm("/number/update", "drop-after-commit", times=1)  # and our answer is lost
    plan = await ops.start_bulk_edit([target, other], {"mo_http_url": HOOK})
    items = {i.msisdn: i for i in await ops.run_bulk_edit(plan, concurrency=1)}
    assert items[target.msisdn].state == CONFLICT
    assert items[other.msisdn].state == DONE
    assert stored[target.msisdn] == 1  # ours, once: not sent again over theirs


def test_changes_applied_compares_only_the_changes() -> None:
    number = OwnedRecord("447700900001", "GB", mo_http_url=HOOK, voice_callback_type="TEL",
                         voice_callback_value="447700900111", app_id="x")
    assert changes_applied(number, {"mo_http_url": HOOK})
    assert changes_applied(number, {"voice_callback_type": "tel", "voice_callback_value": "447700900111"})
    assert not changes_applied(number, {"app_id": ""})
    assert changes_applied(OwnedRecord("1", "GB"), {"app_id": "", "voice_status_callback": ""})
    assert BulkPlan("b", {"app_id": ""}, (("1", "GB"),)).describe() == "Unlink the application of 1 number."
