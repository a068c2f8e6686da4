"""Where the secret may go: only in the Authorization header, only to https or loopback hosts."""

from __future__ import annotations

import base64
import logging
import pickle
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tui.api.client import VonageClient
from tui.api.errors import AuthError, InputError, InsecureURL, VonageError
from tui.api.hosts import DEFAULT_API_URL, DEFAULT_REST_URL, is_loopback_host, validate_base_url
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox

EXPECTED_HEADER = "Basic " + base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()


class RecordingTransport(httpx.AsyncHTTPTransport):
    """A real loopback transport that keeps a copy of every request as sent on the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await super().handle_async_request(request)


def _all_text(error: BaseException) -> str:
    """Everything an error could show: message, repr, args, notes, and its whole chain."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args), repr(getattr(current, "__notes__", ""))]
        parts += [repr(v) for v in vars(current).values()]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


async def test_basic_auth_header_on_every_request_and_nowhere_else(sandbox: RunningSandbox) -> None:
    wire = RecordingTransport()
    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None, transport=wire
    ) as c:
        await c.list_owned_numbers(country="GB")
        await c.get_balance()
        await c.update_settings(mo_callback_url="https://example.com/mo")
        await c.list_secrets()
        await c.list_pools()
        await c.update_number_fields("442079460123", "GB", mo_http_url="https://example.com/x")
    assert len(wire.sent) == 7
    for request in wire.sent:
        assert request.headers["authorization"] == EXPECTED_HEADER
        assert DEMO_API_SECRET not in str(request.url)
        assert b"api_secret" not in request.content and DEMO_API_SECRET.encode() not in request.content
        assert "api_secret" not in str(request.url)
    assert {r.method for r in wire.sent} == {"GET", "POST"}
    assert "authorization" not in {k.lower() for k in c._http.headers}  # built per request, not stored


async def test_the_secret_never_reaches_logs_reprs_or_errors(
    sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # including httpx and httpcore debug logs
    new_secret = "Fresh-Secret-77"
    errors: list[BaseException] = []
    async with VonageClient(
        DEMO_API_KEY, SecretStr(DEMO_API_SECRET), rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None
    ) as c:
        await c.get_balance()
        created = await c.create_secret(new_secret)
        for call in (
            lambda: c.create_secret("Third-Secret-33"),
            lambda: c.create_secret("weak"),
            lambda: c.revoke_secret("no-such-secret"),
            lambda: c.buy_number("GB", "447700900001"),
        ):
            with pytest.raises(VonageError) as caught:
                await call()
            errors.append(caught.value)
        await c.revoke_secret(created.id)
        shown = repr(c) + repr(vars(c)) + repr(c._auth) + repr(c._http.auth) + repr(c.stats)
    async with VonageClient(DEMO_API_KEY, "Wrong-Secret-9", rest_url=sandbox.url, api_url=sandbox.url) as wrong:
        with pytest.raises(AuthError) as denied:
            await wrong.get_balance()
        errors.append(denied.value)
    b64 = EXPECTED_HEADER.removeprefix("Basic ")
    assert "HTTP Request" in caplog.text  # httpx's own logging was captured too
    for text in [caplog.text, shown, *map(_all_text, errors)]:
        for secret in (DEMO_API_SECRET, new_secret, "Third-Secret-33", "Wrong-Secret-9", b64):
            assert secret not in text
    assert "SecretStr('**********')" in repr(vars(c))


async def test_server_text_echoing_the_secret_is_scrubbed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={
                "title": f"Bad secret {DEMO_API_SECRET}",
                "detail": f"header was {request.headers['authorization']}",
                "invalid_parameters": [{"name": "secret", "reason": f"{request.content.decode()} is weak"}],
            },
        )

    async with VonageClient(
        DEMO_API_KEY, DEMO_API_SECRET, transport=httpx.MockTransport(handler), rate_limit=None
    ) as c:
        with pytest.raises(VonageError) as caught:
            await c.create_secret("Echoed-Secret-5")
    text = _all_text(caught.value)
    assert DEMO_API_SECRET not in text and "Echoed-Secret-5" not in text
    assert EXPECTED_HEADER.removeprefix("Basic ") not in text
    assert "***" in text


