"""Filters and paging shared by ``GET /account/numbers`` and ``GET /number/search``.

Both page with ``size`` (1-100, default 10) and ``index`` (a page number from 1); a page past the end is
``{}``, and a result with no numbers is ``{"count": 0}`` without ``numbers``, as the real API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import rest_error
from .params import rest_int
from .validation import FEATURE_FILTERS, NUMBER_TYPES, is_country

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10


def pattern_matcher(pattern: str, strategy: int) -> Callable[[str], bool]:
    """0: starts with, 1: contains, 2: ends with (numbers are E.164, so a start includes the country code)."""
    if strategy == 0:
        return lambda msisdn: msisdn.startswith(pattern)
    if strategy == 1:
        return lambda msisdn: pattern in msisdn
    return lambda msisdn: msisdn.endswith(pattern)


def parse_pattern(params: dict[str, str]) -> tuple[str, int] | None:
    """(pattern, search_pattern) or None when no pattern was given; a bad strategy is a 400."""
    strategy = rest_int(params, "search_pattern", 0, 0, 2)
    pattern = params.get("pattern", "")
    return (pattern, strategy) if pattern else None


def parse_country(params: dict[str, str], required: bool) -> str | None:
    country = params.get("country", "")
    if not country:
        if required:
            raise rest_error(400, "Missing required parameter: country")
        return None
    if not is_country(country):
        raise rest_error(400, "country must be a two-letter ISO 3166-1 alpha-2 code")
    return country.upper()


def parse_paging(params: dict[str, str]) -> tuple[int, int]:
    """(size, index) within the spec's bounds, else a 400."""
    return rest_int(params, "size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE), rest_int(params, "index", 1, 1)


@dataclass(frozen=True)
class OwnedFilter:
    """The filters of ``GET /account/numbers``; frozen so it can key the account's cached views."""

    country: str | None = None
    application_id: str | None = None
    has_application: bool | None = None
    pattern: tuple[str, int] | None = None

    @classmethod
    def from_params(cls, params: dict[str, str]) -> OwnedFilter:
        has_app = params.get("has_application", "").lower()
        if has_app not in ("", "true", "false"):
            raise rest_error(400, "has_application must be true or false")
        return cls(
            country=parse_country(params, required=False),
            application_id=params.get("application_id") or None,
            has_application=None if not has_app else has_app == "true",
            pattern=parse_pattern(params),
        )

    def predicate(self) -> Callable[[dict], bool] | None:
        """None when nothing filters (the cheap, unfiltered path); else one plain function, no per-test calls."""
        if self == OwnedFilter():
            return None
        country, app_id, has_app = self.country, self.application_id, self.has_application
        match = pattern_matcher(*self.pattern) if self.pattern else None

        def keep(record: dict) -> bool:
            if country is not None and record.get("country") != country:
                return False
            if app_id is not None and record.get("app_id") != app_id:
                return False
            if has_app is not None and bool(record.get("app_id")) != has_app:
                return False
            return match is None or match(record["msisdn"])

        return keep


@dataclass(frozen=True)
class SearchFilter:
    """The filters of ``GET /number/search``."""

    country: str
    type: str | None = None
    features: frozenset[str] = frozenset()
    pattern: tuple[str, int] | None = None

    @classmethod
    def from_params(cls, params: dict[str, str]) -> SearchFilter:
        country = parse_country(params, required=True)
        assert country is not None
        type_ = params.get("type") or None
        if type_ is not None and type_ not in NUMBER_TYPES:
            raise rest_error(400, f"type must be one of: {', '.join(NUMBER_TYPES)}")
        features = params.get("features", "")
        if features and features not in FEATURE_FILTERS:
            raise rest_error(400, f"features must be one of: {' | '.join(FEATURE_FILTERS)}")
        return cls(
            country=country,
            type=type_,
            features=frozenset(features.split(",")) if features else frozenset(),
            pattern=parse_pattern(params),
        )

    def matches(self, record: dict) -> bool:
        """A number matches when it has every listed feature (it may have more)."""
        if record["country"] != self.country:
            return False
        if self.type and record["type"] != self.type:
            return False
        if self.features and not self.features.issubset(record["features"]):
            return False
        return not self.pattern or pattern_matcher(*self.pattern)(record["msisdn"])


def page_body(items: Sequence[str], size: int, index: int, record: Callable[[str], dict]) -> dict:
    """The paged answer over a sorted sequence of msisdns; only the page's records are built."""
    count = len(items)
    start = (index - 1) * size
    if count == 0:
        return {"count": 0} if index == 1 else {}
    if start >= count:
        return {}
    return {"count": count, "numbers": [record(m) for m in items[start : start + size]]}
