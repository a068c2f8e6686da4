"""Several hundred generated hostile requests against one sandbox: no 5xx, the path's error shape, still up.

Hypothesis starts from a valid request to each endpoint and spoils it: one parameter or JSON field replaced
(bad UTF-8 and lone surrogates percent-encoded, control characters, huge, negative and non-numeric numbers,
NaN and Infinity, deep nesting, very long strings), parameters repeated, the body in the wrong encoding or
content type, wrong credentials, and (in the second sweep) traversal and garbage in the path's ids.
Derandomised and without an example database, so every run sends the same requests.
"""

from __future__ import annotations

import base64
import json
import logging
import ssl
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_sandbox_hostile import assert_api_shape
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import (
    APP_SUPPORT,
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_POOL_ID,
    DEMO_SECRET_ID,
    DEMO_TRX,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
)
from tui.sandbox.server import RunningSandbox, start_sandbox

TLS = ssl.create_default_context()
POOLS = "/v2/numberpools/accounts/{key}/pools"
OWNED = "447700900001"
ON_SALE = "447700900999"  # not necessarily on sale: a buy may answer 420, which is fine
ENDPOINTS: list[tuple[str, str, str, dict]] = [
    ("GET", "/account/numbers", "query", {"size": "10", "index": "1", "country": "GB", "pattern": "77"}),
    ("GET", "/number/search", "query", {"country": "GB", "type": "mobile-lvn", "features": "SMS", "size": "5"}),
    ("POST", "/number/buy", "form", {"country": "GB", "msisdn": ON_SALE, "target_api_key": SUBACCOUNT_API_KEY}),
    ("POST", "/number/cancel", "form", {"country": "GB", "msisdn": OWNED}),
    ("POST", "/number/update", "form", {"country": "GB", "msisdn": OWNED, "app_id": APP_SUPPORT}),
    ("GET", "/account/get-balance", "query", {}),
    ("POST", "/account/top-up", "form", {"trx": DEMO_TRX}),
    ("POST", "/account/settings", "form", {"moCallBackUrl": "https://example.com/in"}),
    ("GET", "/accounts/{key}/secrets", "query", {}),
    ("POST", "/accounts/{key}/secrets", "json", {"secret": "Valid-Secret-1"}),
    ("GET", "/accounts/{key}/secrets/{id}", "query", {}),
    ("DELETE", "/accounts/{key}/secrets/{id}", "query", {}),
    ("GET", "/accounts/{key}/subaccounts", "query", {}),
    ("GET", "/accounts/{key}/subaccounts/{id}", "query", {}),
    ("GET", POOLS, "query", {"page": "1", "page_size": "10"}),
    ("POST", POOLS, "json", {"pool_id": "p1", "fallback": "Pool", "localized_sender_preferred": True,
                             "predictable_sender_preferred": False}),
    ("GET", POOLS + "/{id}", "query", {}),
    ("PATCH", POOLS + "/{id}", "json", {"fallback": "Reject"}),
    ("GET", POOLS + "/{id}/numbers", "query", {"page": "1", "page_size": "10"}),
    ("POST", POOLS + "/{id}/numbers", "json", {"numbers": [OWNED]}),
    ("POST", POOLS + "/{id}/numbers/delete", "json", {"numbers": [OWNED]}),
    ("DELETE", POOLS + "/{id}/numbers/{number}", "query", {}),
    ("GET", "/no/such/endpoint", "query", {}),
]  # fmt: skip
PARAMS = [
    "size", "index", "country", "pattern", "search_pattern", "type", "features", "msisdn", "target_api_key",
    "app_id", "moHttpUrl", "voiceCallbackType", "voiceCallbackValue", "messagesCallbackType", "trx",
    "moCallBackUrl", "drCallBackUrl", "has_application", "application_id", "page", "page_size", "api_key",
    "api_secret",
]  # fmt: skip
FIELDS = ["secret", "numbers", "pool_id", "fallback", "localized_sender_preferred", "predictable_sender_preferred"]
PLAUSIBLE = [
    "", "0", "1", "10", "100", "101", "-1", "2", "GB", "gb", "US", "ZZ", OWNED, "13177001234", "4930123", "7700",
    "SMS", "SMS,VOICE", "VOICE,SMS", "mobile-lvn", "landline", "true", "false", DEMO_API_KEY, SUBACCOUNT_API_KEY,
    DEMO_POOL_ID, DEMO_SECRET_ID, "https://example.com/x", "sip:x@example.com", "app", "tel", APP_SUPPORT,
    DEMO_TRX, "Valid-Secret-1", "Pool", "Reject",
]  # fmt: skip
NASTY = [
    " ", "1e999", "NaN", "Infinity", "-Infinity", "9" * 5000, "1" * 40, "0x10", "１０", "1_0", "../../etc/passwd",
    "..", "\x00", "\x1b[31m", "\r\nSet-Cookie: x", "\ud800", "\udfff", "A" * 3000, "' OR 1=1 --",
    "<script>alert(1)</script>", "${jndi:ldap://x}", "null", "http://[::1", "\u202e", "%s%n",
]  # fmt: skip
RAW_FRAGMENTS = ["%ff", "%c3%28", "%", "%zz", "%2", "%00", "%e2%80%ae", "%2e%2e%2f", "..%2F", "%ed%a0%80", "+"]


