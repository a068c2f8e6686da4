"""The sandbox at its edges: bytes that are not HTTP.

They go over a raw loopback socket to the real sandbox, since an HTTP client cannot send malformed bytes
and would hide how the connection ends.
"""

from __future__ import annotations

import base64
import json
import os
import socket

import httpx
import pytest

from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox

AUTH = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()


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
