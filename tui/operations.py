"""Every change to an account goes through here: journaled first, never blindly retried.

Why a layer between screens and the client: a write that money or ownership depends on (buy,
cancel, top-up, secret create/revoke, pool changes) can fail *ambiguously* — the connection drops
or the server answers 5xx after the request was sent. Retrying could buy twice; giving up could
hide a purchase. So each operation here records its intent in the journal, sends the request once,
and after an ambiguous failure reads the truth (is the number owned now? does the secret exist?)
and reports what actually happened. Screens, the soak test and start-up reconciliation all use
this same code. No Textual imports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tui.api.errors import BadResponse, NetworkError, NotFound, ServerError, VonageError
from tui.journal import DONE, FAILED, UNKNOWN, Journal, JournalEntry

logger = logging.getLogger("tui.operations")

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.api.client import VonageClient
    from tui.api.models import BatchResult, NumberUpdate, OwnedNumber


def is_ambiguous(exc: BaseException) -> bool:
    """True when a write may or may not have happened on the server.

    A lost answer (dropped or timed-out after sending), a 5xx, and an answer we could not read
    (``BadResponse``: e.g. a 200 whose body a proxy mangled — the server may well have done it) all
    leave the outcome open; anything else is a definite refusal.
    """
    if isinstance(exc, NetworkError):
        return exc.request_sent
    return isinstance(exc, (ServerError, BadResponse))


class _CannotCheck(Exception):
    """The change cannot be read back with these credentials (e.g. a subaccount's numbers)."""


@dataclass
class Outcome:
    """What happened to one change, in words the user can trust."""

    ok: bool
    message: str
    reconciled: bool = False
    unknown: bool = False
    entry_id: str = ""
    result: Any = None
    error: VonageError | None = None


@dataclass
class BatchReport:
    """Per-item outcomes of a batch; ``batch`` names it in the journal so it can be resumed."""

    batch: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def succeeded(self) -> list[str]:
        return [k for k, o in self.outcomes.items() if o.ok]

    @property
    def failed(self) -> list[str]:
        return [k for k, o in self.outcomes.items() if not o.ok]


class Operations:
    """Journaled, reconciled writes for one profile."""

    def __init__(
        self,
        client: Callable[[], VonageClient],
        journal: Journal | None,
        profile: str,
    ) -> None:
        self._client = client
        self.journal = journal
        self.profile = profile

    @property
    def client(self) -> VonageClient:
        return self._client()

    # -- journal helpers (file I/O off the event loop) ----------------------------------------

    async def _begin(self, op: str, target: str, **kw: Any) -> str:
        if self.journal is None:
            return ""
        return await asyncio.to_thread(
            self.journal.begin, profile=self.profile, op=op, target=target, account=self.client.api_key, **kw
        )

    async def _end(self, entry_id: str, state: str, outcome: str, *, reconciled: bool = False) -> str:
        """Record how an entry ended; returns "" or a sentence to add when the journal could not be written.

        The change has already happened (or not) on the server by now, so a failing disk must not turn
        a completed purchase into an exception that reads as "it failed": the caller still reports
        the true outcome, plus this note.
        """
        if self.journal is None or not entry_id:
            return ""
        try:
            await asyncio.to_thread(self.journal.end, entry_id, state, outcome, reconciled=reconciled)
        except OSError as exc:
            logger.warning("could not complete journal entry %s (%s)", entry_id, type(exc).__name__)
            return f" (the local journal could not be updated: {type(exc).__name__})"
        return ""

    async def _run(
        self,
        op: str,
        target: str,
        send: Callable[[], Awaitable[Any]],
        check: Callable[[], Awaitable[bool]],
        *,
        done_text: str,
        not_done_text: str,
        **journal_kw: Any,
    ) -> Outcome:
        """Send once; on an ambiguous failure, ``check`` reads whether the change took effect.

        The journal entry is written before sending (a failing disk stops the change before any
        money moves). If the task is cancelled while the request is out, the entry stays pending
        and the next start-up reconciles it.
        """
        entry = await self._begin(op, target, **journal_kw)
        try:
            result = await send()
        except VonageError as exc:
            if not is_ambiguous(exc):
                note = await self._end(entry, FAILED, exc.message)
                return Outcome(False, exc.message + note, entry_id=entry, error=exc)
            try:
                happened = await check()
            except _CannotCheck as why:
                text = (
                    f"{target}: the answer was lost ({exc.message}) and {why}. "
                    "Check it before trying again."
                )
                note = await self._end(entry, UNKNOWN, text)
                return Outcome(False, text + note, unknown=True, entry_id=entry, error=exc)
            except VonageError as check_exc:
                text = (
                    f"{target}: the answer was lost ({exc.message}) and checking failed too "
                    f"({check_exc.message}). Refresh before trying again."
                )
                note = await self._end(entry, UNKNOWN, text)
                return Outcome(False, text + note, unknown=True, entry_id=entry, error=exc)
            if happened:
                text = f"{done_text} (confirmed by reading the account after: {exc.message})"
                note = await self._end(entry, DONE, text, reconciled=True)
                return Outcome(True, text + note, reconciled=True, entry_id=entry)
            text = f"{not_done_text} ({exc.message}; the account shows no change)"
            note = await self._end(entry, FAILED, text, reconciled=True)
            return Outcome(False, text + note, reconciled=True, entry_id=entry, error=exc)
        note = await self._end(entry, DONE, done_text)
        return Outcome(True, done_text + note, entry_id=entry, result=result)

    # -- numbers ------------------------------------------------------------------------------

    async def _is_owned(self, msisdn: str, target_api_key: str | None = None) -> bool:
        """Whether the account (or ``target_api_key``'s account) owns ``msisdn`` now.

        The owned-numbers list answers for the credentials' own account only, so for another
        account (a subaccount) the truth cannot be read: ``_CannotCheck``, never a guess.
        """
        if target_api_key and target_api_key != self.client.api_key:
            raise _CannotCheck(f"numbers of account {target_api_key} cannot be listed with these credentials")
        return await self.client.get_owned_number(msisdn) is not None

    async def buy(
        self, country: str, msisdn: str, *, price: Decimal | str | None = None,
        target_api_key: str | None = None, batch: str = "",
    ) -> Outcome:
        async def check() -> bool:
            return await self._is_owned(msisdn, target_api_key)

        return await self._run(
            "buy", msisdn,
            lambda: self.client.buy_number(country, msisdn, target_api_key=target_api_key),
            check,
            done_text=f"Bought {msisdn}",
            not_done_text=f"{msisdn} was not bought",
            country=country, price="" if price is None else str(price), batch=batch,
            details=_target(target_api_key),
        )

    async def cancel(
        self, country: str, msisdn: str, *, target_api_key: str | None = None, batch: str = ""
    ) -> Outcome:
        async def check() -> bool:
            return not await self._is_owned(msisdn, target_api_key)

        return await self._run(
            "cancel", msisdn,
            lambda: self.client.cancel_number(country, msisdn, target_api_key=target_api_key),
            check,
            done_text=f"Cancelled {msisdn}",
            not_done_text=f"{msisdn} was not cancelled",
            country=country, batch=batch, details=_target(target_api_key),
        )

    async def update(self, update: NumberUpdate, *, batch: str = "", attempts: int = 3) -> Outcome:
        """Replace a number's configuration.

        An update is idempotent (it replaces the whole configuration), so after an ambiguous
        failure we read the number back and resend only if it does not match yet.
        """
        wanted = update.model_dump(exclude={"country", "msisdn"})

        async def check() -> bool:
            number = await self.client.get_owned_number(update.msisdn)
            return number is not None and _matches(number, wanted)

        outcome = Outcome(False, "not attempted")
        for _ in range(max(1, attempts)):
            outcome = await self._run(
                "update", update.msisdn,
                lambda: self.client.update_number(update),
                check,
                done_text=f"Updated {update.msisdn}",
                not_done_text=f"{update.msisdn} was not updated yet",
                country=update.country, batch=batch, details={"fields": sorted(k for k, v in wanted.items() if v is not None)},
            )
            if outcome.ok or not outcome.reconciled:
                return outcome
        return outcome

    # -- account ------------------------------------------------------------------------------

    async def top_up(self, trx: str) -> Outcome:
        before = await self.client.get_balance()

        async def check() -> bool:
            after = await self.client.get_balance()
            return after.value > before.value

        return await self._run(
            "top-up", trx, lambda: self.client.top_up(trx), check,
            done_text=f"Topped up with transaction {trx}",
            not_done_text=f"Top-up {trx} did not happen",
            details={"balance_before": str(before.value)},
        )

    # -- secrets (the secret's value is never journaled) --------------------------------------

    async def create_secret(self, secret: str | SecretStr, *, api_key: str | None = None) -> Outcome:
        from pydantic import SecretStr

        if not isinstance(secret, SecretStr):
            secret = SecretStr(secret)  # no frame of ours keeps the value as plain text
        before = {s.id for s in await self.client.list_secrets(api_key)}

        async def check() -> bool:
            after = {s.id for s in await self.client.list_secrets(api_key)}
            return bool(after - before)

        outcome = await self._run(
            "secret-create", api_key or self.client.api_key,
            lambda: self.client.create_secret(secret, api_key),
            check,
            done_text="Created a new secret",
            not_done_text="No new secret was created",
        )
        if outcome.ok and outcome.result is None:
            try:  # only to name the new secret: the secret exists whatever this read says
                after = await self.client.list_secrets(api_key)
            except VonageError:
                return outcome
            outcome.result = next((s for s in after if s.id not in before), None)
        return outcome

    async def revoke_secret(self, secret_id: str, *, api_key: str | None = None) -> Outcome:
        async def check() -> bool:
            return all(s.id != secret_id for s in await self.client.list_secrets(api_key))

        return await self._run(
            "secret-revoke", secret_id,
            lambda: self.client.revoke_secret(secret_id, api_key),
            check,
            done_text=f"Revoked secret {secret_id}",
            not_done_text=f"Secret {secret_id} was not revoked",
        )

    # -- pools --------------------------------------------------------------------------------

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

    async def update_pool(self, pool_id: str, update: Any) -> Outcome:
        async def check() -> bool:
            pool = await self.client.get_pool(pool_id)
            wanted = {k: v for k, v in update.model_dump().items() if v is not None}
            return all(getattr(pool, k, None) == v for k, v in wanted.items())

        return await self._run(
            "pool-update", pool_id, lambda: self.client.update_pool(pool_id, update), check,
            done_text=f"Updated pool {pool_id}", not_done_text=f"Pool {pool_id} was not updated",
        )

    async def delete_pool(self, pool_id: str) -> Outcome:
        async def check() -> bool:
            return not await self._pool_exists(pool_id)

        return await self._run(
            "pool-delete", pool_id, lambda: self.client.delete_pool(pool_id), check,
            done_text=f"Deleted pool {pool_id}", not_done_text=f"Pool {pool_id} was not deleted",
        )

    async def _pool_members(self, pool_id: str) -> set[str]:
        return {_digits(n.number) for n in await self.client.all_pool_numbers(pool_id)}

    async def _pool_membership_check(self, pool_id: str, numbers: list[str], *, adding: bool) -> bool:
        """Did an add (or remove) whose answer was lost take effect? Half of it means "unknown"."""
        wanted = {_digits(n) for n in numbers}
        present = wanted & await self._pool_members(pool_id)
        changed = present if adding else wanted - present
        if changed and changed != wanted:  # e.g. the first batch of 50 went through, later ones not
            raise _CannotCheck(f"only {len(changed)} of the {len(wanted)} numbers changed in the pool")
        return changed == wanted

    async def add_pool_numbers(self, pool_id: str, numbers: list[str]) -> Outcome:
        outcome = await self._run(
            "pool-add", pool_id, lambda: self.client.add_pool_numbers(pool_id, numbers),
            lambda: self._pool_membership_check(pool_id, numbers, adding=True),
            done_text=f"Added {len(numbers)} number(s) to {pool_id}",
            not_done_text=f"Numbers were not added to {pool_id}",
            details={"numbers": numbers},
        )
        _partial(outcome, "added to", pool_id)
        return outcome

    async def remove_pool_numbers(self, pool_id: str, numbers: list[str]) -> Outcome:
        outcome = await self._run(
            "pool-remove", pool_id, lambda: self.client.remove_pool_numbers(pool_id, numbers),
            lambda: self._pool_membership_check(pool_id, numbers, adding=False),
            done_text=f"Removed {len(numbers)} number(s) from {pool_id}",
            not_done_text=f"Numbers were not removed from {pool_id}",
            details={"numbers": numbers},
        )
        _partial(outcome, "removed from", pool_id)
        return outcome

    # -- batches and start-up reconciliation --------------------------------------------------

    async def run_batch(
        self, batch: str, items: dict[str, Callable[[str], Awaitable[Outcome]]]
    ) -> BatchReport:
        """Run each item (keyed by number/id) on its own; one failure never stops the rest.

        Items already done under the same ``batch`` id in the journal are skipped, so running the
        same batch again resumes it.
        """
        report = BatchReport(batch)
        done_before = set()
        if self.journal is not None and batch:
            done_before = {
                e.target for e in await asyncio.to_thread(self.journal.batch_items, batch) if e.state == DONE
            }
        for key, run in items.items():
            if key in done_before:
                report.outcomes[key] = Outcome(True, f"{key}: already done in an earlier run")
                continue
            try:
                report.outcomes[key] = await run(batch)
            except VonageError as exc:
                report.outcomes[key] = Outcome(False, f"{key}: {exc.message}", error=exc)
        return report

    async def reconcile_unfinished(self) -> list[str]:
        """Settle journal entries a crash left open; returns one sentence per entry."""
        if self.journal is None:
            return []
        entries = await asyncio.to_thread(self.journal.unfinished, self.profile)
        # A profile name can be reused for another account (e.g. "default" with other credentials):
        # that account's numbers say nothing about this entry, so leave it for the account it belongs to.
        entries = [e for e in entries if not e.account or e.account == self.client.api_key]
        reports = []
        for entry in entries:
            reports.append(await self._reconcile(entry))
        return reports

    async def _reconcile(self, entry: JournalEntry) -> str:
        checks: dict[str, Callable[[], Awaitable[bool]]] = {
            "buy": lambda: self._is_owned(entry.target),
            "cancel": lambda: self._negate(self._is_owned(entry.target)),
            "secret-revoke": lambda: self._secret_gone(entry.target),
            "pool-create": lambda: self._pool_exists(entry.target),
            "pool-delete": lambda: self._negate(self._pool_exists(entry.target)),
        }
        check = checks.get(entry.op)
        target_key = entry.details.get("target_api_key") if isinstance(entry.details, dict) else None
        if target_key and entry.op in ("buy", "cancel") and target_key != self.client.api_key:
            check = None  # another account's numbers cannot be read back with these credentials
        if check is None:
            text = f"{entry.op} {entry.target}: interrupted; its effect cannot be read back — check it by hand"
            await self._end(entry.id, UNKNOWN, text, reconciled=True)
            return text
        try:
            happened = await check()
        except VonageError as exc:
            return f"{entry.op} {entry.target}: still unknown ({exc.message})"
        state = DONE if happened else FAILED
        verb = "happened" if happened else "did not happen"
        text = f"{entry.op} {entry.target} was interrupted and {verb} (checked at start-up)"
        await self._end(entry.id, state, text, reconciled=True)
        return text

    @staticmethod
    async def _negate(value: Awaitable[bool]) -> bool:
        return not await value

    async def _secret_gone(self, secret_id: str) -> bool:
        return all(s.id != secret_id for s in await self.client.list_secrets())


_APP_ROUTED = (
    ("voice_callback_type", "voice_callback_value"),
    ("messages_callback_type", "messages_callback_value"),
)


def _matches(number: OwnedNumber, wanted: dict[str, Any]) -> bool:
    """Does the number's configuration already equal the update we meant to send?

    Linking an application (``app_id``) makes the server route a callback pair left out of the
    update to that application (type "app", value = the app id), so such a pair counts as matching.
    """
    implied: set[str] = set()
    app_id = wanted.get("app_id")
    if app_id:
        for kind, value in _APP_ROUTED:
            if not wanted.get(kind) and not wanted.get(value):
                if str(getattr(number, kind, "") or "").lower() == "app" and getattr(number, value, None) == app_id:
                    implied.update((kind, value))
    for key, value in wanted.items():
        if key in implied:
            continue
        current = getattr(number, key, None)
        if (value or None) != (current or None):
            return False
    return True


def _digits(value: Any) -> str:
    """A phone number as digits only, as the pools API lists them."""
    return "".join(ch for ch in str(value) if ch.isdigit())


def _target(target_api_key: str | None) -> dict[str, Any]:
    """Journal details naming the account acted on, when it is not the caller's own."""
    return {"target_api_key": target_api_key} if target_api_key else {}


def _partial(outcome: Outcome, verb: str, pool_id: str) -> None:
    """Turn a 207 BatchResult into an honest sentence and ok flag."""
    result: BatchResult | None = outcome.result
    if result is None or not getattr(result, "failed", None):
        return
    failures = "; ".join(
        f"{', '.join(f.numbers)}: {f.detail or f.title}" for f in result.failed
    )
    outcome.ok = bool(result.succeeded)
    outcome.message = (
        f"{len(result.succeeded)} {verb} {pool_id}; failed — {failures}"
    )
