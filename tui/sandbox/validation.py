"""Checks on request values, shared by the route modules (the sandbox must refuse what Vonage refuses)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

FEATURE_FILTERS = ("SMS", "VOICE", "SMS,VOICE", "MMS", "SMS,MMS", "VOICE,MMS", "SMS,MMS,VOICE")
"""The only ``features`` values the search accepts (order matters)."""

NUMBER_TYPES = ("landline", "mobile-lvn", "landline-toll-free")
VOICE_CALLBACK_TYPES = ("sip", "tel", "app")
POOL_FALLBACKS = ("Pool", "CustomFrom", "Reject")

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_MSISDN = re.compile(r"\d{7,15}")
_POOL_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def is_country(value: str) -> bool:
    return bool(_COUNTRY.fullmatch(value))


def is_msisdn(value: str) -> bool:
    return bool(_MSISDN.fullmatch(value))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host (Vonage would also call it; the sandbox cannot)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def is_pool_id(value: object) -> bool:
    return isinstance(value, str) and bool(_POOL_ID.fullmatch(value))


def secret_problems(secret: str) -> list[str]:
    """The broken rules of a new API secret (8-25 characters, a lower-case letter, an upper-case, a digit)."""
    problems = []
    if len(secret) < 8:
        problems.append("Must be at least 8 characters long")
    if len(secret) > 25:
        problems.append("Must be at most 25 characters long")
    if not any(c.islower() for c in secret):
        problems.append("Must contain at least 1 lower case character")
    if not any(c.isupper() for c in secret):
        problems.append("Must contain at least 1 upper case character")
    if not any(c.isdigit() for c in secret):
        problems.append("Must contain at least 1 digit")
    return problems
