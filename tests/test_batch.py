"""Batch work: per-item outcomes, one failure never stops the rest, the same batch resumes."""

from __future__ import annotations

from conftest import settle, confirm_yes
from tui.journal import Journal
from tui.operations import Operations
from tui.sandbox.inventory import DEMO_API_KEY


def _owned(sandbox) -> dict:  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY].owned


async def test_run_batch_reports_per_item_and_resumes(client, sandbox, tmp_path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    owned = list(_owned(sandbox).values())[:2]
    items = {n["msisdn"]: (lambda b, n=n: ops.cancel(n["country"], n["msisdn"], batch=b)) for n in owned}
    items["447700000000"] = lambda b: ops.cancel("GB", "447700000000", batch=b)  # not ours: 420

    first = await ops.run_batch("batch-1", items)
    assert sorted(first.succeeded) == sorted(n["msisdn"] for n in owned)
    assert first.failed == ["447700000000"]
    for n in owned:
        assert n["msisdn"] not in _owned(sandbox)
    cancellations = len(sandbox.state.cancellations)

    again = await ops.run_batch("batch-1", items)  # resuming: the done items are not sent again
    assert len(sandbox.state.cancellations) == cancellations
    assert all("earlier run" in again.outcomes[n["msisdn"]].message for n in owned)
    assert again.failed == ["447700000000"]
    states = {(e.target, e.state) for e in journal.batch_items("batch-1")}
    assert {(n["msisdn"], "done") for n in owned} <= states
    assert ("447700000000", "failed") in states


async def test_numbers_screen_cancels_marked_numbers_after_one_confirmation(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#numbers-table")
        table.focus()
        keys = list(table.visible_keys())[:2]
        table.set_marks(keys)
        await pilot.press("d")
        await pilot.pause()
        body = str(app.screen.query_one("#confirm-body").render())
        assert "2 numbers" in body
        # the yes button says what it does ("Cancel 2" read as "back out" to a newcomer)
        assert str(app.screen.query_one("#confirm-yes").label).startswith("Cancel 2 numbers")
        await pilot.press("enter")  # "No" is focused: nothing happens
        await settle(app, pilot)
        assert all(k in _owned(sandbox) for k in keys)
        await pilot.press("d")
        await pilot.pause()
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert all(k not in _owned(sandbox) for k in keys)
        assert all(k not in app.session.account.owned.by_msisdn for k in keys)
        assert any("Cancelled 2 of 2" in n.message for n in app._notifications)


async def test_lost_answer_to_a_pool_add_is_settled_by_reading_the_pool(client, sandbox, tmp_path) -> None:
    """The add is applied, its answer lost: the app reads the pool and reports it added, once."""
    from tui.sandbox.inventory import DEMO_POOL_ID

    journal = Journal(tmp_path / "journal.jsonl")
    ops = Operations(lambda: client, journal, "default")
    members = {n.number for n in await client.all_pool_numbers(DEMO_POOL_ID)}
    candidate = next(m for m in _owned(sandbox) if m not in members)
    sandbox.state.drop_next_response_after_commit(
        f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools/{DEMO_POOL_ID}/numbers"
    )
    outcome = await ops.add_pool_numbers(DEMO_POOL_ID, [candidate])
    assert outcome.ok and outcome.reconciled, outcome.message
    assert candidate in {n.number for n in await client.all_pool_numbers(DEMO_POOL_ID)}
    assert [(e.op, e.state) for e in journal.entries()] == [("pool-add", "done")]
