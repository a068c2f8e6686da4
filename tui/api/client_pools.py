"""Number Pools endpoints (beta): pools CRUD, the numbers in a pool, and batched add/remove.

Why batching lives here: the API takes at most 50 numbers per add/remove request and answers a batch
with 201/204 (all done), 207 (some done) or 400 (none done), in two different 207 shapes (remove wraps
each error group in an extra ``error`` object). The caller gets one BatchResult that accounts for every
number it passed: each is either in ``succeeded`` or in one ``failed`` group with the server's reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from . import validators
from .core import ClientCore, ensure_type
from .errors import InputError, VonageError
from .models import BatchFailure, BatchResult, Pool, PoolCreate, PoolNumber, PoolNumbersPage, PoolsPage, PoolUpdate
from .responses import parse_model, read_problem

BATCH_SIZE = 50
MAX_PAGES = 10_000  # a guard against a server whose paging never ends


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


class PoolsMixin(ClientCore):
    """Methods for ``/v2/numberpools/accounts/{api_key}/pools``; 403/405 (and 404 on the collection)
    become PoolsUnavailable with a plain sentence."""

    def _pools_path(self, pool_id: str | None = None) -> str:
        base = f"/v2/numberpools/accounts/{quote(self.api_key, safe='')}/pools"
        return base if pool_id is None else f"{base}/{quote(pool_id, safe='')}"

    async def list_pools(self, page: int = 1, page_size: int = 100) -> PoolsPage:
        """One page of the account's pools."""
        params = {
            "page": str(validators.page_index(page, "page")),
            "page_size": str(validators.page_size(page_size, "page_size")),
        }
        _, body = await self._call("GET", "api", self._pools_path(), family="pools", op="list_pools", params=params)
        return parse_model(PoolsPage, body, "the list pools request")

    async def all_pools(self) -> list[Pool]:
        """Every pool, walking the pages in order (duplicates from shifting pages dropped)."""
        pools: dict[str, Pool] = {}
        page_no = 1
        while page_no <= MAX_PAGES:
            page = await self.list_pools(page_no, 100)
            known = len(pools)
            for pool in page.pools:
                pools.setdefault(pool.pool_id, pool)
            if len(pools) == known or page_no >= page.total_pages:  # empty, repeated, or last page
                break
            page_no += 1
        return list(pools.values())

    async def create_pool(self, pool: PoolCreate) -> Pool:
        """Create a pool (409 Conflict when the id exists)."""
        ensure_type(pool, PoolCreate, "pool")
        _, body = await self._call(
            "POST",
            "api",
            self._pools_path(),
            family="pools",
            op="create_pool",
            subject=f"pool {pool.pool_id!r}",
            json_body=pool.to_json(),
            expect=(200, 201),
        )
        return parse_model(Pool, body, "the create pool request")

    async def get_pool(self, pool_id: str) -> Pool:
        pool_id = validators.pool_id(pool_id)
        _, body = await self._call(
            "GET", "api", self._pools_path(pool_id), family="pools", op="get_pool", subject=f"pool {pool_id!r}"
        )
        return parse_model(Pool, body, "the get pool request")

    async def update_pool(self, pool_id: str, update: PoolUpdate) -> Pool:
        """Change only the fields set in ``update`` (PATCH answers 201 or 200 with the pool)."""
        pool_id = validators.pool_id(pool_id)
        ensure_type(update, PoolUpdate, "update")
        _, body = await self._call(
            "PATCH",
            "api",
            self._pools_path(pool_id),
            family="pools",
            op="update_pool",
            subject=f"pool {pool_id!r}",
            json_body=update.to_json(),
            expect=(200, 201),
        )
        return parse_model(Pool, body, "the update pool request")

    async def delete_pool(self, pool_id: str) -> Pool:
        """Delete a pool; a 405 (or 403) says the API does not allow it, as PoolsUnavailable."""
        pool_id = validators.pool_id(pool_id)
        _, body = await self._call(
            "DELETE",
            "api",
            self._pools_path(pool_id),
            family="pools",
            op="delete_pool",
            subject=f"pool {pool_id!r}",
            expect=(200, 204),
            allow_empty=True,
        )
        if body is None:
            return Pool(pool_id=pool_id)
        return parse_model(Pool, body, "the delete pool request")

    async def list_pool_numbers(self, pool_id: str, page: int = 1, page_size: int = 100) -> PoolNumbersPage:
        pool_id = validators.pool_id(pool_id)
        params = {
            "page": str(validators.page_index(page, "page")),
            "page_size": str(validators.page_size(page_size, "page_size")),
        }
        _, body = await self._call(
            "GET",
            "api",
            self._pools_path(pool_id) + "/numbers",
            family="pools",
            op="list_pool_numbers",
            subject=f"pool {pool_id!r}",
            params=params,
        )
        return parse_model(PoolNumbersPage, body, "the list pool numbers request")

    async def all_pool_numbers(self, pool_id: str) -> list[PoolNumber]:
        """Every number in the pool, walking the pages in order."""
        numbers: dict[str, PoolNumber] = {}
        page_no = 1
        while page_no <= MAX_PAGES:
            page = await self.list_pool_numbers(pool_id, page_no, 100)
            known = len(numbers)
            for number in page.numbers:
                numbers.setdefault(number.number, number)
            if len(numbers) == known or page_no >= page.total_pages:  # empty, repeated, or last page
                break
            page_no += 1
        return list(numbers.values())

    async def add_pool_numbers(self, pool_id: str, numbers: list[str]) -> BatchResult:
        """Add numbers in chunks of 50; see ``_batch`` for how failures are reported."""
        return await self._batch(pool_id, numbers, remove=False)

    async def remove_pool_numbers(self, pool_id: str, numbers: list[str]) -> BatchResult:
        """Remove numbers in chunks of 50 (POST .../numbers/delete)."""
        return await self._batch(pool_id, numbers, remove=True)

    async def remove_pool_number(self, pool_id: str, number: str) -> None:
        """Remove one number (DELETE .../numbers/{number}, 204)."""
        pool_id = validators.pool_id(pool_id)
        number = validators.msisdn(number, "number")
        await self._call(
            "DELETE",
            "api",
            f"{self._pools_path(pool_id)}/numbers/{number}",
            family="pools",
            op="remove_pool_number",
            subject=f"number {number} in pool {pool_id!r}",
            expect=(200, 204),
            allow_empty=True,
        )

    async def _batch(self, pool_id: str, numbers: list[str], *, remove: bool) -> BatchResult:
        """Validate all numbers first, then send 50 at a time and merge the answers.

        If a chunk fails outright (network, 5xx, auth...) and it is the first, the error is raised:
        nothing was done. If earlier chunks went through, the result is returned instead, with that
        chunk's numbers failed (reason = the error) and the unsent ones failed as "not attempted", so
        the caller still learns what did change.
        """
        pool_id = validators.pool_id(pool_id)
        if isinstance(numbers, (str, bytes)):
            raise InputError("numbers must be a list of phone numbers", field="numbers")
        try:
            cleaned = list(dict.fromkeys(validators.msisdn(n, "numbers") for n in numbers))
        except TypeError:
            raise InputError("numbers must be a list of phone numbers", field="numbers") from None
        result = BatchResult()
        chunks = [cleaned[i : i + BATCH_SIZE] for i in range(0, len(cleaned), BATCH_SIZE)]
        path = self._pools_path(pool_id) + ("/numbers/delete" if remove else "/numbers")
        op = "remove_pool_numbers" if remove else "add_pool_numbers"
        for position, chunk in enumerate(chunks):
            try:
                status, body = await self._call(
                    "POST",
                    "api",
                    path,
                    family="pools",
                    op=op,
                    subject=f"pool {pool_id!r}",
                    json_body={"numbers": chunk},
                    expect=(200, 201, 204, 207, 400),
                    lenient_body=True,
                )
            except VonageError as error:
                if position == 0:
                    raise
                result.failed.append(BatchFailure(numbers=chunk, title=type(error).__name__, detail=error.message))
                rest = [n for later in chunks[position + 1 :] for n in later]
                if rest:
                    result.failed.append(
                        BatchFailure(numbers=rest, title="Not attempted", detail="an earlier batch failed")
                    )
                break
            self._merge_chunk(result, chunk, status, body)
        return result

    def _merge_chunk(self, result: BatchResult, chunk: list[str], status: int, body: Any) -> None:
        """Account for every number of one chunk in ``result``."""
        if status in (200, 201, 204):
            result.succeeded.extend(chunk)
            return
        in_chunk = set(chunk)
        failures: list[BatchFailure] = []
        claimed: set[str] = set()
        for group in _error_groups(body):
            problem = read_problem(group, self._scrub)
            raw_numbers = group.get("numbers")
            listed: list[Any] = raw_numbers if isinstance(raw_numbers, list) else []
            mine = [n for n in dict.fromkeys(_digits(x) for x in listed) if n in in_chunk and n not in claimed]
            if mine:
                claimed.update(mine)
                failures.append(BatchFailure(numbers=mine, title=problem.title, detail=problem.detail or problem.text))
        if status == 400:
            rest = [n for n in chunk if n not in claimed]
            if rest:
                problem = read_problem(body, self._scrub)
                failures.append(
                    BatchFailure(
                        numbers=rest, title=problem.title or "Bad Request", detail=problem.detail or problem.text
                    )
                )
            result.failed.extend(failures)
            return
        # 207: the error groups name the failures; everything else in the chunk went through.
        if failures:
            result.succeeded.extend(n for n in chunk if n not in claimed)
            result.failed.extend(failures)
            return
        done = (
            {_digits(x) for x in body.get("numbers", [])}
            if isinstance(body, dict) and isinstance(body.get("numbers"), list)
            else set()
        )
        result.succeeded.extend(n for n in chunk if n in done)
        unknown = [n for n in chunk if n not in done]
        if unknown:
            result.failed.append(
                BatchFailure(
                    numbers=unknown,
                    title="Unknown",
                    detail="the server did not say what happened to these numbers; refresh the pool to check",
                )
            )


def _error_groups(body: Any) -> list[dict[str, Any]]:
    """The per-reason error groups of a 207/400 body, unwrapping remove's extra ``{"error": {...}}``."""
    if not isinstance(body, dict):
        return []
    wrapped = body.get("error")
    holder: dict[str, Any] = wrapped if isinstance(wrapped, dict) else body
    raw = holder.get("errors")
    if not isinstance(raw, list) and holder is not body:
        raw = body.get("errors")
    if not isinstance(raw, list):
        return []
    groups: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("error"), dict):
            item = item["error"]
        if isinstance(item, dict):
            groups.append(item)
    return groups


__all__ = ["BATCH_SIZE", "PoolsMixin"]
