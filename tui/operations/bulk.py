"""Bulk edit: one set of changes made to many numbers, each read, changed and written on its own; resumable.

Why a plan in the journal: a bulk edit of 500 numbers takes minutes, and a crash, a lost SSH link or
Ctrl+X can stop it anywhere. Before the first number is touched the plan (the batch id, the numbers,
the changes) is journaled; each number's update is then an ordinary journaled update carrying that
batch id. The next start reads the plan back and knows, per number, what was done, what is unknown
(its update was sent and no answer came) and what is left — and can continue with only the rest,
checking the unknown ones by reading the number first, so no number gets the change twice.

Each number goes through ``update_number`` (read-modify-write with conflict detection), a few at a
time under the client's rate limit. No Textual here: the screen passes ``on_item`` and posts messages.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.api.errors import VonageError
from tui.journal import DONE, FAILED, PENDING, UNKNOWN, JournalEntry
from tui.operations.numbers import NumberOperations, UpdateConflict
from tui.owned import OwnedRecord

if TYPE_CHECKING:
    pass

#: The journal's name for a plan (its details hold the numbers and the changes).
PLAN_OP = "bulk-edit"
#: The journal's name for the end of a batch: finished, or left by the user. Nothing is offered after it.
CLOSE_OP = "bulk-edit-end"
#: Numbers changed at the same time (each waits its turn at the client's rate limit as well).
CONCURRENCY = 4
#: The settings a bulk edit may change, in the form's order.
BULK_FIELDS = ("app_id", "mo_http_url", "voice_callback_type", "voice_callback_value", "voice_status_callback")
#: What happened to a number whose update met someone else's change (besides done, failed, unknown).
CONFLICT = "conflict"

# The batch id the updates of a running bulk edit are journaled under (see ``update`` below).


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk edit is to do: ``changes`` (field -> value, "" unsets) for each of ``numbers``."""

    batch: str
    changes: Mapping[str, str]
    numbers: tuple[tuple[str, str], ...]  # (msisdn, country), in the order they were listed
    started: float = 0.0

    @property
    def count(self) -> int:
        return len(self.numbers)

    def describe(self) -> str:
        return describe_changes(self.changes, self.count)


@dataclass
class BulkItem:
    """One number's outcome: ``state`` is done, failed, unknown or conflict; ``text`` says it in words."""

    msisdn: str
    country: str
    state: str
    text: str
    record: OwnedRecord | None = None
    #: The owned list's version right after this number's record went into it (0 = it did not).
    version: int = 0


@dataclass
class BulkStatus:
    """A plan as the journal knows it: per number, done, unknown (sent, no answer) or left to do."""

    plan: BulkPlan
    done: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    #: The latest update entry of each number that has one (an unknown one is settled through it).
    entries: dict[str, JournalEntry] = field(default_factory=dict)

    def describe(self) -> str:
        """"12 done · 1 unknown · 24 left" (what a resume offer and a stopped run show)."""
        parts = [f"{len(self.done):,} done"]
        if self.unknown:
            parts.append(f"{len(self.unknown):,} unknown (each is read first, and sent only if it was not done)")
        parts.append(f"{len(self.left):,} left")
        return " · ".join(parts)


def describe_changes(changes: Mapping[str, str], count: int) -> str:
    """The changes in one sentence, e.g. "Set the inbound SMS webhook of 37 numbers to https://…; unlink
    their application." — what the confirmation, the result screen and the resume offer say."""
    many = f"{count:,} number{'' if count == 1 else 's'}"
    clauses: list[tuple[str, str]] = []  # (first clause, the same for the clauses after it)
    if "app_id" in changes:
        app = changes["app_id"]
        clauses.append((f"Link {many} to application {app}", f"link them to application {app}") if app
                       else (f"Unlink the application of {many}", "unlink their application"))
    if "mo_http_url" in changes:
        url = changes["mo_http_url"]
        clauses.append((f"Set the inbound SMS webhook of {many} to {url}", f"set their inbound SMS webhook to {url}")
                       if url else (f"Remove the inbound SMS webhook of {many}", "remove their inbound SMS webhook"))
    if "voice_callback_type" in changes or "voice_callback_value" in changes:
        kind, value = changes.get("voice_callback_type", ""), changes.get("voice_callback_value", "")
        clauses.append((f"Route the voice calls of {many} to {kind} {value}", f"route their voice calls to {kind} {value}")
                       if kind else (f"Remove the voice routing of {many}", "remove their voice routing"))
    if "voice_status_callback" in changes:
        url = changes["voice_status_callback"]
        clauses.append((f"Set the voice status webhook of {many} to {url}", f"set their voice status webhook to {url}")
                       if url else (f"Remove the voice status webhook of {many}", "remove their voice status webhook"))
    if not clauses:
        return f"Change nothing on {many}."
    return "; ".join([clauses[0][0], *(later for _, later in clauses[1:])]) + "."


