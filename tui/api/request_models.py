"""Request models: what the user asks us to send, checked before anything leaves the machine.

Why strict: these values become query strings and form posts that can spend money or clear a
webhook. Every field goes through ``validators`` (so a form and a model agree on what is valid),
unknown fields are refused (a misspelt keyword must not be silently ignored), and a failure is raised
as ``InputError(field=...)`` - never a pydantic ValidationError, never carrying the input, which might
be a secret. ``models`` re-exports everything here.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import validators as v
from .errors import InputError
from .number_fields import CALLBACK_PAIRS, UPDATE_FIELDS


def input_error_from(exc: ValidationError, model: type[BaseModel]) -> InputError:
    """Turn pydantic's error into ours: the first problem, named by field, without the input value.

    A fresh InputError is built even when a validator raised one, so the exception carries no
    traceback into the validator frames (whose locals could hold a secret being checked).
    """
    errors = exc.errors(include_url=False, include_input=False)
    first: dict[str, Any] = dict(errors[0]) if errors else {}
    loc = first.get("loc") or ()
    raw_field = str(loc[0]) if loc else ""
    by_alias = {info.alias: name for name, info in model.model_fields.items() if info.alias}
    field = by_alias.get(raw_field, raw_field)
    original = (first.get("ctx") or {}).get("error")
    if isinstance(original, InputError):
        return type(original)(original.message, field=original.field or field)
    label = field.replace("_", " ") or "input"
    kind = first.get("type", "")
    if kind == "missing":
        message = f"{label} is required"
    elif kind == "extra_forbidden":
        message = f"unknown field {field!r}"
    else:
        message = f"{label}: {str(first.get('msg', 'is invalid')).lower()}"
    return InputError(message, field=field)


# How NumberUpdate is being checked. A ContextVar rather than pydantic's validation context because
# RequestModel's own __init__ (which turns ValidationError into InputError) makes pydantic drop that
# context. "partial": field checks only, no pair rules (changes checked before the current number is
# read); "trusted": fields copied unchanged from the server, sent back as they are.
_PARTIAL: ContextVar[bool] = ContextVar("number_update_partial", default=False)
_TRUSTED: ContextVar[frozenset[str]] = ContextVar("number_update_trusted", default=frozenset())


def _trusted(info: ValidationInfo) -> bool:
    return (info.field_name or "") in _TRUSTED.get()


class RequestModel(BaseModel):
    """Base: forbid unknown fields, hide input in errors, raise InputError instead of ValidationError."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, hide_input_in_errors=True, frozen=True)

    def __init__(self, /, **data: Any) -> None:
        error: InputError | None = None
        try:
            super().__init__(**data)
        except ValidationError as exc:
            error = input_error_from(exc, type(self))
        if error is not None:  # raised outside the except block: no chained ValidationError
            raise error

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Any:
        """As pydantic's, but failures are InputError (used with a context for read-modify-write)."""
        error: InputError | None = None
        try:
            return super().model_validate(
                obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
            )
        except ValidationError as exc:
            error = input_error_from(exc, cls)
        raise error


def _optional(value: Any, check: Any, field: str) -> Any:
    return None if value is None else check(value, field)


