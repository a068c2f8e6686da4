"""What exists in the fake Vonage: demo credentials, number ranges, and the numbers drawn from them.

Everything is derived from the seed with string-seeded ``random.Random`` instances (stable across runs and
Python processes), one per range, so the numbers on sale do not change when ``owned_count`` does.
Records are plain dicts in exactly the JSON shape the API answers with, so routes can return them as they are.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

DEMO_API_KEY = "abcd1234"
DEMO_API_SECRET = "Sandbox-Secret-42"
DEMO_SECRET_ID = "ad6dc56f-07b5-46e1-a527-85530e625800"
DEMO_ACCOUNT_NAME = "Demo primary account"

SUBACCOUNT_API_KEY = "sub12345"
SUBACCOUNT_API_SECRET = "Sub-Secret-77"
SUBACCOUNT_SECRET_ID = "0c7b7b9e-51a4-4c8e-9c1d-3f1f7d0b2a11"
SUBACCOUNT_BALANCE = 5.00
SUBACCOUNT_NAME = "Support team"

SUBACCOUNT2_API_KEY = "sub67890"
SUBACCOUNT2_API_SECRET = "Sub-Secret-88"
SUBACCOUNT2_SECRET_ID = "5f0e8f2a-9b7c-4d3e-8a1f-2b6c7d8e9f01"
SUBACCOUNT2_BALANCE = 12.00
SUBACCOUNT2_NAME = "Marketing EU"

DEMO_TRX = "00X123456Y7890123Z"
"""A transaction reference the demo account may top up with (auto-reload is on)."""
DEMO_TOP_UP_AMOUNT = 10.00
SUBACCOUNT_TRX = "00X999999Y0000001Z"

SUBACCOUNT2_TRX = "00X999999Y0000002Z"

DEMO_POOL_ID = "demo-pool"

APP_SUPPORT = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
APP_MARKETING = "1ded6eee-e2ec-4d61-8c71-e2b2ece17d1b"
DEMO_APPLICATIONS: dict[str, str] = {APP_SUPPORT: "Support line", APP_MARKETING: "Marketing SMS"}


@dataclass(frozen=True)
class DemoSubaccount:
    """A subaccount of the demo master account: credentials, the name the Subaccounts API shows, balance."""

    api_key: str
    secret: str = field(repr=False)
    secret_id: str
    name: str
    balance: float
    created_at: str
    trx: str
    """A top-up reference of its own (auto-reload is off, so top-up answers "not auto-reload enabled")."""


DEMO_SUBACCOUNTS: tuple[DemoSubaccount, ...] = (
    DemoSubaccount(
        SUBACCOUNT_API_KEY,
        SUBACCOUNT_API_SECRET,
        SUBACCOUNT_SECRET_ID,
        SUBACCOUNT_NAME,
        SUBACCOUNT_BALANCE,
        "2021-06-01T08:00:00Z",
        SUBACCOUNT_TRX,
    ),
    DemoSubaccount(
        SUBACCOUNT2_API_KEY,
        SUBACCOUNT2_API_SECRET,
        SUBACCOUNT2_SECRET_ID,
        SUBACCOUNT2_NAME,
        SUBACCOUNT2_BALANCE,
        "2023-02-14T09:30:00Z",
        SUBACCOUNT2_TRX,
    ),
)
"""Deterministic subaccounts of ``DEMO_API_KEY``; the first owns one demo number, the second starts with none."""

DEMO_CREATED_AT = "2018-12-03T10:07:23Z"
"""When the demo master account (and its first secret) was created."""


@dataclass(frozen=True)
class NumberRange:
    """One block of numbers of a country and type: ``prefix`` followed by ``digits`` free digits."""

    country: str
    type: str
    prefix: str
    digits: int
    initial_price: str
    cost: str
    feature_sets: tuple[tuple[str, ...], ...]
    limitations: tuple[tuple[str, str, str], ...] = ()
    features_lists: list[list[str]] = field(init=False, repr=False, compare=False, hash=False)
    limitation_list: list[dict[str, str]] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Shared, never-mutated JSON-ready values: building 100,000 records must not build 100,000 lists.
        object.__setattr__(self, "features_lists", [list(f) for f in self.feature_sets])
        object.__setattr__(
            self,
            "limitation_list",
            [{"feature": f, "type": t, "reach": r} for f, t, r in self.limitations],
        )

    @property
    def capacity(self) -> int:
        return 10**self.digits

    def contains(self, msisdn: str) -> bool:
        return msisdn.startswith(self.prefix) and len(msisdn) == len(self.prefix) + self.digits


_SV, _VS, _S, _V = ("SMS", "VOICE"), ("VOICE", "SMS"), ("SMS",), ("VOICE",)
_SMV = ("SMS", "MMS", "VOICE")
_INTL_SMS_OUT = (("SMS", "OUTBOUND", "INTERNATIONAL"),)
_DOMESTIC_VOICE_OUT = (("VOICE", "OUTBOUND", "DOMESTIC"),)


def _ranges() -> tuple[NumberRange, ...]:
    """Plausible E.164 blocks; several contain 7700 so a "contains 7700" search finds numbers in many countries."""
    r = NumberRange
    return (
        r("GB", "landline", "4420794", 5, "1.25", "1.25", (_VS, _V)),
        r("GB", "mobile-lvn", "4477009", 5, "1.25", "1.25", (_VS, _VS, _S), _INTL_SMS_OUT),
        r("GB", "landline-toll-free", "4480815", 5, "7.50", "7.50", (_V,), _DOMESTIC_VOICE_OUT),
        r("US", "landline", "1201", 7, "0.90", "0.90", (_SV, _V)),
        r("US", "mobile-lvn", "1317700", 4, "0.90", "0.90", (_SMV, _SV, _SMV)),
        r("US", "landline-toll-free", "1800", 7, "2.00", "2.00", (_SV, _V)),
        r("DE", "landline", "4930", 7, "2.50", "2.50", (_V, _VS)),
        r("DE", "mobile-lvn", "49157700", 5, "4.00", "4.00", (_SV, _S), _INTL_SMS_OUT),
        r("DE", "landline-toll-free", "49800", 7, "12.00", "12.00", (_V,)),
        r("FR", "landline", "331", 8, "1.80", "1.80", (_V,)),
        r("FR", "mobile-lvn", "337700", 5, "3.00", "3.00", (_SV, _S)),
        r("FR", "landline-toll-free", "33800", 6, "15.00", "15.00", (_V,), _DOMESTIC_VOICE_OUT),
        r("ES", "landline", "3491", 7, "1.50", "1.50", (_V, _VS)),
        r("ES", "mobile-lvn", "346", 8, "3.50", "3.50", (_SV,)),
        r("ES", "landline-toll-free", "34900", 6, "10.00", "10.00", (_V,)),
        r("IT", "landline", "3906", 8, "2.20", "2.20", (_V,)),
        r("IT", "mobile-lvn", "393", 9, "5.00", "5.00", (_SV, _S), _INTL_SMS_OUT),
        r("IT", "landline-toll-free", "39800", 6, "14.00", "14.00", (_V,)),
        r("NL", "landline", "3120", 7, "1.00", "1.00", (_V, _VS)),
        r("NL", "mobile-lvn", "3167700", 4, "2.75", "2.75", (_SV, _S)),
        r("NL", "landline-toll-free", "31800", 6, "9.00", "9.00", (_V,)),
        r("SE", "landline", "468", 7, "1.60", "1.60", (_V,)),
        r("SE", "mobile-lvn", "4670", 7, "2.40", "2.40", (_SV,)),
        r("SE", "landline-toll-free", "4620", 6, "11.00", "11.00", (_V,)),
        r("AU", "landline", "6125550", 4, "3.20", "3.20", (_V, _VS)),
        r("AU", "mobile-lvn", "614", 8, "4.50", "4.50", (_SV, _S), _INTL_SMS_OUT),
        r("AU", "landline-toll-free", "611800", 6, "35.00", "25.00", (_V,), _DOMESTIC_VOICE_OUT),
        r("CA", "landline", "1416", 7, "0.95", "0.95", (_SV, _V)),
        r("CA", "mobile-lvn", "1647", 7, "0.95", "0.95", (_SMV, _SV)),
        r("CA", "landline-toll-free", "1888", 7, "2.10", "2.10", (_SV, _V)),
        r("IE", "landline", "3531", 7, "2.00", "2.00", (_V, _VS)),
        r("IE", "mobile-lvn", "35387", 7, "4.20", "4.20", (_SV, _S)),
        r("IE", "landline-toll-free", "3531800", 6, "16.00", "16.00", (_V,)),
        r("CH", "landline", "4144", 7, "6.00", "6.00", (_V,)),
        r("CH", "mobile-lvn", "4179", 7, "8.00", "8.00", (_SV,)),
        r("CH", "landline-toll-free", "41800", 6, "20.00", "20.00", (_V,)),
    )


RANGES: tuple[NumberRange, ...] = _ranges()
COUNTRIES: tuple[str, ...] = tuple(dict.fromkeys(r.country for r in RANGES))


def find_range(country: str, msisdn: str) -> NumberRange | None:
    """The range a number belongs to (for its price when a cancelled number goes back on sale)."""
    for rng in RANGES:
        if rng.country == country and rng.contains(msisdn):
            return rng
    return None


def available_record(rng: NumberRange, msisdn: str, features: list[str] | None = None) -> dict:
    """A number on sale, in the ``availablenumber`` shape of the spec (prices are EUR strings)."""
    record: dict = {
        "country": rng.country,
        "msisdn": msisdn,
        "type": rng.type,
        "cost": rng.cost,
        "initialPrice": rng.initial_price,
        "features": features if features is not None else rng.features_lists[0],
    }
    if rng.limitation_list:
        record["limitations"] = rng.limitation_list
    return record


def owned_record(country: str, msisdn: str, type_: str, features: list[str], limitations: list | None) -> dict:
    """A bare owned number (no webhooks, no application), in the ``ownednumber`` shape."""
    record: dict = {"country": country, "msisdn": msisdn, "type": type_, "features": features}
    if limitations:
        record["limitations"] = limitations
    return record


def _demo_owned_specs() -> list[tuple[str, str, dict]]:
    """(api_key, msisdn, configuration) of the hand-made demo numbers; ranges give country/type/features."""
    return [
        (
            DEMO_API_KEY,
            "447700900001",
            {
                "app_id": APP_SUPPORT,
                "messagesCallbackType": "app",
                "messagesCallbackValue": APP_SUPPORT,
                "voiceCallbackType": "app",
                "voiceCallbackValue": APP_SUPPORT,
            },
        ),
        (DEMO_API_KEY, "442079460123", {"moHttpUrl": "https://example.com/webhooks/inbound-sms"}),
        (
            DEMO_API_KEY,
            "13177001234",
            {
                "app_id": APP_MARKETING,
                "messagesCallbackType": "app",
                "messagesCallbackValue": APP_MARKETING,
                "voiceCallbackType": "app",
                "voiceCallbackValue": APP_MARKETING,
                "moHttpUrl": "https://example.com/webhooks/us-inbound",
            },
        ),
        (
            DEMO_API_KEY,
            "49301234567",
            {
                "voiceCallbackType": "tel",
                "voiceCallbackValue": "447700900999",
                "voiceStatusCallback": "https://example.com/webhooks/status",
            },
        ),
        (DEMO_API_KEY, "33770012345", {"moHttpUrl": "https://example.com/webhooks/fr-inbound"}),
        (DEMO_API_KEY, "18005550199", {"voiceCallbackType": "sip", "voiceCallbackValue": "sip:support@example.com"}),
        (SUBACCOUNT_API_KEY, "31677001234", {}),
    ]


DEMO_RESERVED: frozenset[str] = frozenset(m for _, m, _ in _demo_owned_specs())
"""Numbers never put on sale, so the demo handful can always be owned."""


def _range_of(msisdn: str) -> NumberRange:
    for rng in RANGES:
        if rng.contains(msisdn):
            return rng
    raise LookupError(msisdn)


def demo_owned(include_master: bool = True) -> dict[str, list[dict]]:
    """The hand-made owned numbers per api_key; ``include_master=False`` keeps only the subaccount's."""
    owned: dict[str, list[dict]] = {}
    for api_key, msisdn, config in _demo_owned_specs():
        if api_key == DEMO_API_KEY and not include_master:
            continue
        rng = _range_of(msisdn)
        features = rng.features_lists[-1] if rng.type == "mobile-lvn" and rng.country == "US" else rng.features_lists[0]
        record = owned_record(rng.country, msisdn, rng.type, features, rng.limitation_list)
        record.update(config)
        owned.setdefault(api_key, []).append(record)
    return owned


