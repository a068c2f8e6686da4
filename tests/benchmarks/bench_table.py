"""Benchmark of FastTable at 100,000 rows: a script, not a test (pytest collects only test_*.py).

    python tests/benchmarks/bench_table.py                 # FastTable, 100,000 rows
    python tests/benchmarks/bench_table.py --rows 20000
    python tests/benchmarks/bench_table.py --compare       # also Textual's DataTable and, when
                                                           # installed, textual-fastdatatable
    python tests/benchmarks/bench_table.py --gc-freeze     # also with gc.freeze() after start-up
    python tests/benchmarks/bench_table.py --only datatable --cap 120

Each table runs in its own process (so RSS is its own) inside a headless Textual app, 120x40.
Rows arrive in batches of 100; every step is timed until the app has handled its messages and
repainted the screen (Pilot's private `_wait_for_screen` and the screen's paint: `pilot.pause()`
would add its idle-detection sleeps), and a heartbeat task measures the longest stall of the
event loop, garbage collections included. Targets: a batch < 50 ms, a filter keystroke < 50 ms,
a sort < 300 ms, RSS < 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

LABELS = ["Number", "Country", "Type", "Features", "Application"]
KEYSTROKES = ["7", "77", "770", "7700", "7700 ", "7700 9", "7700 90", "7700", "", "g", "gb", "m", "mob", "zzz", ""]


def make_rows(count: int, seed: int = 1) -> list[tuple[str, tuple[str, ...]]]:
    """Owned numbers as the numbers screen would show them: grouped digits, plain strings."""
    rnd = random.Random(seed)
    countries = [("44", "GB"), ("1", "US"), ("49", "DE"), ("33", "FR"), ("31", "NL")]
    kinds = ["mobile-lvn", "landline", "landline-toll-free"]
    features = ["SMS, VOICE", "SMS", "VOICE", "SMS, MMS, VOICE"]
    rows = []
    for i, local in enumerate(rnd.sample(range(100_000_000), count)):  # unique numbers
        code, country = countries[i % len(countries)]
        rest = f"{7_700_000_000 + local:010d}"
        msisdn = code + rest
        app = f"{rnd.getrandbits(32):08x}-{rnd.getrandbits(16):04x}" if i % 3 else ""
        rows.append((msisdn, (f"+{code} {rest[:4]} {rest[4:]}", country, kinds[i % 3], features[i % 4], app)))
    return rows


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


class Adapter:
    """The few operations the benchmark needs, for each table implementation."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def widget(self):
        if self.kind == "fasttable":
            from tui.widgets.fast_table import Column, FastTable

            return FastTable([Column(label.lower(), label) for label in LABELS])
        if self.kind == "datatable":
            from textual.widgets import DataTable

            table = DataTable(cursor_type="row")
            table.add_columns(*LABELS)
            return table
        import pyarrow as pa
        from textual_fastdatatable import ArrowBackend, DataTable

        return DataTable(backend=ArrowBackend(pa.table({c: pa.array([], pa.string()) for c in LABELS})))

    def append(self, table, batch) -> None:
        if self.kind == "fasttable":
            table.append_rows(batch)
        elif self.kind == "datatable":
            for key, cells in batch:
                table.add_row(*cells, key=key)
        else:
            table.add_rows([cells for _, cells in batch])

    def filter(self, table, rows, text: str) -> None:
        if self.kind == "fasttable":
            table.filter_text = text
            return
        # neither DataTable filters: clear and add back the matching rows
        q = text.strip().lower()
        digits = "".join(ch for ch in q if ch.isdigit())
        match = [(k, c) for k, c in rows if q in " ".join(c).lower() or (digits and digits in k)]
        if self.kind == "datatable":
            table.clear()
            self.append(table, match)
        else:
            from textual_fastdatatable import ArrowBackend

            table.backend = ArrowBackend.from_records([LABELS] + [c for _, c in match], has_header=True)
            table._require_update_dimensions = True
            table.refresh()

    def sort(self, table, column: int, reverse: bool) -> None:
        if self.kind == "fasttable":
            table.sort_by(table.columns[column].key, reverse=reverse)
        elif self.kind == "datatable":
            table.sort(list(table.columns)[column], reverse=reverse)
        else:
            table.sort([(LABELS[column], "descending" if reverse else "ascending")])


