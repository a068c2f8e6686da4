"""What the user may send: validators and request models, by example and by property."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tui.api import validators as v
from tui.api.errors import InputError
from tui.api.models import NumberUpdate, OwnedQuery, PoolCreate, PoolUpdate, SearchQuery, SecretCreate

UUID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.binary(max_size=10),
    st.lists(st.text(max_size=6), max_size=4),
)

# -- examples ------------------------------------------------------------------------------------


def test_country() -> None:
    assert v.country(" gb ") == "GB"
    for bad in ("GBR", "G", "1A", "", "ß", "Äb", None, 44):
        with pytest.raises(InputError) as caught:
            v.country(bad)  # type: ignore[arg-type]
        assert caught.value.field == "country"


def test_msisdn() -> None:
    assert v.msisdn("+44 7700-900 001") == "447700900001"
    assert v.msisdn("1234567") == "1234567"
    for bad in ("123456", "1" * 16, "44 77OO 900001", "٤٤٧٧٠٠٩٠٠٠٠١", "(44) 7700900001", "", 447700900001):
        with pytest.raises(InputError) as caught:
            v.msisdn(bad)  # type: ignore[arg-type]
        assert caught.value.field == "msisdn"


def test_url() -> None:
    assert v.url("") == ""
    assert v.url(" https://example.com/hook?a=1 ") == "https://example.com/hook?a=1"
    assert v.url("http://localhost:8000/in") == "http://localhost:8000/in"
    for bad in (
        "example.com",
        "ftp://example.com",
        "https://",
        "https://exa mple.com",
        "https://x.example:99999",
        "javascript:alert(1)",
        "https://x.example/a\nb",
        None,
    ):
        with pytest.raises(InputError):
            v.url(bad)  # type: ignore[arg-type]


def test_application_id() -> None:
    assert v.application_id(UUID.upper()) == UUID
    assert v.application_id("", allow_empty=True) == ""
    for bad in (
        "",
        "aaaaaaaa-bbbb-cccc-dddd-0123456789abc",
        "{" + UUID + "}",
        UUID.replace("-", ""),
        "urn:uuid:" + UUID,
    ):
        with pytest.raises(InputError):
            v.application_id(bad)


def test_features_are_normalised_to_the_allowed_spellings() -> None:
    names = ["SMS", "MMS", "VOICE"]
    for size in (1, 2, 3):
        for combo in itertools.permutations(names, size):
            result = v.features([c.lower() for c in combo])
            assert result in v.ALLOWED_FEATURES and set(result.split(",")) == set(combo)
    assert v.features("voice, sms") == "SMS,VOICE"
    assert v.features(["MMS", "VOICE"]) == "VOICE,MMS"
    assert v.features({"VOICE", "MMS", "SMS", "sms"}) == "SMS,MMS,VOICE"
    for bad in ([], "", "FAX", ["SMS", 1], 5, ["SMS", "FAX"]):
        with pytest.raises(InputError) as caught:
            v.features(bad)  # type: ignore[arg-type]
        assert caught.value.field == "features"


def test_secret_rules() -> None:
    assert v.secret_rules("Good-Secret-1") == []
    assert v.secret_rules("short") == [
        "at least 8 characters",
        "at least one upper-case letter",
        "at least one digit",
    ]
    assert "at most 25 characters" in v.secret_rules("Aa1" * 9)
    assert v.secret_rules(" Padded-Secret-1") == ["no control characters or leading/trailing spaces"]
    assert v.secret_rules(None) == ["must be text"]  # type: ignore[arg-type]


def test_other_validators() -> None:
    assert v.pool_id("pool.name-1_x") == "pool.name-1_x"
    for bad in ("", ".", "..", "a/b", "a b", "x" * 65):
        with pytest.raises(InputError):
            v.pool_id(bad)
    assert v.pool_fallback("customfrom") == "CustomFrom"
    assert v.transaction_ref("00X123456Y7890123Z") == "00X123456Y7890123Z"
    assert v.page_size(100) == 100
    for bad in (0, 101, True, 5.0, "5"):
        with pytest.raises(InputError):
            v.page_size(bad)  # type: ignore[arg-type]
    assert v.search_pattern(2) == 2
    with pytest.raises(InputError):
        v.search_pattern(3)
    assert v.voice_callback_value("sip", "sip:me@example.com") == "sip:me@example.com"
    assert v.voice_callback_value("tel", "+44 7700 900001") == "447700900001"
    with pytest.raises(InputError):
        v.voice_callback_value("sip", "me@example.com")
    assert v.number_type("Mobile-LVN") == "mobile-lvn"


def test_request_models_are_strict_and_raise_input_error() -> None:
    query = OwnedQuery(country="gb", pattern=" ", has_application=False, size=100, index=2)
    assert query.to_params() == {"size": "100", "index": "2", "has_application": "false", "country": "GB"}
    search = SearchQuery(country="us", features=["voice", "sms"], type="landline", pattern="+1 555", search_pattern=1)
    assert search.to_params() == {
        "pattern": "1555",
        "search_pattern": "1",
        "country": "US",
        "type": "landline",
        "features": "SMS,VOICE",
    }
    for make, field in (
        (lambda: SearchQuery(), "country"),
        (lambda: SearchQuery(country="US", typo=1), "typo"),
        (lambda: OwnedQuery(has_application="yes"), "has_application"),
        (lambda: OwnedQuery(size="10"), "size"),
        (lambda: OwnedQuery(application_id="nope"), "application_id"),
        (lambda: NumberUpdate(country="GB"), "msisdn"),
        (
            lambda: NumberUpdate(country="GB", msisdn="447700900001", voice_callback_value="447700900002"),
            "voice_callback_type",
        ),
        (
            lambda: NumberUpdate(
                country="GB", msisdn="447700900001", messagesCallbackType="sms", messagesCallbackValue=UUID
            ),
            "messages_callback_type",
        ),
        (lambda: PoolCreate(fallback="Pool"), "pool_id"),
        (lambda: PoolUpdate(localized_sender_preferred=1), "localized_sender_preferred"),
        (lambda: SearchQuery.model_validate({"country": "XYZ"}), "country"),
    ):
        with pytest.raises(InputError) as caught:
            make()
        assert caught.value.field == field, field
        assert caught.value.__context__ is None


def test_number_update_form_and_pairs() -> None:
    update = NumberUpdate(
        country="gb",
        msisdn="+447700900001",
        app_id="",
        mo_http_url="",
        voiceCallbackType="TEL",
        voice_callback_value="+44 7700 900002",
        voice_status_callback="https://example.com/status",
        messages_callback_type="app",
        messages_callback_value=UUID.upper(),
    )
    assert update.to_form() == {
        "country": "GB",
        "msisdn": "447700900001",
        "app_id": "",
        "moHttpUrl": "",
        "voiceCallbackType": "tel",
        "voiceCallbackValue": "447700900002",
        "voiceStatusCallback": "https://example.com/status",
        "messagesCallbackType": "app",
        "messagesCallbackValue": UUID,
    }
    # unchanged server values are sent back as they are, changed ones are judged
    current = {
        "country": "GB",
        "msisdn": "447700900001",
        "mo_http_url": "legacy value",
        "voice_callback_type": "sip",
        "voice_callback_value": "sip:old@example.com",
    }
    merged = NumberUpdate.merged(current, {"voiceCallbackValue": "sip:new@example.com"})
    assert merged.mo_http_url == "legacy value" and merged.voice_callback_value == "sip:new@example.com"
    cleared = NumberUpdate.merged(current, {"voice_callback_value": ""})
    assert (cleared.voice_callback_type, cleared.voice_callback_value) == ("", "")
    with pytest.raises(InputError):
        NumberUpdate.merged(current, {"mo_http_url": "legacy value"})  # typed by the user: judged


def test_secret_create_hides_the_value() -> None:
    made = SecretCreate(secret="Good-Secret-1")
    assert "Good-Secret-1" not in repr(made) + str(made) + repr(made.model_dump())
    assert made.to_json() == {"secret": "Good-Secret-1"}
    assert SecretCreate(secret=SecretStr("Good-Secret-2")).to_json() == {"secret": "Good-Secret-2"}
    with pytest.raises(InputError) as caught:
        SecretCreate(secret="Weak-Secret")
    assert "Weak-Secret" not in repr(caught.value) + str(caught.value)


# -- properties ----------------------------------------------------------------------------------

VALIDATORS = [
    v.country,
    v.msisdn,
    v.pattern,
    v.url,
    v.application_id,
    v.features,
    v.number_type,
    v.voice_callback_type,
    v.api_key,
    v.secret_id,
    v.pool_id,
    v.pool_fallback,
    v.transaction_ref,
    v.page_size,
    v.page_index,
    v.search_pattern,
    v.new_secret,
    lambda x: v.flag(x, "flag"),
    lambda x: v.short_text(x, "note"),
    lambda x: v.voice_callback_value("sip", x),
    lambda x: v.voice_callback_value("tel", x),
    lambda x: v.voice_callback_value("app", x),
]


@settings(max_examples=150, deadline=None)
@given(value=anything)
def test_validators_raise_only_input_error(value: Any) -> None:
    for check in VALIDATORS:
        with contextlib.suppress(InputError):
            check(value)


@settings(max_examples=100, deadline=None)
@given(
    digits=st.text("0123456789", min_size=7, max_size=15),
    noise=st.lists(st.sampled_from([" ", "-", "+"]), max_size=6),
    data=st.data(),
)
def test_msisdn_keeps_exactly_the_digits(digits: str, noise: list[str], data: st.DataObject) -> None:
    text = list(digits)
    for mark in noise:
        text.insert(data.draw(st.integers(0, len(text))), mark)
    assert v.msisdn("".join(text)) == digits


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["SMS", "MMS", "VOICE", "sms", "Voice", " mms "]), min_size=1, max_size=6))
def test_features_property(items: list[str]) -> None:
    result = v.features(items)
    assert result in v.ALLOWED_FEATURES
    assert set(result.split(",")) == {i.strip().upper() for i in items}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_new_secret_property(secret: str) -> None:
    broken = v.secret_rules(secret)
    try:
        assert v.new_secret(secret) == secret
        assert broken == []
    except InputError as error:
        assert broken and error.field == "secret"
        message = "the new secret needs " + ", ".join(broken)
        assert str(error) == message  # the message is the rule list, never the value


@settings(max_examples=100, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "country",
                "msisdn",
                "app_id",
                "mo_http_url",
                "voice_callback_type",
                "voice_callback_value",
                "voiceStatusCallback",
                "messages_callback_type",
                "messagesCallbackValue",
                "typo",
            ]
        ),
        anything,
        max_size=6,
    )
)
def test_request_models_raise_only_input_error(fields: dict[str, Any]) -> None:
    for model in (NumberUpdate, OwnedQuery, SearchQuery, PoolCreate, PoolUpdate, SecretCreate):
        with contextlib.suppress(InputError):
            model(**fields)
        with contextlib.suppress(InputError):
            model.model_validate(fields)
