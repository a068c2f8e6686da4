"""Reading answers: decode JSON defensively, validate into models, and map failures to typed errors.

Why one place: the three Vonage API families report errors three ways (the numbers API's
``error-code``/``error-code-label``, RFC 7807 ``title``/``detail``/``invalid_parameters`` for secrets
and pools, bare status codes elsewhere), and the numbers API can even answer HTTP 200 with an error
code in the body. Mapping all of them here means every screen sees the same classes and sentences.
Nothing here raises anything but VonageError subclasses, whatever the body contains.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .errors import (
    ActionFailed,
    AuthError,
    AutoReloadDisabled,
    BadResponse,
    Conflict,
    Forbidden,
    NotFound,
    PoolsUnavailable,
    RateLimited,
    ServerError,
    ValidationFailed,
    VonageError,
)
from .failures import MAY_HAVE_HAPPENED
from .text import CONTROLS
from .text import printable as printable_text

M = TypeVar("M", bound=BaseModel)
Scrub = Callable[[str], str]

POOLS_OFF = "number pools are not enabled for this account"
POOL_NO_DELETE = "this pool cannot be deleted through the API"
POOLS_UNSUPPORTED = "the number pools API does not support this operation"
SECRET_LIMIT = "an account can have at most two secrets; revoke one before adding another"
LAST_SECRET = "the last secret cannot be revoked; add a new secret first"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: The statuses that say "not done" for certain; for a write, any other failure status leaves it unknown.
DEFINITE_REFUSALS = frozenset({400, 401, 403, 404, 405, 409, 420, 429})


_CONTROL_IN_JSON = re.compile(
    r"\\u(?:00[01][0-9a-f]|007f|00[89][0-9a-f]|00ad|061c|180e|200[b-f]|202[a-e]|206[0-9a-f]|feff|fff[9ab])|"
    + CONTROLS.pattern, re.IGNORECASE)
"""A control character in a JSON text: escaped (\\u001b), or a raw C1 character (valid JSON)."""


def _printable(data: Any) -> Any:
    """``data`` with terminal controls in every string (keys too) replaced by U+FFFD.

    Why here, where answers are read: a webhook URL, an application id or a pool name holding ESC
    sequences (OSC 52 sets the clipboard, OSC 2 the window title) would drive the terminal when shown,
    and every screen, export and CLI output shows server text. No value of these APIs has a use for
    controls (tab and newline are kept); a walk happens only when the text holds one.
    """
    if isinstance(data, str):
        return printable_text(data)
    if isinstance(data, dict):
        return {_printable(k): _printable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_printable(v) for v in data]
    return data


def _parse(text: str, printable: bool = True) -> Any:
    data = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    return _printable(data) if printable and _CONTROL_IN_JSON.search(text) else data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(response: httpx.Response, what: str, *, printable: bool = True) -> Any:
    """The JSON body (floats as Decimal, so money keeps its digits) or BadResponse saying what came instead."""
    try:
        text = response.text
    except Exception:  # undecodable bytes in a declared charset, etc.
        raise BadResponse(f"the answer to {what} could not be decoded", status=response.status_code) from None
    stripped = text.strip()
    if not stripped:
        raise BadResponse(f"the answer to {what} was empty", status=response.status_code)
    failure: BadResponse | None = None
    try:
        return _parse(stripped, printable)
    except (ValueError, RecursionError):
        head = stripped[:200].lower()
        content_type = response.headers.get("content-type", "").lower()
        if "html" in content_type or head.startswith(("<!doctype html", "<html")) or "<html" in head:
            kind = "an HTML page"
        elif "xml" in content_type or head.startswith("<"):
            kind = "XML"
        else:
            kind = "text that is not valid JSON"
        failure = BadResponse(f"the answer to {what} was {kind} instead of JSON", status=response.status_code)
    raise failure


def loose_json(response: httpx.Response, *, printable: bool = True) -> Any:
    """The body as JSON if it is JSON, else None: for error answers, where the status says enough."""
    try:
        text = response.text.strip()
        return _parse(text, printable) if text else None
    except Exception:
        return None


def parse_model(model: type[M], data: Any, what: str, status: int | None = None) -> M:
    """Validate ``data`` into ``model`` or raise BadResponse naming the first wrong field (not its value)."""
    if not isinstance(data, dict):
        raise BadResponse(f"the answer to {what} was not a JSON object", status=status)
    failure: BadResponse | None = None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        reason = str(errors[0]["msg"]).lower() if errors else "invalid"
        failure = BadResponse(
            f"the answer to {what} was not in the expected form ({where or 'body'}: {reason})", status=status
        )
    except (ValueError, TypeError, RecursionError):
        failure = BadResponse(f"the answer to {what} was not in the expected form", status=status)
    raise failure


def _clean(value: Any, scrub: Scrub) -> str:
    """Server text made safe to show: a string, no control characters, bounded, secrets removed."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = _CONTROL.sub(" ", str(value)).strip()
    return scrub(text[:500])


