"""ISO 3166-1 countries for the search form: find a country by name or code, group its numbers.

Plain data and functions (no Textual import), so the form, the CLI and tests share one table.
``resolve`` turns what a person types ("gb", "united k", "United Kingdom (GB)", "uk") into an
alpha-2 code or an ``InputError`` naming the problem; ``format_msisdn`` groups an E.164 number
for reading ("447700900123" -> "+44 7700 900123"), never for copying or sending.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from tui.api.errors import InputError


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    dial: str  # calling code without "+" ("" when none)

    @property
    def label(self) -> str:
        """What the suggester completes to, and what ``resolve`` reads back: "United Kingdom (GB)"."""
        return f"{self.name} ({self.code})"


# (alpha-2, common English name, calling code): every ISO 3166-1 entry, plus XK (Kosovo).
_TABLE = """
AD Andorra 376|AE United Arab Emirates 971|AF Afghanistan 93|AG Antigua and Barbuda 1|AI Anguilla 1
AL Albania 355|AM Armenia 374|AO Angola 244|AQ Antarctica 672|AR Argentina 54|AS American Samoa 1
AT Austria 43|AU Australia 61|AW Aruba 297|AX Åland Islands 358|AZ Azerbaijan 994
BA Bosnia and Herzegovina 387|BB Barbados 1|BD Bangladesh 880|BE Belgium 32|BF Burkina Faso 226
BG Bulgaria 359|BH Bahrain 973|BI Burundi 257|BJ Benin 229|BL Saint Barthélemy 590|BM Bermuda 1
BN Brunei 673|BO Bolivia 591|BQ Caribbean Netherlands 599|BR Brazil 55|BS Bahamas 1|BT Bhutan 975
BV Bouvet Island 47|BW Botswana 267|BY Belarus 375|BZ Belize 501|CA Canada 1
CC Cocos (Keeling) Islands 61|CD Congo (DRC) 243|CF Central African Republic 236|CG Congo 242
CH Switzerland 41|CI Côte d'Ivoire 225|CK Cook Islands 682|CL Chile 56|CM Cameroon 237|CN China 86
CO Colombia 57|CR Costa Rica 506|CU Cuba 53|CV Cape Verde 238|CW Curaçao 599|CX Christmas Island 61
CY Cyprus 357|CZ Czechia 420|DE Germany 49|DJ Djibouti 253|DK Denmark 45|DM Dominica 1
DO Dominican Republic 1|DZ Algeria 213|EC Ecuador 593|EE Estonia 372|EG Egypt 20|EH Western Sahara 212
ER Eritrea 291|ES Spain 34|ET Ethiopia 251|FI Finland 358|FJ Fiji 679|FK Falkland Islands 500
FM Micronesia 691|FO Faroe Islands 298|FR France 33|GA Gabon 241|GB United Kingdom 44|GD Grenada 1
GE Georgia 995|GF French Guiana 594|GG Guernsey 44|GH Ghana 233|GI Gibraltar 350|GL Greenland 299
GM Gambia 220|GN Guinea 224|GP Guadeloupe 590|GQ Equatorial Guinea 240|GR Greece 30
GS South Georgia and the South Sandwich Islands 500|GT Guatemala 502|GU Guam 1|GW Guinea-Bissau 245
GY Guyana 592|HK Hong Kong 852|HM Heard Island and McDonald Islands 672|HN Honduras 504|HR Croatia 385
HT Haiti 509|HU Hungary 36|ID Indonesia 62|IE Ireland 353|IL Israel 972|IM Isle of Man 44|IN India 91
IO British Indian Ocean Territory 246|IQ Iraq 964|IR Iran 98|IS Iceland 354|IT Italy 39|JE Jersey 44
JM Jamaica 1|JO Jordan 962|JP Japan 81|KE Kenya 254|KG Kyrgyzstan 996|KH Cambodia 855|KI Kiribati 686
KM Comoros 269|KN Saint Kitts and Nevis 1|KP North Korea 850|KR South Korea 82|KW Kuwait 965
KY Cayman Islands 1|KZ Kazakhstan 7|LA Laos 856|LB Lebanon 961|LC Saint Lucia 1|LI Liechtenstein 423
LK Sri Lanka 94|LR Liberia 231|LS Lesotho 266|LT Lithuania 370|LU Luxembourg 352|LV Latvia 371
LY Libya 218|MA Morocco 212|MC Monaco 377|MD Moldova 373|ME Montenegro 382
MF Saint Martin (French part) 590|MG Madagascar 261|MH Marshall Islands 692|MK North Macedonia 389
ML Mali 223|MM Myanmar 95|MN Mongolia 976|MO Macao 853|MP Northern Mariana Islands 1|MQ Martinique 596
MR Mauritania 222|MS Montserrat 1|MT Malta 356|MU Mauritius 230|MV Maldives 960|MW Malawi 265
MX Mexico 52|MY Malaysia 60|MZ Mozambique 258|NA Namibia 264|NC New Caledonia 687|NE Niger 227
NF Norfolk Island 672|NG Nigeria 234|NI Nicaragua 505|NL Netherlands 31|NO Norway 47|NP Nepal 977
NR Nauru 674|NU Niue 683|NZ New Zealand 64|OM Oman 968|PA Panama 507|PE Peru 51
PF French Polynesia 689|PG Papua New Guinea 675|PH Philippines 63|PK Pakistan 92|PL Poland 48
PM Saint Pierre and Miquelon 508|PN Pitcairn Islands 64|PR Puerto Rico 1|PS Palestine 970
PT Portugal 351|PW Palau 680|PY Paraguay 595|QA Qatar 974|RE Réunion 262|RO Romania 40|RS Serbia 381
RU Russia 7|RW Rwanda 250|SA Saudi Arabia 966|SB Solomon Islands 677|SC Seychelles 248|SD Sudan 249
SE Sweden 46|SG Singapore 65|SH Saint Helena 290|SI Slovenia 386|SJ Svalbard and Jan Mayen 47
SK Slovakia 421|SL Sierra Leone 232|SM San Marino 378|SN Senegal 221|SO Somalia 252|SR Suriname 597
SS South Sudan 211|ST São Tomé and Príncipe 239|SV El Salvador 503|SX Sint Maarten 1|SY Syria 963
SZ Eswatini 268|TC Turks and Caicos Islands 1|TD Chad 235|TF French Southern Territories 262|TG Togo 228
TH Thailand 66|TJ Tajikistan 992|TK Tokelau 690|TL Timor-Leste 670|TM Turkmenistan 993|TN Tunisia 216
TO Tonga 676|TR Türkiye 90|TT Trinidad and Tobago 1|TV Tuvalu 688|TW Taiwan 886|TZ Tanzania 255
UA Ukraine 380|UG Uganda 256|UM U.S. Minor Outlying Islands 1|US United States 1|UY Uruguay 598
UZ Uzbekistan 998|VA Vatican City 39|VC Saint Vincent and the Grenadines 1|VE Venezuela 58
VG British Virgin Islands 1|VI U.S. Virgin Islands 1|VN Vietnam 84|VU Vanuatu 678
WF Wallis and Futuna 681|WS Samoa 685|XK Kosovo 383|YE Yemen 967|YT Mayotte 262|ZA South Africa 27
ZM Zambia 260|ZW Zimbabwe 263
"""


def _parse(table: str) -> tuple[Country, ...]:
    out = []
    for item in table.replace("\n", "|").split("|"):
        item = item.strip()
        if not item:
            continue
        code, rest = item.split(" ", 1)
        name, dial = rest.rsplit(" ", 1)
        out.append(Country(code, name, dial))
    return tuple(out)


COUNTRIES: tuple[Country, ...] = _parse(_TABLE)
BY_CODE: dict[str, Country] = {c.code: c for c in COUNTRIES}

#: Other names people type; checked before codes, so "uk" means GB although UK is no ISO code.
ALIASES: dict[str, str] = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "usa": "US", "america": "US",
    "united states of america": "US", "uae": "AE", "holland": "NL", "the netherlands": "NL",
    "czech republic": "CZ", "turkey": "TR", "ivory coast": "CI", "swaziland": "SZ", "burma": "MM",
    "macedonia": "MK", "russian federation": "RU", "cabo verde": "CV", "east timor": "TL",
    "holy see": "VA", "vatican": "VA", "deutschland": "DE", "espana": "ES", "schweiz": "CH",
    "suisse": "CH", "nederland": "NL", "drc": "CD", "democratic republic of the congo": "CD",
    "republic of the congo": "CG", "viet nam": "VN", "korea": "KR", "republic of korea": "KR",
    "macau": "MO", "persia": "IR", "eire": "IE", "osterreich": "AT", "sverige": "SE",
}  # fmt: skip


def fold(text: str) -> str:
    """Lower-case without accents or extra spaces, for matching ("Réunion" -> "reunion")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