def _range_seed(kind: str, seed: int, rng: NumberRange) -> random.Random:
    return random.Random(f"{kind}:{seed}:{rng.country}:{rng.type}:{rng.prefix}")


def _draw(dice: random.Random, rng: NumberRange, count: int, exclude: set[str] | frozenset[str]) -> list[str]:
    """``count`` distinct numbers of the range, none of them in ``exclude``."""
    wanted = min(rng.capacity, count + len(exclude))
    fmt = f"{rng.prefix}{{:0{rng.digits}d}}".format
    drawn = map(fmt, dice.sample(range(rng.capacity), wanted))
    return [m for m in drawn if m not in exclude][:count]


def _pick_features(dice: random.Random, rng: NumberRange) -> list[str]:
    lists = rng.features_lists
    return lists[0] if len(lists) == 1 else lists[int(dice.random() * len(lists))]


def generate_available(seed: int) -> dict[str, dict]:
    """Numbers on sale, msisdn -> ``availablenumber`` record: 40 to 80 per country and type."""
    available: dict[str, dict] = {}
    for rng in RANGES:
        dice = _range_seed("available", seed, rng)
        for msisdn in _draw(dice, rng, dice.randint(40, 80), DEMO_RESERVED):
            available[msisdn] = available_record(rng, msisdn, _pick_features(dice, rng))
    return available


