"""Typed models of what the Vonage APIs answer (lenient) and of what we send (strict).

Why two temperaments: the server is a moving target (new fields, numbers as strings or integers,
``numbers`` missing when there are none), so response models keep unknown fields (``extra="allow"``),
default every optional field and coerce harmless variations - but a body of the wrong *shape* (a list
where an object belongs, ``count: "many"``) fails validation, which the client turns into BadResponse.
Request models (in ``request_models``, re-exported here) refuse anything doubtful, because what we send
can spend money or clear a webhook.

Field names are snake_case; aliases carry the wire spelling (``moHttpUrl``, ``error-code``, ``_links``).
"""

from __future__ import annotations

import math
import sys
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .request_models import (
    NumberUpdate,
    OwnedQuery,
    PoolCreate,
    PoolUpdate,
    RequestModel,
    SearchQuery,
    SecretCreate,
)


class ServerModel(BaseModel):
    """Base for response models: keep unknown fields, accept either spelling, tolerate numbers-as-text."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        hide_input_in_errors=True,
    )


def _str_list(value: Any) -> Any:
    """Accept ``None`` (absent), a comma string ("SMS,VOICE") or a list; anything else fails later."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _list_or_empty(value: Any) -> Any:
    """``null`` for a list means "none" on this API."""
    return [] if value is None else value


def _blank_to_none(value: Any) -> Any:
    """An empty price string means "no price given", not an invalid price."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


_SHARED: dict[tuple[Any, ...], Any] = {}


def _shared(value: Any) -> Any:
    """One object for equal small values (["SMS", "VOICE"], "GB", "mobile-lvn"…).

    A big account holds 100,000 numbers whose features, country and type repeat a handful of
    values; sharing them keeps memory proportional to the distinct values. Models are never
    mutated in place (updates use ``model_copy``), so sharing is safe. The table is capped.
    """
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= 32 else value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        key = ("list", *value)
        if len(_SHARED) < 10_000:
            return _SHARED.setdefault(key, [sys.intern(v) for v in value])
        return _SHARED.get(key, value)
    return value


MAX_AMOUNT = Decimal(1_000_000_000)  # EUR: no balance or price on this API comes near a billion
# More places than this is no amount anyone was charged; a float's noise (9.799999999999999,
# 0.30000000000000004) stays well inside it, so a real balance is never refused for it.
MAX_DECIMALS = 24


def _believable(value: Decimal) -> Decimal:
    """Refuse money no answer can honestly hold (1E+999999, 1E-999999, a billion EUR, 30 decimal places):
    shown or compared, it would mislead. NaN and infinities are refused too (pydantic already does).
    The error names no value, so the BadResponse names only the field."""
    if not value.is_finite():
        raise ValueError("not a finite amount of money")
    exponent = value.as_tuple().exponent
    if abs(value) >= MAX_AMOUNT or (isinstance(exponent, int) and exponent < -MAX_DECIMALS):
        raise ValueError("not a believable amount of money")
    return value


StrList = Annotated[list[str], BeforeValidator(_str_list), AfterValidator(_shared)]
SharedStr = Annotated[str, AfterValidator(_shared)]
Amount = Annotated[Decimal, AfterValidator(_believable)]
Money = Annotated[Amount | None, BeforeValidator(_blank_to_none)]


class Limitation(ServerModel):
    """A restriction on a number's feature (e.g. SMS outbound only domestic)."""

    feature: str | None = None
    type: str | None = None
    reach: str | None = None


_NO_LIMITATIONS: list[Limitation] = []


def _shared_empty(value: list[Limitation]) -> list[Limitation]:
    """Most numbers have no limitations: share one empty list rather than 100,000 of them."""
    return value or _NO_LIMITATIONS


Limitations = Annotated[list[Limitation], BeforeValidator(_list_or_empty), AfterValidator(_shared_empty)]


class OwnedNumber(ServerModel):
    """A number the account rents, with its current configuration (what /number/update replaces)."""

    msisdn: str
    country: SharedStr = ""
    type: SharedStr = ""
    features: StrList = Field(default_factory=list)
    mo_http_url: str | None = Field(None, alias="moHttpUrl")
    mo_smpp_sys_type: str | None = Field(None, alias="moSmppSysType")
    messages_callback_type: str | None = Field(None, alias="messagesCallbackType")
    messages_callback_value: str | None = Field(None, alias="messagesCallbackValue")
    voice_callback_type: str | None = Field(None, alias="voiceCallbackType")
    voice_callback_value: str | None = Field(None, alias="voiceCallbackValue")
    voice_status_callback: str | None = Field(None, alias="voiceStatusCallback")
    app_id: str | None = None
    limitations: Limitations = Field(default_factory=list)


