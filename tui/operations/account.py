"""Changes to the account: top-up, default webhooks, API secrets — journaled, never guessed.

A top-up is the hard one: the API repeats an earlier payment without saying how much it was, and a
lost answer cannot be settled by "did the balance go up?" (other spending at the same time hides a
real top-up and invites a second charge). So a lost top-up is settled as done only when the balance
rose by at least the payment's known amount; otherwise it stays "unknown", and the same transaction
is refused until the user says they checked their payment history.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tui.api.errors import VonageError
from tui.journal import FAILED, PENDING, UNKNOWN, JournalEntry, owner_running
from tui.operations.core import CannotCheck, OperationsCore, Outcome

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.topups import KnownAmount, TopUpAmounts

CHECK_PAYMENTS = (
    "check your payment history in the Vonage dashboard (Billing → Payments) before trying again"
)


@dataclass
class TopUpOutcome(Outcome):
    """A top-up: its transaction, the amount it is known to add, and an earlier unsettled attempt."""

    trx: str = ""
    amount: KnownAmount | None = None
    unsettled: JournalEntry | None = None


class AccountOperations(OperationsCore):
    """Top-up, account settings and secrets."""

    #: Where amounts of auto-reload payments are remembered (None: not remembered, e.g. in tests).
    top_up_amounts: TopUpAmounts | None = None

    # -- top-up -------------------------------------------------------------------------------

    async def known_amount(self, trx: str) -> KnownAmount | None:
        if self.top_up_amounts is None:
            return None
        return await asyncio.to_thread(self.top_up_amounts.get, self.client.api_key, trx)

    async def remember_amount(self, trx: str, amount: Decimal, source: str = "entered") -> None:
        if self.top_up_amounts is not None:
            await asyncio.to_thread(self.top_up_amounts.remember, self.client.api_key, trx, amount, source)

    async def unsettled_top_up(self, trx: str) -> JournalEntry | None:
        """An earlier top-up of ``trx`` that is unknown, or still under way, and not checked by the user.

        "Under way" covers another vonage-tui on the same account paying right now, and a run that died
        mid-payment (its entry is still pending): either way a second payment must wait for the truth.
        """
        if self.journal is None:
            return None
        entries = await asyncio.to_thread(self.journal.entries)
        for entry in reversed(entries):
            if entry.op == "top-up" and entry.target == trx and entry.account in ("", self.client.api_key):
                if entry.state in (UNKNOWN, PENDING) and not entry.acknowledged:
                    return entry
                if entry.state not in (UNKNOWN, PENDING):
                    return None
        return None

    async def _rival_top_up(self, trx: str, ours: str) -> JournalEntry | None:
        """Another instance's top-up of ``trx`` still under way (begun before ours, or at the same time)."""
        if self.journal is None:
            return None
        entries = await asyncio.to_thread(self.journal.entries)
        return next((e for e in entries if e.op == "top-up" and e.target == trx and e.id != ours
                     and e.state == PENDING and e.account in ("", self.client.api_key)), None)

    async def acknowledge_top_up(self, entry: JournalEntry) -> None:
        """The user checked their payment history for this unknown top-up: it no longer blocks a new one."""
        if self.journal is not None:
            await asyncio.to_thread(
                self.journal.end, entry.id, UNKNOWN, "checked by the user in the payment history",
                reconciled=True, acknowledged=True,
            )

    async def top_up(self, trx: str) -> TopUpOutcome:
        """Repeat the auto-reload payment ``trx`` (money): refused while an earlier attempt is unsettled."""
        unsettled = await self.unsettled_top_up(trx)
        known = await self.known_amount(trx)
        if unsettled is not None:
            if unsettled.state == PENDING and owner_running(unsettled.owner):
                text = another_instance_paying(trx)
            else:
                text = f"An earlier top-up with {trx} has an unknown outcome: {CHECK_PAYMENTS}."
            return TopUpOutcome(
                False, text,
                unknown=True, trx=trx, amount=known, unsettled=unsettled,
            )
        # Journaled before anything else (the balance read is a round trip), then checked for a rival: two
        # vonage-tui paying the same transaction at once both see the other's entry and both stand down.
        entry = await self._begin("top-up", trx, details={"amount": str(known.amount) if known else ""})
        rival = await self._rival_top_up(trx, entry)
        if rival is not None:
            await self._end(entry, FAILED, "not sent: another vonage-tui was topping up with it")
            text = another_instance_paying(trx)
            return TopUpOutcome(False, text, trx=trx, amount=known, unsettled=rival)
        try:
            before = await self.read_balance()
        except BaseException:  # not sent (and a cancelled task may not await): ended here and now
            if self.journal is not None and entry:
                self.journal.end(entry, FAILED, "not sent: the balance could not be read first")
            raise

        async def check() -> bool:
            after = await self.read_balance()
            if known is not None and after.value - before.value >= known.amount:
                return True
            raise CannotCheck(f"the balance alone cannot prove it; {CHECK_PAYMENTS}")

        outcome = await self._run(
            "top-up", trx, lambda: self.client.top_up(trx), check,
            done_text=f"Topped up with transaction {trx}",
            not_done_text=f"Top-up {trx} did not happen",
            entry_id=entry,
        )
        result = TopUpOutcome(**vars(outcome), trx=trx, amount=known)
        if outcome.ok and not outcome.reconciled:
            try:
                after = await self.read_balance()
            except VonageError:
                return result
            added = after.value - before.value
            if added > 0 and (known is None or known.source == "measured"):
                await self.remember_amount(trx, added, "measured")
                result.amount = await self.known_amount(trx)
        return result

    # -- settings -----------------------------------------------------------------------------

    async def save_settings(self, changes: dict[str, str]) -> Outcome:
        """Change the default webhooks (journaled like every other change); idempotent, so a lost
        answer is settled by reading the settings back."""
        async def check() -> bool:
            now = await self.client.get_settings()
            return all((getattr(now, k) or "") == v for k, v in changes.items())

        return await self._run(
            "settings", self.client.api_key, lambda: self.client.update_settings(**changes), check,
            done_text="Saved the default webhooks", not_done_text="The default webhooks were not saved",
            details={"fields": sorted(changes), "wanted": dict(changes)},
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
            details={"api_key": api_key} if api_key else {},
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
            details={"api_key": api_key} if api_key else {},  # whose secret: start-up checks that account
        )

    async def _secret_gone(self, secret_id: str, api_key: str | None = None) -> bool:
        return all(s.id != secret_id for s in await self.client.list_secrets(api_key))


def another_instance_paying(trx: str) -> str:
    return f"Another vonage-tui is topping up with {trx} right now: wait for it, then {CHECK_PAYMENTS}."


def describe_amount(known: KnownAmount | None) -> str:
    """"about 10.00 EUR, as last time" / "10.00 EUR, as entered from the dashboard" / "" when unknown."""
    if known is None:
        return ""
    from tui.formatting import money

    if known.source == "entered":
        return f"{money(known.amount)}, as entered from the dashboard"
    return f"about {money(known.amount)}, as last time"


__all__ = ["CHECK_PAYMENTS", "AccountOperations", "TopUpOutcome", "another_instance_paying", "describe_amount"]
