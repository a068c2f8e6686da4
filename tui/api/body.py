"""Reading an answer's body: the raw bytes off the wire, at most one content coding undone here, and never
more than the cap produced.

Why not httpx's own decoding: httpx inflates each network chunk whole before anyone can look at it, and it
undoes every layer a server lists. A 2 KB answer marked ``Content-Encoding: gzip, gzip`` then becomes
gigabytes in memory (and seconds of a frozen event loop) before a size cap could say no. Here the body is
read with ``aiter_raw()`` and inflated by one ``zlib.decompressobj`` with ``max_length``, in steps of at
most ``STEP`` bytes with a pause for the event loop between steps, so at most the cap plus one step is
ever produced and no step takes long.

What is accepted: no coding (or ``identity``), or exactly one of ``gzip``/``x-gzip``/``deflate``, which is
all we ask for (``Accept-Encoding: gzip``). Anything else - two layers, ``br``, ``zstd``, a name we do not
know - is refused unread with ``UnsupportedEncoding`` (a BadResponse: for a write, "it may have happened").
A stream that is corrupt or cut short raises ``httpx.DecodingError``, which ``failures`` reports as an
answer damaged on the way.
"""

from __future__ import annotations

import asyncio
import re
import zlib

import httpx

from .errors import UnsupportedEncoding
from .failures import too_large

ACCEPT_ENCODING = "gzip"
"""What we ask servers for: the one coding every HTTP server speaks, undone below."""

STEP = 64 * 1024
"""The most bytes one decompression step produces before the event loop gets a turn."""

_GZIP = frozenset({"gzip", "x-gzip"})
_TOKEN = re.compile(r"[a-z0-9._+-]{1,24}")


def content_codings(headers: httpx.Headers) -> list[str]:
    """The codings applied to the body, outermost last, without ``identity`` (lower case)."""
    codings = [c.strip().lower() for c in headers.get_list("content-encoding", split_commas=True)]
    return [c for c in codings if c and c != "identity"]


def _refusal(codings: list[str]) -> UnsupportedEncoding:
    """One sentence naming what came (only plain tokens: the header is server text)."""
    shown = ", ".join(c if _TOKEN.fullmatch(c) else "?" for c in codings[:4]) + (", ..." if len(codings) > 4 else "")
    if len(codings) > 1:
        return UnsupportedEncoding(f"the answer was compressed {len(codings)} times over ({shown}) and was not read")
    return UnsupportedEncoding(f"the answer was compressed as {shown}, which this client does not read")


class Inflater:
    """Undo one gzip or deflate layer, producing at most ``limit`` bytes per call.

    ``deflate`` is meant to be zlib-wrapped, but some servers send a raw deflate stream: like httpx, the
    raw form is tried when the wrapped one fails on the first bytes.
    """

    def __init__(self, coding: str) -> None:
        self._deflate = coding == "deflate"
        self._fresh = True  # nothing produced yet: the raw-deflate fallback is still possible
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding in _GZIP else zlib.MAX_WBITS)
        self._first = b""
        self.started = False

    @property
    def done(self) -> bool:
        """The compressed stream has ended (anything after its end is ignored, as httpx does)."""
        return self._zlib.eof

    def step(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """(output of at most ``limit`` bytes, input not consumed yet); ``limit`` must be >= 1."""
        self.started = self.started or bool(data)
        if self._fresh:
            self._first += data
        try:
            out = self._zlib.decompress(data, limit)
        except zlib.error as exc:
            if not (self._deflate and self._fresh):
                raise httpx.DecodingError(str(exc)) from None
            self._deflate = False  # retry the whole stream so far as raw deflate
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.step(self._take_first(), limit)
        if out or self._zlib.eof:
            self._fresh = False
            self._first = b""
        return out, self._zlib.unconsumed_tail

    def _take_first(self) -> bytes:
        first, self._first, self._fresh = self._first, b"", False
        return first

    def check_finished(self) -> None:
        """A stream that was started must have reached its end: a cut-short body is damaged."""
        if self.started and not self._zlib.eof:
            raise httpx.DecodingError("the compressed answer ended early")


def _declared_too_large(response: httpx.Response, cap: int) -> bool:
    declared = response.headers.get("content-length", "").strip()
    return declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > cap)


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body of a streamed response, or ResponseTooLarge once it passes ``cap`` bytes.

    Raises UnsupportedEncoding before reading anything when the codings are not ones we undo, and
    httpx.DecodingError for a damaged compressed stream. The compressed bytes are capped too (at twice
    the cap: gzip never grows data by more than a few bytes per 16 KB).
    """
    if _declared_too_large(response, cap):
        raise too_large(cap)
    codings = content_codings(response.headers)
    if len(codings) > 1 or (codings and codings[0] not in _GZIP | {"deflate"}):
        raise _refusal(codings)
    if response.is_stream_consumed:  # an in-memory transport (httpx.MockTransport) read and decoded it already
        if len(response.content) > cap:
            raise too_large(cap)
        return response.content
    inflater = Inflater(codings[0]) if codings else None
    body = bytearray()
    wire = 0
    async for chunk in response.aiter_raw():
        wire += len(chunk)
        if wire > 2 * cap:
            raise too_large(cap)
        if inflater is None:
            body += chunk
            if len(body) > cap:
                raise too_large(cap)
            continue
        pending = chunk
        while not inflater.done:
            limit = min(STEP, cap + 1 - len(body))
            out, pending = inflater.step(pending, limit)
            body += out
            if len(body) > cap:
                raise too_large(cap)
            if not pending and len(out) < limit:  # this chunk is used up and no output is held back
                break
            await asyncio.sleep(0)  # a bounded step done: let the event loop breathe
    if inflater is not None:
        inflater.check_finished()
    return bytes(body)


__all__ = ["ACCEPT_ENCODING", "STEP", "Inflater", "content_codings", "read_capped"]