@functools.cache
def _folded() -> tuple[tuple[str, Country], ...]:
    """(folded name, country) pairs, built on first use: every start imports this module for
    ``format_msisdn``, few type a country name."""
    return tuple((fold(c.name), c) for c in COUNTRIES)

_LABEL_CODE = re.compile(r"\(([A-Za-z]{2})\)\s*$")


def matches(text: str) -> list[Country]:
    """Countries whose name starts with ``text``; failing that, whose name has a word starting so."""
    key = fold(text)
    if not key:
        return []
    starts = [c for name, c in _folded() if name.startswith(key)]
    if starts:
        return starts
    words = [c for name, c in _folded() if any(w.startswith(key) for w in re.split(r"[\s(),'-]+", name))]
    if words or len(key) < 3:
        return words
    codes = dict.fromkeys(code for alias, code in ALIASES.items() if alias.startswith(key))
    return [BY_CODE[code] for code in codes]


def suggest(text: str) -> str | None:
    """The label a half-typed name completes to ("united k" -> "United Kingdom (GB)"), or None."""
    key = fold(text)
    if not key:
        return None
    alias = ALIASES.get(key)
    if alias is not None and len(key) > 2:
        return None  # already a complete name
    for name, country in _folded():
        if name.startswith(key):
            return country.label
    return None