class _CountedPage(ServerModel):
    """``count`` + ``numbers``; both may be missing (a page past the end is ``{}``)."""

    count: int = Field(0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if data.get("numbers") is None:
                data["numbers"] = []
            if data.get("count") is None and isinstance(data["numbers"], list):
                data["count"] = len(data["numbers"])
        return data


class OwnedNumbersPage(_CountedPage):
    """One page of /account/numbers; ``count`` is the total across all pages."""

    numbers: list[OwnedNumber] = Field(default_factory=list)


class AvailableNumber(ServerModel):
    """A number offered by /number/search; prices are EUR strings on the wire, Decimals here."""

    msisdn: str
    country: str = ""
    type: str = ""
    features: StrList = Field(default_factory=list)
    initial_price: Money = Field(None, alias="initialPrice")
    cost: Money = None
    limitations: Limitations = Field(default_factory=list)


class AvailableNumbersPage(_CountedPage):
    """One page of /number/search; ``count`` is the total available."""

    numbers: list[AvailableNumber] = Field(default_factory=list)


class StatusResponse(ServerModel):
    """The numbers API's ``{"error-code": "200", "error-code-label": "success"}`` answer."""

    error_code: str = Field("", alias="error-code")
    error_code_label: str = Field("", alias="error-code-label")

    @property
    def ok(self) -> bool:
        """True for "200" (or no code at all, which only a 2xx answer can produce)."""
        return self.error_code in ("", "200")


class Balance(ServerModel):
    """Account balance in EUR; Decimal so the digits shown are the digits sent."""

    value: Amount
    auto_reload: bool = Field(False, alias="autoReload")


class TopUpResult(ServerModel):
    """``{"response": "success"}``."""

    response: str = ""

    @property
    def ok(self) -> bool:
        return self.response.lower() in ("", "success")


class AccountSettings(ServerModel):
    """The account's default webhooks and throughput limits (as answered by /account/settings)."""

    mo_callback_url: str | None = Field(None, alias="mo-callback-url")
    dr_callback_url: str | None = Field(None, alias="dr-callback-url")
    max_outbound_request: int | None = Field(None, alias="max-outbound-request")
    max_inbound_request: int | None = Field(None, alias="max-inbound-request")
    max_calls_per_second: int | None = Field(None, alias="max-calls-per-second")


class Secret(ServerModel):
    """An API secret's id and creation time; the API never returns a secret's value."""

    id: str
    created_at: str | None = None
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @property
    def created(self) -> datetime | None:
        """``created_at`` as a datetime when it parses, else None (the raw text stays in created_at)."""
        if not self.created_at:
            return None
        try:
            return datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))
        except ValueError:
            return None


class SecretsPage(ServerModel):
    """The list of secrets, lifted out of HAL ``_embedded.secrets``."""

    secrets: list[Secret] = Field(default_factory=list)
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @model_validator(mode="before")
    @classmethod
    def _embedded(cls, data: Any) -> Any:
        return _HalPage._lift(data, "secrets")


class Pool(ServerModel):
    """A number pool. ``fallback`` is shown as the server sends it, even if not Pool/CustomFrom/Reject."""

    pool_id: str
    account_id: str | None = None
    fallback: str | None = None
    localized_sender_preferred: bool | None = None
    predictable_sender_preferred: bool | None = None
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")


class PoolNumber(ServerModel):
    """A number in a pool; the API lists plain strings, which we wrap so fields can be added later."""

    number: str

    def __str__(self) -> str:
        return self.number


class _HalPage(ServerModel):
    """HAL paging: ``page``/``page_size``/``total_pages``/``total_items``, items under ``_embedded``."""

    page: int = Field(1, ge=0)
    page_size: int = Field(0, ge=0)
    total_pages: int = Field(0, ge=0)
    total_items: int = Field(0, ge=0)
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @classmethod
    def _lift(cls, data: Any, key: str) -> Any:
        """Move ``_embedded[key]`` to ``key`` and derive ``total_pages`` when the server omitted it."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        embedded = data.pop("_embedded", None)
        if embedded is None:
            items: Any = data.get(key, [])
        elif isinstance(embedded, dict):
            items = embedded.get(key, [])
        else:
            raise ValueError("_embedded must be an object")
        data[key] = [] if items is None else items
        if data.get("total_pages") is None:
            size, total = data.get("page_size"), data.get("total_items")
            if isinstance(size, int) and isinstance(total, int) and size > 0:
                data["total_pages"] = math.ceil(total / size)
        return data


class PoolsPage(_HalPage):
    """One page of pools."""

    pools: list[Pool] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _embedded(cls, data: Any) -> Any:
        return cls._lift(data, "pools")


def _pool_number(value: Any) -> Any:
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return {"number": value}
    if isinstance(value, dict) and "number" not in value and "msisdn" in value:
        return {**value, "number": value["msisdn"]}
    return value


class PoolNumbersPage(_HalPage):
    """One page of the numbers in a pool."""

    numbers: list[Annotated[PoolNumber, BeforeValidator(_pool_number)]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _embedded(cls, data: Any) -> Any:
        return cls._lift(data, "numbers")


class BatchFailure(BaseModel):
    """Numbers that one add/remove request could not process, with the server's reason."""

    numbers: list[str] = Field(default_factory=list)
    title: str = ""
    detail: str = ""


class BatchResult(BaseModel):
    """The merged outcome of adding or removing pool numbers across 50-number chunks."""

    succeeded: list[str] = Field(default_factory=list)
    failed: list[BatchFailure] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every number was processed."""
        return not self.failed

    @property
    def failed_numbers(self) -> list[str]:
        return [n for f in self.failed for n in f.numbers]


__all__ = [
    "AccountSettings",
    "AvailableNumber",
    "AvailableNumbersPage",
    "Balance",
    "BatchFailure",
    "BatchResult",
    "Limitation",
    "NumberUpdate",
    "OwnedNumber",
    "OwnedNumbersPage",
    "OwnedQuery",
    "Pool",
    "PoolCreate",
    "PoolNumber",
    "PoolNumbersPage",
    "PoolUpdate",
    "PoolsPage",
    "RequestModel",
    "SearchQuery",
    "Secret",
    "SecretCreate",
    "SecretsPage",
    "ServerModel",
    "StatusResponse",
    "TopUpResult",
]
