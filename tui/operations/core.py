"""The core of every change: journal first, send once, and after an ambiguous failure read the truth.

Why a layer between screens and the client: a write that money or ownership depends on (buy,
cancel, top-up, secret create/revoke, pool changes) can fail *ambiguously* — the connection drops
or the server answers 5xx after the request was sent. Retrying could buy twice; giving up could
hide a purchase. So each operation records its intent in the journal, sends the request once,
and after an ambiguous failure reads the truth (is the number owned now? does the secret exist?)
and reports what actually happened. Screens, the soak test and start-up reconciliation all use
this same code. No Textual imports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.account_state import AccountState
from tui.api.errors import VonageError
from tui.journal import DONE, FAILED, UNKNOWN, Journal

logger = logging.getLogger("tui.operations")

if TYPE_CHECKING:
    from tui.api.client import VonageClient


def is_ambiguous(exc: BaseException) -> bool:
    """True when a write may or may not have happened on the server (the API layer decides:
    ``VonageError.outcome_unknown`` — anything after the request may have reached the server)."""
    return isinstance(exc, VonageError) and exc.outcome_unknown


def lost_reason(exc: VonageError) -> str:
    """Why an answer was lost, in a few words (the error's own sentence may say "refresh to check",
    which reading the account has just done)."""
    from tui.api.errors import BadResponse, RequestTimeout, ServerError

    if isinstance(exc, RequestTimeout):
        return "no answer in time"
    if isinstance(exc, ServerError):
        return f"Vonage answered {exc.status or '5xx'}"
    if isinstance(exc, BadResponse):
        return "the answer could not be read"
    return "the connection dropped"


LATE_CHECKS: tuple[float, ...] = (1.0, 3.0)
"""Seconds between the read-backs after an answer that may still come (a timeout, a gateway 502 or 504)."""


def may_land_late(exc: VonageError) -> bool:
    """True when the server may still be working on the request: it timed out, or a gateway gave up on it.

    A server that closed the connection or sent an unreadable answer has stopped working on this
    request; one we stopped waiting for, or a gateway gave up on, may still be working on it.
    """
    from tui.api.errors import RequestTimeout, ServerError

    return isinstance(exc, RequestTimeout) or (isinstance(exc, ServerError) and exc.status in (None, 502, 504))


class CannotCheck(Exception):
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

    @property
    def unknown(self) -> list[str]:
        return [k for k, o in self.outcomes.items() if o.unknown]


class OperationsCore:
    """Journaled, reconciled writes for one profile: the parts every kind of change shares."""

    def __init__(
        self,
        client: Callable[[], VonageClient],
        journal: Journal | None,
        profile: str,
        account: AccountState | None = None,
    ) -> None:
        self._client = client
        self.journal = journal
        self.profile = profile
        self.account = account if account is not None else AccountState()
        self._cancelled: list[str] = []  # changes cut off by a cancellation, until a screen has said so

    def take_cancelled(self) -> list[str]:
        """The changes cut off mid-request since the last call (each is said once)."""
        taken, self._cancelled = self._cancelled, []
        return taken

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

    def _end_cancelled(self, entry_id: str, target: str) -> None:
        """Mark an entry whose request was cut off by a cancellation: unknown, to be read back.

        Synchronous on purpose: a cancelled task may not await again, and one short append cannot wait.
        """
        text = f"Unknown whether it happened: {target}: stopped while waiting for the answer"
        self._cancelled.append(text)
        if self.journal is None or not entry_id:
            return
        try:
            self.journal.end(entry_id, UNKNOWN, text)
        except OSError as exc:
            logger.warning("could not complete journal entry %s (%s)", entry_id, type(exc).__name__)

    async def _run(
        self,
        op: str,
        target: str,
        send: Callable[[], Awaitable[Any]],
        check: Callable[[], Awaitable[bool]],
        *,
        done_text: str,
        not_done_text: str,
        entry_id: str | None = None,
        **journal_kw: Any,
    ) -> Outcome:
        """Send once; on an ambiguous failure, ``check`` reads whether the change took effect.

        The journal entry is written before sending (a failing disk stops the change before any
        money moves), here or by the caller (``entry_id``). If the task is cancelled while the request is out (the user left, the app is
        closing), the entry is ended "unknown" there and then, so the same change is not offered
        again as if nothing had happened; the next start-up still reads it back.
        """
        entry = entry_id if entry_id is not None else await self._begin(op, target, **journal_kw)
        try:
            result = await send()
        except asyncio.CancelledError:
            self._end_cancelled(entry, target)
            raise
        except VonageError as exc:
            if not is_ambiguous(exc):
                note = await self._end(entry, FAILED, exc.message)
                return Outcome(False, exc.message + note, entry_id=entry, error=exc)
            return await self._settle(entry, target, exc, check, done_text, not_done_text)
        note = await self._end(entry, DONE, done_text)
        return Outcome(True, done_text + note, entry_id=entry, result=result)

    async def _settle(
        self, entry: str, target: str, exc: VonageError, check: Callable[[], Awaitable[bool]],
        done_text: str, not_done_text: str,
    ) -> Outcome:
        """The answer was lost: read the account to learn what happened, and say "unknown" if we cannot.

        One story per outcome: what was lost and why, then what reading the account showed.
        """
        lost = f"the answer was lost ({lost_reason(exc)})"
        late = may_land_late(exc)
        try:
            happened = await check()
            for delay in LATE_CHECKS if late else ():
                if happened:
                    break
                await asyncio.sleep(delay)
                happened = await check()
        except asyncio.CancelledError:
            self._end_cancelled(entry, target)
            raise
        except CannotCheck as why:
            text = f"Unknown whether it happened: {target}: {lost} and {why}. Check it before trying again."
            note = await self._end(entry, UNKNOWN, text)
            return Outcome(False, text + note, unknown=True, entry_id=entry, error=exc)
        except VonageError as check_exc:
            text = (f"Unknown whether it happened: {target}: {lost}, and reading the account failed too "
                    f"({check_exc.message}). Refresh before trying again.")
            note = await self._end(entry, UNKNOWN, text)
            return Outcome(False, text + note, unknown=True, entry_id=entry, error=exc)
        if happened:
            text = f"{done_text}: {lost}, and it was confirmed by reading the account after"
            note = await self._end(entry, DONE, text, reconciled=True)
            return Outcome(True, text + note, reconciled=True, entry_id=entry)
        if late:  # not seen yet is no proof: a server that was still working may carry it out after
            waited = sum(LATE_CHECKS)
            text = (f"Unknown whether it happened: {target}: {lost}, and it was not on the account {waited:g} s "
                    "later; a slow server may still carry it out. It is checked again at the next start; "
                    "refresh (r) before trying again.")
            note = await self._end(entry, UNKNOWN, text)
            return Outcome(False, text + note, unknown=True, entry_id=entry, error=exc)
        text = f"{not_done_text}: {lost}, and reading the account after shows no change"
        note = await self._end(entry, FAILED, text, reconciled=True)
        return Outcome(False, text + note, reconciled=True, entry_id=entry, error=exc)

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

    async def read_balance(self) -> Any:
        """Read the balance and keep it in the account state (every balance the app shows comes from here)."""
        balance = await self.client.get_balance()
        self.account.balance = balance
        return balance


__all__ = ["LATE_CHECKS", "BatchReport", "CannotCheck", "OperationsCore", "Outcome", "is_ambiguous", "may_land_late"]
