"""How the Numbers screen shows an owned number: table cells, the detail pane, ages.

Plain functions over ``OwnedNumber`` (no widgets), so the table, the detail pane, the dialogs and the
tests agree on one spelling. Numbers are *shown* grouped by ``tui.countries.format_msisdn`` (the one
grouping every screen uses: "+44 7700 900123") but copied and searched as plain digits.

``NUMBER_ROWS`` is how the table reads the records themselves: it formats the cells of the lines on
screen only, and treats the numbers sharing one configuration (``tui.owned.NumberConfig``) as one
group, whose cells are searched, sorted and measured once.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tui.countries import format_msisdn
from tui.widgets.row_store import RowFormat, SortKey, cell_width, haystack

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

    from tui.api.models import OwnedNumber
    from tui.api.request_models import OwnedQuery
    from tui.owned import OwnedRecord


FEATURE_ORDER = ("SMS", "MMS", "VOICE")
_MSISDN = attrgetter("msisdn")
_CONFIG = attrgetter("config")
TYPE_SHORT = {"mobile-lvn": "mobile", "landline-toll-free": "toll-free"}


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def features_text(number: OwnedNumber) -> str:
    names = [f.upper() for f in number.features]
    known = [f for f in FEATURE_ORDER if f in names]
    return " ".join(known + sorted(set(names) - set(FEATURE_ORDER)))


def _no_scheme(url: str) -> str:
    for prefix in ("https://", "http://"):
        if url.lower().startswith(prefix):
            return url[len(prefix) :]
    return url


def webhooks_text(number: OwnedNumber) -> str:
    """One cell: where inbound SMS and calls go ("sms example.com/in · voice tel 4477…")."""
    parts = []
    if number.mo_http_url:
        parts.append("sms " + _no_scheme(number.mo_http_url))
    if number.voice_callback_type:
        parts.append(f"voice {number.voice_callback_type} {number.voice_callback_value or ''}".rstrip())
    if number.voice_status_callback:
        parts.append("status " + _no_scheme(number.voice_status_callback))
    return " · ".join(parts)


def row_cells(number: OwnedNumber) -> tuple[str, ...]:
    """The table row: number, country, type, features, application, webhooks."""
    return (
        format_msisdn(number.msisdn, number.country),
        number.country,
        TYPE_SHORT.get(number.type, number.type),
        features_text(number),
        number.app_id or "",
        webhooks_text(number),
    )


class NumberRows(RowFormat["OwnedRecord"]):
    """The Numbers table's rows: ``OwnedRecord``s, grouped by their shared configuration.

    Every cell but the number is a function of the configuration, so a group is the record's
    ``config``; a row's own search text is its msisdn (the digits the grouped number shows, already in
    memory), and its sort key the msisdn's digits as text (E.164 order, see ``own_sort``). A "+" is
    added to each group's text, since every grouped number shows one.
    """

    def key(self, item: OwnedRecord) -> Hashable:
        return item.msisdn

    def cells(self, item: OwnedRecord) -> tuple[str, ...]:
        return row_cells(item)

    def group(self, item: OwnedRecord) -> Hashable:
        return item.config

    def own_text(self, item: OwnedRecord) -> str:
        msisdn = item.msisdn
        return msisdn if msisdn.isdigit() else haystack((format_msisdn(msisdn, item.country),))

    def own_sort(self, item: OwnedRecord) -> SortKey:
        """Its digits as text: E.164 order (+33…, +44 20…, +44 77…, +49…), countries together — as a
        number, +49 301 234567 (11 digits) came before +44 2079 460123 (12)."""
        msisdn = item.msisdn
        return (0, msisdn if msisdn.isdigit() else "".join(filter(str.isdigit, msisdn)))

    def keys(self, items: list[OwnedRecord]) -> list[Hashable]:
        return list(map(_MSISDN, items))

    def own_texts(self, items: list[OwnedRecord], keys: list[Hashable]) -> tuple[list[str], bool]:
        if "".join(keys).isdigit():  # type: ignore[arg-type] # (keys are the msisdns)
            return list(keys), True  # type: ignore[arg-type]
        return super().own_texts(items, keys)

    def groups(self, items: list[OwnedRecord]) -> list[Hashable]:
        return list(map(_CONFIG, items))

    def own_sort_keys(self, items: Sequence[OwnedRecord | None]) -> tuple[bytearray, list[float | str]]:
        """Sorting 100,000 numbers: their msisdns' values in one pass, without a key tuple per row."""
        msisdns = [item.msisdn if item is not None else "" for item in items]
        if all(map(str.isdigit, msisdns)):
            return bytearray(len(msisdns)), msisdns  # type: ignore[return-value] # digit strings: E.164 order
        return super().own_sort_keys(items)

    def own_width(self, item: OwnedRecord) -> int:
        return cell_width(format_msisdn(item.msisdn, item.country))

    def group_text(self, item: OwnedRecord) -> str:
        return haystack(row_cells(item)[1:]) + "\x1f+"


