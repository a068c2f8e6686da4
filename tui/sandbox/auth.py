"""Who is calling: Basic auth or the older ``api_key``/``api_secret`` parameters, then the per-account gates.

Every route is wrapped by ``endpoint``, which refuses an unreadable path or query (``guard.check_target``),
authenticates, applies the per-account rate limit and (for pools) the beta switch before the handler runs.
A wrong or missing credential answers 401 in the dialect of the endpoint's family; the secret is never
logged or echoed.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from .errors import (
    BAD_CREDENTIALS_FORMAT,
    POOLS_ERRORS_URL,
    WRONG_CREDENTIALS,
    ApiError,
    Family,
    problem,
    rate_limited,
    unauthorized_problem,
    unauthorized_rest,
)
from .guard import check_target
from .params import rest_params
from .state import Account, SandboxState

Handler = Callable[[Request, Account, SandboxState], Awaitable[Response]]


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(api_key, secret) from ``Basic base64(key:secret)``, or None when the header is malformed."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep else None


async def credentials(request: Request, family: Family) -> tuple[str, str] | None:
    """The credentials a request carries: the header wins; else query (or, for REST, form) parameters."""
    header = request.headers.get("authorization")
    if header is not None:
        return basic_credentials(header)
    params = await rest_params(request) if family == "rest" else dict(request.query_params)
    key, secret = params.get("api_key"), params.get("api_secret")
    if key and secret:
        return key, secret
    return None


async def authenticate(request: Request, state: SandboxState, family: Family) -> Account:
    """The calling account, or a 401 in the family's dialect."""
    creds = await credentials(request, family)
    account = state.accounts.get(creds[0]) if creds else None
    if creds is None or account is None or not account.authenticates(creds[1]):
        if family == "rest":
            raise unauthorized_rest()
        raise unauthorized_problem(WRONG_CREDENTIALS if creds else BAD_CREDENTIALS_FORMAT)
    return account


def pools_disabled() -> ApiError:
    return problem(
        403,
        "Forbidden",
        "Number Pools is not enabled for this account.",
        type_=f"{POOLS_ERRORS_URL}#forbidden",
    )


def endpoint(family: Family, *, pools: bool = False) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler ``(request, account, state)`` with authentication, rate limiting and the pools switch."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def route(request: Request) -> Response:
            state: SandboxState = request.app.state.sandbox
            check_target(request.scope, family)
            account = await authenticate(request, state, family)
            rate = state.config.rate_limit
            if rate:
                retry_after = state.buckets.take(account.api_key, rate)
                if retry_after is not None:
                    raise rate_limited(retry_after)
            if pools and not state.config.pools_enabled:
                raise pools_disabled()
            return await handler(request, account, state)

        return route

    return decorate
