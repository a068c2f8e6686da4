"""The shared display formats: one number grouping (tui.countries.format_msisdn) and one money format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tui.countries import format_msisdn
from tui.formatting import money


@pytest.mark.parametrize(
    ("msisdn", "country", "shown"),
    [
        ("447700900123", "GB", "+44 7700 900123"),
        ("447700900123", "", "+44 7700 900123"),  # no country (a pool's number): the code is guessed
        ("13177001234", "US", "+1 317 700 1234"),
        ("442079460123", "GB", "+44 2079 460123"),
        ("4915770007036", "DE", "+49 1577 000 7036"),
        ("35318144864", "IE", "+353 181 44864"),
        ("989121234567", "IR", "+98 9121 234567"),  # calling codes come from the full country table
        ("12345", "GB", "12345"),  # too short to group: as it is
    ],
)
def test_numbers_are_grouped_one_way(msisdn: str, country: str, shown: str) -> None:
    assert format_msisdn(msisdn, country) == shown
    assert format_msisdn(msisdn, country).replace(" ", "").lstrip("+") == msisdn  # the digits never change


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("24.5"), "24.50 EUR"),
        (Decimal("3"), "3.00 EUR"),
        (Decimal("0.0125"), "0.0125 EUR"),
        (Decimal("10.17127500"), "10.1713 EUR"),  # two to four decimals
        (Decimal("1E+2"), "100.00 EUR"),
        (None, "? EUR"),
    ],
)
def test_money_has_two_to_four_decimals(value: Decimal | None, shown: str) -> None:
    assert money(value) == shown
