"""The Account API's REST endpoints (account-1.0.0): balance, top-up and default callback settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import endpoint
from .errors import rest_error
from .params import require, rest_params
from .state import Account, SandboxState
from .validation import is_http_url

MAX_PER_SECOND = 30
"""``max-outbound-request``, ``max-inbound-request``, and ``max-calls-per-second`` when no rate limit is set."""


def calls_per_second(rate_limit: float | None) -> int:
    """What the account reports as ``max-calls-per-second``: the enforced limit (whole, at least 1) or 30.

    A client that paces at what the account reports then never meets the sandbox's 429s.
    """
    return MAX_PER_SECOND if rate_limit is None else max(1, int(rate_limit))


@endpoint("rest")
async def get_balance(request: Request, account: Account, state: SandboxState) -> Response:
    return JSONResponse({"value": account.balance, "autoReload": account.auto_reload})


@endpoint("rest")
async def top_up(request: Request, account: Account, state: SandboxState) -> Response:
    """Repeats the payment of an earlier auto-reload transaction; refused when auto-reload is off."""
    params = await rest_params(request)
    trx = require(params, "trx")
    if not account.auto_reload:
        raise rest_error(401, "not auto-reload enabled")
    amount = account.transactions.get(trx)
    if amount is None:
        raise rest_error(420, f"Unknown transaction reference: {trx}")
    account.credit(amount)
    return JSONResponse({"response": "success"})


def settings_body(account: Account, rate_limit: float | None = None) -> dict:
    return {
        "mo-callback-url": account.mo_callback_url,
        "dr-callback-url": account.dr_callback_url,
        "max-outbound-request": MAX_PER_SECOND,
        "max-inbound-request": MAX_PER_SECOND,
        "max-calls-per-second": calls_per_second(rate_limit),
    }


@endpoint("rest")
async def change_settings(request: Request, account: Account, state: SandboxState) -> Response:
    """Only the fields sent change; an empty string unsets one. The answer is the current settings."""
    params = await rest_params(request)
    changes: dict[str, str] = {}
    for field, attribute in (("moCallBackUrl", "mo_callback_url"), ("drCallBackUrl", "dr_callback_url")):
        if field in params:
            url = params[field]
            if url and not is_http_url(url):
                raise rest_error(400, f"{field} must be an absolute http(s) URL or empty")
            changes[attribute] = url
    for attribute, url in changes.items():
        setattr(account, attribute, url)
    return JSONResponse(settings_body(account, state.config.rate_limit))


routes = [
    Route("/account/get-balance", get_balance, methods=["GET"]),
    Route("/account/top-up", top_up, methods=["POST"]),
    Route("/account/settings", change_settings, methods=["POST"]),
]
