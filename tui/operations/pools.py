"""Changes to number pools (a beta product): create, edit, delete, add and remove numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.formatting import plural
from tui.api.errors import NotFound
from tui.journal import DONE, FAILED
from tui.operations.core import CannotCheck, OperationsCore, Outcome

if TYPE_CHECKING:
    from tui.api.models import BatchResult


class PoolOperations(OperationsCore):
    """Pools and their numbers; a lost answer is settled by reading the pool back."""

    async def _pool_exists(self, pool_id: str) -> bool:
        try:
            await self.client.get_pool(pool_id)
        except NotFound:
            return False
        return True

    async def create_pool(self, create: Any) -> Outcome:
        pool_id = create.pool_id

        async def check() -> bool:
            return await self._pool_exists(pool_id)

        return await self._run(
            "pool-create", pool_id, lambda: self.client.create_pool(create), check,
            done_text=f"Created pool {pool_id}", not_done_text=f"Pool {pool_id} was not created",
        )

    async def _pool_matches(self, pool_id: str, wanted: dict[str, Any]) -> bool:
        pool = await self.client.get_pool(pool_id)
        return all(getattr(pool, k, None) == v for k, v in wanted.items())

    async def update_pool(self, pool_id: str, update: Any) -> Outcome:
        wanted = {k: v for k, v in update.model_dump().items() if v is not None}
        return await self._run(
            "pool-update", pool_id, lambda: self.client.update_pool(pool_id, update),
            lambda: self._pool_matches(pool_id, wanted),
            done_text=f"Updated pool {pool_id}", not_done_text=f"Pool {pool_id} was not updated",
            details={"wanted": wanted},
        )

    async def delete_pool(self, pool_id: str) -> Outcome:
        async def check() -> bool:
            return not await self._pool_exists(pool_id)

        return await self._run(
            "pool-delete", pool_id, lambda: self.client.delete_pool(pool_id), check,
            done_text=f"Deleted pool {pool_id}", not_done_text=f"Pool {pool_id} was not deleted",
        )

    async def _pool_members(self, pool_id: str) -> set[str]:
        return {digits(n.number) for n in await self.client.all_pool_numbers(pool_id)}

    async def _pool_membership_check(self, pool_id: str, numbers: list[str], *, adding: bool) -> bool:
        """Did an add (or remove) whose answer was lost take effect? Half of it means "unknown"."""
        wanted = {digits(n) for n in numbers}
        present = wanted & await self._pool_members(pool_id)
        changed = present if adding else wanted - present
        if changed and changed != wanted:  # e.g. the first batch of 50 went through, later ones not
            raise CannotCheck(f"only {len(changed)} of the {len(wanted)} numbers changed in the pool")
        return changed == wanted

    async def add_pool_numbers(self, pool_id: str, numbers: list[str]) -> Outcome:
        outcome = await self._run(
            "pool-add", pool_id, lambda: self.client.add_pool_numbers(pool_id, numbers),
            lambda: self._pool_membership_check(pool_id, numbers, adding=True),
            done_text=f"Added {plural(len(numbers), 'number')} to {pool_id}",
            not_done_text=f"Numbers were not added to {pool_id}",
            details={"numbers": numbers},
        )
        await self._journal_partial(outcome, "added to", pool_id)
        return outcome

    async def remove_pool_numbers(self, pool_id: str, numbers: list[str]) -> Outcome:
        outcome = await self._run(
            "pool-remove", pool_id, lambda: self.client.remove_pool_numbers(pool_id, numbers),
            lambda: self._pool_membership_check(pool_id, numbers, adding=False),
            done_text=f"Removed {plural(len(numbers), 'number')} from {pool_id}",
            not_done_text=f"Numbers were not removed from {pool_id}",
            details={"numbers": numbers},
        )
        await self._journal_partial(outcome, "removed from", pool_id)
        return outcome


    async def _journal_partial(self, outcome: Outcome, verb: str, pool_id: str) -> None:
        """A 207 answer: the outcome and its journal entry say which numbers failed, not "done" for all."""
        if _partial(outcome, verb, pool_id):
            outcome.message += await self._end(outcome.entry_id, DONE if outcome.ok else FAILED, outcome.message)


def digits(value: Any) -> str:
    """A phone number as digits only, as the pools API lists them."""
    return "".join(ch for ch in str(value) if ch.isdigit())


def _partial(outcome: Outcome, verb: str, pool_id: str) -> bool:
    """Turn a 207 BatchResult into an honest sentence and ok flag; True when some numbers failed."""
    result: BatchResult | None = outcome.result
    if result is None or not getattr(result, "failed", None):
        return False
    failures = "; ".join(f"{', '.join(f.numbers)}: {f.detail or f.title}" for f in result.failed)
    outcome.ok = bool(result.succeeded)
    outcome.message = f"{len(result.succeeded)} {verb} {pool_id}; failed — {failures}"
    return True


__all__ = ["PoolOperations", "digits"]
