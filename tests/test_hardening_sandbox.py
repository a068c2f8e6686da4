"""The sandbox at its edges: bytes that are not HTTP, and a stop while a request is still running.

Both go over a raw loopback socket to the real sandbox, since an HTTP client cannot send malformed bytes
and would hide how the connection ends. A stop during a slow request is driven through the real shutdown
(``start_sandbox`` leaving its block, or Ctrl+C to ``vonage-tui sandbox``) with a shorter grace period.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox, start_sandbox

AUTH = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()
STOP_LINE = "sandbox: stopping while handling"


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` and read until the server closes the connection (a timeout fails the test)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        return read_to_close(sock)


def read_to_close(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


def request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {AUTH}\r\n\r\n".encode()


def wait_for_requests(sandbox: RunningSandbox, count: int) -> None:
    """Until the sandbox has taken ``count`` requests in (it counts them before any latency or fault)."""
    deadline = time.monotonic() + 10
    while sandbox.state.request_count < count:
        assert time.monotonic() < deadline, "the request never reached the sandbox"
        time.sleep(0.005)


# -- bytes that are not an HTTP request ---------------------------------------------------------------------

GARBAGE = {
    "binary junk": b"\x00\x01\x02\x16\x03\x01 not http at all\r\n\r\n",
    "TLS hello on the plain port": bytes.fromhex("1603010200010001fc0303") + os.urandom(64) + b"\r\n\r\n",
    "raw non-ASCII in the target": b"GET /account/get-balance\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    "header line without a colon": b"GET /account/get-balance HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
    "broken chunked framing": (
        b"POST /account/top-up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-size\r\n"
    ),
}


@pytest.mark.parametrize("data", list(GARBAGE.values()), ids=list(GARBAGE))
def test_bytes_that_are_not_http_get_a_json_problem_400_and_the_sandbox_serves_on(
    sandbox: RunningSandbox, data: bytes
) -> None:
    status, headers, body = split_response(raw_exchange(sandbox.port, data))
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert int(headers["content-length"]) == len(body)  # the whole answer came before the close
    problem = json.loads(body)
    assert problem["title"] == "Bad Request"
    assert problem["type"].endswith("#invalid-request")
    assert "could not be read as HTTP/1.1" in problem["detail"]
    assert len(problem["instance"]) == 32  # a trace id, as on every other problem the sandbox sends
    with httpx.Client(base_url=sandbox.url, auth=(DEMO_API_KEY, DEMO_API_SECRET), timeout=10) as api:
        assert api.get("/account/get-balance").json()["value"] == 24.50


def test_an_answer_already_given_on_the_connection_is_kept_before_the_400(sandbox: RunningSandbox) -> None:
    """A good request then junk on one keep-alive connection: the first answer whole, then the 400."""
    raw = raw_exchange(sandbox.port, request("/account/get-balance") + b"\x00junk\r\n\r\n")
    first, _, rest = raw.partition(b"HTTP/1.1 400 ")
    status, headers, body = split_response(first)
    assert status == 200 and json.loads(body[: int(headers["content-length"])])["value"] == 24.50
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["title"] == "Bad Request"


# -- a stop while a request is still running ----------------------------------------------------------------


@pytest.fixture
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server waits this long for running requests before it cancels them (2 s in real use)."""
    monkeypatch.setattr("tui.sandbox.server._GRACE", 0.3)


def assert_one_stop_line_and_no_traceback(caplog: pytest.LogCaptureFixture, path: str) -> None:
    stops = [r for r in caplog.records if STOP_LINE in r.getMessage()]
    assert [r.getMessage() for r in stops] == [f"{STOP_LINE} GET {path!r}"]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert "Traceback" not in caplog.text and "CancelledError" not in caplog.text
    assert "Exception in ASGI application" not in caplog.text


@pytest.mark.parametrize(
    ("path", "family_key"),
    [("/account/get-balance", "error-code-label"), (f"/accounts/{DEMO_API_KEY}/secrets", "detail")],
    ids=["rest dialect", "problem dialect"],
)
@pytest.mark.usefixtures("short_grace")
def test_a_stop_during_a_slow_request_answers_503_in_the_api_shape(
    caplog: pytest.LogCaptureFixture, path: str, family_key: str
) -> None:
    caplog.set_level(logging.WARNING)
    with start_sandbox(SandboxConfig(seed=7, latency=60)) as sandbox:
        sock = socket.create_connection(("127.0.0.1", sandbox.port), timeout=10)
        sock.sendall(request(path))
        wait_for_requests(sandbox, 1)  # now sleeping in the latency knob; leaving the block stops the server
    with sock:
        status, headers, body = split_response(read_to_close(sock))
    assert status == 503
    assert headers["connection"] == "close" and headers["content-type"] == "application/json"
    assert "may or may not have been carried out" in json.loads(body)[family_key]
    assert sandbox.state.status_counts[503] == 1
    assert_one_stop_line_and_no_traceback(caplog, path)


@pytest.mark.usefixtures("short_grace")
def test_a_stop_during_a_dripping_answer_cuts_it_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    config = SandboxConfig(seed=7, fault_drip=1.0, drip_interval=60)
    with start_sandbox(config) as sandbox:
        sock = socket.create_connection(("127.0.0.1", sandbox.port), timeout=10)
        sock.sendall(request("/account/get-balance"))
        begun = b""
        while b"\r\n\r\n" not in begun:  # the head and the first body byte come at once, the rest never
            begun += sock.recv(65536)
    with sock:
        raw = begun + read_to_close(sock)
    status, headers, body = split_response(raw)
    assert status == 200
    assert 0 < len(body) < int(headers["content-length"])  # cut off: a client sees a short body, not a 503
    assert_one_stop_line_and_no_traceback(caplog, "/account/get-balance")


def test_ctrl_c_to_vonage_tui_sandbox_during_a_slow_answer_logs_one_line() -> None:
    """The real command, its real 2 s grace period and its own logging set-up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "--port", "0", "--fault-drip", "1", "--drip-interval", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    interrupted = False
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request("/account/get-balance"))
            begun = b""
            while b"\r\n\r\n" not in begun:
                begun += sock.recv(65536)
            assert begun.startswith(b"HTTP/1.1 200 ")  # the answer is under way, one byte a minute
            process.send_signal(signal.SIGINT)
            interrupted = True
            _, headers, body = split_response(begun + read_to_close(sock))
        assert len(body) < int(headers["content-length"])
    finally:
        if not interrupted:  # once only: a second Ctrl+C while Python exits ends it by the signal (status -2)
            process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Traceback" not in stderr and "CancelledError" not in stderr and "KeyboardInterrupt" not in stderr
    assert [line for line in stderr.splitlines() if STOP_LINE in line] == [
        f"{STOP_LINE} GET '/account/get-balance'"
    ], stderr
