"""What a failed attempt means: could the request have reached the server, is it worth repeating, and
the sentence the user reads.

Why this is its own module: "was it sent?" decides whether a failed purchase is reported as "not
bought" or as "unknown, checking", so the rule is written once, here, and is deliberately one-sided.
A request is reported as *not sent* only when it provably never left this computer:

- by the kind of failure: connection refused, DNS failure, TLS handshake failure, connect or pool
  timeout, a proxy that refused the tunnel, an unusable proxy setting, an unsupported URL scheme;
- or by httpcore's trace of the attempt: the connection was being set up and our request's headers
  had not started to go out (the CONNECT request to a proxy does not count as ours).

Everything else - a reset or dropped connection, a read/write timeout, a body that could not be
decompressed, the total deadline passing after the headers went out, an answer too large to read or
compressed in a way we refuse, an httpx error we do not know - *may* have reached the server and is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from .errors import BadResponse, NetworkError, RequestTimeout, ResponseTooLarge, VonageError

MAY_HAVE_HAPPENED = "; the request may have been carried out, refresh to check"

#: httpx failures that happen before any byte of the request is written.
NEVER_LEFT: tuple[type[httpx.HTTPError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


class Progress:
    """How far one attempt got, from httpcore's ``trace`` request extension.

    ``never_left`` is True only when tracing was seen to work (a connection step was reported) and
    the headers of our request were never started: proof that the server cannot have seen it.
    Without any trace (a mock transport, waiting for a pooled connection) nothing is proven.
    """

    __slots__ = ("connecting", "sending")

    def __init__(self) -> None:
        self.connecting = False
        self.sending = False

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        if name.endswith("send_request_headers.started"):
            method = getattr(info.get("request"), "method", b"")
            if method not in (b"CONNECT", "CONNECT"):  # a proxy tunnel's CONNECT is not our request
                self.sending = True
        else:
            self.connecting = True

    @property
    def never_left(self) -> bool:
        return self.connecting and not self.sending


def describe_size(size: int) -> str:
    """A byte count as people say it (4194304 -> "4 MB")."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit}"
    return f"{size} bytes"


def too_large(cap: int) -> ResponseTooLarge:
    return ResponseTooLarge(f"the answer was larger than {describe_size(cap)} and was not read")


def classify(
    exc: BaseException,
    *,
    method: str,
    netloc: str,
    deadline: float,
    progress: Progress,
    reason: Callable[[BaseException], str],
) -> tuple[VonageError, str]:
    """The error to raise for a failed attempt and its kind for ``RetryPolicy.may_retry``.

    ``exc`` is an httpx error, the builtin TimeoutError of the per-attempt deadline, or a BadResponse
    from reading the body (ResponseTooLarge from the size cap, UnsupportedEncoding). ``reason`` turns an httpx error into short, scrubbed text.
    """
    write = method.upper() not in ("GET", "HEAD", "OPTIONS")
    maybe = MAY_HAVE_HAPPENED if write else ""
    if progress.never_left or isinstance(exc, NEVER_LEFT):
        return _not_sent(exc, netloc, deadline, reason)
    if isinstance(exc, BadResponse):  # too large, or compressed in a way we refuse: the same answer would come
        kind = "too large" if isinstance(exc, ResponseTooLarge) else "unreadable"
        return type(exc)(exc.message + maybe, status=exc.status), kind
    if isinstance(exc, TimeoutError):  # our own deadline, after the request may have gone out
        return RequestTimeout(f"Vonage did not finish answering within {deadline:g} s{maybe}"), "slow"
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"the Vonage API did not answer in time{maybe}"), "timeout"
    if isinstance(exc, httpx.DecodingError):
        return NetworkError(f"the answer could not be decoded (it was damaged on the way){maybe}"), "garbled"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return NetworkError(f"the connection dropped before the answer arrived{maybe}"), "dropped"
    return NetworkError(f"the request failed: {reason(exc)}{maybe}"), "transport"


def _not_sent(
    exc: BaseException, netloc: str, deadline: float, reason: Callable[[BaseException], str]
) -> tuple[VonageError, str]:
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"could not connect to {netloc} within {deadline:g} s", request_sent=False), "timeout"
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"could not connect to {netloc} in time", request_sent=False), "timeout"
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(f"could not go through the proxy to {netloc}: {reason(exc)}", request_sent=False), "proxy"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return NetworkError(f"the request could not be sent: {reason(exc)}", request_sent=False), "transport"
    return NetworkError(f"could not connect to {netloc}: {reason(exc)}", request_sent=False), "connect"


__all__ = ["MAY_HAVE_HAPPENED", "NEVER_LEFT", "Progress", "classify", "describe_size", "too_large"]