def encoded(value: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included (they become invalid UTF-8 on the wire)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


plausible = st.sampled_from(PLAUSIBLE)
nasty = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=()), max_size=30),  # surrogates and controls included
    st.text(st.characters(categories=["Cc", "Cs", "Zl", "Zp", "Cf"]), min_size=1, max_size=5),
)
text = st.one_of(plausible, nasty)
wire_value = st.one_of(
    text.map(encoded),
    st.sampled_from(RAW_FRAGMENTS),
    st.tuples(text, st.sampled_from(RAW_FRAGMENTS)).map(lambda pair: encoded(pair[0]) + pair[1]),
)
segment = wire_value.filter(lambda s: s not in ("", ".", ".."))

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=False), text
)
json_value = st.recursive(
    json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4)
)
bad_json = st.one_of(
    st.sampled_from([b'{"secret": NaN}', b'{"numbers": [Infinity]}', b'{"pool_id": 1e999}', b"{", b"\xff\xfe{}"]),
    st.integers(min_value=1, max_value=3000).map(lambda n: b'{"numbers": ' + b"[" * n + b"]" * n + b"}"),
    st.binary(max_size=64),
)
content_type = st.sampled_from(
    [None, "application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
     "application/json; charset=utf-16", "application/x-www-form-urlencoded; charset=latin-1", "*/*", ""]
)  # fmt: skip
auth = st.sampled_from(
    [(DEMO_API_KEY, DEMO_API_SECRET)] * 6
    + [None, (SUBACCOUNT_API_KEY, SUBACCOUNT_API_SECRET), (DEMO_API_KEY, "wrong"), ("\u00e9\u00e8", "x")]
)


def _valid_id(template: str) -> str:
    if "/secrets/" in template:
        return DEMO_SECRET_ID
    return SUBACCOUNT_API_KEY if "/subaccounts/" in template else DEMO_POOL_ID


@st.composite
def spoilt_pairs(draw: st.DrawFn, base: dict) -> str:
    """The base parameters, url-encoded, with one replaced or added and maybe one repeated."""
    pairs = [(k, encoded(str(v))) for k, v in base.items()]
    name = draw(st.sampled_from(sorted(base) + PARAMS) | text)
    value = draw(wire_value)
    pairs = [(k, v) for k, v in pairs if k != name] + [(name, value)]
    if pairs and draw(st.booleans()):
        pairs.append(draw(st.sampled_from(pairs)))  # a repeated parameter
    return "&".join(f"{k if k in PARAMS or k in base else encoded(k)}={v}" for k, v in draw(st.permutations(pairs)))


@st.composite
def spoilt_json(draw: st.DrawFn, base: dict) -> bytes:
    if draw(st.integers(0, 3)) == 0:
        return draw(bad_json)
    body = dict(base)
    body[draw(st.sampled_from(sorted(base) + FIELDS) | text)] = draw(json_value)
    return json.dumps(body).encode()  # lone surrogates become \\udxxx escapes


