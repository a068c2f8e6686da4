"""The two error dialects of the Vonage APIs, raised as ``ApiError`` and rendered by one exception handler.

The older REST endpoints (numbers, balance, top-up, settings) answer ``{"error-code": "420",
"error-code-label": "..."}``; the newer ones (secrets, pools, and every 429) answer RFC 7807 problems.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

ERRORS_URL = "https://developer.nexmo.com/api-errors"
SECRETS_ERRORS_URL = "https://developer.nexmo.com/api-errors/account/secret-management"
POOLS_ERRORS_URL = "https://developer.vonage.com/api-errors/numberpools"

Family = Literal["rest", "problem"]
"""``rest``: numbers and account endpoints (error-code bodies); ``problem``: secrets, pools, subaccounts (RFC 7807)."""

REST_PREFIXES = ("/account/", "/number/")
"""Paths of the rest.nexmo.com endpoints; every other path (api.nexmo.com, unknown) speaks RFC 7807."""


def family_of(path: str) -> Family:
    """The error dialect of a path, for errors raised before a route (and its family) is known."""
    return "rest" if path.startswith(REST_PREFIXES) else "problem"


class ApiError(Exception):
    """An error answer, raised from anywhere in a handler; ``render_api_error`` turns it into a response."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> Response:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def rest_error(status: int, label: str) -> ApiError:
    """The numbers/account dialect: error-code is a string, the label a sentence shown to users verbatim."""
    return ApiError(status, {"error-code": str(status), "error-code-label": label})


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = ERRORS_URL,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ApiError:
    """An RFC 7807 problem with the ``instance`` trace id Vonage adds to every one."""
    body: dict[str, Any] = {"type": type_, "title": title, "detail": detail, "instance": uuid.uuid4().hex}
    body.update(extra)
    return ApiError(status, body, headers)


def problem_body(status: int, title: str, detail: str, *, type_: str = ERRORS_URL, **extra: Any) -> dict[str, Any]:
    """Just the body of ``problem`` (for 207 answers that embed one)."""
    return problem(status, title, detail, type_=type_, **extra).body


def unauthorized_rest() -> ApiError:
    return rest_error(401, "authentication failed")


BAD_CREDENTIALS_FORMAT = 'Invalid credentials format. Expected: "Authorization: (Base64(UTF-8(apiKey:secret)))"'
WRONG_CREDENTIALS = "You did not provide correct credentials."


def unauthorized_problem(detail: str = WRONG_CREDENTIALS) -> ApiError:
    return problem(401, "Unauthorized", detail, type_=f"{ERRORS_URL}#unauthorized")


def bad_request(name: str, reason: str) -> ApiError:
    """A 400 problem naming the invalid parameter, as secrets and pools validation errors do."""
    return problem(
        400,
        "Bad Request",
        "The request failed due to validation errors",
        type_=f"{ERRORS_URL}#validation",
        invalid_parameters=[{"name": name, "reason": reason}],
    )


def invalid_input(family: Family, name: str, reason: str) -> ApiError:
    """A 400 for input that cannot be read at all (bad UTF-8, control characters), in the family's dialect."""
    if family == "rest":
        return rest_error(400, f"{name}: {reason}")
    return bad_request(name, reason)


def too_large(family: Family, limit: int) -> ApiError:
    """413 for a request body over the cap; ``Connection: close`` since the rest of the body is not read."""
    detail = f"The request body is larger than the {limit} bytes this API accepts"
    if family == "rest":
        error = rest_error(413, detail)
    else:
        error = problem(413, "Payload Too Large", detail, type_=f"{ERRORS_URL}#payload-too-large")
    error.headers["Connection"] = "close"
    return error


def internal_error(family: Family) -> ApiError:
    """The last resort when a handler fails: a plain 500 in the dialect, with nothing from the failure in it."""
    detail = "The sandbox failed to handle this request; it is still running."
    if family == "rest":
        return rest_error(500, detail)
    return problem(500, "Internal Server Error", detail, type_=f"{ERRORS_URL}#internal-error")


def shutting_down(family: Family) -> ApiError:
    """503 for a request still in flight when the sandbox stops; whether it was carried out is not said."""
    detail = "The sandbox is stopping and did not finish this request; it may or may not have been carried out."
    if family == "rest":
        error = rest_error(503, detail)
    else:
        error = problem(503, "Service Unavailable", detail, type_=f"{ERRORS_URL}#service-unavailable")
    error.headers["Connection"] = "close"
    return error


def unreadable_request() -> ApiError:
    """400 for bytes that are not an HTTP/1.1 request (the path is unknown, so the RFC 7807 dialect)."""
    detail = "The request could not be read as HTTP/1.1 (its request line, headers or body framing are malformed)"
    error = problem(400, "Bad Request", detail, type_=f"{ERRORS_URL}#invalid-request")
    error.headers["Connection"] = "close"
    return error


def rate_limited(retry_after: float) -> ApiError:
    """429 with the delay both as ``Retry-After`` (whole seconds, per RFC 9110) and precisely in the body."""
    seconds = max(1, int(-(-retry_after // 1)))
    return problem(
        429,
        "Too many requests",
        "Rate limit hit: this account sent too many requests. Retry after the delay given.",
        type_=f"{ERRORS_URL}#throttled",
        headers={"Retry-After": str(seconds)},
        retry_after=round(retry_after, 3),
    )


async def render_api_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for ``ApiError``."""
    assert isinstance(exc, ApiError)
    return exc.response()


async def not_found(request: Request, exc: Exception) -> Response:
    return problem(404, "Not Found", f"No endpoint at {request.url.path}", type_=f"{ERRORS_URL}#not-found").response()


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return problem(
        405,
        "Method Not Allowed",
        f"{request.method} is not supported on {request.url.path}",
        type_=f"{ERRORS_URL}#method-not-allowed",
    ).response()
