"""Retries are visible in the header ("retrying (n/m)…"), and ctrl+x stops the work in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.worker import WorkerState

from tui.sandbox.server import RunningSandbox
from tui.widgets.app_header import AppHeader


async def _until(pilot, condition: Callable[[], bool], tries: int = 300) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")


def _header_activity(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(AppHeader).render()).rsplit("  ", 1)[-1]


async def test_the_header_shows_retries_and_clears_when_the_request_succeeds(
    make_app, sandbox: RunningSandbox
) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.activity_text == ""
        sandbox.state.config.latency = 0.05
        sandbox.state.config.fault_5xx = 1.0  # every request fails with 502/503/504 for a moment
        app.refresh_balance()
        await _until(pilot, lambda: "retrying (" in app.activity_text)
        assert "retrying (1/5)…" in app.activity_text
        assert app.activity_text.startswith("⟳ 1")  # one request in flight
        await pilot.pause()
        assert "retrying (1/5)…" in _header_activity(app)  # what the user sees
        sandbox.state.config.fault_5xx = 0.0  # the outage ends: the next retry gets through
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.activity_text == "" and _header_activity(app) == ""
        assert app.balance_text.endswith(" EUR")
        assert not [n for n in app._notifications if n.severity == "error"]
    assert not app.session.service.connected  # the app closed its client on exit


async def test_ctrl_x_cancels_work_in_flight(make_app, sandbox: RunningSandbox) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        client = app.session.client
        sandbox.state.config.latency = 0.05
        sandbox.state.config.fault_5xx = 1.0
        balance_worker = app.refresh_balance()
        load_worker = app.screen.run_worker(client.list_owned_numbers(), group="load", exit_on_error=False)
        await _until(pilot, lambda: "retrying (" in app.activity_text and "⟳ 2" in app.activity_text)
        await pilot.press("ctrl+x")
        await _until(pilot, lambda: balance_worker.is_finished and load_worker.is_finished)
        await pilot.pause()

        assert balance_worker.state == WorkerState.CANCELLED
        assert load_worker.state == WorkerState.CANCELLED
        assert app.activity_text == "" and _header_activity(app) == ""  # nothing in flight, no "retrying"
        notes = [str(n.message) for n in app._notifications]
        assert "Cancelled 2 running tasks." in notes
        # Nothing keeps retrying behind the user's back once cancelled.
        sent, retries_before = sandbox.state.request_count, client.stats.retries
        await asyncio.sleep(0.6)  # longer than the next back-off would have been
        assert sandbox.state.request_count == sent
        assert client.stats.retries == retries_before
        # A second ctrl+x has nothing left to stop.
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert str(list(app._notifications)[-1].message) == "Nothing in flight."
        # The app still works afterwards.
        sandbox.state.config.fault_5xx = 0.0
        app.refresh_balance()
        await app.workers.wait_for_complete()
        assert app.balance_text.endswith(" EUR")
