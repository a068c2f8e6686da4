"""The request engine under VonageClient: one httpx.AsyncClient, auth, pacing, retries, error mapping.

Why it is separate from the endpoint methods: everything that protects the secret and decides whether a
request may be repeated lives in one short file that can be reviewed on its own.

Secret handling, in one place:
- The secret is a pydantic SecretStr from the constructor's first line; the plain parameter is deleted
  so no frame of ours holds it as a str.
- The Authorization header is built per request by ``_SecretBasicAuth`` (so it is not in
  ``client.headers``); httpx's own reprs hide that header.
- Nothing is logged but method, path and status; query strings never carry the secret.
- httpx exceptions (which reference the request and its headers) are never chained onto our errors:
  our errors are raised outside the ``except`` block, so ``__context__`` stays empty.
- Server text that reaches an error message is scrubbed of the secret and its base64 form.
- The secret never travels to a proxy in clear: loopback hosts are never proxied and only https is
  (tunnelled), see ``proxies``.

Every attempt is bounded: a total ``deadline`` covers connect, send and the whole body (a server that
drips one byte at a time cannot hold a request), and at most ``max_response_bytes`` of an answer are
read, with at most one gzip/deflate layer undone by us in bounded steps (``body``). What a failed
attempt means ("may it have happened?") is decided in ``failures``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import math
import random
import time
from collections.abc import Callable, Generator, Iterable
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from . import validators
from .body import ACCEPT_ENCODING, read_capped
from .errors import BadResponse, InputError, NetworkError, VonageError
from .failures import Progress, classify
from .hosts import DEFAULT_API_URL, DEFAULT_REST_URL, is_loopback_host, validate_base_url
from .proxies import proxy_mounts
from .ratelimit import RateLimiter, Sleep
from .responses import body_error, decode_json, error_for, loose_json
from .retry import IDEMPOTENT_METHODS, ClientEvent, ClientStats, RetryPolicy, parse_retry_after

logger = logging.getLogger("tui.api")

Host = Literal["rest", "api"]
USER_AGENT = "vonage-tui/0.1.0 (+httpx)"
DEFAULT_DEADLINE = 30.0  # seconds for one attempt, connect to last byte
DEFAULT_MAX_RESPONSE_BYTES = 4 << 20  # the largest real answer (100 numbers) is ~50 KB
# Headers describing the wire form of a body we have already read and decoded.
_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _positive(value: object, field: str, what: str, *, whole: bool = False) -> None:
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 < value < math.inf:
        raise InputError(f"{field.replace('_', ' ')} must be a positive {what}", field=field)


def _burst(rate: float | None) -> float | None:
    """Half a second of burst, not a whole one: the account's own bucket then keeps slack for network
    jitter, so pacing at its exact limit never provokes a 429."""
    return None if rate is None else max(1.0, rate / 2)


_NOT_READ = object()
"""The body of an answer not decoded yet (``None`` is a body: JSON null)."""


class _SecretBasicAuth(httpx.Auth):
    """Basic auth computed per request from a SecretStr, so the credentials sit in no header dict."""

    def __init__(self, api_key: str, secret: SecretStr) -> None:
        self._api_key = api_key
        self._secret = secret

    def header(self) -> str:
        raw = f"{self._api_key}:{self._secret.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header()
        yield request

    def __repr__(self) -> str:
        return "_SecretBasicAuth(<hidden>)"


class Sensitive:
    """A request body holding a secret (a new API secret): hidden in every repr, so a traceback printed
    with its frames' locals (Textual's crash screen, ``capture_locals=True``) cannot show it. ``_send``
    unwraps it only inside the expression that hands it to httpx."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def reveal(self) -> Any:
        return self._value

    def __repr__(self) -> str:
        return "Sensitive(<hidden>)"


