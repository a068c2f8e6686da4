"""A bulk edit stopped half-way (Ctrl+X) is offered at the next start, and continuing it finishes the job
with every number changed exactly once (counted on the server)."""

from __future__ import annotations

import threading
from collections import Counter

from conftest import confirm_yes, settle
from pydantic import SecretStr
from textual.widgets import Input, Static

from tui.journal import DONE, Journal
from tui.operations.bulk import CLOSE_OP, PLAN_OP
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.owned import OwnedNumbers
from tui.sandbox.server import start_sandbox
from tui.screens.bulk_result import BulkResultScreen, ResumeDialog
from tui.screens.numbers import NumbersScreen
from tui.widgets.fast_table import FastTable
from tui.widgets.key_bar import KeyBar

SIZE = (120, 36)
HOOK = "https://hooks.example.org/resumed"
COUNT = 24


def app_on(running, journal):  # type: ignore[no-untyped-def]
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    options = LaunchOptions(
        demo=True, rest_url=running.url, api_url=running.url, api_key=DEMO_API_KEY,
        api_secret=SecretStr(DEMO_API_SECRET), profile_label=f"demo · {DEMO_API_KEY}", journal_path=journal,
    )  # fmt: skip
    return VonageApp(options)


async def wait_until(pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2000):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    """Counts what the sandbox stores per number, and can hold its loop on the update after ``hold_after``.

    Holding the sandbox there stops the bulk edit half-way in a known place without timing: the
    updates before it are answered, the held one (and whatever else is in flight) gets no answer
    until the app has been stopped — the "sent, no answer" case a crash leaves behind.
    """

    def __init__(self, monkeypatch, hold_after: int) -> None:  # type: ignore[no-untyped-def]
        self.applied: Counter = Counter()
        self.gate = threading.Event()
        self.hold_after = hold_after
        original = OwnedNumbers.__setitem__

        def storing(owned, key, value):  # type: ignore[no-untyped-def]
            if sum(self.applied.values()) == self.hold_after:
                self.gate.wait(30)
            self.applied[key] += 1
            original(owned, key, value)

        monkeypatch.setattr(OwnedNumbers, "__setitem__", storing)


