"""Reading answers: lenient models, typed errors for every status, BadResponse for malformed bodies.

MockTransport is used only for bodies the sandbox cannot produce (HTML, XML, invalid JSON, wrong types,
odd statuses); hypothesis feeds arbitrary bodies through every client method and every response model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api import models
from tui.api.client import VonageClient
from tui.api.errors import (
    ActionFailed,
    AuthError,
    AutoReloadDisabled,
    BadResponse,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
    VonageError,
)
from tui.api.models import NumberUpdate, PoolCreate, PoolUpdate
from tui.api.responses import parse_model
from tui.api.retry import RetryPolicy

KEY, SECRET = "abcd1234", "Mock-Secret-12"
NO_RETRY = RetryPolicy(max_retries=0)


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> VonageClient:
    return VonageClient(KEY, SECRET, transport=httpx.MockTransport(handler), rate_limit=None, retry_policy=NO_RETRY)


def _answer(status: int = 200, content: bytes | str = b"", headers: dict[str, str] | None = None) -> VonageClient:
    raw = content.encode() if isinstance(content, str) else content
    return _client(lambda request: httpx.Response(status, content=raw, headers=headers or {}))


async def _all_owned(c: VonageClient) -> list[models.OwnedNumber]:
    return [number async for page in c.iter_owned_numbers() for number in page]


def _operations(c: VonageClient) -> dict[str, Callable[[], Awaitable[Any]]]:
    """One call of every client method, with valid input."""
    return {
        "list_owned_numbers": lambda: c.list_owned_numbers(),
        "iter_owned_numbers": lambda: _all_owned(c),
        "get_owned_number": lambda: c.get_owned_number("447700900001"),
        "search_numbers": lambda: c.search_numbers(country="GB"),
        "buy_number": lambda: c.buy_number("GB", "447700900001"),
        "cancel_number": lambda: c.cancel_number("GB", "447700900001"),
        "update_number": lambda: c.update_number(NumberUpdate(country="GB", msisdn="447700900001")),
        "update_number_fields": lambda: c.update_number_fields("447700900001", "GB", mo_http_url=""),
        "get_balance": lambda: c.get_balance(),
        "top_up": lambda: c.top_up("00X1"),
        "update_settings": lambda: c.update_settings(mo_callback_url=""),
        "list_secrets": lambda: c.list_secrets(),
        "create_secret": lambda: c.create_secret("Good-Secret-1"),
        "get_secret": lambda: c.get_secret("s1"),
        "revoke_secret": lambda: c.revoke_secret("s1"),
        "list_pools": lambda: c.list_pools(),
        "all_pools": lambda: c.all_pools(),
        "create_pool": lambda: c.create_pool(PoolCreate(pool_id="p1")),
        "get_pool": lambda: c.get_pool("p1"),
        "update_pool": lambda: c.update_pool("p1", PoolUpdate(fallback="Pool")),
        "delete_pool": lambda: c.delete_pool("p1"),
        "list_pool_numbers": lambda: c.list_pool_numbers("p1"),
        "all_pool_numbers": lambda: c.all_pool_numbers("p1"),
        "add_pool_numbers": lambda: c.add_pool_numbers("p1", ["447700900001"]),
        "remove_pool_numbers": lambda: c.remove_pool_numbers("p1", ["447700900001"]),
        "remove_pool_number": lambda: c.remove_pool_number("p1", "447700900001"),
    }


OPERATIONS = list(_operations(None).keys())  # type: ignore[arg-type]
# Operations whose 2xx answer legitimately needs no body, or whose answer is a per-number outcome.
NO_BODY_NEEDED = {"revoke_secret", "remove_pool_number", "delete_pool", "add_pool_numbers", "remove_pool_numbers"}


# -- malformed bodies ----------------------------------------------------------------------------

MALFORMED = {
    "html": ("<!DOCTYPE html><html><body><h1>Gateway</h1></body></html>", "text/html", "an HTML page"),
    "xml": ('<?xml version="1.0"?><accountBalance><value>1</value></accountBalance>', "text/xml", "XML"),
    "invalid json": ('{"value": 10.5,', "application/json", "not valid JSON"),
    "nan": ('{"value": NaN, "autoReload": false}', "application/json", "not valid JSON"),
    "empty": ("", "application/json", "empty"),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_malformed_bodies_are_bad_response(kind: str, operation: str) -> None:
    body, content_type, words = MALFORMED[kind]
    async with _answer(200, body, {"content-type": content_type}) as c:
        call = _operations(c)[operation]
        if operation in NO_BODY_NEEDED:
            with contextlib.suppress(BadResponse):
                await call()
            return
        with pytest.raises(BadResponse) as caught:
            await call()
    assert words in str(caught.value)


WRONG_TYPES = {
    "list_owned_numbers": [
        [],
        {"count": "many"},
        {"numbers": "447700900001"},
        {"numbers": [{"country": "GB"}]},
        {"numbers": [{"msisdn": {"a": 1}}]},
        {"count": -1},
        "text",
    ],
    "search_numbers": [{"numbers": [{"msisdn": "1", "cost": "cheap"}]}, {"numbers": [5]}],
    "get_balance": [{}, {"value": "lots"}, {"value": [1]}, {"value": 1, "autoReload": "perhaps"}, 42],
    "list_secrets": [{"_embedded": []}, {"_embedded": {"secrets": [{"created_at": "x"}]}}],
    "list_pools": [{"_embedded": {"pools": [{"fallback": "Pool"}]}}, {"page": "one"}, {"_embedded": "none"}],
    "create_secret": [{"created_at": "2020"}],
    "get_pool": [{"pool_id": None}],
    "update_settings": [{"max-calls-per-second": "fast"}],
}


@pytest.mark.parametrize(("operation", "body"), [(op, body) for op, bodies in WRONG_TYPES.items() for body in bodies])
async def test_wrong_types_are_bad_response(operation: str, body: Any) -> None:
    async with _answer(200 if operation != "create_secret" else 201, json.dumps(body)) as c:
        with pytest.raises(BadResponse) as caught:
            await _operations(c)[operation]()
    assert "expected form" in str(caught.value) or "JSON object" in str(caught.value)


# -- lenient models --------------------------------------------------------------------------------


def test_models_keep_unknown_fields_and_accept_variations() -> None:
    page = parse_model(
        models.OwnedNumbersPage,
        {
            "count": "2",
            "numbers": [
                {"msisdn": 447700900001, "features": "SMS,VOICE", "newField": {"x": 1}, "limitations": None},
                {"msisdn": "447700900002", "country": "GB", "moHttpUrl": "https://x.example"},
            ],
            "page_hint": "kept",
        },
        "test",
    )
    assert page.count == 2
    first, second = page.numbers
    assert first.msisdn == "447700900001" and first.features == ["SMS", "VOICE"] and first.limitations == []
    assert first.model_extra == {"newField": {"x": 1}}
    assert second.mo_http_url == "https://x.example" and second.features == []
    assert page.model_extra == {"page_hint": "kept"}
    assert parse_model(models.OwnedNumbersPage, {}, "t").numbers == []
    assert parse_model(models.OwnedNumbersPage, {"numbers": [{"msisdn": "1"}]}, "t").count == 1
    assert parse_model(models.AvailableNumbersPage, {"count": 0}, "t").numbers == []
    offer = parse_model(models.AvailableNumber, {"msisdn": "1", "initialPrice": "1.25", "cost": ""}, "t")
    assert offer.initial_price == Decimal("1.25") and offer.cost is None
    balance = parse_model(models.Balance, {"value": Decimal("10.17127500"), "autoReload": "false"}, "t")
    assert str(balance.value) == "10.17127500" and balance.auto_reload is False
    pools = parse_model(models.PoolsPage, {"_embedded": {"pools": [{"pool_id": "a", "fallback": "Weird"}]}}, "t")
    assert pools.pools[0].fallback == "Weird"  # shown as the server sends it
    numbers = parse_model(models.PoolNumbersPage, {"_embedded": {"numbers": ["1555", 1556, {"msisdn": "1557"}]}}, "t")
    assert [str(n) for n in numbers.numbers] == ["1555", "1556", "1557"]
    assert parse_model(models.Secret, {"id": "x", "created_at": "garbage"}, "t").created is None


async def test_money_keeps_its_digits_on_the_wire() -> None:
    async with _answer(200, '{"value": 10.17127500, "autoReload": false}') as c:
        balance = await c.get_balance()
    assert balance.value == Decimal("10.17127500") and str(balance.value) == "10.17127500"


async def test_paging_does_not_trust_an_absurd_count() -> None:
    body = json.dumps({"count": 10**12, "numbers": [{"msisdn": "447700900002"}]})
    async with _answer(200, body) as c:
        with pytest.raises(BadResponse) as caught:
            await _all_owned(c)
        assert "implausible" in str(caught.value) and c.stats.requests == 1
        # a server that keeps answering the same page does not keep us looping
        assert await c.get_owned_number("447700900001") is None
        assert c.stats.requests == 3
    same_page = json.dumps({"page": 1, "total_pages": 10**9, "_embedded": {"pools": [{"pool_id": "a"}]}})
    async with _answer(200, same_page) as c:
        assert [p.pool_id for p in await c.all_pools()] == ["a"]
        assert c.stats.requests == 2


# -- status mapping ------------------------------------------------------------------------------


async def test_numbers_errors_hidden_in_a_200_answer() -> None:
    async with _answer(200, '{"error-code": "420", "error-code-label": "Number not available"}') as c:
        with pytest.raises(ActionFailed) as failed:
            await c.buy_number("GB", "447700900001")
    assert failed.value.label == "Number not available"
    async with _answer(200, '{"error-code": "401", "error-code-label": "authentication failed"}') as c:
        with pytest.raises(AuthError):
            await c.list_owned_numbers()
    async with _answer(200, '{"error-code": "1234", "error-code-label": "Something odd"}') as c:
        with pytest.raises(VonageError) as odd:
            await c.cancel_number("GB", "447700900001")
    assert str(odd.value) == "Something odd"
    async with _answer(200, '{"error-code": "401", "error-code-label": "not auto-reload enabled"}') as c:
        with pytest.raises(AutoReloadDisabled):
            await c.top_up("00X1")
    async with _answer(200, '{"error-code": 200, "error-code-label": "success"}') as c:
        assert (await c.update_number(NumberUpdate(country="GB", msisdn="447700900001"))).ok


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "check"),
    [
        (
            400,
            {
                "title": "Bad Request",
                "detail": "Invalid",
                "invalid_parameters": [{"name": "size", "reason": "Too big"}],
            },
            {},
            ValidationFailed,
            lambda e: e.invalid_parameters == [{"name": "size", "reason": "Too big"}] and "size: Too big" in e.message,
        ),
        (
            401,
            {"type": "x", "title": "Unauthorized", "detail": "Invalid credentials"},
            {},
            AuthError,
            lambda e: e.status == 401,
        ),
        (401, {"error-code": "401", "error-code-label": "authentication failed"}, {}, AuthError, lambda e: True),
        (
            403,
            {"title": "Forbidden", "detail": "No access to that"},
            {},
            Forbidden,
            lambda e: e.detail == "No access to that",
        ),
        (404, {"title": "Not Found"}, {}, NotFound, lambda e: e.status == 404),
        (409, {"title": "Conflict", "detail": "Already there"}, {}, Conflict, lambda e: str(e) == "Already there"),
        (
            420,
            {"error-code": "420", "error-code-label": "Numbers from this country need an address"},
            {},
            ActionFailed,
            lambda e: e.label == "Numbers from this country need an address",
        ),
        (420, "not json", {}, ActionFailed, lambda e: e.label == ""),
        (429, {"title": "Too many requests", "retry_after": 45}, {}, RateLimited, lambda e: e.retry_after == 45),
        (429, {}, {"Retry-After": "40"}, RateLimited, lambda e: e.retry_after == 40),
        (500, "<html>oops</html>", {}, ServerError, lambda e: "500" in e.message),
        (302, "", {"Location": "https://evil.example/"}, BadResponse, lambda e: "redirect" in e.message),
        (418, {"detail": "I'm a teapot"}, {}, VonageError, lambda e: str(e) == "I'm a teapot"),
    ],
)
async def test_status_mapping(status: int, body: Any, headers: dict, expected: type, check: Callable) -> None:
    content = body if isinstance(body, str) else json.dumps(body)
    async with _answer(status, content, headers) as c:
        with pytest.raises(expected) as caught:
            await c.buy_number("GB", "447700900001")
    assert type(caught.value) is expected
    assert check(caught.value)
    assert caught.value.__context__ is None and caught.value.__cause__ is None


async def test_secret_limit_answered_with_400_is_still_the_limit() -> None:
    body = {
        "title": "Secret Addition Forbidden",
        "detail": "Account 'abcd1234' already has the maximum number [2] of secrets",
    }
    async with _answer(400, json.dumps(body)) as c:
        with pytest.raises(Forbidden) as caught:
            await c.create_secret("Third-Secret-3")
    assert caught.value.status == 400 and str(caught.value).startswith("an account can have at most two secrets")


async def test_server_400_on_secret_lists_invalid_parameters() -> None:
    body = {
        "title": "Bad Request",
        "detail": "The request failed due to secret validation errors",
        "invalid_parameters": [{"name": "secret", "reason": "Does not meet complexity requirements"}],
    }
    async with _answer(400, json.dumps(body)) as c:
        with pytest.raises(ValidationFailed) as caught:
            await c.create_secret("Good-Secret-1")
    assert caught.value.invalid_parameters[0]["reason"] == "Does not meet complexity requirements"


# -- property tests ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "count",
        "numbers",
        "msisdn",
        "features",
        "value",
        "autoReload",
        "error-code",
        "error-code-label",
        "_embedded",
        "pools",
        "secrets",
        "pool_id",
        "page",
        "total_pages",
        "id",
        "initialPrice",
        "title",
        "detail",
        "errors",
        "error",
        "invalid_parameters",
        "retry_after",
        "limitations",
    ]
)
shaped = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(field_names, children, max_size=6),
    max_leaves=25,
)
RESPONSE_MODELS = [
    models.OwnedNumbersPage,
    models.AvailableNumbersPage,
    models.StatusResponse,
    models.Balance,
    models.TopUpResult,
    models.AccountSettings,
    models.Secret,
    models.SecretsPage,
    models.Pool,
    models.PoolsPage,
    models.PoolNumbersPage,
]


@settings(max_examples=120, deadline=None)
@given(data=json_values | shaped)
def test_response_parsing_raises_only_bad_response(data: Any) -> None:
    for model in RESPONSE_MODELS:
        with contextlib.suppress(BadResponse):
            parse_model(model, data, "test")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=st.sampled_from([200, 201, 204, 207, 302, 400, 401, 403, 404, 405, 409, 420, 429, 500, 503]),
    body=st.one_of(
        st.binary(max_size=60),
        (json_values | shaped).map(lambda v: json.dumps(v).encode()),
    ),
    operation=st.sampled_from(OPERATIONS),
)
def test_any_answer_to_any_operation_raises_only_vonage_errors(status: int, body: bytes, operation: str) -> None:
    async def run() -> None:
        async with _answer(status, body) as c:
            try:
                await _operations(c)[operation]()
            except VonageError as error:
                assert SECRET not in repr(error) + str(error)

    asyncio.run(run())
