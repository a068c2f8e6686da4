"""Changes to numbers: buy, cancel, update — each one journaled, and each whole sequence in one call.

Why whole sequences here and not in the screens: a purchase is more than the POST (read the number
back, put it in the owned list, read the balance that paid for it), and an update is a
read-modify-write whose retry must not overwrite someone else's change. Doing each sequence once,
here, means every screen (and the soak test) gets the same truth, as one outcome.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tui.api.errors import NotFound, VonageError
from tui.operations.core import BatchReport, CannotCheck, OperationsCore, Outcome
from tui.owned import CONFIG_FIELDS, OwnedRecord

if TYPE_CHECKING:
    from tui.api.models import AvailableNumber, NumberUpdate


@dataclass
class BuyOutcome(Outcome):
    """A purchase, start to end: the number, its price, and how the owned list looks after it."""

    msisdn: str = ""
    country: str = ""
    price: Decimal | None = None
    record: OwnedRecord | None = None
    balance_error: str = ""
    base_version: int = 0
    version: int = 0


@dataclass
class UpdateConflict:
    """The number changed, between our read and our write, in a way we did not make."""

    ours: dict[str, Any]
    theirs: dict[str, Any]
    base: dict[str, Any] = field(default_factory=dict)


class NumberOperations(OperationsCore):
    """Buy, cancel and update owned numbers."""

    async def _is_owned(self, msisdn: str, target_api_key: str | None = None) -> bool:
        """Whether the account (or ``target_api_key``'s account) owns ``msisdn`` now.

        The owned-numbers list answers for the credentials' own account only, so for another
        account (a subaccount) the truth cannot be read: ``CannotCheck``, never a guess.
        """
        if target_api_key and target_api_key != self.client.api_key:
            raise CannotCheck(f"numbers of account {target_api_key} cannot be listed with these credentials")
        return await self.client.get_owned_number(msisdn) is not None

    async def buy(
        self, country: str, msisdn: str, *, price: Decimal | str | None = None,
        target_api_key: str | None = None, batch: str = "",
    ) -> Outcome:
        """The purchase itself (journaled, sent once, reconciled); ``buy_number`` is the whole sequence."""
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

    async def buy_number(
        self, number: AvailableNumber, country: str, *, target_api_key: str | None = None
    ) -> BuyOutcome:
        """Buy, then make the purchase true everywhere: the number in the owned list, the balance read back.

        When the answer was lost and cannot be checked the list is marked stale (the next visit reloads
        it) and the balance is read anyway, since the account may have been charged.
        """
        owned = self.account.owned
        base = owned.version
        country = number.country or country
        price = number.initial_price
        outcome = await self.buy(country, number.msisdn, price=price, target_api_key=target_api_key)
        result = BuyOutcome(**vars(outcome), msisdn=number.msisdn, country=country, price=price, base_version=base)
        try:
            return await self._after_buy(result, number, country, target_api_key)
        except asyncio.CancelledError:  # stopped while reading back: the purchase stands, and is said
            owned.invalidate()
            if outcome.ok or outcome.unknown:
                self._cancelled.append(f"{outcome.message} — stopped before the number and the balance were "
                                       "read back (press r on Numbers to refresh)")
            raise

    async def _after_buy(
        self, result: BuyOutcome, number: AvailableNumber, country: str, target_api_key: str | None
    ) -> BuyOutcome:
        """A purchase made true everywhere: the number in the owned list, the balance read back."""
        owned, outcome = self.account.owned, result
        ours = not target_api_key or target_api_key == self.client.api_key
        if outcome.ok and ours:
            try:
                fresh = await self.client.get_owned_number(number.msisdn)
            except VonageError:
                fresh = None
            if fresh is not None:
                record = OwnedRecord.from_model(fresh)
            else:  # the read failed or lags: show what we bought, and reload the list on the next visit
                record = OwnedRecord(number.msisdn, country, number.type, number.features,
                                     limitations=number.limitations)
            owned.upsert(record)
            if fresh is None:
                owned.invalidate()
            result.record = record
        elif outcome.unknown:
            owned.invalidate()
        if outcome.ok or outcome.unknown or outcome.reconciled:
            try:
                await self.read_balance()
            except VonageError as exc:
                result.balance_error = exc.message
        result.version = owned.version
        return result

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

    async def cancel_numbers(self, numbers: Iterable[OwnedRecord]) -> tuple[BatchReport, list[str], int, int]:
        """Cancel each number on its own (one failure never stops the rest) and drop the cancelled ones.

        Each run is its own batch: a number cancelled, bought again and cancelled again is cancelled
        again, never skipped as "already done" by an earlier run's journal. Returns (report, numbers
        removed from the list, list version before, after).
        """
        chosen = list(numbers)
        batch = "cancel-" + uuid.uuid4().hex[:12]
        items = {n.msisdn: (lambda b, n=n: self.cancel(n.country, n.msisdn, batch=b)) for n in chosen}
        report = await self.run_batch(batch, items)
        owned = self.account.owned
        base = owned.version
        removed = report.succeeded
        for msisdn in removed:
            owned.remove(msisdn)
        if report.unknown:
            owned.invalidate()
        return report, removed, base, owned.version

    async def update(
        self, update: NumberUpdate, *, base: Mapping[str, Any] | None = None, batch: str = "", attempts: int = 3,
    ) -> Outcome:
        """Replace a number's configuration with ``update`` (what /number/update does).

        After an ambiguous failure the number is read back: our configuration → done; exactly ``base``
        (the configuration ``update`` was built from) → nothing happened, and only then is it sent
        again; anything else → someone else changed it: stop, unknown, with ours and theirs side by side
        (``Outcome.result`` is an ``UpdateConflict``). Without ``base`` nothing is ever resent.
        """
        wanted = update.model_dump(exclude={"country", "msisdn"})
        seen: list[dict[str, Any]] = []

        async def check() -> bool:
            number = await self.client.get_owned_number(update.msisdn)
            if number is None:
                raise CannotCheck(f"{update.msisdn} is no longer on this account")
            if _matches(number, wanted):
                return True
            current = _config(number)
            if base is not None and not _same_config(current, base):
                seen.append(current)
                raise CannotCheck("the number was changed by someone else since it was read; nothing was resent")
            return False

        outcome = Outcome(False, "not attempted")
        for _ in range(max(1, attempts)):
            outcome = await self._run(
                "update", update.msisdn,
                lambda: self.client.update_number(update),
                check,
                done_text=f"Updated {update.msisdn}",
                not_done_text=f"{update.msisdn} was not updated yet",
                country=update.country, batch=batch,
                details=_update_details(wanted, base),
            )
            if seen:
                outcome.result = UpdateConflict(ours=_plain(wanted), theirs=seen[-1], base=dict(base or {}))
                return outcome
            if outcome.ok or not outcome.reconciled or base is None:
                return outcome
        return outcome

    async def update_number(self, number: OwnedRecord, changes: Mapping[str, str], *, batch: str = "") -> Outcome:
        """Read-modify-write: read the number as the server has it now, overlay ``changes``, send it all.

        ``Outcome.result`` is the number as it is after a successful update (an ``OwnedRecord``), kept in
        the owned list; or an ``UpdateConflict``. Raises InputError (before sending) for a bad change.
        """
        from tui.api.number_config import current_fields, merge_update
        from tui.api.request_models import NumberUpdate

        NumberUpdate.check_changes(number.country, number.msisdn, **changes)
        fresh = await self.client.get_owned_number(number.msisdn, country=number.country or None)
        if fresh is None:
            raise NotFound(f"{number.msisdn} is no longer on this account; refresh with r", status=404)
        current = current_fields(fresh)
        update = merge_update(number.country, number.msisdn, current, dict(changes))
        outcome = await self.update(update, base=current, batch=batch)
        if outcome.ok:
            record = OwnedRecord.from_model(fresh).replace(
                **{name: getattr(update, name) for name in CONFIG_FIELDS})
            self.account.owned.upsert(record)
            outcome.result = record
        elif outcome.unknown:
            self.account.owned.invalidate()
        return outcome


_APP_ROUTED = (
    ("voice_callback_type", "voice_callback_value"),
    ("messages_callback_type", "messages_callback_value"),
)


def _matches(number: Any, wanted: Mapping[str, Any]) -> bool:
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


def _config(number: Any) -> dict[str, Any]:
    """A number's replaceable settings, unset ones left out (the shape of ``current_fields``)."""
    return {name: getattr(number, name) for name in CONFIG_FIELDS if getattr(number, name, None)}


def _same_config(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {k: v for k, v in a.items() if v} == {k: v for k, v in b.items() if v}


def _update_details(wanted: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the journal keeps of an update: the whole configuration sent, unset fields as "" (an update
    that removes a webhook is only recognised by its absence), and the configuration it was built from,
    so that start-up can tell "done" (ours), "not done" (base) and "someone else's change" (neither)."""
    details: dict[str, Any] = {
        "fields": sorted(k for k, v in wanted.items() if v),
        "wanted": {k: ("" if v is None else v) for k, v in wanted.items()},
    }
    if base is not None:
        details["base"] = {k: v for k, v in base.items() if v}
    return details


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v}


def _target(target_api_key: str | None) -> dict[str, Any]:
    """Journal details naming the account acted on, when it is not the caller's own."""
    return {"target_api_key": target_api_key} if target_api_key else {}


__all__ = ["BuyOutcome", "NumberOperations", "UpdateConflict"]
