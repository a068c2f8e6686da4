"""Start-up only: warm start on a cached list, and the first frame against a bare Textual app.

    python tests/benchmarks/bench_startup.py --warm 100000 --runs 5     # cache written once, then warm starts
    python tests/benchmarks/bench_startup.py --frames 9                 # first frame only

Why apart from ``bench.py``: its full run takes minutes per size (every run loads N numbers from
the sandbox); these two figures only need a cache written once (one cold load) and then start-ups.
Same definitions as ``bench.py``: warm start is from the app's first frame until the status line
shows the N cached numbers; the first frame is `vonage-tui --demo` against a bare Textual app, both
in the same pty, alternating. Medians and each run's figures are printed with the load average.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.bench import (  # noqa: E402
    RATE,
    Sandbox,
    all_loaded,
    app_command,
    app_env,
    cache_written,
    cached_shown,
    first_frames,
    ms,
)
from tests.benchmarks.terminal import Terminal, load_average  # noqa: E402


def warm_starts(n: int, runs: int) -> list[tuple[float, float]]:
    """(first frame after start, cached rows after the first frame) for ``runs`` warm starts."""
    import tempfile

    sandbox = Sandbox(n)
    try:
        cache = tempfile.mkdtemp(prefix="bench-cache-")
        env = app_env(sandbox.url, cache)
        with Terminal(app_command(), env) as term:  # the cold run that writes the cache
            term.wait_for(all_loaded(n), timeout=math.ceil(n / 100) / RATE * 3 + 60)
            cache_written(cache)
            time.sleep(0.5)
        out = []
        for _ in range(runs):
            with Terminal(app_command(), env) as term:
                frame = term.wait_for(rb"vonage-tui", timeout=30)
                rows = term.wait_for(cached_shown(n), timeout=30)
                out.append((frame - term.started, rows - frame))
                print(f"  warm: first frame {ms(out[-1][0])}, cached rows {ms(out[-1][1])} after it "
                      f"({load_average()})", file=sys.stderr, flush=True)
        return out
    finally:
        sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=0, help="N numbers for the warm start (0: skip)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frames", type=int, default=0, help="start-ups of each app for the first frame (0: skip)")
    parser.add_argument("--cold", action="store_true",
                        help="first frame with a new cache dir per start: every start parses the stylesheet")
    args = parser.parse_args()
    if args.frames:
        hello, demo, load = first_frames(args.frames, cold=args.cold)
        print(f"first frame{' (cold: no style cache)' if args.cold else ''} (median of {args.frames}, alternating): `vonage-tui --demo` "
              f"{ms(statistics.median(demo))}, bare Textual app {ms(statistics.median(hello))}: "
              f"{statistics.median(demo) / statistics.median(hello):.2f}× ({load})")
        print(f"  demo {[round(d * 1000) for d in demo]}, bare {[round(h * 1000) for h in hello]}")
    if args.warm:
        runs = warm_starts(args.warm, args.runs)
        rows = [r for _, r in runs]
        print(f"warm start at {args.warm:,}: cached rows {ms(statistics.median(rows))} after the first frame "
              f"(median of {len(rows)}; {[round(r * 1000) for r in rows]} ms) ({load_average()})")


if __name__ == "__main__":
    main()
