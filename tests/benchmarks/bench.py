"""End-to-end benchmark of vonage-tui against the sandbox: a script, not a test.

    python tests/benchmarks/bench.py                       # N = 1,000 / 10,000 / 100,000
    python tests/benchmarks/bench.py --sizes 1000,10000    # quicker

For each N a sandbox runs in its own process (``vonage-tui sandbox``) with 100 ms latency per
request and a rate limit of R = 30 requests/s, seeded with N owned numbers. The app runs headless
in this process (so the RSS figure is the app's), opens the Numbers screen and loads everything.
Printed per N: time to first rows (from the key press that opens Numbers, and from the screen's
mount) and to all rows (from the key press), the theoretical
limit ceil(N/100)/R + one round trip and our ratio to it, requests and 429s, the longest event-loop
stall while loading, filter keystroke latency (median/worst) and sort time at N rows, peak RSS —
and, in the same run, the same load done the way the SDKs do it (one page after another) so the
speed-up is a ratio measured side by side. Start-up is measured as whole processes (median of
several runs): ``import tui`` alone, and ``vonage-tui --demo`` until its first screen is painted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LATENCY = 0.1
RATE = 30.0
KEYSTROKES = ["4", "44", "447", "4477", "44770", "447700", "44770", "4477", "g", "gb", "m", "mo", "zz", ""]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sandbox:
    """``vonage-tui sandbox`` in a child process, so its memory and CPU are not the app's."""

    def __init__(self, owned: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "sandbox", "--port", str(self.port), "--owned", str(owned),
             "--latency", str(LATENCY), "--rate-limit", str(RATE)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the sandbox did not start")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def heartbeat(lags: list[tuple[float, float]], stop: asyncio.Event, interval: float = 0.005) -> None:
    """(when, how late) for every tick: a late tick is a stall of the event loop."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append((start, time.perf_counter() - start - interval))


async def sdk_style_load(url: str, n: int) -> float:
    """One page after another, as the SDKs and the CLI do: the baseline for the speed-up."""
    import httpx

    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET

    token = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()
    got = 0
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Basic {token}"}) as http:
        index = 1
        while True:
            r = await http.get("/account/numbers", params={"size": 100, "index": index})
            if r.status_code == 429:
                await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
                continue
            numbers = r.json().get("numbers", [])
            got += len(numbers)
            if not numbers or got >= n:
                break
            index += 1
    return time.perf_counter() - start


async def app_load(url: str, n: int) -> dict[str, float | int | str]:
    from pydantic import SecretStr

    from tui.app import VonageApp
    from tui.launch import LaunchOptions
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
    from tui.widgets.fast_table import FastTable

    options = LaunchOptions(
        demo=True, rest_url=url, api_url=url, api_key=DEMO_API_KEY, api_secret=SecretStr(DEMO_API_SECRET),
        profile_label="bench", rate_limit=RATE,
    )
    options.initial_screen = "account"  # log in elsewhere, then open Numbers as a user would
    app = VonageApp(options)
    out: dict[str, float | int | str] = {}
    lags: list[tuple[float, float]] = []
    stop = asyncio.Event()
    async with app.run_test(size=(120, 36)) as pilot:
        while app.session is None or not app.session.service.connected:
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        requests_before = app.session.client.stats.requests
        beat = asyncio.create_task(heartbeat(lags, stop))
        opened = time.perf_counter()
        press = asyncio.create_task(pilot.press("1"))  # not awaited: Pilot waits for idle
        first = None
        deadline = time.perf_counter() + 900
        while time.perf_counter() < deadline:
            tables = app.screen.query(FastTable) if type(app.screen).__name__ == "NumbersScreen" else []
            if tables and first is None and tables[0].row_count > 0:
                first = time.perf_counter()
            if tables and tables[0].row_count >= n and app.session.account.owned.complete:
                break
            await asyncio.sleep(0.002)
        done = time.perf_counter()
        stop.set()
        await beat
        await press
        assert first is not None, "the numbers screen never showed rows"
        table = app.screen.query_one(FastTable)
        mounted = getattr(app.screen, "mounted_at", None)
        stats = app.session.client.stats
        out.update(
            first_rows=first - opened, all_rows=done - opened, rows=table.row_count,
            first_after_mount=(first - mounted) if mounted else float("nan"),
            requests=stats.requests - requests_before, r429=stats.rate_limited,
            stall=max((lag for when, lag in lags if when >= first), default=0.0),
            open_stall=max((lag for when, lag in lags if when < first), default=0.0),
        )
        # Filter: one keystroke at a time into the `/` filter, timed until the table has repainted.
        await pilot.press("slash")
        times = []
        for text in KEYSTROKES:
            t = time.perf_counter()
            table.set_filter(text) if hasattr(table, "set_filter") else setattr(table, "filter_text", text)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            times.append(time.perf_counter() - t)
        out["filter_median"] = statistics.median(times)
        out["filter_worst"] = max(times)
        table.set_filter("") if hasattr(table, "set_filter") else setattr(table, "filter_text", "")
        sorts = []
        for key in ("country", "type", "msisdn"):
            column = next((c.key for c in table.columns if c.key == key), table.columns[1].key)
            t = time.perf_counter()
            table.sort_by(column)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            sorts.append(time.perf_counter() - t)
        out["sort"] = max(sorts)
        out["rss"] = peak_rss_mb()
    return out


def run_size(n: int, skip_sdk: bool) -> dict[str, float | int | str]:
    """Each N in a fresh process, so peak RSS belongs to that N alone."""
    code = (
        "import asyncio,json,sys; sys.path.insert(0, %r); from tests.benchmarks.bench import *; "
        "sb=Sandbox(%d)\ntry:\n  r=asyncio.run(app_load(sb.url,%d))\n  r['sdk']=%s\n"
        "finally:\n  sb.close()\nprint('RESULT', json.dumps(r))"
    ) % (str(ROOT), n, n, "0.0" if skip_sdk else f"asyncio.run(sdk_style_load(sb.url,{n}))")
    env = {**os.environ, "VONAGE_TUI_CACHE_DIR": tempfile.mkdtemp(), "VONAGE_TUI_CONFIG_DIR": tempfile.mkdtemp()}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            import json

            return json.loads(line[7:])
    raise RuntimeError(f"benchmark for N={n} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def startup(runs: int) -> tuple[float, float]:
    """Median wall time of `import tui` and of `vonage-tui --demo` to its first painted screen."""
    imports, paints = [], []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tui"], check=True)
        imports.append(time.perf_counter() - t)
    base = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t)
    import pty

    for _ in range(runs):
        # The first frame is "painted" when the terminal has received the header's title.
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "36",
               "VONAGE_TUI_CONFIG_DIR": tempfile.mkdtemp(), "VONAGE_TUI_CACHE_DIR": tempfile.mkdtemp()}
        t = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(sys.executable, [sys.executable, "-m", "tui", "--demo"], env)
        seen = b""
        while b"Numbers" not in seen:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = (seen + chunk)[-200_000:]
        paints.append(time.perf_counter() - t)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return statistics.median(imports) - statistics.median(base), statistics.median(paints)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (median)")
    parser.add_argument("--skip-sdk", action="store_true", help="skip the sequential SDK-style baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"sandbox: {LATENCY * 1000:.0f} ms latency, rate limit R = {RATE:.0f} req/s; machine: {os.cpu_count()} cores")
    head = ("N", "first rows (key / mount)", "all rows", "limit", "ratio", "requests", "429s",
            "max stall loading (opening)",
            "filter med/worst", "sort", "peak RSS", "SDK-style", "speed-up")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for n in sizes:
        r = run_size(n, args.skip_sdk)
        limit = math.ceil(n / 100) / RATE + LATENCY
        sdk = float(r["sdk"])
        print(" | ".join([
            f"{n:,}", f"{r['first_rows'] * 1000:.0f} / {r['first_after_mount'] * 1000:.0f} ms", f"{r['all_rows']:.2f} s", f"{limit:.2f} s",
            f"{r['all_rows'] / limit:.2f}×", str(r["requests"]), str(r["r429"]), f"{r['stall'] * 1000:.0f} ms ({r['open_stall'] * 1000:.0f} ms)",
            f"{r['filter_median'] * 1000:.1f} / {r['filter_worst'] * 1000:.1f} ms", f"{r['sort'] * 1000:.0f} ms",
            f"{r['rss']:.0f} MB", f"{sdk:.2f} s" if sdk else "skipped",
            f"{sdk / r['all_rows']:.1f}×" if sdk else "-",
        ]), flush=True)
    imp, paint = startup(args.runs)
    print(f"\nstart-up (median of {args.runs}): import tui {imp * 1000:.0f} ms (python itself excluded); "
          f"`vonage-tui --demo` until the terminal has received the first screen {paint * 1000:.0f} ms")


if __name__ == "__main__":
    main()
