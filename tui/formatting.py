"""Display formatting the screens share (no Textual, no pydantic): money, counted nouns.

Phone numbers are grouped by ``tui.countries.format_msisdn`` (it holds the calling codes).
"""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | None) -> str:
    """EUR with two to four decimals, as the API gave them: "1.25 EUR", "24.50 EUR", "0.0125 EUR".

    ``None`` (a price the API did not give) is "? EUR".
    """
    if value is None:
        return "? EUR"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int):
        if exponent > -2:
            value = value.quantize(Decimal("0.01"))
        elif exponent < -4:
            value = value.quantize(Decimal("0.0001"))
    return f"{value:f} EUR"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 number", "3 numbers", "1,200 numbers": never "number(s)" nor "1 numbers".

    ``many`` is the plural when it is not ``noun`` + "s" ("1 entry", "2 entries").
    """
    word = noun if count == 1 else (many if many is not None else f"{noun}s")
    return f"{count:,} {word}"


__all__ = ["money", "plural"]