@st.composite
def hostile_request(
    draw: st.DrawFn, hostile_path: bool
) -> tuple[str, str, bytes | None, dict[str, str], tuple[str, str] | None]:
    """(method, raw target, body, headers, credentials); ``hostile_path`` also spoils the ids in the path."""
    method, template, kind, base = draw(st.sampled_from(ENDPOINTS))
    ids = {"key": DEMO_API_KEY, "id": _valid_id(template), "number": OWNED}
    if hostile_path:
        ids = {name: draw(st.one_of(st.just(valid), segment)) for name, valid in ids.items()}
    path = template.format(**ids)
    body, headers, query = None, {}, ""
    if kind == "json":
        body = draw(spoilt_json(base))
        headers["content-type"] = "application/json"
        query = draw(st.just("") | spoilt_pairs({}))
    elif kind == "form" and draw(st.integers(0, 3)) > 0:
        body = draw(spoilt_pairs(base).map(str.encode) | st.binary(max_size=64))
        headers["content-type"] = "application/x-www-form-urlencoded"
    else:
        query = draw(spoilt_pairs(base))
    if draw(st.integers(0, 4)) == 0:
        headers.pop("content-type", None)
        if (ct := draw(content_type)) is not None:
            headers["content-type"] = ct
    return method, path + (f"?{query}" if query else ""), body, headers, draw(auth)


def send(
    api: httpx.Client, method: str, target: str, body: bytes | None, headers: dict, creds: tuple[str, str] | None
) -> httpx.Response:
    """Send ``target`` byte for byte (httpx would normalise it), with Basic credentials when given."""
    request = api.build_request(method, "/", content=body, headers=headers)
    if creds is not None:
        request.headers["authorization"] = "Basic " + base64.b64encode(":".join(creds).encode()).decode()
    request.extensions["target"] = target.encode("ascii")
    return api.send(request)


@pytest.fixture(scope="module")
def hostile() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(seed=7)) as running:
        yield running


@pytest.fixture(scope="module")
def api(hostile: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hostile.url, verify=TLS, timeout=10) as client:
        yield client


SWEEP = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def check(api: httpx.Client, caplog: pytest.LogCaptureFixture, request: tuple) -> None:
    method, target, body, headers, creds = request
    response = send(api, method, target, body, headers, creds)
    assert_api_shape(response, target.split("?")[0])
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@SWEEP
@given(request=hostile_request(hostile_path=False))
def test_hostile_values_in_real_endpoints_never_answer_5xx_and_keep_the_api_shape(
    api: httpx.Client, caplog: pytest.LogCaptureFixture, request: tuple
) -> None:
    caplog.set_level(logging.WARNING)
    check(api, caplog, request)


@settings(SWEEP, max_examples=250)
@given(request=hostile_request(hostile_path=True))
def test_hostile_paths_and_ids_never_answer_5xx_and_keep_the_api_shape(
    api: httpx.Client, caplog: pytest.LogCaptureFixture, request: tuple
) -> None:
    caplog.set_level(logging.WARNING)
    check(api, caplog, request)


def test_after_the_sweeps_the_sandbox_still_answers_and_never_failed(
    api: httpx.Client, hostile: RunningSandbox
) -> None:
    """In any order: the knob only ever injects 502/503/504, so a 500 could only be the sandbox failing."""
    current = hostile.state.accounts[DEMO_API_KEY].secrets[0].value  # the sweep may have rotated the secret
    response = api.get("/account/get-balance", auth=(DEMO_API_KEY, current))
    assert response.status_code == 200
    assert hostile.state.status_counts[500] == 0


@settings(SWEEP, max_examples=150)
@given(request=hostile_request(hostile_path=False))
def test_with_the_5xx_knob_on_only_the_knobs_failures_appear(
    api: httpx.Client, hostile: RunningSandbox, request: tuple
) -> None:
    hostile.state.config.fault_5xx = 0.3
    try:
        method, target, body, headers, creds = request
        response = send(api, method, target, body, headers, creds)
    finally:
        hostile.state.config.fault_5xx = 0.0
    if response.status_code in (502, 504):
        assert response.headers["content-type"].startswith("text/html")
    elif response.status_code == 503:
        assert response.json()["title"] == "Service Unavailable"
    else:
        assert_api_shape(response, target.split("?")[0])
    assert hostile.state.status_counts[500] == 0
