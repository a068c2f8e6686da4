"""Which of our two hosts go through a proxy, decided by us rather than by httpx's ``trust_env``.

Why: every request carries the API secret (Basic auth). Through a proxy, an https request is
tunnelled (CONNECT) and the proxy sees only ciphertext - fine. A plain-http request would be handed
to the proxy in clear, secret included. Our base URLs may be plain http only for this computer (a
local sandbox, see ``hosts``), so the rules are:

- a loopback host never uses a proxy, whatever HTTP_PROXY/HTTPS_PROXY/ALL_PROXY say;
- an https host uses the environment's proxy for https (HTTPS_PROXY, else ALL_PROXY) unless
  NO_PROXY names it; nothing else is ever proxied;
- a proxy setting we cannot use (SOCKS without the ``socksio`` package, a malformed URL) does not
  crash the app: requests to that host fail with a NetworkError that says which variable to fix,
  and that nothing was sent. The proxy URL is never repeated (it may hold a password).

The client itself runs with ``trust_env=False`` and gets these transports as ``mounts``.
"""

from __future__ import annotations

import importlib.util
import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx

from .hosts import is_loopback_host

Verify = ssl.SSLContext | str | bool


class UnusableProxy(httpx.AsyncBaseTransport):
    """Stands in for a proxy we cannot use: every request fails before anything is sent."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ProxyError(self.reason)


def _bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether NO_PROXY names this host (curl's rules: "*", exact names, domain suffixes, host:port)."""
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.split("://", 1)[-1]
        name, port_text = entry, ""
        if entry.startswith("["):
            name, _, rest = entry[1:].partition("]")
            port_text = rest.removeprefix(":")
        elif entry.count(":") == 1:
            name, port_text = entry.split(":")
        if port_text and port_text != str(port):
            continue
        name = name.lstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _proxy_for(host: str, port: int) -> tuple[str, str] | None:
    """(environment variable name, proxy URL) for an https host, or None for a direct connection."""
    found = {key.lower(): value for key, value in getproxies().items() if value}
    if _bypassed(host, port, found.get("no", "")):
        return None
    for key in ("https", "all"):
        if key in found:
            url = found[key].strip()
            return f"{key.upper()}_PROXY", url if "://" in url else f"http://{url}"
    return None


def _transport(variable: str, url: str, verify: Verify, trust_env: bool) -> httpx.AsyncBaseTransport:
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("socks5", "socks5h") and importlib.util.find_spec("socksio") is None:
        return UnusableProxy(
            f"the proxy in {variable} is a SOCKS proxy, which needs the 'socksio' package "
            f"(pip install 'httpx[socks]'); install it or unset {variable}"
        )
    try:
        return httpx.AsyncHTTPTransport(proxy=url, verify=verify, trust_env=trust_env)
    except (ImportError, ValueError, TypeError, httpx.InvalidURL):
        return UnusableProxy(
            f"the proxy in {variable} is not a usable proxy URL (http://, https:// or socks5://); "
            f"fix or unset {variable}"
        )


def proxy_mounts(base_urls: Iterable[str], *, verify: Verify, trust_env: bool) -> dict[str, httpx.AsyncBaseTransport]:
    """httpx ``mounts`` for those of ``base_urls`` that must go through a proxy; the rest go direct."""
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    for base in base_urls:
        parts = urlsplit(base)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not host or is_loopback_host(host):
            continue  # plain http (only ever loopback) and loopback hosts are never proxied
        port = parts.port or 443
        chosen = _proxy_for(host, port)
        if chosen is None:
            continue
        netloc = f"[{host}]" if ":" in host else host
        mounts[f"https://{netloc}:{port}"] = _transport(*chosen, verify, trust_env)
    return mounts


__all__ = ["UnusableProxy", "proxy_mounts"]
