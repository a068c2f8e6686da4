"""API secret management (account-1.0.0, ``/accounts/{api_key}/secrets``): list, create, get, revoke.

A master account's credentials may manage its subaccounts' secrets. At most two secrets per account; the
last one cannot be revoked. Secret values are never returned.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import endpoint
from .errors import ERRORS_URL, SECRETS_ERRORS_URL, problem
from .params import json_object
from .state import MAX_SECRETS, Account, SandboxState, Secret, utc_timestamp
from .validation import secret_problems


def _href(api_key: str, secret_id: str | None = None) -> str:
    base = f"/accounts/{api_key}/secrets"
    return f"{base}/{secret_id}" if secret_id else base


def secret_body(api_key: str, secret: Secret) -> dict:
    return {"_links": {"self": {"href": _href(api_key, secret.id)}}, "id": secret.id, "created_at": secret.created_at}


def _target(request: Request, caller: Account, state: SandboxState) -> Account:
    """The account named in the path: 404 when unknown, 403 when the caller may not manage it."""
    api_key = request.path_params["api_key"]
    if api_key not in state.accounts:
        raise problem(404, "Invalid API Key", f"API key '{api_key}' not found", type_=f"{ERRORS_URL}#invalid-api-key")
    if not state.may_act_on(caller, api_key):
        raise problem(
            403,
            "Forbidden",
            f"Account '{caller.api_key}' may not manage the secrets of '{api_key}'",
            type_=f"{ERRORS_URL}#forbidden",
        )
    return state.accounts[api_key]


def _find(account: Account, secret_id: str) -> Secret:
    for secret in account.secrets:
        if secret.id == secret_id:
            return secret
    raise problem(404, "Invalid ID", f"ID '{secret_id}' could not be found", type_=f"{ERRORS_URL}#invalid-id")


@endpoint("problem")
async def list_secrets(request: Request, caller: Account, state: SandboxState) -> Response:
    account = _target(request, caller, state)
    return JSONResponse(
        {
            "_links": {"self": {"href": _href(account.api_key)}},
            "_embedded": {"secrets": [secret_body(account.api_key, s) for s in account.secrets]},
        }
    )


@endpoint("problem")
async def create_secret(request: Request, caller: Account, state: SandboxState) -> Response:
    account = _target(request, caller, state)
    body = await json_object(request)
    secret = body.get("secret")
    if not isinstance(secret, str):
        reasons = ["Is required" if secret is None else "Must be a string"]
    else:
        reasons = secret_problems(secret)
    if reasons:
        raise problem(
            400,
            "Bad Request",
            "The request failed due to secret validation errors",
            type_=f"{SECRETS_ERRORS_URL}#validation",
            invalid_parameters=[{"name": "secret", "reason": reason} for reason in reasons],
        )
    if len(account.secrets) >= MAX_SECRETS:
        raise problem(
            403,
            "Secret Addition Forbidden",
            f"Account '{account.api_key}' already has the maximum number [{MAX_SECRETS}] of secrets",
            type_=f"{SECRETS_ERRORS_URL}#add-excess-secret",
        )
    assert isinstance(secret, str)
    created = Secret(id=state.new_id(), created_at=utc_timestamp(), value=secret)
    account.secrets.append(created)
    return JSONResponse(secret_body(account.api_key, created), status_code=201)


@endpoint("problem")
async def get_secret(request: Request, caller: Account, state: SandboxState) -> Response:
    account = _target(request, caller, state)
    return JSONResponse(secret_body(account.api_key, _find(account, request.path_params["secret_id"])))


@endpoint("problem")
async def revoke_secret(request: Request, caller: Account, state: SandboxState) -> Response:
    account = _target(request, caller, state)
    secret = _find(account, request.path_params["secret_id"])
    if len(account.secrets) <= 1:
        raise problem(
            403,
            "Secret Deletion Forbidden",
            "Can not delete the last secret. The account must always have at least 1 secret active at any time",
            type_=f"{SECRETS_ERRORS_URL}#delete-last-secret",
        )
    account.secrets.remove(secret)
    return Response(status_code=204)


routes = [
    Route("/accounts/{api_key}/secrets", list_secrets, methods=["GET"]),
    Route("/accounts/{api_key}/secrets", create_secret, methods=["POST"]),
    Route("/accounts/{api_key}/secrets/{secret_id}", get_secret, methods=["GET"]),
    Route("/accounts/{api_key}/secrets/{secret_id}", revoke_secret, methods=["DELETE"]),
]
