"""The parts of the end-to-end benchmark that need to be inside the app: event-loop stalls, filter and sort.

Run by ``bench.py`` in a fresh process per run (``python tests/benchmarks/bench_inprocess.py URL N``),
against a sandbox that ``bench.py`` started. The app logs in with environment credentials (as a
person on a server would, so the disk cache is written), on the Account screen; the owned numbers
load from login; ``1`` opens Numbers. A 5 ms heartbeat measures how late the event loop runs: the
longest lateness while the rows load is the stall figure. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

KEYSTROKES = ["4", "44", "447", "4477", "44770", "447700", "44770", "4477", "g", "gb", "m", "mo", "zz", ""]


async def heartbeat(lags: list[tuple[float, float]], stop: asyncio.Event, interval: float = 0.005) -> None:
    """(when, how late) for every tick: a late tick is a stall of the event loop."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append((start, time.perf_counter() - start - interval))


async def run(url: str, n: int) -> dict[str, float | int]:
    from pydantic import SecretStr

    from tui.app import VonageApp
    from tui.launch import LaunchOptions
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
    from tui.widgets.fast_table import FastTable

    options = LaunchOptions(rest_url=url, api_url=url, api_key=DEMO_API_KEY, api_secret=SecretStr(DEMO_API_SECRET),
                            profile_label="env · bench")
    options.initial_screen = "account"
    app = VonageApp(options)
    out: dict[str, float | int] = {}
    lags: list[tuple[float, float]] = []
    stop = asyncio.Event()
    async with app.run_test(size=(120, 36)) as pilot:
        beat = asyncio.create_task(heartbeat(lags, stop))
        while app.session is None:
            await asyncio.sleep(0.005)
        opened = time.perf_counter()
        while not app.session.account.owned.complete:
            await asyncio.sleep(0.01)
        loaded = time.perf_counter()
        press = time.perf_counter()
        await pilot.press("1")
        table = app.screen.query_one(FastTable)
        while table.row_count < n:
            await asyncio.sleep(0.002)
        shown = time.perf_counter()
        await app.workers.wait_for_complete()  # the cache write
        stop.set()
        await beat
        stats = app.session.client.stats
        out.update(load=loaded - opened, requests=stats.requests, r429=stats.rate_limited,
                   stall=max((lag for when, lag in lags if opened <= when < loaded), default=0.0),
                   open_stall=max((lag for when, lag in lags if press <= when < shown), default=0.0),
                   rate=app.session.client.limiter.rate or 0.0)
        await pilot.pause()
        # Filter: one keystroke at a time, timed until the table has repainted.
        await pilot.press("slash")
        await pilot._wait_for_screen()  # the filter bar is open: what follows times keystrokes only
        times = []
        for text in KEYSTROKES:
            t = time.perf_counter()
            table.set_filter(text)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            times.append(time.perf_counter() - t)
        out["filter_median"], out["filter_worst"] = statistics.median(times), max(times)
        out["detail"] = {  # type: ignore[assignment] # for a closer look, not printed in the table
            "filter_ms": [round(t * 1000, 1) for t in times],
            "worst_lags_ms_at_s": sorted(((round(lag * 1000), round(when - opened, 2)) for when, lag in lags
                                          if opened <= when < loaded), reverse=True)[:6],
        }
        table.set_filter("")
        sorts = []
        for key in ("country", "type", "number"):
            t = time.perf_counter()
            table.sort_by(key)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            sorts.append(time.perf_counter() - t)
        out["sort"] = max(sorts)
    return out


if __name__ == "__main__":
    result = asyncio.run(run(sys.argv[1], int(sys.argv[2])))
    print("RESULT", json.dumps(result))