async def heartbeat(lags: list[float], stop: asyncio.Event, interval: float = 0.005) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append(time.perf_counter() - start - interval)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Steps:
    """Wall-clock and CPU time of each step; CPU time shows the work when other jobs share the cores."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def median(self) -> str:
        return f"{ms(statistics.median(self.wall))} (cpu {ms(statistics.median(self.cpu))})"

    def worst(self) -> str:
        return f"{ms(max(self.wall))} (cpu {ms(max(self.cpu))})"

    def p99(self) -> str:
        at = int(len(self.wall) * 0.99)
        return f"{ms(sorted(self.wall)[at])} (cpu {ms(sorted(self.cpu)[at])})"


async def run_one(kind: str, count: int, cap: float, freeze: bool = False) -> dict:
    from textual.app import App

    adapter = Adapter(kind)
    rss_start = rss_mb()[0]
    rows = make_rows(count)
    rss_rows = rss_mb()[0] - rss_start

    class Bench(App[None]):
        def compose(self):
            self.table = adapter.widget()
            yield self.table

    app = Bench()
    result: dict = {"kind": kind + (" with gc.freeze() after start-up" if freeze else ""), "rss_rows": rss_rows}
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.table
        table.focus()
        await pilot.pause()
        result["rss_empty"] = rss_mb()[0]

        async def step(steps: Steps, action) -> None:
            """Do one thing, let the app handle what it posted, then paint as the screen timer would."""
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            steps.wall.append(time.perf_counter() - wall)
            steps.cpu.append(time.process_time() - cpu)

        lags: list[float] = []
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(lags, stop))
        if freeze:  # what an app can do once its start-up objects exist: keep them out of every collection
            gc.freeze()

        batches = Steps()
        started = time.perf_counter()
        for at in range(0, count, 100):
            await step(batches, lambda at=at: adapter.append(table, rows[at : at + 100]))
            if time.perf_counter() - started > cap:
                break
        elapsed = time.perf_counter() - started
        loaded = min(count, len(batches.wall) * 100)
        rows = rows[:loaded]
        result["append"] = (
            f"{loaded:,} rows in {elapsed:.1f} s ({loaded / elapsed:,.0f} rows/s); per batch of 100: "
            f"median {batches.median()}, p99 {batches.p99()}, worst {batches.worst()}"
        )
        result["stall_append"] = (
            f"longest {ms(max(lags, default=0.0))}, {sum(lag > 0.05 for lag in lags)} over 50 ms"
        )
        result["loaded"] = loaded
        gc.collect()
        result["rss_loaded"] = rss_mb()[0]

        lags.clear()
        moves = Steps()
        for _ in range(20):
            await step(moves, table.action_cursor_down)
        result["keypress"] = moves.median()

        strokes = Steps()
        for text in KEYSTROKES[: 4 if kind != "fasttable" else None]:
            await step(strokes, lambda text=text: adapter.filter(table, rows, text))
        result["filter"] = f"median {strokes.median()}, worst {strokes.worst()}"
        if kind != "fasttable":
            adapter.filter(table, rows, "")

        sorts = Steps()
        for column, reverse in [(0, False), (0, True), (2, False), (4, False), (1, True)]:
            await step(sorts, lambda column=column, reverse=reverse: adapter.sort(table, column, reverse))
        result["sort"] = (
            f"by number {ms(sorts.wall[0])} (cpu {ms(sorts.cpu[0])}), reversed {ms(sorts.wall[1])}, "
            f"worst over columns {sorts.worst()}"
        )

        if kind == "fasttable":  # filter again, now that the view is sorted
            strokes = Steps()
            for text in KEYSTROKES:
                await step(strokes, lambda text=text: adapter.filter(table, rows, text))
            result["filter_sorted"] = f"median {strokes.median()}, worst {strokes.worst()}"
            table.filter_text = "7"
            late = make_rows(2_000, seed=2)
            batches = Steps()
            for at in range(0, len(late), 100):
                await step(batches, lambda at=at: adapter.append(table, late[at : at + 100]))
            result["append_sorted"] = f"median {batches.median()}, worst {batches.worst()}"
        result["stall_interactive"] = f"longest {ms(max(lags, default=0.0))}"
        stop.set()
        await beat
        result["rss_end"], result["rss_peak"] = rss_mb()
    return result


def report(r: dict) -> None:
    print(f"\n== {r['kind']}: {r['loaded']:,} rows")
    print(f"append: {r['append']}")
    print(f"  event-loop stalls while appending: {r['stall_append']}")
    print(f"filter keystroke: {r['filter']}")
    if "filter_sorted" in r:
        print(f"filter keystroke, sorted view: {r['filter_sorted']}")
    print(f"sort: {r['sort']}")
    if "append_sorted" in r:
        print(f"append 100 rows into the sorted, filtered view: {r['append_sorted']}")
    print(f"cursor down: median {r['keypress']}; stalls after loading: {r['stall_interactive']}")
    print(f"RSS: empty app {r['rss_empty']:.0f} MB, loaded {r['rss_loaded']:.0f} MB, "
          f"end {r['rss_end']:.0f} MB, peak {r['rss_peak']:.0f} MB (each includes the benchmark's own "
          f"copy of the rows, {r['rss_rows']:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--compare", action="store_true", help="also time DataTable and textual-fastdatatable")
    parser.add_argument("--cap", type=float, default=300.0, help="stop appending after this many seconds")
    parser.add_argument("--gc-freeze", action="store_true", help="also run FastTable with gc.freeze() after start-up")
    parser.add_argument("--only", choices=["fasttable", "datatable", "fastdatatable"], help="time just this one")
    parser.add_argument("--impl", help=argparse.SUPPRESS)
    parser.add_argument("--freeze", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl:  # the child process: one table, results as JSON on the last line
        print(json.dumps(asyncio.run(run_one(args.impl, args.rows, args.cap, args.freeze))))
        return
    kinds = ["fasttable"]
    if args.gc_freeze:
        kinds.append("fasttable+freeze")
    if args.compare:
        kinds.append("datatable")
        try:
            import textual_fastdatatable  # noqa: F401

            kinds.append("fastdatatable")
        except ImportError:
            print("textual-fastdatatable is not installed: skipped")
    if args.only:
        kinds = [args.only]
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; above ~0.5 other jobs skew the wall times)")
    for kind in kinds:
        name, _, freeze = kind.partition("+")
        command = [sys.executable, __file__, "--impl", name, "--rows", str(args.rows), "--cap", str(args.cap)]
        command += ["--freeze"] if freeze else []
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"\n== {kind}: failed\n{done.stderr[-2000:]}")
            continue
        report(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
