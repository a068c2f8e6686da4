"""Checks for what the user sends, shared by the request models and the screens' forms.

Why here and strict: a typo caught before the request costs nothing, while the same typo sent to
/number/update can clear a webhook, and one sent to /number/buy can spend money. Every function takes
the raw value (whatever a form produced), returns the normalised value to send, and raises
``InputError(field=...)`` with a sentence for the field - never a pydantic error, never the input
itself when it might be a secret.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from .errors import InputError

_ALPHA2 = re.compile(r"[A-Za-z]{2}")
_DIGITS = re.compile(r"^[0-9]+$")
_MSISDN_STRIP = re.compile(r"[\s+\-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_API_KEY = re.compile(r"^[A-Za-z0-9]{1,64}$")
_POOL_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_TRX = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_SECRET_ID = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")

NUMBER_TYPES = ("landline", "mobile-lvn", "landline-toll-free")
VOICE_CALLBACK_TYPES = ("sip", "tel", "app")
POOL_FALLBACKS = ("Pool", "CustomFrom", "Reject")
FEATURE_NAMES = ("SMS", "MMS", "VOICE")
# The API accepts exactly these spellings; the order inside each is fixed by the API, not alphabetical.
ALLOWED_FEATURES = ("SMS", "VOICE", "SMS,VOICE", "MMS", "SMS,MMS", "VOICE,MMS", "SMS,MMS,VOICE")
_FEATURES_BY_SET = {frozenset(v.split(",")): v for v in ALLOWED_FEATURES}


def _text(value: object, field: str, what: str) -> str:
    """The value as a stripped string, or InputError when it is not a string at all."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text", field=field)
    return value.strip()


def country(value: str, field: str = "country") -> str:
    """ISO 3166-1 alpha-2 code, upper-cased ("gb" -> "GB")."""
    text = _text(value, field, "the country")
    if not _ALPHA2.fullmatch(text):
        raise InputError("the country must be a two-letter code such as GB or US", field=field)
    return text.upper()


def msisdn(value: str, field: str = "msisdn") -> str:
    """A phone number in E.164 digits: spaces, '+' and '-' are dropped, then 7-15 digits remain."""
    text = _MSISDN_STRIP.sub("", _text(value, field, "the number"))
    if not _DIGITS.fullmatch(text) or not 7 <= len(text) <= 15:
        raise InputError("a number must be 7 to 15 digits in international format, e.g. 447700900000", field=field)
    return text


def pattern(value: str, field: str = "pattern") -> str:
    """A digits-only fragment of a number to search for (spaces, '+' and '-' dropped)."""
    text = _MSISDN_STRIP.sub("", _text(value, field, "the pattern"))
    if not _DIGITS.fullmatch(text) or len(text) > 15:
        raise InputError("the search pattern must be up to 15 digits", field=field)
    return text


def search_pattern(value: int, field: str = "search_pattern") -> int:
    """0 = starts with, 1 = contains, 2 = ends with."""
    if isinstance(value, bool) or value not in (0, 1, 2):
        raise InputError("the match strategy must be 0 (starts with), 1 (contains) or 2 (ends with)", field=field)
    return int(value)


