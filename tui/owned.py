"""The owned numbers of an account, kept compact: one slotted record per number, shared everywhere.

Why not the pydantic models: a model of an owned number costs ~1.4 KB (its ``__dict__`` and
``__pydantic_fields_set__`` alone ~900 B), and an account may hold 100,000 numbers. Pydantic stays at
the API boundary (a page is parsed and validated there), each number is converted once into an
``OwnedRecord`` (its msisdn and a reference to a shared ``NumberConfig``: ~48 B plus the msisdn),
and that one object is what the list, the table, the detail pane, the cache and the exports read.
Repeated values (country, type, features, webhook URLs, application ids) are interned, and so are
whole configurations: 100,000 numbers pointing at the same webhook hold one copy of it.

No Textual here: the session loads the list in a worker and announces pages with messages.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.api.client import VonageClient
    from tui.api.request_models import OwnedQuery

#: Settings /number/update replaces, in the order the edit form shows them (as ``number_config``).
CONFIG_FIELDS = (
    "app_id",
    "mo_http_url",
    "mo_smpp_sys_type",
    "voice_callback_type",
    "voice_callback_value",
    "voice_status_callback",
    "messages_callback_type",
    "messages_callback_value",
)
#: Our attribute name -> the API's (wire) field name.
WIRE_NAMES: dict[str, str] = {
    "msisdn": "msisdn",
    "country": "country",
    "type": "type",
    "features": "features",
    "app_id": "app_id",
    "mo_http_url": "moHttpUrl",
    "mo_smpp_sys_type": "moSmppSysType",
    "voice_callback_type": "voiceCallbackType",
    "voice_callback_value": "voiceCallbackValue",
    "voice_status_callback": "voiceStatusCallback",
    "messages_callback_type": "messagesCallbackType",
    "messages_callback_value": "messagesCallbackValue",
}
_FROM_WIRE = {wire: name for name, wire in WIRE_NAMES.items()}

_INTERNED: dict[Any, Any] = {}
_INTERN_LIMIT = 200_000
_EMPTY: tuple[Any, ...] = ()
#: Equal configurations share one ``NumberConfig``; bounded like the strings (a huge account whose every
#: number is configured differently simply stops sharing).
_CONFIGS: dict[tuple[Any, ...], NumberConfig] = {}
_CONFIG_LIMIT = 100_000


def _shared(value: Any) -> Any:
    """One object for equal values (strings up to 300 characters, tuples of strings); bounded table."""
    if value is None or value == "":
        return None if value is None else ""
    if isinstance(value, str) and len(value) > 300:
        return value
    found = _INTERNED.get(value)
    if found is not None:
        return found
    if len(_INTERNED) < _INTERN_LIMIT:
        _INTERNED[value] = value
    return value


def _text(value: Any) -> str | None:
    """A field as text (the API sometimes sends numbers), or None when absent."""
    if value is None:
        return None
    return _shared(value if isinstance(value, str) else str(value))  # type: ignore[no-any-return]


def _features(value: Any) -> tuple[str, ...]:
    if not value:
        return _EMPTY
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return _shared(tuple(str(v) for v in value))  # type: ignore[no-any-return]


def _hashable(value: Any) -> Any:
    """``value`` as something a dict key can hold (lists and dicts by their repr: only for sharing)."""
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value


def _limitation_key(limitation: Any) -> tuple[Any, ...]:
    return tuple(sorted((k, _hashable(v)) for k, v in _limitation_dict(limitation).items()))


class NumberConfig:
    """What an owned number shares with many others: country, type, features, settings, limitations.

    Why a separate object: of 100,000 numbers, most share their configuration with thousands of
    others (the same application, the same webhook). One interned ``NumberConfig`` per distinct
    configuration, pointed at by each ``OwnedRecord``, makes a record two references; and a view can
    treat every number of one configuration alike (the Numbers table searches, sorts and measures a
    configuration's cells once). Never changed after it is built (it is shared).
    """

    __slots__ = ("country", "type", "features", *CONFIG_FIELDS, "limitations", "extra")

    country: str
    type: str
    features: tuple[str, ...]
    app_id: str | None
    mo_http_url: str | None
    mo_smpp_sys_type: str | None
    voice_callback_type: str | None
    voice_callback_value: str | None
    voice_status_callback: str | None
    messages_callback_type: str | None
    messages_callback_value: str | None
    limitations: tuple[Any, ...]
    extra: dict[str, Any] | None

    @staticmethod
    def shared(country: Any, type: Any, features: Any, limitations: Iterable[Any],  # noqa: A002
               extra: Mapping[str, Any] | None, config: Mapping[str, Any]) -> NumberConfig:
        """The one ``NumberConfig`` with these values (built when first seen)."""
        values = (_text(country) or "", _text(type) or "", _features(features),
                  *(_text(config.get(name)) for name in CONFIG_FIELDS))
        limits = tuple(limitations) or _EMPTY
        extras = dict(extra) if extra else None
        key = (values,
               tuple(_limitation_key(lim) for lim in limits) if limits else _EMPTY,
               tuple(sorted((k, _hashable(v)) for k, v in extras.items())) if extras else _EMPTY)
        found = _CONFIGS.get(key)
        if found is not None:
            return found
        made = NumberConfig()
        for name, value in zip(NumberConfig.__slots__, values):
            setattr(made, name, value)
        made.limitations = limits
        made.extra = extras
        if len(_CONFIGS) < _CONFIG_LIMIT:
            _CONFIGS[key] = made
        return made

    @staticmethod
    def from_wire(data: Mapping[str, Any]) -> NumberConfig:
        """From the API's JSON spelling (``moHttpUrl``…) without the msisdn, as the cache writes it."""
        known = {_FROM_WIRE[k]: v for k, v in data.items() if k in _FROM_WIRE and k != "msisdn"}
        extra = {k: v for k, v in data.items() if k not in _FROM_WIRE and k != "limitations"}
        config = {k: v for k, v in known.items() if k in CONFIG_FIELDS}
        for key, value in config.items():
            if value is not None and not isinstance(value, (str, int)):
                raise ValueError(f"{WIRE_NAMES[key]} is not text")
        return NumberConfig.shared(known.get("country") or "", known.get("type") or "", known.get("features"),
                                   _limitations(data.get("limitations")), extra or None, config)

    def to_wire(self) -> dict[str, Any]:
        """The API's JSON spelling of these fields; unset ones are left out (as the API does)."""
        out: dict[str, Any] = {}
        for name, wire in WIRE_NAMES.items():
            if name == "msisdn":
                continue
            value = getattr(self, name)
            if value is None or value == "":
                continue
            out[wire] = list(value) if name == "features" else value
        if self.limitations:
            out["limitations"] = [_limitation_dict(lim) for lim in self.limitations]
        if self.extra:
            out.update({k: v for k, v in self.extra.items() if k not in out and k != "msisdn"})
        return out

    def same(self, other: NumberConfig) -> bool:
        return self is other or all(getattr(self, n) == getattr(other, n) for n in NumberConfig.__slots__)


class OwnedRecord:
    """One owned number: its msisdn and its (shared) configuration, as ``/account/numbers`` says.

    Attribute names match ``tui.api.models.OwnedNumber`` (``record.country``, ``record.app_id``…, read
    through to ``config``), so code reading a number works with either. ``limitations`` keeps the API's
    limitation objects (most numbers have none: a shared empty tuple); ``extra`` holds fields the API
    sent that we do not know (None when there were none). ~100 B per number plus its msisdn.
    """

    __slots__ = ("msisdn", "config")

    msisdn: str
    config: NumberConfig
    if TYPE_CHECKING:
        country: str
        type: str
        features: tuple[str, ...]
        app_id: str | None
        mo_http_url: str | None
        mo_smpp_sys_type: str | None
        voice_callback_type: str | None
        voice_callback_value: str | None
        voice_status_callback: str | None
        messages_callback_type: str | None
        messages_callback_value: str | None
        limitations: tuple[Any, ...]
        extra: dict[str, Any] | None

    def __init__(self, msisdn: str, country: str = "", type: str = "",  # noqa: A002 - the API's name
                 features: Iterable[str] | str | None = None, *, limitations: Iterable[Any] = (),
                 extra: Mapping[str, Any] | None = None, **config: Any) -> None:
        unknown = set(config) - set(CONFIG_FIELDS)
        if unknown:
            raise TypeError(f"unknown owned-number fields: {sorted(unknown)}")
        self.msisdn = msisdn
        self.config = NumberConfig.shared(country, type, features, limitations, extra, config)

    @classmethod
    def of(cls, msisdn: str, config: NumberConfig) -> OwnedRecord:
        """A number with an existing configuration (the cache reads 100,000 of these at start-up)."""
        record = object.__new__(cls)
        record.msisdn = msisdn
        record.config = config
        return record

    @classmethod
    def from_model(cls, number: Any, msisdn: str | None = None) -> OwnedRecord:
        """Convert a parsed ``OwnedNumber`` (pydantic) once, at the API boundary (``msisdn``: a copy of its own)."""
        config = {name: getattr(number, name) for name in CONFIG_FIELDS}
        return cls(msisdn or number.msisdn, number.country, number.type, number.features,
                   limitations=number.limitations, extra=number.model_extra, **config)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> OwnedRecord:
        """Build from the API's JSON spelling (``moHttpUrl``…), as exports write it."""
        msisdn = data.get("msisdn")
        if not isinstance(msisdn, str) or not msisdn:
            raise ValueError("an owned number needs an msisdn")
        return cls.of(msisdn, NumberConfig.from_wire(data))

    def to_wire(self) -> dict[str, Any]:
        """The API's JSON spelling; unset fields are left out (as the API does)."""
        return {"msisdn": self.msisdn, **self.config.to_wire()}

    def replace(self, **changes: Any) -> OwnedRecord:
        """A copy with ``changes`` applied ("" = unset); records are never changed in place (they are shared)."""
        config = self.config
        values = {name: getattr(config, name) for name in CONFIG_FIELDS}
        values.update({k: (v or None) for k, v in changes.items()})
        return OwnedRecord(self.msisdn, config.country, config.type, config.features,
                           limitations=config.limitations, extra=config.extra, **values)

    @property
    def model_extra(self) -> dict[str, Any]:
        """The unknown fields, under pydantic's name, so code written for ``OwnedNumber`` reads them too."""
        return self.config.extra or {}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OwnedRecord):
            return NotImplemented
        return self.msisdn == other.msisdn and self.config.same(other.config)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OwnedRecord({self.msisdn!r}, {self.country!r}, {self.type!r})"


