"""Numbers API through the real client against the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest

from tui.api.client import VonageClient
from tui.api.errors import ActionFailed, AuthError, Forbidden, InputError, NotFound, ValidationFailed
from tui.api.models import NumberUpdate, OwnedQuery, SearchQuery
from tui.api.retry import ClientEvent
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import (
    APP_MARKETING,
    APP_SUPPORT,
    DEMO_API_KEY,
    DEMO_API_SECRET,
    SUBACCOUNT_API_KEY,
)
from tui.sandbox.server import RunningSandbox, start_sandbox

DEMO_NUMBERS = {"447700900001", "442079460123", "13177001234", "49301234567", "33770012345", "18005550199"}


@pytest.fixture
def big_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(seed=7, owned_count=1500)) as running:
        yield running


@pytest.fixture
async def big_client(big_sandbox: RunningSandbox) -> AsyncIterator[VonageClient]:
    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=big_sandbox.url, api_url=big_sandbox.url, rate_limit=None
    ) as c:
        yield c


async def _available(client: VonageClient, country: str = "GB") -> tuple[str, str, Decimal]:
    page = await client.search_numbers(country=country, size=1)
    number = page.numbers[0]
    assert number.initial_price is not None
    return number.country, number.msisdn, number.initial_price


# -- listing -------------------------------------------------------------------------------------


async def test_list_owned_numbers_parses_the_demo_handful(client: VonageClient) -> None:
    page = await client.list_owned_numbers(size=100)
    assert page.count == 6
    assert {n.msisdn for n in page.numbers} == DEMO_NUMBERS
    by_number = {n.msisdn: n for n in page.numbers}
    assert by_number["442079460123"].mo_http_url == "https://example.com/webhooks/inbound-sms"
    de = by_number["49301234567"]
    assert (de.voice_callback_type, de.voice_callback_value) == ("tel", "447700900999")
    assert de.voice_status_callback == "https://example.com/webhooks/status"
    assert by_number["447700900001"].app_id == APP_SUPPORT
    assert all(n.features and n.country and n.type for n in page.numbers)


async def test_list_owned_numbers_filters(client: VonageClient) -> None:
    assert {n.msisdn for n in (await client.list_owned_numbers(country="gb")).numbers} == {
        "447700900001",
        "442079460123",
    }
    starts = await client.list_owned_numbers(OwnedQuery(pattern="+44 77", search_pattern=0))
    assert [n.msisdn for n in starts.numbers] == ["447700900001"]
    ends = await client.list_owned_numbers(pattern="0199", search_pattern=2)
    assert [n.msisdn for n in ends.numbers] == ["18005550199"]
    linked = await client.list_owned_numbers(has_application=True)
    assert {n.msisdn for n in linked.numbers} == {"447700900001", "13177001234"}
    support = await client.list_owned_numbers(application_id=APP_SUPPORT)
    assert [n.msisdn for n in support.numbers] == ["447700900001"]
    # keyword filters override the query object's
    overridden = await client.list_owned_numbers(OwnedQuery(country="GB"), country="DE")
    assert [n.msisdn for n in overridden.numbers] == ["49301234567"]


async def test_zero_results_and_page_past_the_end_are_empty_pages(client: VonageClient) -> None:
    none = await client.list_owned_numbers(country="JP")  # sandbox answers {"count": 0}
    assert none.count == 0 and none.numbers == []
    past = await client.list_owned_numbers(size=10, index=9)  # sandbox answers {}
    assert past.count == 0 and past.numbers == []


async def test_iter_owned_numbers_walks_1500_numbers_in_15_pages(
    big_client: VonageClient, big_sandbox: RunningSandbox
) -> None:
    totals: list[int] = []
    pages: list[list[str]] = []
    async for numbers in big_client.iter_owned_numbers(on_total=totals.append, concurrency=4):
        assert totals == [1500], "the total is known before the first page is yielded"
        pages.append([n.msisdn for n in numbers])
    assert len(pages) == 15 and all(len(p) == 100 for p in pages)
    seen = [m for page in pages for m in page]
    assert len(set(seen)) == 1500
    assert set(seen) == set(big_sandbox.state.accounts[DEMO_API_KEY].owned)
    assert big_client.stats.requests == 15
    assert big_client.stats.status_counts[200] == 15


async def test_iter_owned_numbers_bounds_concurrency(big_sandbox: RunningSandbox) -> None:
    big_sandbox.state.config.latency = 0.01
    in_flight = 0
    peak = 0

    def track(event: ClientEvent) -> None:
        nonlocal in_flight, peak
        if event.kind == "start":
            in_flight += 1
            peak = max(peak, in_flight)
        elif event.kind == "end":
            in_flight -= 1

    async with VonageClient(
        DEMO_API_KEY,
        DEMO_API_SECRET,
        rest_url=big_sandbox.url,
        api_url=big_sandbox.url,
        rate_limit=None,
        on_event=track,
    ) as c:
        count = sum([len(page) async for page in c.iter_owned_numbers(concurrency=3)])
    assert count == 1500
    assert 2 <= peak <= 3
    assert in_flight == 0


async def test_iter_owned_numbers_stopping_early_sends_nothing_more(big_client: VonageClient) -> None:
    async for numbers in big_client.iter_owned_numbers():
        assert len(numbers) == 100
        break
    assert big_client.stats.requests == 1


async def test_iter_owned_numbers_gives_every_number_once_with_filters(
    big_client: VonageClient, big_sandbox: RunningSandbox
) -> None:
    numbers = [n async for page in big_client.iter_owned_numbers() for n in page]
    assert sorted(n.msisdn for n in numbers) == sorted(big_sandbox.state.accounts[DEMO_API_KEY].owned)
    linked = [n async for page in big_client.iter_owned_numbers(has_application=True) for n in page]
    assert linked and all(n.app_id for n in linked)
    assert len(linked) < 1500


async def test_get_owned_number_is_exact(client: VonageClient) -> None:
    number = await client.get_owned_number("+44 7700 900001")
    assert number is not None and number.msisdn == "447700900001"
    assert await client.get_owned_number("4477009000") is None  # a prefix of an owned number is not it
    assert await client.get_owned_number("447700900001", country="US") is None


# -- search --------------------------------------------------------------------------------------


async def test_search_numbers_normalises_features_and_parses_prices(client: VonageClient) -> None:
    page = await client.search_numbers(country="us", features=["voice", "sms"], size=5)
    assert page.count > 0 and len(page.numbers) <= 5
    for number in page.numbers:
        assert number.country == "US"
        assert {"SMS", "VOICE"} <= set(number.features)
        assert isinstance(number.initial_price, Decimal) and isinstance(number.cost, Decimal)
    typed = await client.search_numbers(SearchQuery(country="GB", type="landline", size=3))
    assert typed.numbers and all(n.type == "landline" for n in typed.numbers)
    contains = await client.search_numbers(country="GB", pattern="7700", search_pattern=1, size=3)
    assert all("7700" in n.msisdn for n in contains.numbers)


async def test_search_numbers_checks_input_before_sending(client: VonageClient, sandbox: RunningSandbox) -> None:
    before = sandbox.state.request_count
    with pytest.raises(InputError) as missing:
        await client.search_numbers(size=5)
    assert missing.value.field == "country"
    with pytest.raises(InputError) as bad_features:
        await client.search_numbers(country="GB", features="SMS,FAX")
    assert bad_features.value.field == "features"
    with pytest.raises(InputError) as too_big:
        await client.search_numbers(country="GB", size=500)
    assert too_big.value.field == "size"
    assert client.stats.requests == 0 and sandbox.state.request_count == before


# -- buy / cancel --------------------------------------------------------------------------------


async def test_buy_number_charges_and_owns_it(client: VonageClient, sandbox: RunningSandbox) -> None:
    country, msisdn, price = await _available(client)
    balance = sandbox.state.accounts[DEMO_API_KEY].balance
    result = await client.buy_number(country, msisdn)
    assert result.ok and result.error_code == "200"
    assert msisdn in sandbox.state.accounts[DEMO_API_KEY].owned
    assert [p["msisdn"] for p in sandbox.state.purchases] == [msisdn]
    assert Decimal(str(sandbox.state.accounts[DEMO_API_KEY].balance)) == Decimal(str(balance)) - price
    assert (await client.get_owned_number(msisdn)) is not None


async def test_buy_refusals_are_action_failed_with_the_label_verbatim(
    client: VonageClient, sandbox: RunningSandbox
) -> None:
    with pytest.raises(ActionFailed) as owned:
        await client.buy_number("GB", "447700900001")
    assert owned.value.status == 420
    assert owned.value.label == "You already own the number 447700900001"
    assert str(owned.value) == owned.value.label
    with pytest.raises(ActionFailed) as unavailable:
        await client.buy_number("GB", "441234567890")
    assert "not available" in unavailable.value.label
    sandbox.state.accounts[DEMO_API_KEY].balance = 0.0
    country, msisdn, _ = await _available(client)
    with pytest.raises(ActionFailed) as poor:
        await client.buy_number(country, msisdn)
    assert poor.value.label.startswith("Insufficient balance")
    assert sandbox.state.purchases == []


async def test_buy_for_a_subaccount_and_refused_target(client: VonageClient, sandbox: RunningSandbox) -> None:
    country, msisdn, _ = await _available(client, "US")
    await client.buy_number(country, msisdn, target_api_key=SUBACCOUNT_API_KEY)
    assert sandbox.state.purchases[0]["api_key"] == SUBACCOUNT_API_KEY
    assert msisdn in sandbox.state.accounts[SUBACCOUNT_API_KEY].owned
    with pytest.raises(Forbidden) as refused:
        await client.buy_number(country, msisdn, target_api_key="zzzz9999")
    assert refused.value.status == 403 and "subaccount" in refused.value.message


async def test_buy_checks_input_before_sending(client: VonageClient, sandbox: RunningSandbox) -> None:
    before = sandbox.state.request_count
    for country, msisdn, field in (
        ("GBR", "447700900000", "country"),
        ("GB", "12ab", "msisdn"),
        ("GB", "123", "msisdn"),
    ):
        with pytest.raises(InputError) as caught:
            await client.buy_number(country, msisdn)
        assert caught.value.field == field
    with pytest.raises(InputError):
        await client.buy_number("GB", "447700900000", target_api_key="../etc")
    assert client.stats.requests == 0 and sandbox.state.request_count == before


async def test_cancel_number(client: VonageClient, sandbox: RunningSandbox) -> None:
    result = await client.cancel_number("FR", "33770012345")
    assert result.ok
    assert "33770012345" not in sandbox.state.accounts[DEMO_API_KEY].owned
    with pytest.raises(ActionFailed) as again:
        await client.cancel_number("FR", "33770012345")
    assert "not owned" in again.value.label


# -- update --------------------------------------------------------------------------------------


async def test_update_number_replaces_the_whole_configuration(client: VonageClient, sandbox: RunningSandbox) -> None:
    update = NumberUpdate(country="DE", msisdn="49301234567", mo_http_url="https://example.com/in")
    assert (await client.update_number(update)).ok
    record = sandbox.state.accounts[DEMO_API_KEY].owned["49301234567"]
    assert record["moHttpUrl"] == "https://example.com/in"
    assert "voiceCallbackType" not in record and "voiceStatusCallback" not in record  # cleared: not sent


async def test_update_number_fields_keeps_everything_else(client: VonageClient, sandbox: RunningSandbox) -> None:
    result = await client.update_number_fields("49301234567", "de", mo_http_url="https://example.com/in")
    assert result.ok
    record = sandbox.state.accounts[DEMO_API_KEY].owned["49301234567"]
    assert record["moHttpUrl"] == "https://example.com/in"
    assert (record["voiceCallbackType"], record["voiceCallbackValue"]) == ("tel", "447700900999")
    assert record["voiceStatusCallback"] == "https://example.com/webhooks/status"


async def test_update_number_fields_unsets_with_empty_string(client: VonageClient, sandbox: RunningSandbox) -> None:
    await client.update_number_fields("49301234567", "DE", voice_callback_type="", voice_status_callback="")
    record = sandbox.state.accounts[DEMO_API_KEY].owned["49301234567"]
    assert "voiceCallbackType" not in record and "voiceCallbackValue" not in record
    assert "voiceStatusCallback" not in record
    await client.update_number_fields("442079460123", "GB", mo_http_url="")
    assert "moHttpUrl" not in sandbox.state.accounts[DEMO_API_KEY].owned["442079460123"]


async def test_update_number_fields_changes_voice_and_application(
    client: VonageClient, sandbox: RunningSandbox
) -> None:
    await client.update_number_fields(
        "18005550199", "US", voice_callback_type="tel", voice_callback_value="+44 7700 900123"
    )
    record = sandbox.state.accounts[DEMO_API_KEY].owned["18005550199"]
    assert (record["voiceCallbackType"], record["voiceCallbackValue"]) == ("tel", "447700900123")
    # moving a number to another application moves the app-typed callbacks with it
    await client.update_number_fields("447700900001", "GB", app_id=APP_MARKETING)
    record = sandbox.state.accounts[DEMO_API_KEY].owned["447700900001"]
    assert record["app_id"] == APP_MARKETING
    assert record["voiceCallbackValue"] == APP_MARKETING and record["messagesCallbackValue"] == APP_MARKETING


async def test_update_number_fields_checks_changes_before_any_request(
    client: VonageClient, sandbox: RunningSandbox
) -> None:
    before = sandbox.state.request_count
    cases = [
        ({"mo_http_url": "ftp://example.com"}, "mo_http_url"),
        ({"app_id": "not-a-uuid"}, "app_id"),
        ({"voice_callback_type": "fax"}, "voice_callback_type"),
        ({"mo_http_ur": "https://typo.example"}, "mo_http_ur"),
    ]
    for changes, field in cases:
        with pytest.raises(InputError) as caught:
            await client.update_number_fields("49301234567", "DE", **changes)
        assert caught.value.field == field
    with pytest.raises(InputError):
        await client.update_number_fields("49301234567", "DE")
    with pytest.raises(InputError):
        await client.update_number(NumberUpdate(country="DE", msisdn="49301234567", voice_callback_type="sip"))
    assert client.stats.requests == 0 and sandbox.state.request_count == before
    # a pair made inconsistent with the current value is caught after the read, before the write
    with pytest.raises(InputError) as pair:
        await client.update_number_fields("49301234567", "DE", voice_callback_type="sip")
    assert pair.value.field == "voice_callback_value"
    assert client.stats.requests == 1


async def test_update_number_fields_for_a_number_we_do_not_own(client: VonageClient) -> None:
    with pytest.raises(NotFound) as caught:
        await client.update_number_fields("447700900777", "GB", mo_http_url="https://example.com/x")
    assert "447700900777" in caught.value.message


async def test_server_side_400_is_validation_failed(client: VonageClient) -> None:
    # Our models refuse this, so go one level down to see the server's own 400 mapped.
    with pytest.raises(ValidationFailed) as caught:
        await client._call(
            "GET", "rest", "/account/numbers", family="numbers", op="list_owned_numbers", params={"size": "500"}
        )
    assert caught.value.status == 400 and "size" in caught.value.message


async def test_wrong_secret_is_auth_error_on_numbers(sandbox: RunningSandbox) -> None:
    async with VonageClient(
        DEMO_API_KEY, "Wrong-Secret-1", rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None
    ) as c:
        with pytest.raises(AuthError) as caught:
            await c.list_owned_numbers()
    assert caught.value.status == 401
    assert "Wrong-Secret-1" not in repr(caught.value) + str(caught.value)