NUMBER_ROWS = NumberRows()


def monthly_cost(number: OwnedNumber) -> str | None:
    """The monthly cost if the server said it (``/account/numbers`` usually does not)."""
    extra = number.model_extra or {}
    for key in ("cost", "monthlyCost", "monthly_cost"):
        value = extra.get(key)
        if value not in (None, ""):
            return f"€{value} EUR/month"
    return None


def limitation_text(limitation: Any) -> str:
    parts = [limitation.feature, limitation.type, limitation.reach]
    extra = limitation.model_extra or {}
    parts += [f"{k}={v}" for k, v in extra.items()]
    return " ".join(str(p) for p in parts if p) or "(unspecified)"


def detail_text(number: OwnedNumber | None) -> RenderableType:
    """Every field of ``number`` as label/value rows for the detail pane (long values wrap in place)."""
    if number is None:
        return Text("No number highlighted.", style="italic")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(label: str, value: object) -> None:
        grid.add_row(label, "—" if value in (None, "", []) else Text(str(value)))

    row("Digits", number.msisdn)
    row("Country", number.country)
    row("Type", number.type)
    row("Features", features_text(number))
    row("Application", number.app_id)
    row("Inbound SMS", number.mo_http_url)
    row("SMPP type", number.mo_smpp_sys_type)
    voice = number.voice_callback_value
    if number.voice_callback_type:
        voice = f"{number.voice_callback_type} → {number.voice_callback_value or '?'}"
    row("Voice", voice)
    row("Voice status", number.voice_status_callback)
    messages = (
        f"{number.messages_callback_type} → {number.messages_callback_value or '?'}"
        if number.messages_callback_type
        else number.messages_callback_value
    )
    row("Messages", messages)
    cost = monthly_cost(number)
    if cost:
        row("Cost", cost)
    for key, value in sorted((number.model_extra or {}).items()):
        if key not in ("cost", "monthlyCost", "monthly_cost"):
            row(key, value)
    if number.limitations:
        row("Limitations", "\n".join(limitation_text(lim) for lim in number.limitations))
    else:
        row("Limitations", "none")
    title = Text(format_msisdn(number.msisdn, number.country), style="bold")
    return Group(title, grid)


def age_text(seconds: float) -> str:
    """"just now", "42 s ago", "3 min ago", "2 h ago", "5 d ago"."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"

#: How a server-side ``pattern`` is matched (the API's ``search_pattern``), as the filter form offers it.
MATCH_CHOICES = [("starts with", 0), ("contains", 1), ("ends with", 2)]


def describe_query(query: OwnedQuery | None) -> str:
    """"pattern contains 7700, country GB" (empty for no filter)."""
    if query is None:
        return ""
    parts = []
    if query.pattern:
        how = {v: k for k, v in MATCH_CHOICES}.get(query.search_pattern or 0, "starts with")
        parts.append(f"number {how} {query.pattern}")
    if query.country:
        parts.append(f"country {query.country}")
    if query.application_id:
        parts.append(f"application {query.application_id}")
    if query.has_application is not None:
        parts.append("with an application" if query.has_application else "without an application")
    return ", ".join(parts)
