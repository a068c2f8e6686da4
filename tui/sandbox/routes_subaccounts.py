"""The read side of the Subaccounts API (api.nexmo.com ``/accounts/{api_key}/subaccounts[/{subaccount_key}]``).

Not in specs/ (the app manages subaccounts' numbers and secrets, not the subaccounts themselves), but the
app needs each subaccount's name to label "for account: primary / name (key)", so the sandbox serves the
listing in the shape the official SDK (``vonage_subaccounts``) parses. Only a master account lists, and
only its own subaccounts; RFC 7807 errors as the other api.nexmo.com endpoints.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import endpoint
from .errors import ERRORS_URL, problem
from .state import Account, SandboxState


def _account_body(account: Account) -> dict:
    return {
        "api_key": account.api_key,
        "name": account.name,
        "balance": account.balance,
        "credit_limit": 0,
        "suspended": False,
        "created_at": account.created_at,
    }


def subaccount_body(account: Account) -> dict:
    return {
        **_account_body(account),
        "primary_account_api_key": account.master,
        "use_primary_account_balance": False,
    }


def _master(request: Request, caller: Account, state: SandboxState) -> Account:
    """The account in the path: it must be the caller's own, and a master account."""
    api_key = request.path_params["api_key"]
    if api_key not in state.accounts:
        raise problem(404, "Invalid API Key", f"API key '{api_key}' not found", type_=f"{ERRORS_URL}#invalid-api-key")
    if api_key != caller.api_key:
        raise problem(
            403,
            "Forbidden",
            f"Account '{caller.api_key}' may not list the subaccounts of '{api_key}'",
            type_=f"{ERRORS_URL}#forbidden",
        )
    if caller.master is not None:
        raise problem(
            403,
            "Forbidden",
            f"Account '{caller.api_key}' is a subaccount and has no subaccounts",
            type_=f"{ERRORS_URL}#forbidden",
        )
    return caller


@endpoint("problem")
async def list_subaccounts(request: Request, caller: Account, state: SandboxState) -> Response:
    master = _master(request, caller, state)
    subs = state.subaccounts_of(master)
    return JSONResponse(
        {
            "_embedded": {
                "primary_account": _account_body(master),
                "subaccounts": [subaccount_body(sub) for sub in subs],
            },
            "total_balance": round(master.balance + sum(sub.balance for sub in subs), 4),
            "total_credit_limit": 0,
            "_links": {"self": {"href": f"/accounts/{master.api_key}/subaccounts"}},
        }
    )


@endpoint("problem")
async def get_subaccount(request: Request, caller: Account, state: SandboxState) -> Response:
    master = _master(request, caller, state)
    key = request.path_params["subaccount_key"]
    sub = state.accounts.get(key)
    if sub is None or sub.master != master.api_key:
        raise problem(
            404,
            "Invalid API Key",
            f"'{key}' is not a subaccount of '{master.api_key}'",
            type_=f"{ERRORS_URL}#invalid-api-key",
        )
    return JSONResponse(subaccount_body(sub))


routes = [
    Route("/accounts/{api_key}/subaccounts", list_subaccounts, methods=["GET"]),
    Route("/accounts/{api_key}/subaccounts/{subaccount_key}", get_subaccount, methods=["GET"]),
]
