"""Reading request input the way the real endpoints do: query + form fields for the REST APIs, JSON for the rest.

Starlette's ``request.form()`` needs python-multipart, which the app does not depend on; url-encoded forms
are simple enough to parse here. Input that cannot be read is a 400 in the endpoint's dialect, never a
crash: a form that is not UTF-8 or holds control characters, JSON that is malformed, nested deeper than
``MAX_JSON_DEPTH``, holds ``NaN``/``Infinity`` or numbers beyond a float's range, or strings with lone
surrogates (which could not even be echoed back in a UTF-8 answer). A repeated parameter or JSON key counts
once, the last value winning, in the query, the form and JSON alike.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import bad_request, rest_error
from .guard import check_text

_PARAMS_KEY = "sandbox_params"

MAX_JSON_DEPTH = 32
"""The bodies of these APIs are one or two levels deep; anything far deeper is refused, not parsed."""


async def form_fields(request: Request) -> dict[str, str]:
    """The url-encoded body's fields (empty for other content types, whose bodies these endpoints ignore)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", ""):
        return {}
    body = await request.body()
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise rest_error(400, "The form body must be UTF-8 (application/x-www-form-urlencoded)") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise rest_error(400, "The form body must be valid UTF-8 once percent-decoded") from None
    for name, value in pairs:
        check_text(name, "form", "rest")
        check_text(value, name, "rest")
    return dict(pairs)


async def rest_params(request: Request) -> dict[str, str]:
    """Query parameters overlaid with form fields (the older APIs accept either), cached per request."""
    cached = request.scope.get(_PARAMS_KEY)
    if cached is None:
        cached = dict(request.query_params)
        if request.method in ("POST", "PUT", "PATCH"):
            cached.update(await form_fields(request))
        request.scope[_PARAMS_KEY] = cached
    return cached


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unfit(data: Any) -> str | None:
    """Why a parsed JSON value is refused (too deep, lone surrogates), or None; iterative, so it cannot recurse."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"Must be nested at most {MAX_JSON_DEPTH} levels deep"
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return "Must not contain unpaired surrogates"
        elif isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object body of the newer APIs, or a 400 problem naming what is wrong with it."""
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("body", "Must be UTF-8 encoded JSON") from None
    try:
        data = json.loads(text or "null", parse_float=_finite, parse_constant=_no_constants)
    except RecursionError:
        raise bad_request("body", f"Must be nested at most {MAX_JSON_DEPTH} levels deep") from None
    except ValueError:
        raise bad_request("body", "Must be a JSON object") from None
    if not isinstance(data, dict):
        raise bad_request("body", "Must be a JSON object")
    reason = _unfit(data)
    if reason:
        raise bad_request("body", reason)
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
