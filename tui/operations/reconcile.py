"""Settling, at start-up, the changes an earlier run left unfinished (a crash, a kill, a lost link).

Each kind of change is read back where the API allows it (is the number owned? does the pool hold
these numbers? do the webhooks read as we set them?). Where it does not — a top-up, another
account's numbers, a created secret — the entry is marked unknown once, with a sentence that says
exactly what to check and where, instead of "check it by hand".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tui.api.errors import VonageError
from tui.journal import DONE, FAILED, UNKNOWN, JournalEntry
from tui.operations.account import CHECK_PAYMENTS, AccountOperations
from tui.operations.core import CannotCheck
from tui.operations.numbers import NumberOperations, _config, _matches, _same_config
from tui.operations.pools import PoolOperations


class Reconciliation(NumberOperations, AccountOperations, PoolOperations):
    """Start-up settlement over every kind of change."""

    async def reconcile_unfinished(self) -> list[str]:
        """Settle journal entries a crash left open; returns one sentence per entry."""
        if self.journal is None:
            return []
        entries = await asyncio.to_thread(self.journal.unfinished, self.profile)
        # A profile name can be reused for another account (e.g. "default" with other credentials):
        # that account's numbers say nothing about this entry, so leave it for the account it belongs to.
        entries = [e for e in entries if not e.account or e.account == self.client.api_key]
        return [await self._reconcile(entry) for entry in entries]

    def _check_for(self, entry: JournalEntry) -> Callable[[], Awaitable[bool]] | None:
        details: dict[str, Any] = entry.details if isinstance(entry.details, dict) else {}
        target = entry.target
        if details.get("target_api_key") not in (None, "", self.client.api_key):
            return None  # another account's numbers cannot be read back with these credentials
        wanted = details.get("wanted")
        numbers = details.get("numbers")
        checks: dict[str, Callable[[], Awaitable[bool]]] = {
            "buy": lambda: self._is_owned(target),
            "cancel": lambda: _negate(self._is_owned(target)),
            "secret-revoke": lambda: self._secret_gone(target, details.get("api_key") or None),
            "pool-create": lambda: self._pool_exists(target),
            "pool-delete": lambda: _negate(self._pool_exists(target)),
        }
        base = details.get("base")
        if isinstance(wanted, dict):
            checks["update"] = lambda: self._number_matches(target, wanted, base if isinstance(base, dict) else None)
            checks["pool-update"] = lambda: self._pool_matches(target, wanted)
            checks["settings"] = lambda: self._settings_match(wanted)
        if isinstance(numbers, list):
            checks["pool-add"] = lambda: self._pool_membership_check(target, numbers, adding=True)
            checks["pool-remove"] = lambda: self._pool_membership_check(target, numbers, adding=False)
        return checks.get(entry.op)

    async def _number_matches(self, msisdn: str, wanted: dict[str, Any], base: dict[str, Any] | None) -> bool:
        """Ours → done; the configuration it was built from → not done; anything else cannot be told apart
        from another administrator's change, so it is unknown (never "not done", which invites a resend)."""
        number = await self.client.get_owned_number(msisdn)
        if number is None:
            raise CannotCheck(f"{msisdn} is no longer on this account")
        if _matches(number, wanted):
            return True
        if base is not None and not _same_config(_config(number), base):
            raise CannotCheck("it now holds neither our change nor what it had before (someone else changed it)")
        return False

    async def _settings_match(self, wanted: dict[str, Any]) -> bool:
        now = await self.client.get_settings()
        return all((getattr(now, k) or "") == v for k, v in wanted.items())

    async def _reconcile(self, entry: JournalEntry) -> str:
        check = self._check_for(entry)
        if check is None:
            text = f"{entry.op} {entry.target}: interrupted; its effect cannot be read back — {what_to_check(entry)}"
            await self._end(entry.id, UNKNOWN, text, reconciled=True)
            return text
        try:
            happened = await check()
        except VonageError as exc:
            return f"{entry.op} {entry.target}: still unknown ({exc.message}); it is checked again at the next start"
        except CannotCheck as exc:  # e.g. half a pool batch was applied
            text = f"{entry.op} {entry.target}: interrupted and only partly done ({exc}) — {what_to_check(entry)}"
            await self._end(entry.id, UNKNOWN, text, reconciled=True)
            return text
        state = DONE if happened else FAILED
        verb = "happened" if happened else "did not happen"
        text = f"{entry.op} {entry.target} was interrupted and {verb} (checked at start-up)"
        await self._end(entry.id, state, text, reconciled=True)
        return text


async def _negate(value: Awaitable[bool]) -> bool:
    return not await value


def what_to_check(entry: JournalEntry) -> str:
    """Exactly what the user should look at to settle ``entry`` themselves."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.ts))
    details: dict[str, Any] = entry.details if isinstance(entry.details, dict) else {}
    other = details.get("target_api_key")
    if entry.op in ("buy", "cancel") and other:
        owns = "owns" if entry.op == "buy" else "still owns"
        return (f"check it by hand: log in as account {other} (or open its numbers in the dashboard) and see "
                f"whether it {owns} {entry.target}")
    if entry.op == "top-up":
        return f"check it by hand: a payment for transaction {entry.target} around {when}; {CHECK_PAYMENTS}"
    if entry.op == "update":
        fields = ", ".join(details.get("fields") or []) or "its settings"
        return f"check it by hand: open {entry.target} on the Numbers screen (e) and check {fields}"
    if entry.op.startswith("pool-"):
        return f"check it by hand: open pool {entry.target} on the Pools screen and check its settings and numbers"
    if entry.op == "secret-create":
        return (f"check it by hand: on the Secrets screen, a secret created around {when} that nothing uses "
                "should be revoked (d)")
    if entry.op == "settings":
        return "check it by hand: the default webhooks on the Account screen"
    return f"check it by hand ({entry.op} around {when})"


__all__ = ["Reconciliation", "what_to_check"]
