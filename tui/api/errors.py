"""The typed errors of the Vonage API layer.

Why a hierarchy: the UI must say something true and specific ("auto-reload is off", "that number is
already taken", "the connection dropped after the purchase was sent, refresh to check") instead of a
stack trace, and it can only do that if every failure arrives as one of these classes.

Rules every error here follows:
- ``str(err)`` is ``err.message``: one plain sentence a person can act on.
- No secret ever appears in ``message``, ``args`` or ``repr``: errors are built from status codes and
  server-chosen text only, and the client scrubs its own secrets from server text before building them.
- ``status`` is the HTTP status (or the numbers API's body ``error-code``) when there was one.
"""

from __future__ import annotations

from typing import Any


class VonageError(Exception):
    """Base of every error the API layer raises on purpose."""

    default_message: str = "the Vonage API request failed"

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message: str = message or self.default_message
        self.status: int | None = status
        # Only the human sentence goes into args, so pickling/logging an error can never carry more.
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthError(VonageError):
    """401: the API key or secret was refused (a credentials problem the user must fix)."""

    default_message = "authentication failed: the API key or secret was not accepted"


class AutoReloadDisabled(VonageError):
    """401 on top-up with "not auto-reload enabled": not a credentials problem, so it is not an AuthError."""

    default_message = "auto-reload is not enabled on this account; top-up needs auto-reload"


class ActionFailed(VonageError):
    """420 from the numbers API: the action was refused; ``label`` is the server's reason, verbatim."""

    default_message = "the action could not be completed"

    def __init__(self, message: str | None = None, *, status: int | None = 420, label: str = "") -> None:
        super().__init__(message or label or None, status=status)
        self.label: str = label


class Forbidden(VonageError):
    """403: the account may not do this (e.g. a third secret, revoking the last secret)."""

    default_message = "this operation is not allowed for this account"

    def __init__(self, message: str | None = None, *, status: int | None = 403, detail: str = "") -> None:
        super().__init__(message or detail or None, status=status)
        self.detail: str = detail


class NotFound(VonageError):
    """404: the thing asked for does not exist (or is not visible to these credentials)."""

    default_message = "not found"


class ValidationFailed(VonageError):
    """400: the server rejected the request's content; ``invalid_parameters`` says which fields and why."""

    default_message = "the server rejected the request as invalid"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 400,
        invalid_parameters: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.invalid_parameters: list[dict[str, Any]] = list(invalid_parameters or [])


class Conflict(VonageError):
    """409: the thing already exists (e.g. a pool with that id)."""

    default_message = "that already exists"


class RateLimited(VonageError):
    """429 after the retries ran out (or the server asked for a longer wait than we are willing to make)."""

    default_message = "too many requests; wait a moment and try again"

    def __init__(
        self, message: str | None = None, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        if message is None and retry_after is not None:
            message = f"too many requests; try again in {retry_after:g} s"
        super().__init__(message, status=status)
        self.retry_after: float | None = retry_after


class ServerError(VonageError):
    """5xx: Vonage had a problem; usually worth trying again later."""

    default_message = "the Vonage service had a problem; try again later"


class PoolsUnavailable(VonageError):
    """403/404/405 from the number pools API: the beta is off for this account or the call is unsupported."""

    default_message = "number pools are not enabled for this account"


class NetworkError(VonageError):
    """The HTTP exchange itself failed.

    ``request_sent`` is True when the request may have reached the server (the connection dropped or
    timed out after sending): for a write the outcome is then unknown and the UI must say so and offer a
    refresh, rather than claim that nothing happened.
    """

    default_message = "could not reach the Vonage API"

    def __init__(self, message: str | None = None, *, status: int | None = None, request_sent: bool = False) -> None:
        super().__init__(message, status=status)
        self.request_sent: bool = request_sent


class RequestTimeout(NetworkError):
    """The server did not answer in time (connect or read timeout)."""

    default_message = "the Vonage API did not answer in time"


class BadResponse(VonageError):
    """The body was not what the spec says (invalid JSON, HTML, XML, empty, wrong types)."""

    default_message = "the server's answer was not in the expected form"


class InputError(VonageError, ValueError):
    """User input is invalid; raised before anything is sent. ``field`` names the offending input.

    Also a ValueError so that generic form code (and pydantic) can treat it as a validation failure.
    """

    default_message = "invalid input"

    def __init__(self, message: str | None = None, *, field: str = "", status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.field: str = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


class InsecureURL(InputError):
    """A base URL we refuse: http:// to anything but loopback, look-alike hosts, embedded credentials."""

    default_message = "refusing an insecure or malformed URL"


__all__ = [
    "ActionFailed",
    "AuthError",
    "AutoReloadDisabled",
    "BadResponse",
    "Conflict",
    "Forbidden",
    "InputError",
    "InsecureURL",
    "NetworkError",
    "NotFound",
    "PoolsUnavailable",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "ValidationFailed",
    "VonageError",
]
