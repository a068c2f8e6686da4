"""Each deep link's data, fetched and handed to a writer as it arrives.

Records are the API's own JSON (``model_dump(by_alias=True)``): the wire names, unknown fields
the server added kept as they came. Listings are de-duplicated by their key, because pages
shift when the account changes while it is being read (a number bought moves every later
number one place on); ``Tally.expected`` lets the caller say so when the count no longer adds up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .output import AVAILABLE_NUMBER, OWNED_NUMBER, POOL, POOL_NUMBER, SECRET, Progress, Record, Shape, Writer
from .paging import in_order

if TYPE_CHECKING:
    from tui.api.client import VonageClient
    from tui.api.models import AccountSettings, OwnedNumber

OWNED_FILTERS = ("country", "pattern", "search_pattern", "application_id", "has_application")
SEARCH_FIELDS = ("country", "type", "features", "pattern", "search_pattern")


@dataclass
class Tally:
    """What a listing said it holds and what arrived (after de-duplication)."""

    expected: int | None = None
    received: int = 0


def shape_for(command: str, args: dict[str, Any]) -> Shape | None:
    """The CSV shape of a command's output; None when it is one document (the account)."""
    if command == "pools":
        return POOL_NUMBER if args.get("pool_id") else POOL
    return {"numbers": OWNED_NUMBER, "search": AVAILABLE_NUMBER, "secrets": SECRET}.get(command)


def pacing(rate: float) -> tuple[int, int]:
    """(requests in flight, pages ahead) for a rate limit: enough in flight to keep the limiter busy
    across a slow round trip (about a second's worth), never more than 32 at once."""
    concurrency = max(4, min(32, math.ceil(rate)))
    return concurrency, 4 * concurrency


def _local_filter(text: str | None) -> Callable[[OwnedNumber], bool]:
    """The numbers screen's `/` filter: its cells as shown, and digits for a phone-like query — which,
    as there, is looked for in the number only."""
    if not text:
        return lambda number: True
    from tui.screens.numbers_format import row_cells
    from tui.widgets.table_layout import haystack, needles, reads_as_number

    wanted = needles(text)
    cells = slice(0, 1) if reads_as_number(text) else slice(None)
    return lambda number: any(n in haystack(row_cells(number)[cells]) for n in wanted)


async def export_numbers(
    client: VonageClient, args: dict[str, Any], out: Writer, progress: Progress, rate: float
) -> Tally:
    """Every owned number matching the filters: page 1 first (it gives the count), then the rest
    concurrently under the client's rate limiter, written in server page order."""
    from tui.api.client import MAX_PAGES, PAGE_SIZE
    from tui.api.errors import BadResponse
    from tui.api.models import OwnedQuery

    query = OwnedQuery(**{k: args[k] for k in OWNED_FILTERS if k in args}, size=PAGE_SIZE, index=1)
    keep = _local_filter(args.get("filter"))
    first = await client.list_owned_numbers(query)
    pages = math.ceil(first.count / PAGE_SIZE)
    if pages > MAX_PAGES:
        raise BadResponse(f"the server reported an implausible number of owned numbers ({first.count})")
    tally = Tally(expected=first.count)
    progress.total(first.count)
    seen: set[str] = set()

    def emit(numbers: list[OwnedNumber]) -> None:
        fresh = [n for n in numbers if n.msisdn not in seen]
        seen.update(n.msisdn for n in fresh)
        tally.received += len(fresh)
        progress.add(len(fresh))
        out.write(n.model_dump(mode="json", by_alias=True) for n in fresh if keep(n))

    out.begin()
    emit(first.numbers)
    if pages > 1:
        concurrency, window = pacing(rate)
        pending = in_order(
            lambda index: client.list_owned_numbers(query, index=index), 2, pages,
            concurrency=concurrency, window=window,
        )
        async with aclosing(pending) as stream:
            async for page in stream:
                emit(page.numbers)
    out.end()
    return tally


async def export_search(client: VonageClient, args: dict[str, Any], out: Writer, progress: Progress) -> Tally:
    """Up to ``limit`` numbers on sale, page after page (100 a page), with their prices."""
    from tui.api.client import PAGE_SIZE
    from tui.api.models import SearchQuery

    limit = int(args["limit"])
    size = min(PAGE_SIZE, limit)
    query = SearchQuery(**{k: args[k] for k in SEARCH_FIELDS if k in args}, size=size, index=1)
    tally = Tally()
    seen: set[str] = set()
    index = 1
    while tally.received < limit:
        page = await client.search_numbers(query, index=index)
        if index == 1:
            tally.expected = min(page.count, limit)
            progress.total(tally.expected)
            out.begin()
        fresh = [n for n in page.numbers if n.msisdn not in seen][: limit - tally.received]
        seen.update(n.msisdn for n in fresh)
        tally.received += len(fresh)
        progress.add(len(fresh))
        out.write(n.model_dump(mode="json", by_alias=True) for n in fresh)
        if not page.numbers or index * size >= page.count:
            break
        index += 1
    out.end()
    tally.expected = tally.received  # a search offers what it offers: fewer is not a change of account
    return tally


async def export_account(
    client: VonageClient, settings: AccountSettings, out: Writer, progress: Progress
) -> Tally:
    """One document: the key, the balance (a JSON number, as the API sends it) and the settings."""
    balance = await client.get_balance()
    record: Record = {
        "api_key": client.api_key,
        "balance": {**balance.model_dump(mode="json", by_alias=True), "value": float(balance.value)},
        "settings": settings.model_dump(mode="json", by_alias=True),
    }
    out.begin()
    out.write([record])
    out.end()
    return Tally(expected=1, received=1)


async def export_secrets(client: VonageClient, args: dict[str, Any], out: Writer, progress: Progress) -> Tally:
    """Ids and creation dates only: whatever else a server might send about a secret stays out."""
    secrets = await client.list_secrets()
    out.begin()
    out.write({"id": s.id, "created_at": s.created_at} for s in secrets)
    out.end()
    return Tally(expected=len(secrets), received=len(secrets))


async def export_pools(client: VonageClient, args: dict[str, Any], out: Writer, progress: Progress) -> Tally:
    """The pools, or with a POOL_ID the numbers in that pool (``_links`` left out)."""
    pool_id = args.get("pool_id")
    items: Iterable[Any]
    if pool_id:
        items = await client.all_pool_numbers(pool_id)
    else:
        items = await client.all_pools()
    records = [item.model_dump(mode="json", by_alias=True, exclude={"links"}) for item in items]
    out.begin()
    out.write(records)
    out.end()
    return Tally(expected=len(records), received=len(records))