def url(value: str, field: str = "url") -> str:
    """An absolute http(s) URL for a webhook, or "" meaning "unset this webhook"."""
    text = _text(value, field, "the URL")
    if text == "":
        return ""
    if len(text) > 2000 or _CONTROL.search(text) or re.search(r"\s", text):
        raise InputError("the URL must be a single absolute http(s) address without spaces", field=field)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InputError("the URL is not well formed", field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError("the URL must start with http:// or https:// and name a host", field=field)
    return text


def application_id(value: str, field: str = "application_id", *, allow_empty: bool = False) -> str:
    """An application id (a UUID), returned in its canonical lower-case form; "" only if allowed."""
    text = _text(value, field, "the application id")
    if text == "" and allow_empty:
        return ""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise InputError(
            "the application id must be a UUID like aaaaaaaa-bbbb-cccc-dddd-0123456789ab", field=field
        ) from None
    canonical = str(parsed)
    if text.lower() != canonical:  # refuse braces, urn: prefixes and missing dashes: be exact
        raise InputError("the application id must be a UUID like aaaaaaaa-bbbb-cccc-dddd-0123456789ab", field=field)
    return canonical


def secret_rules(value: str) -> list[str]:
    """The rules a new API secret breaks (empty list = acceptable). Never echoes the secret."""
    if not isinstance(value, str):
        return ["must be text"]
    broken: list[str] = []
    if len(value) < 8:
        broken.append("at least 8 characters")
    if len(value) > 25:
        broken.append("at most 25 characters")
    if not any(c.islower() for c in value):
        broken.append("at least one lower-case letter")
    if not any(c.isupper() for c in value):
        broken.append("at least one upper-case letter")
    if not any(c.isdigit() for c in value):
        broken.append("at least one digit")
    if _CONTROL.search(value) or value != value.strip():
        broken.append("no control characters or leading/trailing spaces")
    return broken


def new_secret(value: str, field: str = "secret") -> str:
    """Raise InputError listing every broken rule (but never the secret) unless ``value`` is acceptable."""
    broken = secret_rules(value)
    if broken:
        raise InputError("the new secret needs " + ", ".join(broken), field=field)
    return value


def features(value: Iterable[str] | str, field: str = "features") -> str:
    """Normalise a choice of SMS/MMS/VOICE to the one spelling the API accepts ("voice,sms" -> "SMS,VOICE")."""
    if isinstance(value, str):
        items: list[object] = [*value.split(",")]
    else:
        try:
            items = list(value)
        except TypeError:
            raise InputError("features must be a list such as SMS, VOICE", field=field) from None
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise InputError("features must be text such as SMS, MMS or VOICE", field=field)
        name = item.strip().upper()
        if not name:
            continue
        if name not in FEATURE_NAMES:
            raise InputError("features may only be SMS, MMS and VOICE", field=field)
        chosen.add(name)
    if not chosen:
        raise InputError("choose at least one feature (SMS, MMS or VOICE)", field=field)
    return _FEATURES_BY_SET[frozenset(chosen)]


def number_type(value: str, field: str = "type") -> str:
    """landline, mobile-lvn or landline-toll-free."""
    text = _text(value, field, "the number type").lower()
    if text not in NUMBER_TYPES:
        raise InputError("the number type must be landline, mobile-lvn or landline-toll-free", field=field)
    return text


def voice_callback_type(value: str, field: str = "voice_callback_type") -> str:
    """sip, tel or app (app is deprecated by Vonage but still accepted), or "" to unset."""
    text = _text(value, field, "the voice callback type").lower()
    if text not in ("", *VOICE_CALLBACK_TYPES):
        raise InputError("the voice callback type must be sip, tel or app", field=field)
    return text


def voice_callback_value(kind: str, value: str, field: str = "voice_callback_value") -> str:
    """Check the value against its type: tel -> a number, sip -> a sip:/sips: URI, app -> a UUID."""
    text = _text(value, field, "the voice callback value")
    if kind == "tel":
        return msisdn(text, field)
    if kind == "sip":
        if not re.fullmatch(r"sips?:\S+", text, re.IGNORECASE) or _CONTROL.search(text):
            raise InputError("a SIP destination must look like sip:user@example.com", field=field)
        return text
    if kind == "app":
        return application_id(text, field)
    raise InputError("set the voice callback type before its value", field=field)


def short_text(value: str, field: str, max_length: int = 100) -> str:
    """Free text (such as an SMPP system type): no control characters, at most ``max_length``."""
    text = _text(value, field, field.replace("_", " "))
    if len(text) > max_length or _CONTROL.search(text):
        raise InputError(f"{field.replace('_', ' ')} must be at most {max_length} plain characters", field=field)
    return text


def api_key(value: str, field: str = "api_key") -> str:
    """An API key (letters and digits): it becomes part of URL paths, so nothing else is allowed."""
    text = _text(value, field, "the API key")
    if not _API_KEY.fullmatch(text):
        raise InputError("the API key must be letters and digits, such as abcd1234", field=field)
    return text


def secret_id(value: str, field: str = "secret_id") -> str:
    """A secret's id (a UUID in practice); letters, digits, '-' and '_' only because it goes in a path."""
    text = _text(value, field, "the secret id")
    if not _SECRET_ID.fullmatch(text):
        raise InputError("that is not a valid secret id", field=field)
    return text


def pool_id(value: str, field: str = "pool_id") -> str:
    """A pool id: 1-64 of letters, digits, '_', '-', '.'; not "." or ".." because it goes in a path."""
    text = _text(value, field, "the pool id")
    if not _POOL_ID.fullmatch(text) or text in (".", ".."):
        raise InputError("a pool id is 1 to 64 letters, digits, '_', '-' or '.'", field=field)
    return text


def pool_fallback(value: str, field: str = "fallback") -> str:
    """Pool, CustomFrom or Reject (case-insensitive in, canonical spelling out)."""
    text = _text(value, field, "the fallback")
    for choice in POOL_FALLBACKS:
        if text.lower() == choice.lower():
            return choice
    raise InputError("the fallback must be Pool, CustomFrom or Reject", field=field)


def transaction_ref(value: str, field: str = "trx") -> str:
    """The transaction reference of the payment that enabled auto-reload."""
    text = _text(value, field, "the transaction reference")
    if not _TRX.fullmatch(text):
        raise InputError("the transaction reference is 1 to 100 letters, digits, '_', '-' or '.'", field=field)
    return text


def page_size(value: int, field: str = "size", maximum: int = 100) -> int:
    """A page size from 1 to ``maximum`` (100 for the numbers API)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InputError(f"the page size must be a whole number from 1 to {maximum}", field=field)
    return value


def page_index(value: int, field: str = "index") -> int:
    """A page number, starting at 1 (the numbers API's ``index`` is a page, not an offset)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InputError("the page must be a whole number from 1", field=field)
    return value


def flag(value: bool, field: str) -> bool:
    """A real boolean; "yes", 1 and friends are refused so a form bug cannot flip a setting."""
    if not isinstance(value, bool):
        raise InputError(f"{field.replace('_', ' ')} must be true or false", field=field)
    return value


__all__ = [
    "ALLOWED_FEATURES",
    "NUMBER_TYPES",
    "POOL_FALLBACKS",
    "VOICE_CALLBACK_TYPES",
    "api_key",
    "application_id",
    "country",
    "features",
    "flag",
    "msisdn",
    "new_secret",
    "number_type",
    "page_index",
    "page_size",
    "pattern",
    "pool_fallback",
    "pool_id",
    "search_pattern",
    "secret_id",
    "secret_rules",
    "short_text",
    "transaction_ref",
    "url",
    "voice_callback_type",
    "voice_callback_value",
]
