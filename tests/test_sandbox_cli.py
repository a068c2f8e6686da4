"""``vonage-tui sandbox`` on the command line, and ``SandboxConfig`` for Python callers: honest about bad values.

Every value the sandbox cannot use is one line on stderr and exit status 2, never a traceback; the same
checks raise a ``ValueError`` naming the field for Python callers, at construction and at runtime.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from tui.sandbox.config import ConfigError, SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import start_sandbox

TLS = ssl.create_default_context()
DEMO = (DEMO_API_KEY, DEMO_API_SECRET)
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def sandbox_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "sandbox", *args], capture_output=True, text=True, timeout=30, env=ENV
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def junk_pem(tmp_path: Path) -> str:
    path = tmp_path / "junk.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    return str(path)


BAD = [
    (["--port", "99999"], "--port must be between 0 and 65535"),
    (["--port", "-1"], "--port must be between 0 and 65535"),
    (["--port", "eighty"], "--port must be a whole number"),
    (["--owned", "200000"], "--owned must be a whole number between 0 and 100000"),
    (["--owned", "-5"], "--owned must be a whole number between 0 and 100000"),
    (["--owned", "1.5"], "--owned must be a whole number"),
    (["--latency", "-1"], "--latency must be a finite number of seconds >= 0"),
    (["--latency", "nan"], "--latency must be a finite number of seconds >= 0"),
    (["--rate-limit", "0"], "--rate-limit must be a number of requests per second > 0"),
    (["--rate-limit", "-2"], "--rate-limit must be a number of requests per second > 0"),
    (["--rate-limit", "inf"], "--rate-limit must be a number of requests per second > 0"),
    (["--fault-5xx", "1.5"], "--fault-5xx must be a share between 0 and 1"),
    (["--fault-drop", "-0.1"], "--fault-drop must be a share between 0 and 1"),
    (["--fault-garbage-after-commit", "2"], "--fault-garbage-after-commit must be a share between 0 and 1"),
    (["--fault-429", "0.7", "--fault-drip", "0.7"], "the --fault-* shares must add up to at most 1"),
    (["--drip-interval", "-0.5"], "--drip-interval must be a finite number of seconds >= 0"),
    (["--latency", "61"], "--latency must be a finite number of seconds >= 0 and at most 60 (got 61.0)"),
    (["--drip-interval", "3600"], "--drip-interval must be a finite number of seconds >= 0 and at most 60"),
    (["--slow-headers-delay", "60.5"], "--slow-headers-delay must be a finite number of seconds >= 0 and at most 60"),
    (["--arm", "explode:/number/buy"], "unknown fault mode 'explode'"),
    (["--arm", "drip:/number/buy:0"], "times must be a whole number >= 1"),
    (["--certfile", "/no/such/cert.pem"], "certificate file not found: /no/such/cert.pem"),
    (["--keyfile", "/no/such/key.pem"], "a TLS key file needs a certificate file too"),
    (["--host", "0.0.0.0"], "serves on loopback only"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(args) for args, _ in BAD])
def test_a_bad_value_is_one_line_on_stderr_and_exit_2(args: list[str], message: str) -> None:
    result = sandbox_cli("--port", "0", *args) if "--port" not in args else sandbox_cli(*args)
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vonage-tui sandbox: ") and message in lines[0], lines[0]


def test_a_port_in_use_is_one_line_and_exit_2(busy_port: int) -> None:
    result = sandbox_cli("--port", str(busy_port))
    assert result.returncode == 2
    expected = f"vonage-tui sandbox: cannot listen on 127.0.0.1:{busy_port}: Address already in use"
    assert result.stderr.splitlines() == [expected]


def test_a_certificate_that_is_not_one_is_one_line_and_exit_2(junk_pem: str) -> None:
    result = sandbox_cli("--port", "0", "--certfile", junk_pem)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert f"cannot use {junk_pem} for TLS" in result.stderr


def test_flags_reach_the_server_and_ctrl_c_stops_it_cleanly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "--port", "0", "--rate-limit", "7.9", "--owned", "250",
         "--arm", "garbage-after-commit:/account/get-balance", "--pools-disabled"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        with httpx.Client(base_url=url, auth=DEMO, verify=TLS, timeout=10) as api:
            assert api.get("/account/get-balance").content.startswith(b"<html>")  # armed from the command line
            assert api.get("/account/get-balance").json()["value"] == 24.50
            assert api.post("/account/settings").json()["max-calls-per-second"] == 7
            assert api.get("/account/numbers").json()["count"] == 250
            assert api.get(f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools").status_code == 403
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_https_from_the_command_line(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "--port", "0", "--certfile", str(certfile), "--keyfile", str(keyfile)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        assert url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context()
        ca.configure_trust(trusted)
        assert httpx.get(f"{url}/account/get-balance", auth=DEMO, verify=trusted, timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    assert process.returncode == 0


# -- SandboxConfig for Python callers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("owned_count", 100_001),
        ("owned_count", -1),
        ("owned_count", 2.5),
        ("latency", -0.1),
        ("latency", float("inf")),
        ("latency", 60.001),
        ("drip_interval", 61),
        ("slow_headers_delay", 1e9),
        ("rate_limit", 0),
        ("rate_limit", float("nan")),
        ("fault_5xx", 1.01),
        ("fault_slow_headers", -1),
        ("huge_bytes", 0),
        ("max_body_bytes", -1),
        ("pools_enabled", "yes"),
        ("seed", "42"),
    ],
)
def test_config_refuses_a_bad_value_at_construction_and_at_runtime(field: str, value: object) -> None:
    with pytest.raises(ConfigError) as raised:
        SandboxConfig(**{field: value})
    assert raised.value.field == field and str(raised.value).startswith(field)
    config = SandboxConfig()
    before = getattr(config, field)
    with pytest.raises(ValueError, match=field):
        setattr(config, field, value)
    assert getattr(config, field) == before


def test_config_accepts_the_edges() -> None:
    config = SandboxConfig(owned_count=100_000, latency=0, rate_limit=0.5, fault_5xx=1.0, huge_bytes=None)
    assert config.validate() is config
    config.latency = config.drip_interval = config.slow_headers_delay = 60  # MAX_DELAY itself is allowed
    config.fault_5xx = 0.5
    config.fault_429 = 0.5
    assert config.validate() is config
    config.fault_drop = 0.5  # each field is fine alone; together they are not, and validate() says so
    with pytest.raises(ConfigError, match="add up to at most 1"):
        config.validate()


def test_a_sandbox_is_not_started_with_an_invalid_config() -> None:
    config = SandboxConfig()
    object.__setattr__(config, "fault_5xx", 0.8)  # past the checks, as a careless caller might
    object.__setattr__(config, "fault_429", 0.8)
    with pytest.raises(ConfigError, match="fault shares"), start_sandbox(config):
        pass
