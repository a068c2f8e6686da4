"""Proxies: loopback hosts never use one; https to a remote host is tunnelled (CONNECT) and carries no
credentials the proxy can read; a proxy setting we cannot use is a clear error, not a crash.

A small recording proxy on loopback stands in for HTTP_PROXY/HTTPS_PROXY/ALL_PROXY (set with
monkeypatch). It refuses every tunnel (403), or never answers one, and answers 502 to anything else,
so nothing leaves this computer.
"""

from __future__ import annotations

import asyncio
import base64
import importlib.util
from collections.abc import AsyncIterator

import pytest
from test_api_fakes import LoopbackServer, VirtualTime, head

from tui.api.client import VonageClient
from tui.api.errors import NetworkError, RequestTimeout
from tui.api.proxies import UnusableProxy, proxy_mounts
from tui.api.retry import RetryPolicy
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox

REMOTE_API = "https://api.example.invalid"
REMOTE_REST = "https://rest.example.invalid"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


async def _refuse(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    status = "403 Forbidden" if server.requests[-1][0].startswith(b"CONNECT ") else "502 Bad Gateway"
    await server.write(writer, head(status, content_length=0))


async def _silent(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
    await asyncio.Event().wait()  # the tunnel is never answered


@pytest.fixture(autouse=True)
def _no_inherited_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _use_proxy(monkeypatch: pytest.MonkeyPatch, url: str, *names: str) -> None:
    for name in names or PROXY_VARIABLES[:3]:
        monkeypatch.setenv(name, url)
        monkeypatch.setenv(name.lower(), url)


@pytest.fixture
async def proxy() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(_refuse) as server:
        yield server


def _client(rest_url: str, api_url: str, **options: object) -> VonageClient:
    time = VirtualTime()
    return VonageClient(
        DEMO_API_KEY,
        DEMO_API_SECRET,
        rest_url=rest_url,
        api_url=api_url,
        rate_limit=None,
        retry_policy=RetryPolicy(max_retries=2),
        clock=time.clock,
        sleep=time.sleep,
        **options,  # type: ignore[arg-type]
    )


async def test_a_loopback_host_never_goes_through_a_proxy(
    sandbox: RunningSandbox, proxy: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One host on loopback http, the other remote: the loopback one still goes direct."""
    _use_proxy(monkeypatch, proxy.url)
    async with _client(sandbox.url, REMOTE_API) as c:
        balance = await c.get_balance()
        owned = await c.list_owned_numbers()
    assert balance.auto_reload is True and owned.count == 6  # the sandbox answered, directly
    assert proxy.requests == []  # the proxy saw nothing - above all, no Authorization header


async def test_https_to_a_remote_host_is_tunnelled_and_a_refused_tunnel_was_not_sent(
    sandbox: RunningSandbox, proxy: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_proxy(monkeypatch, proxy.url.replace("http://", "http://proxyuser:proxy-pass@"))
    async with _client(sandbox.url, REMOTE_API) as c:
        with pytest.raises(NetworkError) as read:
            await c.list_secrets()
    async with _client(REMOTE_REST, REMOTE_API) as c:
        with pytest.raises(NetworkError) as write:
            await c.top_up("00X123456Y7890123Z")
        assert c.stats.requests == 1
    heads = [request_head for request_head, _ in proxy.requests]
    assert [h.split(b"\r\n")[0] for h in heads] == [
        b"CONNECT api.example.invalid:443 HTTP/1.1",
        b"CONNECT rest.example.invalid:443 HTTP/1.1",
    ]
    lines = [line.lower() for h in heads for line in h.split(b"\r\n")]
    assert not any(line.startswith(b"authorization:") for line in lines)  # our Basic auth stays in the tunnel
    assert sum(line.startswith(b"proxy-authorization: basic") for line in lines) == 2  # the proxy's own
    basic = base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode())
    assert not any(DEMO_API_SECRET.encode() in h or basic in h for h in heads)
    for error in (read.value, write.value):
        assert error.request_sent is False and error.outcome_unknown is False
        assert "proxy" in str(error) and "proxy-pass" not in str(error) + repr(error)
    assert "refresh" not in str(write.value)


async def test_a_tunnel_never_answered_runs_into_the_deadline_and_was_not_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with LoopbackServer(_silent) as proxy:
        _use_proxy(monkeypatch, proxy.url, "HTTPS_PROXY")
        async with _client(REMOTE_REST, REMOTE_API, deadline=0.5) as c:
            with pytest.raises(RequestTimeout) as caught:
                await c.top_up("00X123456Y7890123Z")
    assert [h.split(b"\r\n")[0] for h, _ in proxy.requests] == [b"CONNECT rest.example.invalid:443 HTTP/1.1"]
    assert caught.value.request_sent is False and caught.value.outcome_unknown is False
    assert "within 0.5 s" in str(caught.value)


@pytest.mark.skipif(importlib.util.find_spec("socksio") is not None, reason="socksio is installed here")
async def test_a_socks_proxy_without_socksio_is_a_clear_error_not_a_crash(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://sockuser:sock-pass@127.0.0.1:9")
    async with _client(sandbox.url, REMOTE_API) as c:  # constructing the client does not raise
        assert (await c.get_balance()).auto_reload is True  # loopback: direct, the proxy is not needed
        with pytest.raises(NetworkError) as caught:
            await c.list_secrets()
    error = caught.value
    assert error.request_sent is False
    assert "socksio" in str(error) and "ALL_PROXY" in str(error)
    assert "sock-pass" not in str(error) + repr(error)


def test_which_hosts_get_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    def mounted(*urls: str) -> list[str]:
        return sorted(proxy_mounts(urls, verify=True, trust_env=False))

    assert mounted("https://rest.nexmo.com", "http://127.0.0.1:8080") == []  # no proxy configured
    monkeypatch.setenv("HTTPS_PROXY", "proxy.corp:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    urls = ("https://rest.nexmo.com", "https://api.nexmo.com:8443", "http://localhost:9", "https://[::1]:9",
            "https://127.0.0.1")
    assert mounted(*urls) == ["https://api.nexmo.com:8443", "https://rest.nexmo.com:443"]
    monkeypatch.setenv("NO_PROXY", "example.org, .nexmo.com:8443")
    assert mounted(*urls) == ["https://rest.nexmo.com:443"]  # the port-specific entry spares only :8443
    monkeypatch.setenv("NO_PROXY", "nexmo.com")
    assert mounted(*urls) == []  # a domain covers its hosts
    monkeypatch.setenv("NO_PROXY", "*")
    assert mounted(*urls) == []
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", "ftp://user:secret-pw@proxy.corp")
    (transport,) = proxy_mounts(["https://rest.nexmo.com"], verify=True, trust_env=False).values()
    assert isinstance(transport, UnusableProxy)
    assert "HTTPS_PROXY" in transport.reason and "secret-pw" not in transport.reason
