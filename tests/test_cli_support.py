"""Helpers for the `python -m tui … -o json|csv` tests (this module holds no tests).

Every run is a real subprocess against a real sandbox. ``run_cli`` checks what must hold for
*every* run: no traceback, and no secret (plain or as the Basic-auth header) in stdout or stderr.
Subprocesses get the test's private config/cache dirs (set by the autouse fixture in conftest),
no VONAGE_* variables unless a test adds them, and keyring's fail backend, so nothing here can
reach the real OS keyring.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
from typing import Any

from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, SUBACCOUNT_API_SECRET

SECRETS = (
    DEMO_API_SECRET,
    SUBACCOUNT_API_SECRET,
    base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode(),
)
_VONAGE_VARS = ("VONAGE_API_KEY", "VONAGE_API_SECRET", "VONAGE_REST_URL", "VONAGE_API_URL")


def cli_env(*, key: str | None = DEMO_API_KEY, secret: str | None = DEMO_API_SECRET, **extra: str) -> dict[str, str]:
    """The test process's environment (private dirs), demo credentials unless None, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _VONAGE_VARS}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("PYTHONWARNINGS", None)
    if key is not None:
        env["VONAGE_API_KEY"] = key
    if secret is not None:
        env["VONAGE_API_SECRET"] = secret
    env.update(extra)
    return env


def hosts(url: str) -> list[str]:
    return ["--rest-url", url, "--api-url", url]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 90, python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``python -m tui ARGS``; asserts that no traceback and no secret reached stdout or stderr."""
    done = subprocess.run(
        [sys.executable, *python_flags, "-m", "tui", *args],
        env=env if env is not None else cli_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream
        for secret in SECRETS:
            assert secret not in stream
    return done


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def json_out(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.load(io.StringIO(done.stdout))


def csv_out(done: subprocess.CompletedProcess[str]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) as csv.reader reads them."""
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout, newline="")))
    return rows[0], rows[1:]


def wire(record: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A sandbox record in the output's shape: every key present, absent ones null."""
    return {k: record.get(k) for k in keys}
