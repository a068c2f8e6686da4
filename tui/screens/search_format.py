"""Words and cells for the Search & buy screen: prices, numbers, limitations, the query in a line.

Pure functions (no widgets), so the screen stays about layout and flow, and tests can check the
text without running an app.
"""

from __future__ import annotations

import math
from decimal import Decimal

from tui import countries
from tui.api.models import AvailableNumber, Limitation, SearchQuery
from tui.formatting import money

MATCH_WORDS = {0: "starting with", 1: "containing", 2: "ending with"}


def shown_number(number: AvailableNumber | str, country: str = "") -> str:
    """A number grouped for reading (copy and send the plain digits instead)."""
    if isinstance(number, AvailableNumber):
        return countries.format_msisdn(number.msisdn, number.country or country)
    return countries.format_msisdn(number, country)


def limitation_text(limitation: Limitation) -> str:
    """"SMS outbound international" from {feature: SMS, type: OUTBOUND, reach: INTERNATIONAL}."""
    parts = [limitation.feature or "", (limitation.type or "").lower(), (limitation.reach or "").lower()]
    return " ".join(p for p in parts if p) or "unspecified limitation"


def limitations_text(number: AvailableNumber) -> str:
    if not number.limitations:
        return "no limitations"
    return "limitations: " + "; ".join(limitation_text(lim) for lim in number.limitations)


def row_cells(number: AvailableNumber, country: str) -> tuple[str, str, str, str, str]:
    """Number, type, features, setup price, monthly cost."""
    return (
        shown_number(number, country),
        number.type or "?",
        ", ".join(number.features) or "—",
        money(number.initial_price),
        money(number.cost),
    )


def detail_line(number: AvailableNumber, country: str) -> str:
    """The line under the table for the highlighted row."""
    features = ", ".join(number.features) or "no features listed"
    return (
        f"{shown_number(number, country)} · {number.type or '?'} · {features}"
        f" · setup {money(number.initial_price)} · monthly {money(number.cost)} · {limitations_text(number)}"
    )


def describe_query(query: SearchQuery) -> str:
    """"GB · mobile-lvn · SMS,VOICE · containing 7700"."""
    parts = [query.country, query.type or "any type"]
    if query.features:
        parts.append(query.features)
    if query.pattern:
        parts.append(f"{MATCH_WORDS.get(query.search_pattern or 0, 'matching')} {query.pattern}")
    return " · ".join(parts)


def page_count(count: int, size: int) -> int:
    return max(1, math.ceil(count / size)) if size > 0 else 1


def paging_text(page: int, count: int, size: int) -> str:
    """"page 2 of 5, 47 numbers"."""
    noun = "number" if count == 1 else "numbers"
    return f"page {page} of {page_count(count, size)}, {count} {noun}"


def confirm_body(number: AvailableNumber, country: str, balance: Decimal) -> str:
    """What the buy confirmation says: the number, both prices, and the balance after."""
    where = countries.name_of(number.country or country)
    features = ", ".join(number.features) or "no features listed"
    lines = [
        f"Buy {shown_number(number, country)} ({where}, {number.type or 'unknown type'}, {features})?",
        "",
        f"Setup price   {money(number.initial_price)} (charged now)",
        f"Monthly cost  {money(number.cost)}",
    ]
    if number.initial_price is not None:
        lines.append(f"Balance {money(balance)} → {money(balance - number.initial_price)}")
    else:
        lines.append(f"Balance {money(balance)} (the setup price was not given)")
    if number.limitations:
        lines.append("L" + limitations_text(number)[1:])
    return "\n".join(lines)