def test_errors_pickle_and_print_without_surprises() -> None:
    error = AuthError(status=401)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) == error.message


# -- hosts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://rest.nexmo.com", "https://rest.nexmo.com"),
        ("HTTPS://api.nexmo.com/", "https://api.nexmo.com"),
        ("https://gateway.example:8443/vonage/", "https://gateway.example:8443/vonage"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.1.2.3", "http://127.1.2.3"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://LOCALHOST", "http://localhost"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://[2001:db8::1]", "https://[2001:db8::1]"),
    ],
)
def test_accepted_base_urls(url: str, normalised: str) -> None:
    assert validate_base_url(url) == normalised


@pytest.mark.parametrize(
    "url",
    [
        "http://rest.nexmo.com",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example",
        "http://evil.example/127.0.0.1",
        "http://127.0.0.1@evil.example",
        "https://user:pass@rest.nexmo.com",
        "http://localhost.",
        "http://[::ffff:127.0.0.1]",
        "http://0x7f.0.0.1",
        "http://2130706433",
        "http://127.0.0.1:80\\@evil.example",
        "http://127.0.0.1%2e.evil.example",
        "http://[::1%25eth0]",
        "https://rest.nexmo.com?x=1",
        "https://rest.nexmo.com#frag",
        "https://rest.nexmo.com:99999",
        "https://",
        "ftp://rest.nexmo.com",
        "rest.nexmo.com",
        "",
        "https://bad host.example",
        "https://-bad.example",
    ],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(InsecureURL) as caught:
        validate_base_url(url, field="rest_url")
    assert caught.value.field == "rest_url" and isinstance(caught.value, InputError)
    assert "pass" not in str(caught.value)


def test_the_client_refuses_insecure_hosts_before_doing_anything() -> None:
    with pytest.raises(InsecureURL) as rest:
        VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url="http://127.0.0.1.evil.example")
    assert rest.value.field == "rest_url"
    with pytest.raises(InsecureURL) as api:
        VonageClient(DEMO_API_KEY, DEMO_API_SECRET, api_url="http://127.0.0.1@evil.example:80")
    assert api.value.field == "api_url"
    for secret_frame_local in (rest.value, api.value):
        assert DEMO_API_SECRET not in _all_text(secret_frame_local)
    client = VonageClient(DEMO_API_KEY, DEMO_API_SECRET)
    assert (client.rest_url, client.api_url) == (DEFAULT_REST_URL, DEFAULT_API_URL)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"api_key": "", "api_secret": "x"}, "api_key"),
        ({"api_key": "a/b", "api_secret": "x"}, "api_key"),
        ({"api_key": "abc", "api_secret": ""}, "api_secret"),
        ({"api_key": "abc", "api_secret": None}, "api_secret"),
        ({"api_key": "abc", "api_secret": "x", "timeout": 0}, "timeout"),
        ({"api_key": "abc", "api_secret": "x", "rate_limit": -1}, "rate_limit"),
        ({"api_key": "abc", "api_secret": "x", "max_retries": -1}, "max_retries"),
    ],
)
def test_client_arguments_are_checked(kwargs: dict, field: str) -> None:
    key = kwargs.pop("api_key")
    secret = kwargs.pop("api_secret")
    with pytest.raises(InputError) as caught:
        VonageClient(key, secret, **kwargs)
    assert caught.value.field == field


@settings(max_examples=250, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda scheme, host, tail: f"{scheme}://{host}{tail}",
            st.sampled_from(["http", "https", "HTTP", "ftp"]),
            st.one_of(
                st.sampled_from(["127.0.0.1", "localhost", "[::1]", "127.0.0.1.evil.example", "evil.example"]),
                st.text(max_size=20),
            ),
            st.text(max_size=20),
        ),
    )
)
def test_base_url_property(url: str) -> None:
    try:
        result = validate_base_url(url)
    except InsecureURL:
        return
    parts = urlsplit(result)
    parsed = httpx.URL(result)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert parsed.host.lower() == parts.hostname.lower()
    assert "@" not in result and "?" not in result and "#" not in result
    if parts.scheme == "http":
        assert is_loopback_host(parsed.host)