def check_bulk_changes(changes: Mapping[str, str], sample: OwnedRecord) -> None:
    """Refuse bad input before anything is sent (InputError naming the field).

    Each field is checked on its own, and the voice pair together (a type needs a value that suits it),
    as every number will get the same pair whatever it had.
    """
    from tui.api.request_models import NumberUpdate

    unknown = set(changes) - set(BULK_FIELDS)
    if unknown:
        raise ValueError(f"not a bulk-edit field: {sorted(unknown)}")
    NumberUpdate.check_changes(sample.country, sample.msisdn, **changes)
    voice = {k: changes[k] for k in ("voice_callback_type", "voice_callback_value") if k in changes}
    if voice:
        NumberUpdate.merged({"country": sample.country, "msisdn": sample.msisdn}, voice)


def changes_applied(number: Any, changes: Mapping[str, str]) -> bool:
    """Does ``number`` (an owned number as read) hold every one of ``changes``? ("" = unset)"""
    for name, wanted in changes.items():
        current = getattr(number, name, None) or ""
        if name == "voice_callback_type":
            current, wanted = str(current).lower(), wanted.lower()
        if (wanted or "") != current:
            return False
    return True


def _plan_from(entry: JournalEntry) -> BulkPlan | None:
    """A plan read back from its journal entry (None when the entry is not one we can act on)."""
    details = entry.details if isinstance(entry.details, dict) else {}
    changes, numbers = details.get("changes"), details.get("numbers")
    if not isinstance(changes, dict) or not isinstance(numbers, list) or not entry.batch:
        return None
    if not changes or any(k not in BULK_FIELDS or not isinstance(v, str) for k, v in changes.items()):
        return None
    pairs = [tuple(n) for n in numbers if isinstance(n, list) and len(n) == 2 and all(isinstance(x, str) for x in n)]
    if len(pairs) != len(numbers):
        return None
    return BulkPlan(entry.batch, dict(changes), tuple(pairs), started=entry.ts)  # type: ignore[arg-type]


def _status(plan: BulkPlan, items: Iterable[JournalEntry]) -> BulkStatus:
    latest: dict[str, JournalEntry] = {}
    done: set[str] = set()
    for entry in items:
        if entry.op != "update":
            continue
        latest[entry.target] = entry
        if entry.state == DONE:
            done.add(entry.target)
    status = BulkStatus(plan, entries=latest)
    for msisdn, _ in plan.numbers:
        entry = latest.get(msisdn)
        if msisdn in done:
            status.done.append(msisdn)
        elif entry is not None and entry.state in (PENDING, UNKNOWN):
            status.unknown.append(msisdn)
        else:
            status.left.append(msisdn)
    return status