for _name in NumberConfig.__slots__:  # record.country etc. read the shared configuration
    setattr(OwnedRecord, _name, property(attrgetter(f"config.{_name}"), doc=f"The number's {_name}."))
del _name


def _limitation_dict(limitation: Any) -> dict[str, Any]:
    if isinstance(limitation, Mapping):
        return dict(limitation)
    dump = getattr(limitation, "model_dump", None)
    return dump(exclude_none=True) if callable(dump) else {"feature": str(limitation)}


def _limitations(value: Any) -> tuple[Any, ...]:
    """Limitations read back from the cache as the light objects the detail pane shows."""
    if not isinstance(value, list) or not value:
        return _EMPTY
    return tuple(Limitation(item) for item in value if isinstance(item, Mapping))


class Limitation:
    """A limitation read back from the cache: ``feature``/``type``/``reach`` and anything else."""

    __slots__ = ("feature", "type", "reach", "model_extra")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.feature = data.get("feature")
        self.type = data.get("type")
        self.reach = data.get("reach")
        self.model_extra = {k: v for k, v in data.items() if k not in ("feature", "type", "reach")}

    def model_dump(self, exclude_none: bool = True) -> dict[str, Any]:
        base = {"feature": self.feature, "type": self.type, "reach": self.reach}
        out = {k: v for k, v in base.items() if v is not None or not exclude_none}
        out.update(self.model_extra)
        return out


