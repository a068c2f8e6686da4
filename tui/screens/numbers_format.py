"""How the Numbers screen shows an owned number: grouped digits, table cells, the detail pane.

Plain functions over ``OwnedNumber`` (no widgets), so the table, the detail pane, the dialogs and the
tests agree on one spelling. Numbers are *shown* grouped ("+44 7700 900123") but copied and searched
as plain digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from tui.api.models import OwnedNumber


# ISO country -> calling code, for the countries Vonage sells numbers in most; others fall back to a
# guess from the leading digits (the grouping is only for reading, the digits are never changed).
CALLING_CODES: dict[str, str] = {
    "US": "1", "CA": "1", "PR": "1", "RU": "7", "KZ": "7", "EG": "20", "ZA": "27", "GR": "30", "NL": "31",
    "BE": "32", "FR": "33", "ES": "34", "HU": "36", "IT": "39", "RO": "40", "CH": "41", "AT": "43",
    "GB": "44", "DK": "45", "SE": "46", "NO": "47", "PL": "48", "DE": "49", "PE": "51", "MX": "52",
    "AR": "54", "BR": "55", "CL": "56", "CO": "57", "MY": "60", "AU": "61", "ID": "62", "PH": "63",
    "NZ": "64", "SG": "65", "TH": "66", "JP": "81", "KR": "82", "VN": "84", "CN": "86", "TR": "90",
    "IN": "91", "PK": "92", "LK": "94", "MA": "212", "NG": "234", "KE": "254", "PT": "351", "LU": "352",
    "IE": "353", "IS": "354", "MT": "356", "CY": "357", "FI": "358", "BG": "359", "LT": "370", "LV": "371",
    "EE": "372", "UA": "380", "HR": "385", "SI": "386", "CZ": "420", "SK": "421", "HK": "852", "TW": "886",
    "IL": "972", "AE": "971", "SA": "966",
}  # fmt: skip
_ONE_DIGIT = {"1", "7"}
_TWO_DIGIT = {code for code in CALLING_CODES.values() if len(code) == 2}

UPDATE_FIELDS = (
    "app_id",
    "mo_http_url",
    "mo_smpp_sys_type",
    "voice_callback_type",
    "voice_callback_value",
    "voice_status_callback",
    "messages_callback_type",
    "messages_callback_value",
)
FEATURE_ORDER = ("SMS", "MMS", "VOICE")


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _calling_code(number: str, country: str) -> str:
    code = CALLING_CODES.get(country.upper(), "")
    if code and number.startswith(code):
        return code
    if number[:1] in _ONE_DIGIT:
        return number[:1]
    if number[:2] in _TWO_DIGIT:
        return number[:2]
    return number[:3]


def group_msisdn(msisdn: str, country: str = "") -> str:
    """"447700900123" -> "+44 7700 900123"; "13177001234" -> "+1 317 700 1234"."""
    number = digits(msisdn)
    if len(number) < 7:
        return msisdn
    code = _calling_code(number, country)
    rest = number[len(code) :]
    if code == "1" and len(rest) == 10:
        groups = [rest[:3], rest[3:6], rest[6:]]
    elif len(rest) <= 6:
        groups = [rest]
    elif len(rest) <= 8:
        groups = [rest[:3], rest[3:]]
    else:
        head = 4 if len(rest) >= 10 else 3
        tail = rest[head:]
        groups = [rest[:head], tail] if len(tail) <= 6 else [rest[:head], tail[:3], tail[3:]]
    return "+" + code + " " + " ".join(groups)


TYPE_SHORT = {"mobile-lvn": "mobile", "landline-toll-free": "toll-free"}


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
        group_msisdn(number.msisdn, number.country),
        number.country,
        TYPE_SHORT.get(number.type, number.type),
        features_text(number),
        number.app_id or "",
        webhooks_text(number),
    )


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
    title = Text(group_msisdn(number.msisdn, number.country), style="bold")
    return Group(title, grid)


def current_fields(number: OwnedNumber) -> dict[str, str]:
    """The settings /number/update replaces, as the server holds them (unset ones left out)."""
    return {name: getattr(number, name) for name in UPDATE_FIELDS if getattr(number, name) is not None}


def apply_update(number: OwnedNumber, update: Any) -> OwnedNumber:
    """``number`` as it is after ``update`` succeeded ("" = unset = None)."""
    return number.model_copy(update={name: getattr(update, name) or None for name in UPDATE_FIELDS})


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
