"""What each auto-reload payment added last time, so a top-up can be named and checked by its amount.

Why: ``/account/top-up`` repeats an earlier auto-reload payment, but neither the request nor the
answer says how much that is. The amount is learnt from the balance after a top-up that clearly
succeeded (so it is "about" that much: spending at the same time skews it) or typed once by the user
from the dashboard. It is used to name the amount in the confirmation, and to settle a top-up whose
answer was lost: only a balance that rose by at least the amount proves it happened.

A small private JSON file next to the journal; no secret, no Textual. Call from a thread.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from tui.fsutil import InsecurePermissions, read_private_file, write_private_file

FILENAME = "topup-amounts.json"
MAX_AMOUNT = Decimal("100000")


@dataclass(frozen=True)
class KnownAmount:
    """An amount, and whether it was measured from the balance or entered by the user."""

    amount: Decimal
    source: str  # "measured" or "entered"
    at: float


def _key(api_key: str, trx: str) -> str:
    return f"{api_key}:{trx}"


def parse_amount(text: str) -> Decimal:
    """A positive amount in EUR as typed ("10", "10.00", "10,5"); ValueError with a reason otherwise."""
    cleaned = text.strip().replace(",", ".").removesuffix("EUR").removesuffix("€").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("type the amount in EUR, e.g. 10.00") from None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        raise ValueError(f"the amount must be more than 0 and at most {MAX_AMOUNT} EUR")
    return value.quantize(Decimal("0.01"))


class TopUpAmounts:
    """Amounts by (API key, transaction reference)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILENAME

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(read_private_file(self.path))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, InsecurePermissions):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, api_key: str, trx: str) -> KnownAmount | None:
        item = self._read().get(_key(api_key, trx))
        if not isinstance(item, dict):
            return None
        try:
            amount = parse_amount(str(item.get("amount", "")))
        except ValueError:
            return None
        at = item.get("at")
        return KnownAmount(amount, str(item.get("source", "measured")), float(at) if isinstance(at, (int, float)) else 0.0)

    def remember(self, api_key: str, trx: str, amount: Decimal, source: str) -> None:
        data = self._read()
        data[_key(api_key, trx)] = {"amount": str(amount.quantize(Decimal("0.01"))), "source": source, "at": time.time()}
        write_private_file(self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
