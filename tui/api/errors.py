"""The typed errors of the Vonage API layer.

Why a hierarchy: the UI must say something true and specific ("auto-reload is off", "that number is
already taken", "the connection dropped after the purchase was sent, refresh to check") instead of a
stack trace, and it can only do that if every failure arrives as one of these classes.

Rules every error here follows:
- ``str(err)`` is ``err.message``: one plain sentence a person can act on.
- No secret ever appears in ``message``, ``args`` or ``repr``: errors are built from status codes and
  server-chosen text only, and the client scrubs its own secrets from server text before building them.
- ``status`` is the HTTP status (or the numbers API's body ``error-code``) when there was one.
- ``outcome_unknown`` says whether a *write* that failed this way may still have been carried out.
  It is the one thing the operations layer needs to decide "refused" from "unknown, checking", so it
  is decided here, per class, instead of by isinstance lists elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

#: Above this a wait is reported as "a day or more": no caller should compute with a larger one.
LONGEST_WAIT = 86_400.0


def describe_wait(seconds: float) -> str:
    """A wait in words a person reads at a glance ("2 s", "5 min", "3 h", "a day or more")."""
    if not math.isfinite(seconds) or seconds >= LONGEST_WAIT:
        return "a day or more"
    seconds = max(0.0, seconds)
    if seconds < 600:
        return f"{round(seconds, 1):g} s"
    if seconds < 7200:
        return f"{round(seconds / 60):g} min"
    return f"{round(seconds / 3600):g} h"


class VonageError(Exception):
    """Base of every error the API layer raises on purpose."""

    default_message: str = "the Vonage API request failed"
    #: Class default for ``outcome_unknown``: most errors are definite answers (the server refused).
    _outcome_unknown: bool = False

    def __init__(
        self, message: str | None = None, *, status: int | None = None, outcome_unknown: bool | None = None
    ) -> None:
        self.message: str = message or self.default_message
        self.status: int | None = status
        if outcome_unknown is not None:  # an answer this class does not decide, e.g. HTTP 408 to a write
            self._outcome_unknown = outcome_unknown
        # Only the human sentence goes into args, so pickling/logging an error can never carry more.
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"

    @property
    def outcome_unknown(self) -> bool:
        """True when a write that failed this way may or may not have happened on the server.

        False means the server definitely did not carry it out (a refusal, a 429, or the request
        provably never left this computer); True means "check before saying anything" - the answer
        was lost, slow, unreadable or a 5xx. Meaningless for reads, which change nothing.
        """
        return self._outcome_unknown


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
    """429 after the retries ran out (or the server asked for a longer wait than we are willing to make).

    ``retry_after`` is the wait the server asked for in seconds (never above ``LONGEST_WAIT``, never
    infinite or negative), or None; ``waited`` is False when we did not wait it out because it was
    longer than the client's cap (``RetryPolicy.retry_after_cap``), and the message says so.
    """

    default_message = "too many requests; wait a moment and try again"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
        waited: bool = True,
    ) -> None:
        if retry_after is not None:
            retry_after = min(LONGEST_WAIT, retry_after) if retry_after >= 0 else None  # NaN/negative: None
        if message is None and retry_after is not None:
            if waited:
                message = f"too many requests; try again in {describe_wait(retry_after)}"
            else:
                message = (
                    f"too many requests: Vonage asked us to wait {describe_wait(retry_after)} before "
                    "trying again, which is longer than we wait; we did not wait. Try again later"
                )
        super().__init__(message, status=status)
        self.retry_after: float | None = retry_after
        self.waited: bool = waited


class ServerError(VonageError):
    """5xx: Vonage had a problem; usually worth trying again later."""

    default_message = "the Vonage service had a problem; try again later"
    _outcome_unknown = True  # a 5xx can come after the work was done (a gateway timing out on it)


class PoolsUnavailable(VonageError):
    """403/404/405 from the number pools API: the beta is off for this account or the call is unsupported."""

    default_message = "number pools are not enabled for this account"


class NetworkError(VonageError):
    """The HTTP exchange itself failed.

    ``request_sent`` is True when the request may have reached the server: anything after the first
    byte may have left (a dropped or reset connection, a read/write timeout, a body that could not be
    decompressed, the total deadline passing mid-answer). It is False only when the request provably
    never left: connection refused, DNS failure, TLS handshake failure, connect/pool timeout, a proxy
    that refused the tunnel, an unusable proxy setting. For a write, True means the outcome is unknown
    and the UI must say so and offer a refresh rather than claim that nothing happened.
    """

    default_message = "could not reach the Vonage API"

    def __init__(self, message: str | None = None, *, status: int | None = None, request_sent: bool = True) -> None:
        super().__init__(message, status=status)
        self.request_sent: bool = request_sent

    @property
    def outcome_unknown(self) -> bool:
        return self.request_sent


class RequestTimeout(NetworkError):
    """The server did not answer in time: a connect/read/write timeout, or the total deadline per attempt."""

    default_message = "the Vonage API did not answer in time"


class BadResponse(VonageError):
    """The body was not what the spec says (invalid JSON, HTML, XML, empty, wrong types)."""

    default_message = "the server's answer was not in the expected form"
    _outcome_unknown = True  # the server answered something: it may well have done the work first


class ResponseTooLarge(BadResponse):
    """The answer was larger than the client's cap (``max_response_bytes``) and was not read."""

    default_message = "the answer was too large and was not read"


class ShortListing(BadResponse):
    """A listing ran dry before the count its first page promised: pages came back empty or repeated.

    Raised after every number that did arrive has been handed over, so a caller keeps what it got but
    never mistakes it for the whole list (and never drops numbers it did not see). ``expected`` is the
    server's count, ``received`` how many distinct items arrived.
    """

    default_message = "the server sent fewer items than it said it had"

    def __init__(self, expected: int, received: int, what: str = "numbers") -> None:
        super().__init__(
            f"the server said {expected:,} {what} but sent {received:,}; the list may be incomplete, reload to check"
        )
        self.expected: int = expected
        self.received: int = received


class UnsupportedEncoding(BadResponse):
    """The answer came compressed in a way we do not undo (two layers, br, an unknown coding): not read."""

    default_message = "the answer was compressed in a way this client does not read"


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
    "LONGEST_WAIT",
    "RequestTimeout",
    "ResponseTooLarge",
    "ServerError",
    "ShortListing",
    "UnsupportedEncoding",
    "ValidationFailed",
    "VonageError",
    "describe_wait",
]