class BulkOperations(NumberOperations):
    """Plan, run, resume and close bulk edits of owned numbers."""

    async def start_bulk_edit(self, numbers: Sequence[OwnedRecord], changes: Mapping[str, str]) -> BulkPlan:
        """Journal the plan (before anything is sent: a failing disk stops the edit here)."""
        plan = BulkPlan("bulk-" + uuid.uuid4().hex[:12], dict(changes),
                        tuple((n.msisdn, n.country) for n in numbers), started=time.time())
        details = {"changes": dict(plan.changes), "numbers": [list(n) for n in plan.numbers]}
        entry = await self._begin(PLAN_OP, plan.batch, batch=plan.batch, details=details)
        await self._end(entry, DONE, f"planned: {plan.describe()}")
        return plan

    async def bulk_status(self, plan: BulkPlan) -> BulkStatus:
        if self.journal is None:
            return _status(plan, ())
        return _status(plan, await asyncio.to_thread(self.journal.batch_items, plan.batch))

    async def unfinished_bulk_edits(self) -> list[BulkStatus]:
        """This profile's (and account's) bulk edits that were stopped before every number was done.

        A plan whose numbers turn out all done (a crash just before it was closed) is closed here.
        """
        if self.journal is None:
            return []
        entries = await asyncio.to_thread(self.journal.entries)
        closed = {e.batch for e in entries if e.op == CLOSE_OP}
        by_batch: dict[str, list[JournalEntry]] = {}
        for entry in entries:
            by_batch.setdefault(entry.batch, []).append(entry)
        found = []
        for entry in entries:
            if entry.op != PLAN_OP or entry.batch in closed or entry.profile != self.profile:
                continue
            if entry.account and entry.account != self.client.api_key:
                continue  # another account's numbers: offered when that account logs in
            plan = _plan_from(entry)
            if plan is None:
                continue
            status = _status(plan, by_batch.get(plan.batch, ()))
            if status.unknown or status.left:
                found.append(status)
            else:
                await self.close_bulk_edit(plan, f"finished: {len(status.done)} done")
        return found

    async def close_bulk_edit(self, plan: BulkPlan, text: str) -> None:
        """Nothing more is to happen to this batch (it finished, or the user left it)."""
        entry = await self._begin(CLOSE_OP, plan.batch, batch=plan.batch)
        await self._end(entry, DONE, text)

    async def run_bulk_edit(
        self, plan: BulkPlan, on_item: Callable[[BulkItem], None] | None = None, *, concurrency: int = CONCURRENCY,
    ) -> list[BulkItem]:
        """Edit every number of ``plan`` not yet done; ``on_item`` hears each outcome as it comes.

        Numbers done in an earlier run are reported as done and not touched; unknown ones are read
        first and sent only if the change is not there. One failure never stops the rest. When every
        number has an outcome the batch is closed; cancelled (Ctrl+X) or killed, it stays open to resume.
        """
        status = await self.bulk_status(plan)
        countries = dict(plan.numbers)
        items: list[BulkItem] = []

        def report(item: BulkItem) -> None:
            items.append(item)
            if on_item is not None:
                on_item(item)

        for msisdn in status.done:
            report(BulkItem(msisdn, countries[msisdn], DONE, "done in an earlier run"))
        unknown, done = set(status.unknown), set(status.done)
        todo = iter([(m, c) for m, c in plan.numbers if m not in done])

        async def worker() -> None:
            for msisdn, country in todo:  # one shared iterator: each number goes to one worker
                entry = status.entries.get(msisdn) if msisdn in unknown else None
                report(await self._edit_one(plan, msisdn, country, entry))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(max(1, min(concurrency, len(plan.numbers)))):
                    group.create_task(worker())
        except BaseExceptionGroup as errors:  # a bug in one number's code: raise it as itself
            raise errors.exceptions[0] from None
        counts = {state: sum(1 for i in items if i.state == state) for state in (DONE, FAILED, UNKNOWN, CONFLICT)}
        await self.close_bulk_edit(plan, "finished: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
        return items

    async def _edit_one(self, plan: BulkPlan, msisdn: str, country: str, unknown: JournalEntry | None) -> BulkItem:
        """One number: read (and, if it was unknown, check), change, write; always an outcome, never a raise."""
        try:
            if unknown is not None:
                checked = await self._settle_unknown(msisdn, country, plan.changes, unknown)
                if checked is not None:
                    return checked
            outcome = await self.update_number(OwnedRecord(msisdn, country), plan.changes, batch=plan.batch)
        except VonageError as exc:  # refused, not found, a read that failed: nothing was changed
            return BulkItem(msisdn, country, FAILED, exc.message)
        except OSError as exc:  # the journal could not be written: the update was not sent
            return BulkItem(msisdn, country, FAILED, f"not sent: the local journal could not be written "
                                                     f"({type(exc).__name__})")
        # update_number put the record in the owned list as its last step, with no await since: the
        # list's version now is the one that change produced (views apply it as one step).
        version = self.account.owned.version
        if outcome.ok:
            record = outcome.result if isinstance(outcome.result, OwnedRecord) else None
            return BulkItem(msisdn, country, DONE, outcome.message, record, version if record else 0)
        if isinstance(outcome.result, UpdateConflict):
            return BulkItem(msisdn, country, CONFLICT, "changed by someone else since it was read; not sent again")
        return BulkItem(msisdn, country, UNKNOWN if outcome.unknown else FAILED, outcome.message)

    async def _settle_unknown(
        self, msisdn: str, country: str, changes: Mapping[str, str], entry: JournalEntry,
    ) -> BulkItem | None:
        """An update of an earlier run whose answer never came: is the change there? None = send it now."""
        try:
            number = await self.client.get_owned_number(msisdn, country=country or None)
        except VonageError as exc:
            return BulkItem(msisdn, country, UNKNOWN, f"still unknown: reading it failed ({exc.message}); not sent")
        if number is None:
            await self._end(entry.id, FAILED, f"{msisdn} is no longer on this account", reconciled=True)
            return BulkItem(msisdn, country, FAILED, f"{msisdn} is no longer on this account")
        if changes_applied(number, changes):
            text = f"Updated {msisdn} (confirmed by reading the number before continuing)"
            note = await self._end(entry.id, DONE, text, reconciled=True)
            record = OwnedRecord.from_model(number)
            self.account.owned.upsert(record)
            return BulkItem(msisdn, country, DONE, text + note, record, self.account.owned.version)
        await self._end(entry.id, FAILED, "not applied (checked before continuing)", reconciled=True)
        return None


__all__ = [
    "BULK_FIELDS", "CLOSE_OP", "CONCURRENCY", "CONFLICT", "PLAN_OP", "BulkItem", "BulkOperations", "BulkPlan",
    "BulkStatus", "changes_applied", "check_bulk_changes", "describe_changes",
]
