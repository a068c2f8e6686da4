"""Compressed answers: at most one gzip/deflate layer is undone, by us, and never past the size cap.

Bombs are real: 1 GiB of JSON gzipped (1 MB on the wire), and that gzipped once more (2 KB on the wire,
``Content-Encoding: gzip, gzip``), served by a raw loopback server. Memory is checked in a fresh Python
process (its peak RSS before and after the request), so what the test suite has already used cannot hide
a peak. Everything else runs over loopback HTTP in the test's own loop. Nothing here measures time.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_api_fakes import LoopbackServer, VirtualTime, head

from tui.api.body import STEP, Inflater, read_capped
from tui.api.client import VonageClient
from tui.api.errors import NetworkError, ResponseTooLarge, UnsupportedEncoding
from tui.api.retry import RetryPolicy

KEY, SECRET = "abcd1234", "Body-Secret-77"
MB = 1 << 20
BALANCE = json.dumps({"value": 12.5, "autoReload": False}).encode()


def _gzip_zeros(mib: int) -> bytes:
    """``{"value": 1, "pad": "`` and ``mib`` MiB of zero bytes, gzipped in a stream (never held inflated)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MB
    parts = [packer.compress(b'{"value": 1, "pad": "')] + [packer.compress(block) for _ in range(mib)]
    return b"".join(parts) + packer.flush()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 1 GiB gzip bomb (one layer) and the same gzipped again (two layers), as files."""
    folder = tmp_path_factory.mktemp("bombs")
    single = _gzip_zeros(1024)
    double = gzip.compress(single, 9)
    (folder / "gzip").write_bytes(single)
    (folder / "gzip, gzip").write_bytes(double)
    return {"gzip": folder / "gzip", "gzip, gzip": folder / "gzip, gzip"}


_PROBE = r"""
import asyncio, json, resource, sys
from tui.api.client import VonageClient
from tui.api.errors import VonageError

body = open(sys.argv[1], "rb").read()
coding, call = sys.argv[2], sys.argv[3]

async def answer(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: " + coding.encode()
                 + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    client = VonageClient("abcd1234", "Body-Secret-77", rest_url=url, api_url=url, max_retries=0, rate_limit=None)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = {}
    try:
        await (client.get_balance() if call == "read" else client.top_up("00X123456Y7890123Z"))
    except VonageError as error:
        outcome = {"error": type(error).__name__, "message": str(error), "unknown": error.outcome_unknown}
    outcome["growth_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    await client.aclose()
    server.close()
    print(json.dumps(outcome))

asyncio.run(main())
"""


def _probe(bomb: Path, coding: str, call: str) -> dict[str, Any]:
    """Run one request against ``bomb`` in a fresh process; its outcome and peak RSS growth (KB)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(bomb), coding, call], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_double_gzip_bomb_is_refused_unread_and_memory_stays_flat(bombs: dict[str, Path]) -> None:
    result = _probe(bombs["gzip, gzip"], "gzip, gzip", "read")
    assert result["error"] == "UnsupportedEncoding"
    assert "compressed 2 times over (gzip, gzip)" in result["message"]
    assert result["growth_kb"] < 20 * 1024  # 1 GiB inflated in one piece before the fix (~2 GB of RSS)


def test_a_double_gzip_answer_to_a_write_may_have_happened(bombs: dict[str, Path]) -> None:
    result = _probe(bombs["gzip, gzip"], "gzip, gzip", "write")
    assert result["error"] == "UnsupportedEncoding" and result["unknown"] is True
    assert "refresh" in result["message"]


def test_a_single_layer_gzip_bomb_stops_at_the_cap_and_memory_stays_flat(bombs: dict[str, Path]) -> None:
    result = _probe(bombs["gzip"], "gzip", "read")
    assert result["error"] == "ResponseTooLarge" and "larger than 4 MB" in result["message"]
    assert result["growth_kb"] < 20 * 1024  # a whole network chunk inflated at once before (~64 MB per chunk)


# -- over loopback, in this process ------------------------------------------------------------------


def _client(url: str, **options: Any) -> VonageClient:
    time = VirtualTime()
    options.setdefault("retry_policy", RetryPolicy(max_retries=2))
    return VonageClient(
        KEY, SECRET, rest_url=url, api_url=url, rate_limit=None, clock=time.clock, sleep=time.sleep, **options
    )


def _answer(body: bytes, **headers: str | int) -> Any:
    async def respond(server: LoopbackServer, writer: asyncio.StreamWriter) -> None:
        await server.write(writer, head(content_type="application/json", content_length=len(body), **headers) + body)

    return respond


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(BALANCE)),
        ("x-gzip", gzip.compress(BALANCE)),
        ("GZip", gzip.compress(BALANCE)),
        ("deflate", zlib.compress(BALANCE)),
        ("deflate", _raw_deflate(BALANCE)),
        ("identity", BALANCE),
        ("identity, gzip", gzip.compress(BALANCE)),
    ],
    ids=["gzip", "x-gzip", "GZip", "deflate", "raw deflate", "identity", "identity then gzip"],
)
async def test_one_layer_of_a_coding_we_asked_for_is_read(coding: str, body: bytes) -> None:
    async with LoopbackServer(_answer(body, content_encoding=coding)) as server, _client(server.url) as c:
        balance = await c.get_balance()
    assert str(balance.value) == "12.5"
    request_head = server.requests[0][0].lower()
    assert b"\r\naccept-encoding: gzip\r\n" in request_head  # we ask for gzip only, explicitly


