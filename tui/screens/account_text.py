"""What the Account screen says: the balance line, the limits, the top-up question. No widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.formatting import money

if TYPE_CHECKING:
    from tui.api.models import AccountSettings, Balance

AUTO_RELOAD_OFF = (
    "Auto-reload is off for this account, so there is no earlier payment to repeat: top-up only works "
    "on accounts with auto-reload enabled (turn it on in the Vonage dashboard). "
    "This is not a login problem — your API key and secret are fine."
)


def balance_line(balance: Balance | None) -> str:
    """Markup of our own words only (the balance is a number we formatted)."""
    if balance is None:
        return "Balance  …"
    reload = "[b]on[/b]" if balance.auto_reload else "[b]off[/b] (top-up needs auto-reload)"
    return f"Balance  [b]{money(balance.value)}[/b]   auto-reload: {reload}"


def limits_line(settings: AccountSettings | None) -> str:
    if settings is None:
        return "Limits   …"

    def show(value: int | None) -> str:
        return "?" if value is None else str(value)

    return (
        f"Limits (read-only)  max-outbound-request {show(settings.max_outbound_request)} · "
        f"max-inbound-request {show(settings.max_inbound_request)} · "
        f"max-calls-per-second {show(settings.max_calls_per_second)}"
    )


def top_up_body(account: str, trx: str, amount: str) -> str:
    """The top-up question: which account, which payment, and how much when we know it."""
    charge = (f"That payment's amount, {amount}, is charged again to the card on file."
              if amount else
              "The amount of that payment is charged again to the card on file. The API does not say how much: "
              "check it in the dashboard (Billing → Payments), and type it in 'Its amount' to see it here.")
    return f"Top up account {account} by repeating the auto-reload payment {trx}?\n\n{charge}"
