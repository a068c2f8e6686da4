"""Values from the server are refused, not trusted: absurd Retry-After waits and absurd money.

A Retry-After longer than we wait (RetryPolicy.retry_after_cap, 30 s) is not waited out: the error
says how long the server asked for, in words, and that we did not wait; malformed ones (negative,
NaN, infinite) are ignored and our own bounded back-off applies. Money that no answer can honestly
hold (1E+999999, NaN, Infinity, a billion EUR, 1E-999999) is a BadResponse naming the field, never the
value. MockTransport serves these bodies: the sandbox never produces them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from test_api_fakes import VirtualTime

from tui.api.client import VonageClient
from tui.api.errors import LONGEST_WAIT, BadResponse, RateLimited, describe_wait
from tui.api.retry import RetryPolicy, parse_retry_after

KEY, SECRET = "abcd1234", "Value-Secret-31"
POLICY = RetryPolicy(max_retries=2)  # default cap: 30 s


def _client(handler: Any, time: VirtualTime) -> VonageClient:
    return VonageClient(
        KEY, SECRET, transport=httpx.MockTransport(handler), rate_limit=None, retry_policy=POLICY,
        clock=time.clock, sleep=time.sleep,
    )


def _always_429(header: str | None = None, body: bytes = b'{"title": "Rate Limit Hit"}') -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if header is not None:
            headers["retry-after"] = header
        return httpx.Response(429, headers=headers, content=body)

    return handler


FAR_FUTURE = "Fri, 31 Dec 9999 23:59:59 GMT"
TOO_LONG = {
    "1e308 s": ("1e308", b"{}", "a day or more"),
    "1e400 s": ("1e400", b"{}", "a day or more"),
    "year 9999": (FAR_FUTURE, b"{}", "a day or more"),
    "huge body retry_after": (None, b'{"retry_after": 1E+999999}', "a day or more"),
    "two hours": ("7200", b"{}", "2 h"),
    "five minutes": ("300", b"{}", "300 s"),
}


@pytest.mark.parametrize("case", list(TOO_LONG))
async def test_a_wait_longer_than_the_cap_is_not_made_and_the_message_says_so(case: str) -> None:
    header, body, words = TOO_LONG[case]
    time = VirtualTime()
    async with _client(_always_429(header, body), time) as c:
        with pytest.raises(RateLimited) as caught:
            await c.buy_number("GB", "447700900123")
        assert c.stats.requests == 1 and time.sleeps == []  # asked once, waited for nothing
        assert c.limiter.paused_for == 0  # nor is the rest of the client held for it
    error = caught.value
    assert error.waited is False and f"asked us to wait {words}" in str(error) and "did not wait" in str(error)
    assert error.retry_after is not None and 0 < error.retry_after <= LONGEST_WAIT
    assert "e+" not in str(error) and "inf" not in str(error)


@pytest.mark.parametrize("header", ["inf", "-inf", "nan", "-5", "Infinity", "soon", ""])
async def test_a_malformed_retry_after_is_ignored_for_our_own_bounded_back_off(header: str) -> None:
    time = VirtualTime()
    async with _client(_always_429(header), time) as c:
        with pytest.raises(RateLimited) as caught:
            await c.get_balance()
        assert c.stats.requests == 1 + POLICY.max_retries
    assert len(time.sleeps) == POLICY.max_retries and all(0 <= s <= POLICY.max_delay for s in time.sleeps)
    assert caught.value.retry_after is None and str(caught.value) == RateLimited.default_message


def test_parse_retry_after_clamps_and_refuses() -> None:
    assert parse_retry_after("1e308") == LONGEST_WAIT == parse_retry_after(FAR_FUTURE)
    huge = json.loads('{"retry_after": 1E+999999}', parse_float=Decimal)
    assert parse_retry_after(None, huge) == LONGEST_WAIT
    assert parse_retry_after(None, {"retry_after": float("nan")}) is None
    assert parse_retry_after(None, {"retry_after": -1}) is None
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 60 < (parse_retry_after(soon) or 0) <= 90
    assert parse_retry_after("x" * 10_000) is None


def test_waits_read_as_people_say_them() -> None:
    assert [describe_wait(s) for s in (0.2, 2, 120, 599, 900, 7200, 86_399, 86_400, float("inf"))] == [
        "0.2 s", "2 s", "120 s", "599 s", "15 min", "2 h", "24 h", "a day or more", "a day or more",
    ]


# -- money -------------------------------------------------------------------------------------------

ABSURD = {
    "1E+999999": b"1E+999999",
    "NaN string": b'"NaN"',
    "Infinity string": b'"Infinity"',
    "-Infinity string": b'"-Infinity"',
    "1e300": b"1e300",
    "a billion": b"1000000000",
    "minus 1E+20": b'"-1E+20"',
    "1E-999999": b"1E-999999",
    "thirty decimals": b"0.123456789012345678901234567890",
}


def _answer(body: bytes) -> Any:
    return lambda request: httpx.Response(200, headers={"content-type": "application/json"}, content=body)


@pytest.mark.parametrize("case", list(ABSURD))
async def test_absurd_balances_are_a_bad_response_naming_the_field_not_the_value(case: str) -> None:
    raw = ABSURD[case]
    async with _client(_answer(b'{"value": ' + raw + b', "autoReload": false}'), VirtualTime()) as c:
        with pytest.raises(BadResponse) as caught:
            await c.get_balance()
    text = str(caught.value) + repr(caught.value)
    assert "(value:" in text
    assert raw.strip(b'"').decode().lower() not in text.lower() and "999" not in text


@pytest.mark.parametrize("case", list(ABSURD))
@pytest.mark.parametrize("field", ["initialPrice", "cost"])
async def test_absurd_prices_are_a_bad_response_naming_the_field(case: str, field: str) -> None:
    number = b'{"msisdn": "447700900123", "country": "GB", "' + field.encode() + b'": ' + ABSURD[case] + b"}"
    body = b'{"count": 1, "numbers": [' + number + b"]}"
    async with _client(_answer(body), VirtualTime()) as c:
        with pytest.raises(BadResponse) as caught:
            await c.search_numbers(country="GB")
    assert f".{field}:" in str(caught.value) and "999" not in str(caught.value)


@pytest.mark.parametrize("raw", [b"0", b"-12.5", b'"0.0012"', b"9.799999999999999", b"0.30000000000000004",
                                 b"999999999.99", b'"3.7500"'])
async def test_honest_money_still_passes(raw: bytes) -> None:
    async with _client(_answer(b'{"value": ' + raw + b', "autoReload": true}'), VirtualTime()) as c:
        balance = await c.get_balance()
    assert str(balance.value) == raw.strip(b'"').decode()
