"""The names of a number's settings that /number/update replaces, and which of them come in pairs.

Why a module of its own: both the request model that checks an update (``request_models``) and the
read-modify-write helpers (``number_config``) need these names, and ``number_config`` needs the
request model; keeping the names here lets both import them without importing each other.
"""

from __future__ import annotations

#: The settings /number/update replaces (``NumberUpdate``'s fields besides country and msisdn).
UPDATE_FIELDS = (
    "app_id",
    "mo_http_url",
    "mo_smpp_sys_type",
    "voice_callback_type",
    "voice_callback_value",
    "voice_status_callback",
    "messages_callback_type",
    "messages_callback_value",
)

#: Callback settings that are a (type, value) pair: set together, cleared together.
CALLBACK_PAIRS = (
    ("voice_callback_type", "voice_callback_value"),
    ("messages_callback_type", "messages_callback_value"),
)

__all__ = ["CALLBACK_PAIRS", "UPDATE_FIELDS"]