class OwnedList:
    """The owned numbers of the session's account, possibly still loading.

    ``version`` grows on every change, so a view can tell whether what it shows is stale without
    comparing 100,000 entries; a change message carries the version it produced.
    """

    def __init__(self) -> None:
        self.by_msisdn: dict[str, OwnedRecord] = {}
        self.total: int | None = None
        self.complete = False
        self.loaded_at: float | None = None
        self.from_cache = False
        self.version = 0

    def replace(self, records: Iterable[OwnedRecord] | dict[str, OwnedRecord], *, complete: bool,
                total: int | None = None, from_cache: bool = False, loaded_at: float | None = None) -> None:
        """Every number at once; a dict (msisdn -> record, as the cache builds it) becomes the index as it is."""
        self.by_msisdn = records if isinstance(records, dict) else {r.msisdn: r for r in records}
        self.total = total if total is not None else len(self.by_msisdn)
        self.complete = complete
        self.from_cache = from_cache
        if loaded_at is not None or complete:
            self.loaded_at = loaded_at if loaded_at is not None else time.time()
        self.version += 1

    def add_page(self, records: Iterable[OwnedRecord]) -> None:
        by_msisdn = self.by_msisdn
        for record in records:
            by_msisdn[record.msisdn] = record
        self.version += 1

    def begin_load(self) -> list[OwnedRecord]:
        """The records a full load starting now must see again to keep (pass them to ``settle``).

        A page replaces each record it lists with a new object, so a record still held at the end
        was not listed: the account no longer has it. A list of references (not an index of keys)
        costs a copy of 100,000 pointers and no hashing on the UI thread.
        """
        return list(self.by_msisdn.values())

    def settle(self, before: Iterable[OwnedRecord] = ()) -> list[str]:
        """A full load finished: drop the records of ``before`` it did not replace, mark the list complete.

        Returns the numbers dropped (cached ones that are gone), so views can remove their rows.
        Numbers added meanwhile (a purchase) are new objects, and stay.
        """
        by_msisdn = self.by_msisdn
        gone = [r.msisdn for r in before if by_msisdn.get(r.msisdn) is r]
        for msisdn in gone:
            del by_msisdn[msisdn]
        self.total = len(by_msisdn)
        self.complete = True
        self.loaded_at = time.time()
        self.from_cache = False
        self.version += 1
        return gone

    def upsert(self, record: OwnedRecord) -> None:
        self.by_msisdn[record.msisdn] = record
        if self.total is not None and self.complete:
            self.total = len(self.by_msisdn)
        self.version += 1

    def remove(self, msisdn: str) -> bool:
        if self.by_msisdn.pop(msisdn, None) is None:
            return False
        if self.total is not None and self.complete:
            self.total = len(self.by_msisdn)
        self.version += 1
        return True

    def invalidate(self) -> None:
        """The list may be out of date (an unknown outcome): the next visit reloads it."""
        self.complete = False
        self.version += 1


async def iter_owned_records(
    client: VonageClient, query: OwnedQuery | None = None, *, on_total: Callable[[int], None] | None = None,
) -> AsyncIterator[list[OwnedRecord]]:
    """Every page of owned numbers (concurrently, under the client's rate limit) as compact records."""
    from_model = OwnedRecord.from_model
    async for page in client.iter_owned_numbers(query, on_total=on_total):
        # Fresh copies of the msisdns, made one after another: the page's own strings sit between the
        # rest of its JSON, scattered once it is freed, and a filter keystroke scans 100,000 of them
        # (in sequence it is ~4x faster). The page's copies are freed with the page.
        msisdns = [number.msisdn.encode().decode() for number in page]
        yield [from_model(number, msisdn) for number, msisdn in zip(page, msisdns)]


__all__ = ["CONFIG_FIELDS", "WIRE_NAMES", "NumberConfig", "OwnedList", "OwnedRecord", "iter_owned_records"]