def resolve(text: str, field: str = "country") -> str:
    """The alpha-2 code ``text`` means, or InputError with a sentence for the field.

    Accepted: a code ("gb"), a label ("United Kingdom (GB)"), a name or common alias ("uk"), or
    the start of exactly one name ("united k").
    """
    raw = text.strip() if isinstance(text, str) else text
    if not isinstance(raw, str) or not raw:
        raise InputError("choose a country: type its name or two-letter code, e.g. GB", field=field)
    labelled = _LABEL_CODE.search(raw)
    if labelled:
        raw = labelled.group(1)
    key = fold(raw)
    if key in ALIASES:
        return ALIASES[key]
    if len(key) == 2 and key.isascii():
        from tui.api import validators

        code = validators.country(key, field)  # "G1" -> the validator's own sentence
        if code not in BY_CODE:
            raise InputError(f"{code} is not an ISO country code; type the country's name to find it", field=field)
        return code
    if not re.search(r"[^\W\d_]", key):
        from tui.api import validators

        validators.country(raw, field)  # digits or punctuation only: the validator explains
    exact = [c for name, c in _folded() if name == key]
    if exact:
        return exact[0].code
    found = matches(key)
    if len(found) == 1:
        return found[0].code
    if not found:
        raise InputError(f"no country matches “{raw}”; type a name or a two-letter code such as GB", field=field)
    shown = ", ".join(c.label for c in found[:4]) + (" …" if len(found) > 4 else "")
    raise InputError(f"“{raw}” matches {len(found)} countries ({shown}); type more", field=field)


def name_of(code: str) -> str:
    country = BY_CODE.get(code.upper())
    return country.name if country else code.upper()


def dial_code(code: str) -> str:
    country = BY_CODE.get(code.upper())
    return country.dial if country else ""


_ONE_DIGIT_CODES = frozenset(c.dial for c in COUNTRIES if len(c.dial) == 1)  # "1" and "7"
_TWO_DIGIT_CODES = frozenset(c.dial for c in COUNTRIES if len(c.dial) == 2)


def _calling_code(number: str, country: str) -> str:
    """The country's calling code if ``number`` starts with it, else a guess from the leading digits."""
    code = dial_code(country) if country else ""
    if code and number.startswith(code):
        return code
    if number[:1] in _ONE_DIGIT_CODES:
        return number[:1]
    if number[:2] in _TWO_DIGIT_CODES:
        return number[:2]
    return number[:3]


def format_msisdn(msisdn: str, country: str = "") -> str:
    """Group an E.164 number for reading: "+44 7700 900123", "+1 317 700 1234", "+49 301 234567".

    The one grouping every screen uses (numbers, search, pools). ``country`` (ISO alpha-2) picks the
    calling code; without it, or when the number does not start with it, the code is guessed from the
    leading digits. Shorter than 7 digits: returned as it is. Only for reading: copy, search and send
    the plain digits.
    """
    number = "".join(ch for ch in msisdn if ch.isdigit())
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
