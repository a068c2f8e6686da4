"""The HTTP/1.1 protocol the sandbox serves with: uvicorn's h11 protocol, answering bytes that are not an
HTTP request in the API's shape.

Why a subclass: a request h11 cannot parse (raw non-ASCII bytes in the request target, a broken header
line) never reaches the ASGI app, so uvicorn answers it itself, with a ``text/plain`` "Invalid HTTP
request received.". This class replaces only that answer - ``send_400_response``, the method uvicorn's
protocol calls for exactly this case - and reaches uvicorn through its documented ``Config(http=...)``
option (a protocol class), so nothing of uvicorn is patched. The path could not be read, so the body is
an RFC 7807 problem, the dialect of every path but the REST ones (whose clients read ``title``/``detail``
too). If a uvicorn release stopped calling the method, the answer would be uvicorn's plain text again,
and ``tests/test_hardening_sandbox.py`` would say so.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import unreadable_request


class ApiShapedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the API's 400 for a request it cannot parse."""

    def send_400_response(self, msg: str) -> None:
        error = unreadable_request()
        body = json.dumps(error.body).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            *((name.lower().encode("ascii"), value.encode("ascii")) for name, value in error.headers.items()),
        ]
        for event in (
            h11.Response(status_code=error.status, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


__all__ = ["ApiShapedH11Protocol"]
