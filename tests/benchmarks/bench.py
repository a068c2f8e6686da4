"""End-to-end benchmark of vonage-tui against the sandbox: a script, not a test.

    python tests/benchmarks/bench.py                       # N = 1,000 / 10,000 / 100,000, 3 runs each
    python tests/benchmarks/bench.py --sizes 1000,10000    # quicker

What a person sees is timed in a real pseudo-terminal (``terminal.Terminal``), with the installed app
started as a person starts it: ``vonage-tui account`` with ``VONAGE_API_KEY``/``VONAGE_API_SECRET``
pointing at a sandbox (``vonage-tui sandbox --owned N --latency 0.1 --rate-limit 30``) in its own
process, so the login is real and the disk cache is written. Per run:

- first frame: from the process start to the header on screen;
- key to rows: the app idle on Account (the balance shown, then 1 s), `1` pressed, until the first
  number row reaches the terminal;
- all rows: from the first frame until the status line says all N numbers are loaded; the limit is
  ceil(N/100)/R + one round trip, R = 30 requests/s (the sandbox account's max-calls-per-second);
- peak RSS: the app process's VmHWM, read from the OS once the cache file is written;
- warm start: the app started again on the same cache: from its first frame until the status line
  shows the N cached numbers.

Stalls, filter and sort are measured inside the app (``bench_inprocess.py``, a fresh process per run):
the longest lateness of a 5 ms event-loop heartbeat while the N numbers load, each `/` keystroke until
the table has repainted, each `s` sort at N rows. Start-up is compared with a bare Textual app that
shows one line, started the same way in the same run, runs alternating. Times are the median of the
runs, stalls and worst keystrokes the worst of them; the machine's load average is printed beside
every row, because this machine is shared. The SDK-style reference is the same list paged the way the
SDKs and the CLI do it (one page after another), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import re
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

from tests.benchmarks.terminal import Terminal, load_average  # noqa: E402

LATENCY = 0.1
RATE = 30.0
HELLO = ("from textual.app import App\nfrom textual.widgets import Static\n"
         "class Hello(App):\n    def compose(self):\n        yield Static('hello, frame')\nHello().run()\n")
ROW = rb"\+\d{1,3} \d{2,4} \d{3}"  # a grouped number: a row of the Numbers table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_command() -> list[str]:
    """The installed entry point (what a person runs); ``python -m tui`` when it is not on PATH."""
    script = Path(sys.executable).with_name("vonage-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


class Sandbox:
    """``vonage-tui sandbox`` in a child process, so its memory and CPU are not the app's."""

    def __init__(self, owned: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [*app_command(), "sandbox", "--port", str(self.port), "--owned", str(owned),
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
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def app_env(url: str, cache: str) -> dict[str, str]:
    from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET

    return {**os.environ, "VONAGE_API_KEY": DEMO_API_KEY, "VONAGE_API_SECRET": DEMO_API_SECRET,
            "VONAGE_REST_URL": url, "VONAGE_API_URL": url, "VONAGE_TUI_CACHE_DIR": cache,
            "VONAGE_TUI_CONFIG_DIR": tempfile.mkdtemp(prefix="bench-config-")}


def all_loaded(n: int) -> bytes:
    """The status line once every number is in: "100,000 numbers" (the demo's own few may add to N)."""
    return (r"(?<![\d,])" + f"{n:,}"[:-2] + r"\d\d numbers(?! ·)").encode()


def cached_shown(n: int) -> bytes:
    return (r"(?<![\d,])" + f"{n:,}"[:-2] + r"\d\d numbers · cached").encode()


def cache_written(cache: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        files = [p for p in Path(cache).glob("owned-*.json")]
        if files and all(p.stat().st_size > 0 for p in files):
            return
        time.sleep(0.05)
    raise TimeoutError("the cache was not written")


def terminal_run(url: str, n: int) -> dict[str, float]:
    """One cold start on Account, `1`, the whole load, peak RSS; then a warm start on the same cache."""
    cache = tempfile.mkdtemp(prefix="bench-cache-")
    env = app_env(url, cache)
    out: dict[str, float] = {}
    timeout = math.ceil(n / 100) / RATE * 3 + 60
    with Terminal([*app_command(), "account"], env) as term:
        out["first_frame"] = term.wait_for(rb"vonage-tui", timeout=30) - term.started
        frame = term.started + out["first_frame"]
        term.wait_for(rb"\d\.\d\d+ EUR", timeout=30)  # logged in: the balance is in the header
        time.sleep(1.0)  # a person looks at the screen for a moment
        mark = term.mark()
        pressed = term.send("1")
        out["key_to_rows"] = term.wait_for(ROW, since=mark, timeout=30) - pressed
        out["all_rows"] = term.wait_for(all_loaded(n), timeout=timeout) - frame
        cache_written(cache)
        time.sleep(0.5)
        out["rss"] = term.peak_rss_mb()
    with Terminal(app_command(), env) as term:  # warm: the same account, the cache from the run above
        frame = term.wait_for(rb"vonage-tui", timeout=30)
        out["warm_first_frame"] = frame - term.started
        out["warm_rows"] = term.wait_for(cached_shown(n), timeout=30) - frame
        out["warm_refresh"] = float(bool(term.wait_for(rb"refreshing \d", timeout=30)))
    return out


def inprocess_run(url: str, n: int) -> dict[str, float]:
    env = {**os.environ, "VONAGE_TUI_CACHE_DIR": tempfile.mkdtemp(prefix="bench-cache-"),
           "VONAGE_TUI_CONFIG_DIR": tempfile.mkdtemp(prefix="bench-config-")}
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("bench_inprocess.py")), url, str(n)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])  # type: ignore[no-any-return]
    raise RuntimeError(f"in-process run for N={n} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


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


def first_frames(runs: int, *, cold: bool = False) -> tuple[list[float], list[float], str]:
    """`vonage-tui --demo` and a bare Textual app, alternating, each until its first frame is on screen.

    One cache directory for all runs, as on a person's machine: the first start parses the stylesheet
    and keeps it (``tui.style_cache``), the next ones do not. ``cold``: a new cache directory for every
    run, so every start parses it (the first start after an install or a Textual upgrade)."""
    hello, demo = [], []
    env = {**os.environ, "VONAGE_TUI_CONFIG_DIR": tempfile.mkdtemp(), "VONAGE_TUI_CACHE_DIR": tempfile.mkdtemp()}
    for _ in range(runs):
        if cold:
            env["VONAGE_TUI_CACHE_DIR"] = tempfile.mkdtemp()
        hello.append(_first_frame([sys.executable, "-c", HELLO], rb"hello, frame", env))
        demo.append(_first_frame([*app_command(), "--demo"], rb"vonage-tui", env))
    return hello, demo, load_average()


def _first_frame(argv: list[str], pattern: bytes, env: dict[str, str]) -> float:
    """Seconds from the start of ``argv`` to ``pattern`` on its screen. On this machine a start of either
    app now and then ends or hangs before drawing anything (the bare Textual app too): such a start is
    said on stderr and made again (three tries), not counted."""
    for attempt in range(3):
        with Terminal(argv, env) as term:
            try:
                return term.wait_for(pattern, timeout=30) - term.started
            except TimeoutError as exc:
                print(f"  a start of {argv[-1][:40]!r} drew nothing ({exc}); try {attempt + 2} of 3",
                      file=sys.stderr, flush=True)
    raise TimeoutError(f"{argv!r} drew no first frame in three starts")


def bytecode_state() -> str:
    """Whether the app's modules have current .pyc files: without them (an editable install with
    PYTHONDONTWRITEBYTECODE=1) every start compiles them, which shows in the first frame."""
    import importlib.util

    sources = list((ROOT / "tui").rglob("*.py"))
    current = 0
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        current += cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime
    return f"{current}/{len(sources)} tui modules have current bytecode"


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median of times, worst of stalls)")
    parser.add_argument("--frames", type=int, default=7, help="start-ups of each app for the first frame")
    parser.add_argument("--skip-sdk", action="store_true", help="skip the sequential SDK-style baseline")
    args = parser.parse_args()
    print(f"sandbox: {LATENCY * 1000:.0f} ms latency, R = {RATE:.0f} requests/s; {os.cpu_count()} cores; "
          f"python {sys.version.split()[0]}; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}; "
          f"{bytecode_state()}")
    hello, demo, load = first_frames(args.frames)
    ratio = statistics.median(demo) / statistics.median(hello)
    print(f"\nfirst frame (median of {args.frames}, alternating): `vonage-tui --demo` {ms(statistics.median(demo))}, "
          f"bare Textual app {ms(statistics.median(hello))}: {ratio:.2f}× ({load})\n")
    head = ("N", "key → rows", "all rows", "limit", "ratio", "requests", "429s", "max stall loading (opening)",
            "filter med/worst", "sort", "peak RSS", "warm start", "SDK-style", "speed-up", "load average")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for n in [int(s) for s in args.sizes.split(",")]:
        sandbox = Sandbox(n)
        try:
            terms, inner = [], []
            for run in range(args.runs):
                terms.append(terminal_run(sandbox.url, n))
                inner.append(inprocess_run(sandbox.url, n))
                print(f"  N={n:,} run {run + 1}: terminal {json.dumps(terms[-1])}; in-process "
                      f"{json.dumps(inner[-1])} ({load_average()})", file=sys.stderr, flush=True)
            sdk = 0.0 if args.skip_sdk else asyncio.run(sdk_style_load(sandbox.url, n))
        finally:
            sandbox.close()

        def med(key: str, rows: list[dict[str, float]]) -> float:
            return statistics.median(r[key] for r in rows)

        def worst(key: str, rows: list[dict[str, float]]) -> float:
            return max(r[key] for r in rows)

        limit = math.ceil(n / 100) / RATE + LATENCY
        load_time = med("load", inner)
        print(" | ".join([
            f"{n:,}", ms(med("key_to_rows", terms)),
            f"{load_time:.2f} s ({med('all_rows', terms):.2f} s)", f"{limit:.2f} s", f"{load_time / limit:.2f}×",
            str(int(med("requests", inner))), str(int(worst("r429", inner))),
            f"{ms(worst('stall', inner))} ({ms(worst('open_stall', inner))})",
            f"{med('filter_median', inner) * 1000:.1f} / {worst('filter_worst', inner) * 1000:.1f} ms",
            ms(med("sort", inner)), f"{worst('rss', terms):.0f} MB",
            f"{ms(med('warm_rows', terms))}", f"{sdk:.2f} s" if sdk else "skipped",
            f"{sdk / load_time:.1f}×" if sdk else "-", load_average(),
        ]), flush=True)


if __name__ == "__main__":
    main()
