"""Display formatting the screens share (no Textual, no pydantic): money.

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


__all__ = ["money"]