@pytest.mark.parametrize(
    ("coding", "words"),
    [
        ("br", "compressed as br, which this client does not read"),
        ("zstd", "compressed as zstd"),
        ("compress", "compressed as compress"),
        ("gzip, deflate", "compressed 2 times over (gzip, deflate)"),
        ("gzip\r\nContent-Encoding: gzip", "compressed 2 times over (gzip, gzip)"),
        ("\u00e9vil", "compressed as ?,"),
    ],
    ids=["br", "zstd", "compress", "gzip+deflate", "two headers", "not a token"],
)
async def test_other_codings_are_refused_unread_and_not_retried(coding: str, words: str) -> None:
    body = gzip.compress(gzip.compress(BALANCE))
    async with LoopbackServer(_answer(body, content_encoding=coding)) as server, _client(server.url) as c:
        with pytest.raises(UnsupportedEncoding) as caught:
            await c.get_balance()
        assert c.stats.requests == 1  # the same answer would come back
    assert words in str(caught.value) and "refresh" not in str(caught.value)  # a read changes nothing
    assert caught.value.outcome_unknown is True  # a BadResponse: for a write, "it may have happened"


async def test_a_gzip_stream_cut_short_is_a_damaged_answer_and_a_read_is_retried() -> None:
    whole = gzip.compress(BALANCE)
    async with LoopbackServer(_answer(whole[: len(whole) // 2], content_encoding="gzip")) as server:
        async with _client(server.url) as c:
            with pytest.raises(NetworkError) as caught:
                await c.get_balance()
            assert c.stats.requests == 3  # "garbled" is transient for a read: retried twice
    assert "could not be decoded" in str(caught.value)


async def test_an_empty_body_marked_gzip_is_an_empty_body() -> None:
    async with LoopbackServer(_answer(b"", content_encoding="gzip")) as server, _client(server.url) as c:
        await c.revoke_secret("ad6dc56f-07b5-46e1-a527-85530e625800")  # 200 with nothing in it: done


# -- the decoder in isolation ------------------------------------------------------------------------


def test_one_step_of_the_inflater_produces_at_most_its_limit() -> None:
    inflater = Inflater("gzip")
    bomb = _gzip_zeros(64)
    out, rest = inflater.step(bomb, STEP)
    assert len(out) == STEP and rest  # the rest of the input waits for the next step
    out, rest = inflater.step(rest, 10)
    assert len(out) == 10


async def test_reading_a_bomb_gives_the_event_loop_a_turn_after_every_step() -> None:
    cap = 4 * MB
    response = httpx.Response(
        200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(_gzip_zeros(64))
    )
    turns = 0
    stop = asyncio.Event()

    async def count_turns() -> None:
        nonlocal turns
        while not stop.is_set():
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.ensure_future(count_turns())
    await asyncio.sleep(0)
    with pytest.raises(ResponseTooLarge):
        await read_capped(response, cap)
    stop.set()
    await counter
    assert turns >= cap // STEP  # one turn per step of at most STEP bytes: never one long inflation