def generate_owned(seed: int, count: int, exclude: Iterable[str]) -> list[dict]:
    """``count`` owned numbers spread over every range, none in ``exclude`` (the numbers on sale).

    Every fifth number is linked to a demo application and every seventh has an inbound-SMS webhook, so the
    ``has_application``/``application_id`` filters have something to find. Sorted by msisdn.
    """
    excluded = set(exclude) | DEMO_RESERVED
    share, extra = divmod(count, len(RANGES))
    records: list[dict] = []
    apps = list(DEMO_APPLICATIONS)
    carry = 0
    for i, rng in enumerate(RANGES):
        wanted = share + (1 if i < extra else 0) + carry
        local_exclude = {m for m in excluded if m.startswith(rng.prefix)}
        dice = _range_seed("owned", seed, rng)
        numbers = _draw(dice, rng, wanted, local_exclude)
        carry = wanted - len(numbers)
        lists, country, type_ = rng.features_lists, rng.country, rng.type
        limitations = rng.limitation_list
        for n, msisdn in enumerate(numbers):
            record = {"country": country, "msisdn": msisdn, "type": type_, "features": lists[n % len(lists)]}
            if limitations:
                record["limitations"] = limitations
            if n % 5 == 0:
                app = apps[n // 5 % len(apps)]
                record["app_id"] = app
                record["messagesCallbackType"] = "app"
                record["messagesCallbackValue"] = app
                record["voiceCallbackType"] = "app"
                record["voiceCallbackValue"] = app
            if n % 7 == 3:
                record["moHttpUrl"] = f"https://example.com/webhooks/inbound/{rng.country.lower()}"
            records.append(record)
    if carry:
        raise ValueError(f"the inventory holds fewer than {count} numbers")
    records.sort(key=lambda r: r["msisdn"])
    return records
