"""Hostile input over real loopback HTTP: refused in the API's own error shape, never a 5xx or a traceback.

The error shape depends on the path: the rest.nexmo.com endpoints (``/account/…``, ``/number/…``) answer
``error-code``/``error-code-label``, everything else RFC 7807; 404, 405 and 429 are RFC 7807 everywhere.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Iterator

import httpx
import pytest

from tui.sandbox.config import SandboxConfig
from tui.sandbox.errors import family_of
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_POOL_ID
from tui.sandbox.server import RunningSandbox, start_sandbox

TLS = ssl.create_default_context()
DEMO = (DEMO_API_KEY, DEMO_API_SECRET)
SECRETS = f"/accounts/{DEMO_API_KEY}/secrets"
POOLS = f"/v2/numberpools/accounts/{DEMO_API_KEY}/pools"
POOL_NUMBERS = f"{POOLS}/{DEMO_POOL_ID}/numbers"
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}


def connect(sandbox: RunningSandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, auth=DEMO, verify=TLS, timeout=10)


def raw(api: httpx.Client, method: str, target: str, **kwargs: object) -> httpx.Response:
    """Send ``target`` byte for byte (httpx would normalise dot segments and re-encode the query)."""
    request = api.build_request(method, target.split("?")[0], **kwargs)  # type: ignore[arg-type]
    request.extensions["target"] = target.encode("ascii")
    return api.send(request)


def assert_api_shape(response: httpx.Response, path: str) -> None:
    """No 5xx, no traceback, and an error body in the dialect of the path."""
    status = response.status_code
    assert status < 500, (status, path, response.text[:300])
    assert "Traceback" not in response.text
    if status < 400:
        return
    body = response.json()
    if status in (404, 405, 429) or family_of(path) == "problem":
        assert {"type", "title", "detail", "instance"} <= body.keys(), (path, body)
        assert all(isinstance(body[k], str) for k in ("type", "title", "detail"))
    else:
        assert body["error-code"] == str(status), (path, body)
        assert isinstance(body["error-code-label"], str) and body["error-code-label"]


def assert_still_serving(api: httpx.Client) -> None:
    assert api.get("/account/get-balance").status_code == 200


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with connect(sandbox) as client:
        yield client


# -- size and depth -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SECRETS, POOLS, POOL_NUMBERS, f"{POOLS}/{DEMO_POOL_ID}"])
def test_deeply_nested_json_is_400_and_logs_nothing(
    api: httpx.Client, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    method = "PATCH" if path.endswith(DEMO_POOL_ID) else "POST"
    for body in (b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b"[" * 40 + b"]" * 40):
        response = api.request(method, path, content=body, headers=JSON)
        assert response.status_code == 400
        assert_api_shape(response, path)
        assert response.json()["invalid_parameters"][0]["name"] == "body"
    deep = api.post(SECRETS, content=b'{"secret": ' + b"[" * 100 + b"]" * 100 + b"}", headers=JSON)
    assert "nested at most" in deep.json()["invalid_parameters"][0]["reason"]
    no_tracebacks(caplog)
    assert_still_serving(api)


def read_head(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(rest) < int(headers.get("content-length", 0)):
        rest += sock.recv(65536)
    return int(lines[0].split()[1]), headers, rest


@pytest.mark.parametrize("path", ["/number/buy", SECRETS])
def test_a_declared_body_over_the_cap_is_413_before_a_byte_of_it_is_read(sandbox: RunningSandbox, path: str) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
            f"Content-Length: 50000000\r\n\r\n".encode()
        )
        status, headers, body = read_head(sock)
    assert status == 413 and headers["connection"] == "close"
    assert_api_shape(httpx.Response(413, content=body), path)
    assert sandbox.state.status_counts[413] == 1


def test_a_50_mb_upload_is_refused_with_413_and_the_server_stays_up(api: httpx.Client) -> None:
    response = api.post("/number/buy", content=b"x" * 50_000_000, headers=FORM)
    assert response.status_code == 413
    assert_api_shape(response, "/number/buy")
    assert "1048576 bytes" in response.json()["error-code-label"]
    assert_still_serving(api)


def test_a_streamed_body_stops_being_read_at_the_cap(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        while sent < 200 * 1024 * 1024:
            sent += 65536
            yield b"x" * 65536

    response = api.post(SECRETS, content=endless(), headers=JSON)
    assert response.status_code == 413 and response.json()["title"] == "Payload Too Large"
    assert sent < 50 * 1024 * 1024  # the server stopped long before the 200 MB the client had to send
    assert_still_serving(api)


def test_the_cap_is_inclusive_and_a_runtime_knob(api: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.config.max_body_bytes = 64
    exactly = json.dumps({"secret": "Abcdefgh1" + "x" * 41}).encode()
    assert len(exactly) == 64
    assert api.post(SECRETS, content=exactly, headers=JSON).status_code == 400  # read, then "at most 25"
    assert api.post(SECRETS, content=exactly + b" ", headers=JSON).status_code == 413


# -- values that cannot be read -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"secret": NaN}',
        b'{"secret": Infinity}',
        b'{"secret": -Infinity}',
        b'{"secret": 1e999}',
        b'{"secret": ' + b"9" * 5000 + b"}",
        b'{"secret": "\\ud800"}',
        b'{"secret": "ok\\udfffok"}',
        b'{"secret": "\xff\xfe"}',
        b"\xef\xbb\xbf{}",
        b'{"secret": "A1b' + b"c" * 900_000 + b'"}',
        b"",
        b"null",
        b"[]",
    ],
)
def test_unreadable_json_is_a_400_problem(api: httpx.Client, body: bytes) -> None:
    response = api.post(SECRETS, content=body, headers=JSON)
    assert response.status_code == 400
    assert_api_shape(response, SECRETS)
    assert response.json()["invalid_parameters"][0]["name"] in ("body", "secret")


def test_nan_and_surrogates_are_refused_by_pools_too(api: httpx.Client, sandbox: RunningSandbox) -> None:
    for body in (b'{"numbers": ["\\ud800"]}', b'{"numbers": [NaN]}', b'{"numbers": ["447700900001", 1e400]}'):
        response = api.post(POOL_NUMBERS, content=body, headers=JSON)
        assert response.status_code == 400
        assert_api_shape(response, POOL_NUMBERS)
    assert sandbox.state.accounts[DEMO_API_KEY].pools[DEMO_POOL_ID].numbers  # unchanged


@pytest.mark.parametrize(
    ("method", "target", "content"),
    [
        ("GET", "/account/numbers?country=%ff", None),
        ("GET", "/account/numbers?%c3%28=1", None),
        ("GET", "/account/numbers?pattern=%00", None),
        ("GET", "/number/search?country=GB&pattern=%1b%5b31m", None),
        ("GET", "/account/numbers?pattern=%c2%85", None),
        ("GET", f"{SECRETS}?x=%ff", None),
        ("GET", "/accounts/%ff%fe/secrets", None),
        ("GET", "/accounts/%00/secrets", None),
        ("GET", f"{POOLS}/%0a%0dSet-Cookie:x", None),
        ("POST", "/number/buy", b"country=GB&msisdn=\xff\xfe"),
        ("POST", "/number/buy", b"country=GB&msisdn=%ff"),
        ("POST", "/account/top-up", b"trx=%1b%5d0%3btitle%07"),
        ("POST", "/account/settings", b"moCallBackUrl=https://example.com/%00"),
    ],
)
def test_bad_utf8_and_control_characters_are_400_in_the_paths_dialect(
    api: httpx.Client, sandbox: RunningSandbox, method: str, target: str, content: bytes | None
) -> None:
    response = raw(api, method, target, content=content, headers=FORM if content else None)
    assert response.status_code == 400, response.text
    path = target.split("?")[0]
    assert_api_shape(response, path)
    assert sandbox.state.accounts[DEMO_API_KEY].mo_callback_url == "https://example.com/webhooks/inbound-sms"


@pytest.mark.parametrize(
    ("content_type", "path", "content"),
    [
        ("application/json", "/number/buy", b'{"country": "GB", "msisdn": "447700900123"}'),
        ("multipart/form-data; boundary=x", "/number/buy", b"--x\r\n\r\ncountry=GB\r\n--x--"),
        ("text/plain", "/account/top-up", b"trx=00X123456Y7890123Z"),
        ("application/x-www-form-urlencoded", SECRETS, b"secret=Valid-Secret-1"),
        ("application/xml", POOLS, b"<pool/>"),
        ("image/png", POOL_NUMBERS, b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_wrong_content_types_are_refused_not_crashed_on(
    api: httpx.Client, content_type: str, path: str, content: bytes
) -> None:
    response = api.post(path, content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert_api_shape(response, path)


def test_a_repeated_parameter_counts_once_the_last_value_winning(api: httpx.Client) -> None:
    page = raw(api, "GET", "/account/numbers?size=5&size=1")
    assert page.status_code == 200 and len(page.json()["numbers"]) == 1
    assert raw(api, "GET", "/account/numbers?size=1&size=500").status_code == 400
    created = api.post(SECRETS, content=b'{"secret": "nope", "secret": "Valid-Secret-1"}', headers=JSON)
    assert created.status_code == 201
    form = api.post("/account/top-up", content=b"trx=unknown&trx=00X123456Y7890123Z", headers=FORM)
    assert form.status_code == 200


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/account/numbers?size=100000000000000000000000000000", 400),
        ("/account/numbers?size=-1", 400),
        ("/account/numbers?size=1e2", 400),
        ("/account/numbers?index=0", 400),
        ("/account/numbers?index=" + "9" * 5000, 400),
        ("/account/numbers?index=1000000000000000000000000000000000", 200),
        ("/number/search?country=GB&index=99999999999999999999", 200),
        ("/number/search?country=GB&search_pattern=99999999999999999999&pattern=1", 400),
        (f"{POOLS}?page=0", 400),
        (f"{POOLS}?page_size=1000000000", 400),
        (f"{POOLS}?page=NaN", 400),
        (f"{POOL_NUMBERS}?page=" + "1" * 5000, 400),
        (f"{POOLS}?page=1000000", 200),
    ],
)
def test_absurd_paging_values(api: httpx.Client, target: str, status: int) -> None:
    response = raw(api, "GET", target)
    assert response.status_code == status
    assert_api_shape(response, target.split("?")[0])
    if status == 200 and target.startswith("/account/"):
        assert response.json() == {}


@pytest.mark.parametrize(
    "target",
    [
        "/accounts/..%2F..%2Fetc%2Fpasswd/secrets",
        "/accounts/../account/get-balance",
        f"{SECRETS}/..%2F..%2F..%2Fetc%2Fpasswd",
        f"{SECRETS}/%2e%2e",
        f"{POOLS}/..%2Fdemo-pool",
        f"{POOLS}/{DEMO_POOL_ID}/numbers/..%2F..%2F..",
        "/number/../account/get-balance",
        "/v2/numberpools/accounts/..%2Fsub12345/pools",
    ],
)
def test_path_traversal_in_ids_finds_nothing(api: httpx.Client, target: str) -> None:
    method = "DELETE" if "/numbers/" in target else "GET"
    response = raw(api, method, target)
    assert response.status_code in (403, 404)
    assert_api_shape(response, target)


def test_very_long_values_are_refused_or_served_never_crashed_on(api: httpx.Client) -> None:
    long = "7" * 12_000
    for target in (f"/account/numbers?pattern={long}", f"/account/top-up?trx={long}", f"{SECRETS}/{long}"):
        response = raw(api, "POST" if "top-up" in target else "GET", target)
        assert response.status_code in (200, 400, 404, 420)
        assert_api_shape(response, target.split("?")[0])
    assert_still_serving(api)


# -- the safety net -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/number/search", POOLS])
def test_an_unexpected_failure_is_a_500_in_shape_and_one_log_line(
    api: httpx.Client, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.WARNING)
    master = sandbox.state.accounts[DEMO_API_KEY]
    saved_available, saved_pools = sandbox.state.available, master.pools
    sandbox.state.available = None  # type: ignore[assignment]  # a bug planted in the search
    master.pools = None  # type: ignore[assignment]  # and one in the pools listing
    try:
        response = api.get(path, params={"country": "GB"})
    finally:
        sandbox.state.available, master.pools = saved_available, saved_pools
    assert response.status_code == 500
    body = response.json()
    if family_of(path) == "rest":
        assert body["error-code"] == "500"
    else:
        assert body["title"] == "Internal Server Error"
    assert "Traceback" not in response.text and "NoneType" not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert path in errors[0].getMessage() and "country" not in errors[0].getMessage()
    assert sandbox.state.status_counts[500] == 1
    assert_still_serving(api)


def test_a_config_check_refuses_hostile_knobs_too() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        SandboxConfig(max_body_bytes=0)
    with start_sandbox(SandboxConfig(max_body_bytes=10)) as small, connect(small) as api:
        assert api.post("/number/buy", content=b"country=GB&msisdn=1", headers=FORM).status_code == 413