class ClientCore:
    """Connection, credentials and the retrying ``_call``; endpoint methods live in the subclasses."""

    def __init__(
        self,
        api_key: str,
        api_secret: str | SecretStr,
        *,
        rest_url: str = DEFAULT_REST_URL,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 15.0,
        rate_limit: float | None = 25.0,
        max_retries: int = 5,
        on_event: Callable[[ClientEvent], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: Any = True,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        printable: bool = True,
    ) -> None:
        #: Terminal controls in answers become U+FFFD (for screens); False keeps them (scripts, which escape).
        self.printable = printable
        if isinstance(api_secret, SecretStr):
            secret = api_secret
        elif isinstance(api_secret, str):
            secret = SecretStr(api_secret)
        else:
            raise InputError("the API secret must be text", field="api_secret")
        del api_secret  # from here on only the SecretStr exists in this frame
        if not secret.get_secret_value():
            raise InputError("the API secret is required", field="api_secret")
        self.api_key: str = validators.api_key(api_key)
        self.rest_url: str = validate_base_url(rest_url, field="rest_url")
        self.api_url: str = validate_base_url(api_url, field="api_url")
        _positive(timeout, "timeout", "number of seconds")
        _positive(deadline, "deadline", "number of seconds")
        _positive(max_response_bytes, "max_response_bytes", "whole number of bytes", whole=True)
        if rate_limit is not None:
            _positive(rate_limit, "rate_limit", "number of requests per second")
        if retry_policy is None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 20:
                raise InputError("max_retries must be a whole number from 0 to 20", field="max_retries")
            retry_policy = RetryPolicy(max_retries=max_retries)
        self._secret = secret
        self._auth = _SecretBasicAuth(self.api_key, secret)
        self.retry_policy: RetryPolicy = retry_policy
        self.deadline: float = float(deadline)
        self.max_response_bytes: int = max_response_bytes
        self._sleep = sleep
        self.limiter = RateLimiter(rate_limit, burst=_burst(rate_limit), clock=clock, sleep=sleep)
        self.stats = ClientStats()
        self.on_event = on_event
        self._rng = random.Random()
        self._ids = itertools.count(1)
        # One answer decoded per turn of the event loop: the first pages of a load arrive together, and
        # decoding all of them at once (~3 ms each) would hold up whatever else the loop runs (a UI).
        self._decoding = asyncio.Lock()
        # Proxies are chosen per host by ``proxies`` (never for loopback); the environment is trusted
        # only for the CA bundle (SSL_CERT_FILE), and only when some host is not this computer.
        local = all(is_loopback_host(urlsplit(u).hostname or "") for u in (self.rest_url, self.api_url))
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        if transport is None:
            transport = httpx.AsyncHTTPTransport(verify=verify, trust_env=not local)
            mounts = proxy_mounts((self.rest_url, self.api_url), verify=verify, trust_env=not local)
        self._http = httpx.AsyncClient(
            auth=self._auth,
            timeout=httpx.Timeout(float(timeout), connect=min(float(timeout), 10.0)),
            headers={"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT},
            transport=transport,
            mounts=mounts,
            trust_env=False,
            follow_redirects=False,  # a redirect must not carry our Authorization header anywhere
        )

    # -- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_key={self.api_key!r}, rest_url={self.rest_url!r}, api_url={self.api_url!r})"

    def set_rate_limit(self, rate: float | None) -> None:
        """Pace this client at ``rate`` requests per second from now on (None: unpaced).

        For the account's own ``max-calls-per-second`` once /account/settings has answered; requests
        already waiting for a token follow the new pace. The burst stays half a second's worth.
        """
        if rate is not None:
            _positive(rate, "rate_limit", "number of requests per second")
        self.limiter.set_rate(rate, burst=_burst(rate))

    # -- helpers ---------------------------------------------------------------------------------

    def _scrub(self, text: str, extra: Iterable[str | SecretStr] = ()) -> str:
        """Remove our secret (plain or base64 as in the header) and any ``extra`` secrets from server text."""
        header = self._auth.header()
        plain = (e.get_secret_value() if isinstance(e, SecretStr) else e for e in extra)
        for value in (self._secret.get_secret_value(), header, header.removeprefix("Basic "), *plain):
            if value and len(value) >= 4 and value in text:
                text = text.replace(value, "***")
        return text

    def _emit(self, event: ClientEvent) -> None:
        """Tell the UI; a failing callback is logged, never allowed to break the request."""
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # the UI's bug must not become an API failure
            logger.exception("on_event callback failed for a %s event", event.kind)

    # -- the request engine ----------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        host: Host,
        path: str,
        *,
        family: str,
        op: str,
        subject: str = "",
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        json_body: Any = None,
        expect: Iterable[int] = (200,),
        allow_empty: bool = False,
        lenient_body: bool = False,
        secrets: Iterable[str | SecretStr] = (),
    ) -> tuple[int, Any]:
        """Send one logical request (with retries) and return ``(status, JSON body)``.

        Statuses in ``expect`` are answers, anything else becomes a typed error - except that for a write
        any 2xx is an answer too: its body then decides (the expected success, an error inside it, or a
        BadResponse whose outcome is unknown), never the status alone. ``allow_empty``: an
        empty body (e.g. 204) gives ``None`` instead of BadResponse; ``lenient_body``: a body that is
        not JSON gives ``None`` (for batch answers whose status already says enough). ``secrets`` are
        extra values to scrub from any error text (a new secret being created).
        """
        expected = frozenset(expect)
        write = method.upper() not in IDEMPOTENT_METHODS
        extra_secrets = tuple(secrets)
        url = (self.rest_url if host == "rest" else self.api_url) + path
        request_id = next(self._ids)
        what = f"the {op.replace('_', ' ')} request"
        status: int | None = None
        ok = False
        self._emit(ClientEvent("start", method, path, request_id))
        try:
            decoded, retry = _NOT_READ, 0
            while True:  # a read whose answer came but cannot be read is asked again, like a dropped one
                response, retry = await self._send(method, url, path, request_id, params, form, json_body, retry)
                status = response.status_code
                if write or lenient_body or allow_empty or status not in expected:
                    break
                try:
                    async with self._decoding:
                        await asyncio.sleep(0)
                        decoded = decode_json(response, what, printable=self.printable)
                    break
                except BadResponse:
                    delay = self.retry_policy.delay_for(retry + 1, None, self._rng)
                    if delay is None:
                        raise
                    retry = await self._pause(method, path, request_id, retry, delay, "unreadable answer")
            if status not in expected and not (write and 200 <= status < 300):
                raise error_for(
                    status,
                    loose_json(response),
                    family=family,
                    op=op,
                    subject=subject,
                    retry_after=self._retry_after(response),
                    retry_after_cap=self.retry_policy.retry_after_cap,
                    scrub=lambda t: self._scrub(t, extra_secrets),
                    write=write,
                )
            if lenient_body:
                body = loose_json(response, printable=self.printable)
            elif allow_empty and (status == 204 or not response.content.strip()):
                body = None
            else:
                body = decoded if decoded is not _NOT_READ else decode_json(response, what, printable=self.printable)
            if host == "rest":  # the numbers/account dialect can report an error inside a 200
                hidden = body_error(
                    body,
                    family=family,
                    op=op,
                    subject=subject,
                    scrub=lambda t: self._scrub(t, extra_secrets),
                    write=write,
                )
                if hidden is not None:
                    raise hidden
            ok = True
            return status, body
        finally:
            self._emit(ClientEvent("end", method, path, request_id, status=status, ok=ok))

    async def _send(
        self,
        method: str,
        url: str,
        path: str,
        request_id: int,
        params: dict[str, str] | None,
        form: dict[str, str] | None,
        json_body: Any,
        retry: int = 0,
    ) -> tuple[httpx.Response, int]:
        """The attempt loop: pace, send, and retry what the policy allows; raise the failure otherwise.
        Returns the answer and the retries used so far: ``retry`` counts those the caller already made
        (an unreadable answer asked again), so one request never makes more than 1 + max_retries attempts.

        A 429 with a Retry-After we are willing to wait pauses the whole rate limiter, so every other
        request of this client waits it out too instead of collecting a 429 of its own.
        """
        policy = self.retry_policy
        netloc = urlsplit(url).netloc
        while True:
            await self.limiter.acquire()
            self.stats.requests += 1
            failure: VonageError | None = None
            kind = ""
            response: httpx.Response | None = None
            progress = Progress()
            try:
                response = await self._attempt(method, url, params, form, json_body, progress)
            except (httpx.HTTPError, TimeoutError, BadResponse) as exc:  # BadResponse: from reading the body
                failure, kind = classify(
                    exc, method=method, netloc=netloc, deadline=self.deadline, progress=progress, reason=self._reason
                )
            if failure is not None:  # raised here, outside the except block: no httpx error chained on
                if isinstance(failure, NetworkError):
                    self.stats.network_errors += 1
                delay = policy.delay_for(retry + 1, None, self._rng) if policy.may_retry(method, failure=kind) else None
                logger.debug("%s %s failed (%s)", method, path, kind)
                if delay is None:
                    raise failure
                retry = await self._pause(method, path, request_id, retry, delay, kind)
                continue
            assert response is not None
            status = response.status_code
            self.stats.status_counts[status] += 1
            if status == 429:
                self.stats.rate_limited += 1
            logger.debug("%s %s -> %s", method, path, status)
            if not policy.may_retry(method, status=status):
                return response, retry
            retry_after = self._retry_after(response)
            delay = policy.delay_for(retry + 1, retry_after, self._rng)
            if delay is None:
                return response, retry
            if status == 429 and retry_after is not None:
                self.limiter.pause(retry_after)
            retry = await self._pause(method, path, request_id, retry, delay, f"HTTP {status}")

    async def _attempt(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None,
        form: dict[str, str] | None,
        json_body: Any,
        progress: Progress,
    ) -> httpx.Response:
        """One try within the deadline: send, then read at most ``max_response_bytes`` of the answer.

        The answer comes back as a plain, fully read Response (its body already decoded), so nothing
        after this point touches the network.
        """
        async with asyncio.timeout(self.deadline):
            async with self._http.stream(
                method,
                url,
                params=params,
                data=form,
                json=json_body.reveal() if isinstance(json_body, Sensitive) else json_body,
                extensions={"trace": progress.trace},
            ) as streamed:
                body = await read_capped(streamed, self.max_response_bytes)
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _FRAMING]
        return httpx.Response(streamed.status_code, headers=headers, content=body)

    async def _pause(self, method: str, path: str, request_id: int, retry: int, delay: float, reason: str) -> int:
        """Announce and wait out one retry; returns the new retry count."""
        retry += 1
        self.stats.retries += 1
        self._emit(
            ClientEvent(
                "retry",
                method,
                path,
                request_id,
                attempt=retry,
                max_attempts=self.retry_policy.max_retries,
                delay=delay,
                reason=reason,
            )
        )
        await self._sleep(delay)
        return retry

    @staticmethod
    def _retry_after(response: httpx.Response) -> float | None:
        """Retry-After header and/or body ``retry_after``: the header is whole seconds, the body exact."""
        header = parse_retry_after(response.headers.get("retry-after"))
        body = parse_retry_after(None, loose_json(response)) if response.status_code == 429 else None
        if header is not None and body is not None:
            return min(header, body)
        return header if header is not None else body

    def _reason(self, exc: BaseException) -> str:
        """A short, scrubbed reason from an httpx error (its text names hosts, never headers)."""
        text = str(exc).strip() or type(exc).__name__
        return self._scrub(text[:200])


def ensure_type(value: object, kind: type, field: str) -> None:
    """Refuse a wrong object (e.g. a dict where a NumberUpdate belongs) before anything is sent."""
    if not isinstance(value, kind):
        raise InputError(f"{field} must be a {kind.__name__}", field=field)


__all__ = ["ClientCore", "Host", "Sensitive", "ensure_type"]
