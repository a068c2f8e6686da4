"""Number Pools (beta, number-pools.txt): pools CRUD and the numbers in a pool, HAL JSON throughout.

Batches of numbers are at most 50 per request. A number can join a pool only when the pool's account owns
it and it is not already there. Partial success answers 207 with the shapes in specs/README.md (the remove
batch wraps each error group in an extra ``error`` object, as the real API does).
"""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth import endpoint
from .errors import POOLS_ERRORS_URL, bad_request, problem, problem_body
from .params import json_object, problem_int
from .state import Account, Pool, SandboxState
from .validation import POOL_FALLBACKS, is_msisdn, is_pool_id

MAX_BATCH = 50
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10
_PARTIAL = f"{POOLS_ERRORS_URL}#partial-success"
_INVALID = f"{POOLS_ERRORS_URL}#invalid-numbers"
_SETTINGS = ("fallback", "localized_sender_preferred", "predictable_sender_preferred")


def _pools_href(account_id: str) -> str:
    return f"/v2/numberpools/accounts/{account_id}/pools"


def _pool_href(pool: Pool) -> str:
    return f"{_pools_href(pool.account_id)}/{pool.pool_id}"


def pool_body(pool: Pool) -> dict[str, Any]:
    return {
        "fallback": pool.fallback,
        "localized_sender_preferred": pool.localized_sender_preferred,
        "predictable_sender_preferred": pool.predictable_sender_preferred,
        "pool_id": pool.pool_id,
        "account_id": pool.account_id,
        "_links": {"self": {"href": _pool_href(pool)}, "numbers": {"href": f"{_pool_href(pool)}/numbers"}},
    }


