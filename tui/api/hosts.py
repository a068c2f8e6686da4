"""Base URLs: defaults and the one check every configured host goes through.

Why so strict: the client sends the API secret (Basic auth) on every request, so a base URL decides
where the secret goes. Plain http:// would put it on the wire in clear text; we allow it only to this
computer (a local sandbox), and we compare hosts exactly so that look-alikes such as
``127.0.0.1.evil.example``, ``localhost.evil.example`` or ``http://127.0.0.1@evil.example`` (userinfo
trick) are refused. The URL is parsed with both urllib and httpx and they must agree on the host, so a
parser difference cannot smuggle a different destination past the check.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from .errors import InsecureURL

DEFAULT_REST_URL = "https://rest.nexmo.com"
DEFAULT_API_URL = "https://api.nexmo.com"

# Characters that have no business in a base URL and that parsers disagree about.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\@?#%]")
_HOST_CHARS = re.compile(r"^[A-Za-z0-9.\-]+$")


def is_loopback_host(host: str) -> bool:
    """True only for "localhost" exactly, 127.0.0.0/8 and ::1 written as literal addresses."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str, field: str = "url") -> str:
    """Return ``url`` normalised (lower-case scheme, no trailing slash) or raise InsecureURL.

    https:// is accepted for any well-formed host; http:// only for loopback. Query strings, fragments,
    userinfo, percent-escapes, backslashes and whitespace are refused outright because they only serve
    to confuse a reader (or a parser) about where requests go. The message never repeats the URL, which
    might contain a password in its userinfo.
    """
    if not isinstance(url, str) or not url.strip():
        raise InsecureURL("a base URL is required", field=field)
    url = url.strip()
    if len(url) > 2000:
        raise InsecureURL("that base URL is too long", field=field)
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise InsecureURL("a base URL must start with https:// (or http:// for this computer)", field=field)
    if _FORBIDDEN.search(rest):
        raise InsecureURL("a base URL may not contain credentials, spaces, backslashes, '%', '?' or '#'", field=field)
    import httpx  # deferred: `import tui.cli` must stay light

    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port  # raises ValueError on a bad port
        host = parts.hostname or ""
        parsed = httpx.URL(f"{scheme}://{rest}")
    except (ValueError, httpx.InvalidURL):
        raise InsecureURL("that base URL is not well formed", field=field) from None
    if not host:
        raise InsecureURL("a base URL needs a host name", field=field)
    if port == 0:
        raise InsecureURL("that base URL has port 0, which no server listens on", field=field)
    if not rest.isprintable() or any(unicodedata.category(ch) == "Cf" for ch in rest):
        raise InsecureURL("a base URL may not contain invisible or direction-changing characters", field=field)
    bracketed = parts.netloc.startswith("[")
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise InsecureURL("that base URL has an invalid IPv6 address", field=field) from None
    elif not _HOST_CHARS.match(host) or host.startswith(("-", ".")) or ".." in host:
        raise InsecureURL("that base URL has an invalid host name", field=field)
    # Both parsers must see the same destination.
    if parsed.host.lower() != host.lower() or parsed.port != port:
        raise InsecureURL("that base URL is ambiguous", field=field)
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureURL(
            "http:// is only allowed for this computer (localhost, 127.0.0.1, [::1]); use https://",
            field=field,
        )
    netloc = f"[{host}]" if bracketed else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"


__all__ = ["DEFAULT_API_URL", "DEFAULT_REST_URL", "is_loopback_host", "validate_base_url"]