@dataclass
class Problem:
    """What an error body says, whichever of the API's styles it used."""

    code: str = ""
    label: str = ""
    title: str = ""
    detail: str = ""
    invalid_parameters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The most specific sentence available."""
        return self.label or self.detail or self.title

    @property
    def everything(self) -> str:
        return " ".join((self.label, self.title, self.detail)).lower()


def read_problem(body: Any, scrub: Scrub) -> Problem:
    if not isinstance(body, dict):
        return Problem()
    source = body
    if not any(k in body for k in ("title", "detail", "error-code-label")) and isinstance(body.get("error"), dict):
        source = body["error"]
    params: list[dict[str, Any]] = []
    raw_params = source.get("invalid_parameters")
    if isinstance(raw_params, list):
        for item in raw_params[:50]:
            if isinstance(item, dict):
                params.append({str(k): _clean(v, scrub) for k, v in item.items() if not isinstance(v, (dict, list))})
    return Problem(
        code=_clean(body.get("error-code"), scrub),
        label=_clean(source.get("error-code-label"), scrub),
        title=_clean(source.get("title"), scrub),
        detail=_clean(source.get("detail"), scrub),
        invalid_parameters=params,
    )


def error_for(
    status: int,
    body: Any,
    *,
    family: str,
    op: str,
    subject: str = "",
    retry_after: float | None = None,
    retry_after_cap: float | None = None,
    scrub: Scrub = lambda text: text,
    write: bool = False,
) -> VonageError:
    """The typed error for an HTTP status (or a numbers ``error-code``) and its body.

    ``family`` is numbers/account/secrets/pools, ``op`` the operation name (e.g. "top_up",
    "delete_pool"), ``subject`` what it was about (a number, a pool id) for sentences. For a 429,
    ``retry_after`` is the wait the server asked for and ``retry_after_cap`` the longest we wait: a
    longer ask is reported as not waited out. ``write``: the request changes something, so a status
    that is not a definite refusal (``DEFINITE_REFUSALS``; 3xx and 5xx have their own classes) gives a
    VonageError whose ``outcome_unknown`` is True (a gateway may have given up after the work was done).
    """
    problem = read_problem(body, scrub)
    text = problem.text
    words = problem.everything
    if status == 400:
        if op == "create_secret" and ("maximum" in words or "secret addition" in words):
            return Forbidden(SECRET_LIMIT, status=400, detail=problem.detail or text)
        message = text or "the server rejected the request as invalid"
        if problem.invalid_parameters:
            reasons = "; ".join(
                f"{p.get('name', '?')}: {p.get('reason', 'invalid')}" for p in problem.invalid_parameters
            )
            message = f"{message} ({reasons})"
        return ValidationFailed(message, status=400, invalid_parameters=problem.invalid_parameters)
    if status == 401:
        if op == "top_up" and ("auto-reload" in words or "auto reload" in words or "autoreload" in words):
            return AutoReloadDisabled(status=401)
        return AuthError(status=401)
    if status == 403:
        if family == "pools":
            return PoolsUnavailable(POOLS_OFF, status=403)
        if op == "create_secret" and ("maximum" in words or "addition" in words or not text):
            return Forbidden(SECRET_LIMIT, status=403, detail=problem.detail or text)
        if op == "revoke_secret" and ("last" in words or "deletion" in words or not text):
            return Forbidden(LAST_SECRET, status=403, detail=problem.detail or text)
        return Forbidden(text or None, status=403, detail=problem.detail or text)
    if family == "pools" and status in (404, 405):
        if op == "delete_pool":
            return PoolsUnavailable(POOL_NO_DELETE, status=status)
        if status == 405:
            return PoolsUnavailable(POOLS_UNSUPPORTED, status=405)
        if op in ("list_pools", "create_pool"):
            return PoolsUnavailable(POOLS_OFF, status=404)
    if status == 404:
        return NotFound(text or (f"{subject} was not found" if subject else None), status=404)
    if status == 409:
        return Conflict(text or (f"{subject} already exists" if subject else None), status=409)
    if status == 420:
        return ActionFailed(problem.label or text or None, status=420, label=problem.label or text)
    if status == 429:
        waited = retry_after is None or retry_after_cap is None or retry_after <= retry_after_cap
        return RateLimited(status=429, retry_after=retry_after, waited=waited)
    if status >= 500:
        phrase = httpx.codes.get_reason_phrase(status) or "server error"
        return ServerError(f"Vonage answered {status} ({phrase.lower()}); try again later", status=status)
    if 300 <= status < 400:
        return BadResponse(f"the server answered with an unexpected redirect ({status})", status=status)
    if write and status not in DEFINITE_REFUSALS:
        phrase = httpx.codes.get_reason_phrase(status)
        named = f"HTTP {status} ({phrase.lower()})" if phrase else f"HTTP {status}"
        unsure = f"Vonage answered {named}, which does not say whether it was done{MAY_HAVE_HAPPENED}"
        return VonageError(text or unsure, status=status, outcome_unknown=True)
    return VonageError(text or f"the request failed with HTTP {status}", status=status)


def body_error(
    body: Any, *, family: str, op: str, subject: str = "", scrub: Scrub, write: bool = False
) -> VonageError | None:
    """A numbers-API error hidden in a 2xx answer (``error-code`` other than "200"), or None.

    A status-like code maps as the status would (for a write, ``write``, one that is not a definite refusal
    leaves the outcome unknown); any other code is the server's own sentence, as before.
    """
    if not isinstance(body, dict) or "error-code" not in body:
        return None
    code = body.get("error-code")
    code_text = str(code).strip() if isinstance(code, (str, int, Decimal)) and not isinstance(code, bool) else ""
    if code_text in ("200", ""):
        return None
    if re.fullmatch(r"[0-9]{3}", code_text) and 100 <= int(code_text) <= 599:
        return error_for(int(code_text), body, family=family, op=op, subject=subject, scrub=scrub, write=write)
    problem = read_problem(body, scrub)
    return VonageError(problem.text or f"the request failed (error code {code_text[:20]})")


__all__ = [
    "DEFINITE_REFUSALS",
    "LAST_SECRET",
    "POOLS_OFF",
    "POOL_NO_DELETE",
    "SECRET_LIMIT",
    "Problem",
    "body_error",
    "decode_json",
    "error_for",
    "loose_json",
    "parse_model",
    "read_problem",
]