def _page(request: Request, href: str, key: str, items: list, render: Callable[[Any], Any]) -> dict[str, Any]:
    """A HAL page with ``page``/``page_size``/``total_pages``/``total_items`` and first/last/next/previous."""
    page = problem_int(request, "page", 1, 1, 1_000_000)
    page_size = problem_int(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    total_pages = max(1, ceil(len(items) / page_size))

    def link(n: int) -> dict[str, str]:
        return {"href": f"{href}?page={n}&page_size={page_size}"}

    links = {"self": link(page), "first": link(1), "last": link(total_pages)}
    if page < total_pages:
        links["next"] = link(page + 1)
    if page > 1:
        links["previous"] = link(min(page - 1, total_pages))
    start = (page - 1) * page_size
    return {
        "page_size": page_size,
        "page": page,
        "total_pages": total_pages,
        "total_items": len(items),
        "_embedded": {key: [render(item) for item in items[start : start + page_size]]},
        "_links": links,
    }


def _owner(request: Request, caller: Account, state: SandboxState) -> Account:
    account_id = request.path_params["account_id"]
    if not state.may_act_on(caller, account_id):
        raise problem(
            403,
            "Forbidden",
            f"Account '{caller.api_key}' may not manage the pools of '{account_id}'",
            type_=f"{POOLS_ERRORS_URL}#forbidden",
        )
    return state.accounts[account_id]


def _pool(request: Request, caller: Account, state: SandboxState) -> Pool:
    owner = _owner(request, caller, state)
    pool_id = request.path_params["pool_id"]
    pool = owner.pools.get(pool_id)
    if pool is None:
        raise problem(404, "Not Found", f"Pool '{pool_id}' does not exist", type_=f"{POOLS_ERRORS_URL}#not-found")
    return pool


def _check_settings(body: dict[str, Any], *, required: bool) -> dict[str, Any]:
    """The pool settings in a create or patch body, type-checked."""
    settings: dict[str, Any] = {}
    for name in _SETTINGS:
        if name not in body:
            if required:
                raise bad_request(name, "Is required")
            continue
        value = body[name]
        if name == "fallback":
            if value not in POOL_FALLBACKS:
                raise bad_request(name, f"Must be one of: {', '.join(POOL_FALLBACKS)}")
        elif not isinstance(value, bool):
            raise bad_request(name, "Must be a boolean")
        settings[name] = value
    return settings


@endpoint("problem", pools=True)
async def list_pools(request: Request, caller: Account, state: SandboxState) -> Response:
    owner = _owner(request, caller, state)
    return JSONResponse(_page(request, _pools_href(owner.api_key), "pools", list(owner.pools.values()), pool_body))


@endpoint("problem", pools=True)
async def create_pool(request: Request, caller: Account, state: SandboxState) -> Response:
    owner = _owner(request, caller, state)
    body = await json_object(request)
    pool_id = body.get("pool_id")
    if not is_pool_id(pool_id):
        raise bad_request("pool_id", "Is required: 1 to 64 letters, digits, '.', '_' or '-'")
    settings = _check_settings(body, required=True)
    if pool_id in owner.pools:
        raise problem(409, "Conflict", f"Pool '{pool_id}' already exists", type_=f"{POOLS_ERRORS_URL}#conflict")
    pool = owner.pools[pool_id] = Pool(pool_id=pool_id, account_id=owner.api_key, **settings)
    return JSONResponse(pool_body(pool), status_code=201)


@endpoint("problem", pools=True)
async def get_pool(request: Request, caller: Account, state: SandboxState) -> Response:
    return JSONResponse(pool_body(_pool(request, caller, state)))


@endpoint("problem", pools=True)
async def patch_pool(request: Request, caller: Account, state: SandboxState) -> Response:
    """Changes only the fields sent; a different ``pool_id`` renames the pool (409 when that id is taken)."""
    pool = _pool(request, caller, state)
    body = await json_object(request)
    settings = _check_settings(body, required=False)
    new_id = body.get("pool_id", pool.pool_id)
    if not is_pool_id(new_id):
        raise bad_request("pool_id", "Must be 1 to 64 letters, digits, '.', '_' or '-'")
    owner = state.accounts[pool.account_id]
    if new_id != pool.pool_id:
        if new_id in owner.pools:
            raise problem(409, "Conflict", f"Pool '{new_id}' already exists", type_=f"{POOLS_ERRORS_URL}#conflict")
        owner.pools = {(new_id if k == pool.pool_id else k): v for k, v in owner.pools.items()}
        pool.pool_id = new_id
    for name, value in settings.items():
        setattr(pool, name, value)
    return JSONResponse(pool_body(pool), status_code=201)


@endpoint("problem", pools=True)
async def delete_pool(request: Request, caller: Account, state: SandboxState) -> Response:
    pool = _pool(request, caller, state)
    del state.accounts[pool.account_id].pools[pool.pool_id]
    return JSONResponse(pool_body(pool))


@endpoint("problem", pools=True)
async def list_pool_numbers(request: Request, caller: Account, state: SandboxState) -> Response:
    pool = _pool(request, caller, state)
    return JSONResponse(_page(request, f"{_pool_href(pool)}/numbers", "numbers", pool.numbers, str))


async def _batch(request: Request) -> list[str]:
    body = await json_object(request)
    numbers = body.get("numbers")
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
        raise bad_request("numbers", "Must be a non-empty array of numbers (strings)")
    if len(numbers) > MAX_BATCH:
        raise bad_request("numbers", f"At most {MAX_BATCH} numbers per request ({len(numbers)} sent)")
    return numbers


def _error_groups(failures: dict[tuple[str, str], list[str]]) -> list[dict[str, Any]]:
    """One group per reason: ``{type, title, detail, numbers}``."""
    return [
        {"type": f"{POOLS_ERRORS_URL}#{slug}", "title": title, "detail": detail, "numbers": numbers}
        for (title, detail), numbers in failures.items()
        for slug in [title.lower().replace(" ", "-")]
    ]


@endpoint("problem", pools=True)
async def add_numbers(request: Request, caller: Account, state: SandboxState) -> Response:
    pool = _pool(request, caller, state)
    numbers = await _batch(request)
    owned = state.accounts[pool.account_id].owned
    added: list[str] = []
    failures: dict[tuple[str, str], list[str]] = {}
    for number in numbers:
        if not is_msisdn(number):
            reason = ("Invalid number", "Numbers must be 7 to 15 digits in E.164 format")
        elif number not in owned:
            reason = ("Number not owned", f"These numbers are not owned by account {pool.account_id}")
        elif number in pool.numbers:
            reason = ("Number already in pool", f"These numbers are already in pool {pool.pool_id}")
        else:
            pool.numbers.append(number)
            added.append(number)
            continue
        failures.setdefault(reason, []).append(number)
    links = {"self": {"href": f"{_pool_href(pool)}/numbers"}}
    if not failures:
        return JSONResponse({"numbers": added, "_links": links}, status_code=201)
    groups = _error_groups(failures)
    if not added:
        raise problem(
            400, "Bad Request", "None of the numbers could be added to the pool", type_=_INVALID, errors=groups
        )
    error = problem_body(
        207, "Partial success", "Some numbers could not be added to the pool", type_=_PARTIAL, errors=groups
    )
    error.pop("instance")
    return JSONResponse({"numbers": added, "_links": links, "error": error}, status_code=207)


@endpoint("problem", pools=True)
async def remove_numbers(request: Request, caller: Account, state: SandboxState) -> Response:
    pool = _pool(request, caller, state)
    numbers = await _batch(request)
    removed: list[str] = []
    missing: list[str] = []
    for number in numbers:
        if number in pool.numbers:
            pool.numbers.remove(number)
            removed.append(number)
        else:
            missing.append(number)
    if not missing:
        return Response(status_code=204)
    groups = [
        {"error": group}
        for group in _error_groups({("Number not in pool", f"These numbers are not in pool {pool.pool_id}"): missing})
    ]
    if not removed:
        raise problem(
            400, "Bad Request", "None of the numbers could be removed from the pool", type_=_INVALID, errors=groups
        )
    error = problem_body(
        207, "Partial success", "Some numbers could not be removed from the pool", type_=_PARTIAL, errors=groups
    )
    error.pop("instance")
    return JSONResponse({"numbers": removed, "error": error}, status_code=207)


@endpoint("problem", pools=True)
async def remove_number(request: Request, caller: Account, state: SandboxState) -> Response:
    pool = _pool(request, caller, state)
    number = request.path_params["number"]
    if number not in pool.numbers:
        raise problem(
            404, "Not Found", f"Number {number} is not in pool {pool.pool_id}", type_=f"{POOLS_ERRORS_URL}#not-found"
        )
    pool.numbers.remove(number)
    return Response(status_code=204)


_BASE = "/v2/numberpools/accounts/{account_id}/pools"

routes = [
    Route(_BASE, list_pools, methods=["GET"]),
    Route(_BASE, create_pool, methods=["POST"]),
    Route(_BASE + "/{pool_id}", get_pool, methods=["GET"]),
    Route(_BASE + "/{pool_id}", patch_pool, methods=["PATCH"]),
    Route(_BASE + "/{pool_id}", delete_pool, methods=["DELETE"]),
    Route(_BASE + "/{pool_id}/numbers/delete", remove_numbers, methods=["POST"]),
    Route(_BASE + "/{pool_id}/numbers", list_pool_numbers, methods=["GET"]),
    Route(_BASE + "/{pool_id}/numbers", add_numbers, methods=["POST"]),
    Route(_BASE + "/{pool_id}/numbers/{number}", remove_number, methods=["DELETE"]),
]