class _PagedQuery(RequestModel):
    """What both number listings share: a digits pattern, its match strategy, and paging."""

    pattern: str | None = None
    search_pattern: int | None = None
    size: int | None = None
    index: int | None = None

    @field_validator("pattern", mode="before")
    @classmethod
    def _pattern(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # an empty filter box means "no filter"
        return v.pattern(value)

    @field_validator("search_pattern", mode="before")
    @classmethod
    def _search_pattern(cls, value: Any) -> Any:
        return _optional(value, v.search_pattern, "search_pattern")

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> Any:
        return _optional(value, v.page_size, "size")

    @field_validator("index", mode="before")
    @classmethod
    def _index(cls, value: Any) -> Any:
        return _optional(value, v.page_index, "index")

    def to_params(self) -> dict[str, str]:
        """Query parameters as the API spells them (booleans as true/false), unset ones left out."""
        params: dict[str, str] = {}
        for name, value in self.model_dump(exclude_none=True).items():
            params[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return params


class OwnedQuery(_PagedQuery):
    """Filters for GET /account/numbers. Empty strings mean "no filter"."""

    application_id: str | None = None
    has_application: bool | None = None
    country: str | None = None

    @field_validator("application_id", "country", mode="before")
    @classmethod
    def _text_filters(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if info.field_name == "country":
            return v.country(value)
        return v.application_id(value)

    @field_validator("has_application", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return _optional(value, v.flag, "has_application")


class SearchQuery(_PagedQuery):
    """Parameters for GET /number/search; ``country`` is required, ``features`` normalised."""

    country: str
    type: str | None = None
    features: str | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        return v.country(value)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return _optional(value, v.number_type, "type")

    @field_validator("features", mode="before")
    @classmethod
    def _features(cls, value: Any) -> Any:
        if value is None or (isinstance(value, (list, tuple, set, frozenset, str)) and not value):
            return None
        return v.features(value)


class NumberUpdate(RequestModel):
    """The full configuration sent to POST /number/update, which *replaces* the number's settings.

    ``None`` = not sent, ``""`` = unset. The voice (and deprecated messages) callback type and value
    go together: a type needs a value, a value needs a type, and the value must suit the type
    (tel -> a number, sip -> a sip: URI, app -> an application id).
    """

    country: str
    msisdn: str
    app_id: str | None = None
    mo_http_url: str | None = Field(None, alias="moHttpUrl")
    mo_smpp_sys_type: str | None = Field(None, alias="moSmppSysType")
    voice_callback_type: str | None = Field(None, alias="voiceCallbackType")
    voice_callback_value: str | None = Field(None, alias="voiceCallbackValue")
    voice_status_callback: str | None = Field(None, alias="voiceStatusCallback")
    messages_callback_type: str | None = Field(None, alias="messagesCallbackType")
    messages_callback_value: str | None = Field(None, alias="messagesCallbackValue")

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        return v.country(value)

    @field_validator("msisdn", mode="before")
    @classmethod
    def _msisdn(cls, value: Any) -> Any:
        return v.msisdn(value)

    @field_validator(*UPDATE_FIELDS, mode="before")
    @classmethod
    def _settings(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        if value is None:
            return None
        if _trusted(info):
            return v.short_text(value, name, max_length=2000)
        if name == "app_id":
            return v.application_id(value, name, allow_empty=True)
        if name in ("mo_http_url", "voice_status_callback"):
            return v.url(value, name)
        if name == "voice_callback_type":
            return v.voice_callback_type(value, name)
        if name == "messages_callback_type":
            return _messages_type(value, name)
        return v.short_text(value, name, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _pairs(cls, data: Any) -> Any:
        """Check each type/value pair together (skipped for a partial check or server-side values)."""
        if not isinstance(data, dict) or _PARTIAL.get():
            return data
        trusted = _TRUSTED.get()
        data = dict(data)
        for kind_name, value_name, check_kind in (
            ("voice_callback_type", "voice_callback_value", v.voice_callback_type),
            ("messages_callback_type", "messages_callback_value", _messages_type),
        ):
            kind_key = _key(cls, data, kind_name)
            value_key = _key(cls, data, value_name)
            if {kind_name, value_name} <= trusted:
                continue
            kind = data.get(kind_key) if kind_key else None
            value = data.get(value_key) if value_key else None
            kind = check_kind(kind, kind_name) if kind is not None else ""
            if value is not None and not isinstance(value, str):
                raise InputError(f"{value_name.replace('_', ' ')} must be text", field=value_name)
            value = (value or "").strip()
            if kind and not value:
                raise InputError(f"{kind_name.replace('_', ' ')} {kind!r} needs a value", field=value_name)
            if value and not kind:
                raise InputError(f"set the {kind_name.replace('_', ' ')} for this value", field=kind_name)
            if kind and value_key:
                data[value_key] = v.voice_callback_value(kind, value, value_name)
        return data

    @classmethod
    def check_changes(cls, country: str, msisdn: str, **changes: Any) -> None:
        """Check each changed field on its own (type/value pairs are checked once merged).

        Lets a read-modify-write refuse bad input before it sends even the read.
        """
        token = _PARTIAL.set(True)
        try:
            cls(**{**_by_name(cls, changes), "country": country, "msisdn": msisdn})
        finally:
            _PARTIAL.reset(token)

    @classmethod
    def merged(cls, current: dict[str, Any], changes: dict[str, Any]) -> NumberUpdate:
        """The full update: ``current`` (field name -> server value) overlaid with ``changes``.

        Values that come unchanged from the server are not re-judged by our stricter input rules:
        the user did not type them, and refusing them would block every edit of that number.
        Clearing one half of a callback pair ("" for the type or the value) clears the other half too.
        """
        current, changes = _by_name(cls, current), _by_name(cls, changes)
        for a, b in CALLBACK_PAIRS:
            for one, other in ((a, b), (b, a)):
                if changes.get(one) == "" and other not in changes:
                    changes[other] = ""
        trusted = frozenset(name for name in current if name not in changes and name not in ("country", "msisdn"))
        token = _TRUSTED.set(trusted)
        try:
            return cls(**{**current, **changes})
        finally:
            _TRUSTED.reset(token)

    def to_form(self) -> dict[str, str]:
        """The form fields, spelt as the API wants; unset (None) fields are left out."""
        return {k: str(val) for k, val in self.model_dump(by_alias=True, exclude_none=True).items()}


def _messages_type(value: Any, field: str) -> str:
    text = v.short_text(value, field).lower()
    if text not in ("", "app"):
        raise InputError("the messages callback type can only be app", field=field)
    return text


def _by_name(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with wire spellings (aliases) replaced by field names, so merges cannot double up."""
    by_alias = {info.alias: name for name, info in model.model_fields.items() if info.alias}
    return {by_alias.get(key, key): value for key, value in data.items()}


def _key(model: type[BaseModel], data: dict[str, Any], name: str) -> str | None:
    """The key under which ``name`` appears in ``data`` (its own name or its alias)."""
    if name in data:
        return name
    alias = model.model_fields[name].alias
    return alias if alias and alias in data else None


class PoolCreate(RequestModel):
    """Body of POST .../pools: all four fields are required by the API, so all are always sent."""

    pool_id: str
    fallback: str = "Pool"
    localized_sender_preferred: bool = False
    predictable_sender_preferred: bool = False

    @field_validator("pool_id", mode="before")
    @classmethod
    def _pool_id(cls, value: Any) -> Any:
        return v.pool_id(value)

    @field_validator("fallback", mode="before")
    @classmethod
    def _fallback(cls, value: Any) -> Any:
        return v.pool_fallback(value)

    @field_validator("localized_sender_preferred", "predictable_sender_preferred", mode="before")
    @classmethod
    def _flags(cls, value: Any, info: ValidationInfo) -> Any:
        return v.flag(value, info.field_name or "flag")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()


class PoolUpdate(RequestModel):
    """Body of PATCH .../pools/{id}: only the fields given are sent."""

    pool_id: str | None = None
    fallback: str | None = None
    localized_sender_preferred: bool | None = None
    predictable_sender_preferred: bool | None = None

    @field_validator("pool_id", mode="before")
    @classmethod
    def _pool_id(cls, value: Any) -> Any:
        return _optional(value, v.pool_id, "pool_id")

    @field_validator("fallback", mode="before")
    @classmethod
    def _fallback(cls, value: Any) -> Any:
        return _optional(value, v.pool_fallback, "fallback")

    @field_validator("localized_sender_preferred", "predictable_sender_preferred", mode="before")
    @classmethod
    def _flags(cls, value: Any, info: ValidationInfo) -> Any:
        return _optional(value, v.flag, info.field_name or "flag")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SecretCreate(RequestModel):
    """A new API secret, held as SecretStr from the moment it is checked; errors list rules, not the value."""

    secret: SecretStr

    @field_validator("secret", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        v.new_secret(raw)
        return SecretStr(raw)

    def __repr__(self) -> str:
        return "SecretCreate(secret=SecretStr('**********'))"

    def to_json(self) -> dict[str, str]:
        """The body to send; the only place the secret's value is read."""
        return {"secret": self.secret.get_secret_value()}


__all__ = [
    "NumberUpdate",
    "OwnedQuery",
    "PoolCreate",
    "PoolUpdate",
    "RequestModel",
    "SearchQuery",
    "SecretCreate",
    "input_error_from",
]
