"""What the Account screen says: the balance line, the limits, the top-up question. No widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.formatting import money, plural

if TYPE_CHECKING:
    from tui.api.models import AccountSettings, Balance
    from tui.topups import KnownAmount

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


#: A top-up of the same payment this recent is named in the next confirmation (a second charge is real money).
RECENT_TOP_UP = 10 * 60.0


def ago(seconds: float) -> str:
    """"less than a minute ago", "1 minute ago", "7 minutes ago"."""
    minutes = int(max(0.0, seconds) // 60)
    return "less than a minute ago" if minutes < 1 else f"{plural(minutes, 'minute')} ago"


def top_up_body(account: str, trx: str, amount: str, *, recent_ago: float | None = None) -> str:
    """The top-up question: which account, which payment, how much when we know it, and a warning when
    the same payment was topped up ``recent_ago`` seconds ago (from the journal)."""
    charge = (f"That payment's amount, {amount}, is charged again to the card on file."
              if amount else
              "The amount of that payment is charged again to the card on file. The API does not say how much: "
              "check it in the dashboard (Billing → Payments), and type it in 'Its amount' to see it here.")
    body = f"Top up account {account} by repeating the auto-reload payment {trx}?\n\n{charge}"
    if recent_ago is not None:
        body += (f"\n\nWarning: this payment was already topped up {ago(recent_ago)} (see :activity); "
                 "topping up again charges the card again.")
    return body


def top_up_done_text(message: str, known: KnownAmount | None) -> str:
    """The toast after a top-up: "Topped up with transaction X: it added about 10.00 EUR."

    A measured amount is what this top-up added (never "as last time", which reads wrong the first time).
    """
    if known is None:
        return f"{message}."
    if known.source == "entered":
        return f"{message}: {money(known.amount)}, the amount entered from the dashboard."
    return f"{message}: it added about {money(known.amount)}."
