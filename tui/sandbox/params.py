"""Reading request input the way the real endpoints do: query + form fields for the REST APIs, JSON for the rest.

Starlette's ``request.form()`` needs python-multipart, which the app does not depend on; url-encoded forms
are simple enough to parse here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import bad_request, rest_error

_PARAMS_KEY = "sandbox_params"


async def form_fields(request: Request) -> dict[str, str]:
    """The url-encoded body's fields (empty for other content types)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", ""):
        return {}
    body = await request.body()
    if not body:
        return {}
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return {}


async def rest_params(request: Request) -> dict[str, str]:
    """Query parameters overlaid with form fields (the older APIs accept either), cached per request."""
    cached = request.scope.get(_PARAMS_KEY)
    if cached is None:
        cached = dict(request.query_params)
        if request.method in ("POST", "PUT", "PATCH"):
            cached.update(await form_fields(request))
        request.scope[_PARAMS_KEY] = cached
    return cached


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object body of the newer APIs, or a 400 problem."""
    body = await request.body()
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise bad_request("body", "Must be a JSON object") from None
    if not isinstance(data, dict):
        raise bad_request("body", "Must be a JSON object")
    return data


def rest_int(params: dict[str, str], name: str, default: int, low: int, high: int | None = None) -> int:
    """An integer REST parameter within bounds, else a 400 in the REST dialect."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise rest_error(400, f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise rest_error(400, f"{name} must be {bounds}")
    return value


def problem_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter of the newer APIs, else a 400 problem."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(name, "Must be an integer") from None
    if not low <= value <= high:
        raise bad_request(name, f"Must be between {low} and {high}")
    return value


def require(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if value == "":
        raise rest_error(400, f"Missing required parameter: {name}")
    return value