async def test_a_stopped_bulk_edit_is_offered_at_the_next_start_and_finished_exactly_once(
    tmp_path, monkeypatch,
) -> None:
    journal_path = tmp_path / "journal.jsonl"
    server = Server(monkeypatch, hold_after=COUNT // 3)
    with start_sandbox(SandboxConfig(seed=7, owned_count=COUNT)) as running:
        owned = running.state.accounts[DEMO_API_KEY].owned
        numbers = sorted(owned)
        first = app_on(running, journal_path)
        try:
            async with first.run_test(size=SIZE) as pilot:
                await settle(first, pilot)
                table = first.screen.query_one("#numbers-table", FastTable)
                table.focus()
                table.set_marks(numbers)
                await pilot.pause()
                await pilot.press("e")
                await pilot.pause()
                field = first.screen.query_one("#bulk-mo_http_url", Input)
                field.focus()
                field.value = HOOK
                await pilot.pause()
                await pilot.press("ctrl+s")
                await pilot.pause()
                running.config.latency = 0.01
                await confirm_yes(pilot)
                await wait_until(pilot, lambda: isinstance(first.screen, BulkResultScreen), "the result screen")
                screen = first.screen
                await wait_until(pilot, lambda: len(screen._outcomes) >= COUNT // 3 - 4, "some outcomes")
                await pilot.press("ctrl+x")  # cancels the work in flight
                await wait_until(pilot, lambda: screen._ended == "stopped", "the run to stop")
                server.gate.set()  # what was held is now handled, with nobody waiting for the answer
                await settle(first, pilot)
                assert "Stopped;" in str(screen.query_one("#bulk-note", Static).render())
                assert "c Continue" in str(screen.query_one(KeyBar).render())
                stopped_done = sum(1 for i in screen._outcomes.values() if i.state == DONE)
                assert 0 < stopped_done < COUNT
        finally:
            server.gate.set()
        running.config.latency = 0.0
        changed = [m for m in numbers if owned[m].get("moHttpUrl") == HOOK]
        assert 0 < len(changed) < COUNT  # half-way: some numbers have it, others not yet
        journal = Journal(journal_path)
        assert [e.op for e in journal.entries()].count(CLOSE_OP) == 0  # the batch is still open
        assert any(e.state == "unknown" and "stopped while waiting" in e.outcome for e in journal.entries()), (
            "an update was in flight when stopped: ended unknown there and then")

        second = app_on(running, journal_path)
        async with second.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(second.screen, ResumeDialog), "the offer to continue")
            await pilot.pause()
            offer = second.screen
            status = offer.status
            body = str(offer.query_one("#bulk-resume-body", Static).render())
            assert f"Set the inbound SMS webhook of {COUNT} numbers to {HOOK}." in body
            assert f"{len(status.done)} done" in body and f"{len(status.left)} left" in body
            assert len(status.done) + len(status.unknown) + len(status.left) == COUNT
            assert set(status.done) == set(changed)  # settled at start-up: the journal agrees with the server
            assert offer.focused is offer.query_one("#resume-later")  # the safe choice has the focus
            await pilot.press("tab", "tab", "enter")  # past "Leave it", to "Continue"
            await wait_until(pilot, lambda: isinstance(second.screen, BulkResultScreen), "the resumed run")
            await settle(second, pilot)
            result = second.screen
            assert "Finished: every number was changed." in str(result.query_one("#bulk-note", Static).render())
            rows = result.query_one("#bulk-table", FastTable)
            assert all(rows.get_row(m)[1] == "done" for m in numbers)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(second.screen, NumbersScreen)

        assert all(owned[m]["moHttpUrl"] == HOOK for m in numbers)
        applied = server.applied
        assert all(applied[m] == 1 for m in numbers), {m: applied[m] for m in numbers if applied[m] != 1}
        entries = Journal(journal_path).entries()
        (plan,) = [e for e in entries if e.op == PLAN_OP]
        done = Counter(e.target for e in entries if e.op == "update" and e.batch == plan.batch and e.state == DONE)
        assert all(done[m] == 1 for m in numbers)
        assert [e.op for e in entries].count(CLOSE_OP) == 1

        third = app_on(running, journal_path)  # nothing is offered any more
        async with third.run_test(size=SIZE) as pilot:
            await settle(third, pilot)
            assert not isinstance(third.screen, ResumeDialog)


async def test_leave_it_closes_the_batch_and_later_asks_again(tmp_path) -> None:
    from tui.operations import Operations
    from tui.owned import OwnedRecord

    journal_path = tmp_path / "journal.jsonl"
    with start_sandbox(SandboxConfig(seed=7)) as running:
        from tui.api.client import VonageClient

        async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=running.url, api_url=running.url) as client:
            ops = Operations(lambda: client, Journal(journal_path), "default")
            records = [OwnedRecord(m, n["country"]) for m, n in running.state.accounts[DEMO_API_KEY].owned.items()]
            await ops.start_bulk_edit(records, {"voice_status_callback": HOOK})  # planned, never run
        running.state.reset_counters()
        for answer, offered_next_time in (("escape", True), ("leave", False)):
            app = app_on(running, journal_path)
            async with app.run_test(size=SIZE) as pilot:
                await wait_until(pilot, lambda: isinstance(app.screen, ResumeDialog), "the offer")
                if answer == "escape":
                    await pilot.press("escape")
                else:
                    await pilot.press("tab", "enter")  # Leave it
                await settle(app, pilot)
                assert isinstance(app.screen, NumbersScreen)
            still = [e for e in Journal(journal_path).entries() if e.op == CLOSE_OP]
            assert bool(still) is not offered_next_time
        assert all(n.get("voiceStatusCallback") != HOOK for n in running.state.accounts[DEMO_API_KEY].owned.values())
        app = app_on(running, journal_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, NumbersScreen)  # left: not offered again
