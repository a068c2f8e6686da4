"""Rotate the active profile's API secret without ever locking the user out. No Textual imports.

The steps, and the one rule that makes them safe: *a secret is never revoked while it is the one stored
for the profile or the one the client is connected with*. Whatever step fails (or if the task is cancelled
half-way), the stored secret and the connected secret both still exist on the server, so the user can
always call the API and log in again.

1. list the account's secrets (old credentials): exactly one must exist — ours. Two means the account is at
   its limit of two: the user must revoke the other one first; nothing is changed.
2. create the new secret (journaled, via ``Operations.create_secret``).
3. store the new secret for the profile (``store`` callback: keyring, or memory in demo mode).
4. reconnect the shared client with the new secret (``connect`` callback) and verify it with a read-only
   call (the secrets list must answer and contain the new id).
5. revoke the old secret with the new credentials.

Roll-back: if 3 or 4 fails, reconnect with the old secret, store the old secret again, and only then
revoke the new one (with the old credentials). If 5 fails, both secrets keep working and the result says
the old one still exists.
"""

from __future__ import annotations

import secrets as _secrets
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from tui.api import validators
from tui.api.errors import VonageError
from tui.crash import hold

if TYPE_CHECKING:
    from tui.api.client import VonageClient
    from tui.operations import Operations, Outcome

SecretCallback = Callable[[SecretStr], Awaitable[Any]]

_ALPHABET = string.ascii_letters + string.digits


def generate_secret(length: int = 24) -> str:
    """A random secret that meets Vonage's rules (8-25 chars, lower, upper, digit), from ``secrets``."""
    length = max(8, min(25, length))
    while True:
        candidate = "".join(_secrets.choice(_ALPHABET) for _ in range(length))
        if not validators.secret_rules(candidate):
            return candidate


def _why(exc: BaseException) -> str:
    """A failure as words; never the exception's own text unless it is one of ours (which hold no secret).

    Ours: the API layer's ``VonageError`` and ``tui.credentials``' errors (documented never to hold a
    secret; matched by module so this module does not import the keyring at start-up).
    """
    if isinstance(exc, VonageError):
        return exc.message
    if type(exc).__module__ == "tui.credentials" and str(exc):
        return str(exc)
    return f"{type(exc).__name__}"


@dataclass
class RotationResult:
    """What a rotation did, in words the user can trust."""

    ok: bool
    """True when the new secret is stored and in use (the old one may still exist: see ``complete``)."""
    message: str
    complete: bool = False
    """True when the old secret was revoked too."""
    new_secret_id: str | None = None
    old_secret_ids: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    rolled_back: bool = False
    in_use_id: str | None = None
    """The id of the secret the session now uses, when known."""
    leftover_ids: list[str] = field(default_factory=list)
    """Secrets that still exist but should not (a roll-back or revoke that failed)."""
    steps: list[str] = field(default_factory=list)


class SecretRotation:
    """One rotation for one account. Each step is a method so a test can make exactly one of them fail."""

    def __init__(
        self,
        *,
        client: Callable[[], VonageClient],
        ops: Operations,
        connect: SecretCallback,
        store: SecretCallback,
    ) -> None:
        self._client = client
        self._ops = ops
        self._connect = connect
        self._store = store
        #: What has been done so far, in order (read it if the task is cancelled half-way).
        self.steps: list[str] = []

    # -- the steps (overridable) ---------------------------------------------------------------

    async def list_ids(self) -> list[str]:
        return [s.id for s in await self._client().list_secrets()]

    async def create(self, secret: SecretStr) -> Outcome:
        return await self._ops.create_secret(secret)  # type: ignore[arg-type]

    async def store(self, secret: SecretStr) -> None:
        await self._store(secret)

    async def connect(self, secret: SecretStr) -> None:
        await self._connect(secret)

    async def verify(self, new_id: str | None) -> None:
        """A read-only call with the (new) client; the new secret must be listed."""
        ids = await self.list_ids()
        if new_id is not None and new_id not in ids:
            raise VonageError("the new secret is not listed by the account")

    async def revoke(self, secret_id: str) -> Outcome:
        return await self._ops.revoke_secret(secret_id)

    # -- the whole rotation --------------------------------------------------------------------

    async def run(self, old_secret: SecretStr, new_secret: SecretStr | None = None) -> RotationResult:
        if new_secret is None:
            new_secret = SecretStr(generate_secret())
            hold(new_secret)
        steps = self.steps

        # 1. which secret is ours
        try:
            old_ids = await self.list_ids()
        except Exception as exc:  # noqa: BLE001
            return RotationResult(False, f"Could not list the secrets ({_why(exc)}); nothing was changed.")
        if len(old_ids) >= 2:
            return RotationResult(
                False,
                "This account already has two secrets, the most it may have. Revoke the one this profile "
                "does not use first, then rotate. Nothing was changed.",
                old_secret_ids=old_ids,
            )
        if not old_ids:
            return RotationResult(False, "The account lists no secrets; nothing was changed.")
        steps.append("listed the current secret")

        # 2. create
        try:
            created = await self.create(new_secret)
        except Exception as exc:  # noqa: BLE001
            return RotationResult(
                False, f"Could not create the new secret ({_why(exc)}); nothing was changed.",
                old_secret_ids=old_ids, in_use_id=old_ids[0], steps=steps,
            )
        if not created.ok:
            if created.unknown:
                text = (
                    f"Creating the new secret may or may not have worked ({created.message}). The old secret "
                    "is still stored and in use; refresh the list and revoke any secret you do not recognise."
                )
            else:
                text = f"Could not create the new secret ({created.message}); nothing was changed."
            return RotationResult(False, text, old_secret_ids=old_ids, in_use_id=old_ids[0], steps=steps)
        new_id = getattr(created.result, "id", None)
        steps.append(f"created secret {new_id or '(id unknown)'}")

        # 3. store, 4. reconnect + verify
        stored_new = connected_new = False
        try:
            await self.store(new_secret)
            stored_new = True
            steps.append("stored the new secret for this profile")
            await self.connect(new_secret)
            connected_new = True
            await self.verify(new_id)
            steps.append("the new secret works")
        except Exception as exc:  # noqa: BLE001
            what = "checking the new secret" if stored_new else "storing the new secret"
            return await self._roll_back(
                old_secret, old_ids, new_id, f"{what} failed ({_why(exc)})",
                stored_new=stored_new, connected_new=connected_new, steps=steps,
            )

        # 5. revoke the old one(s) with the new credentials
        revoked: list[str] = []
        failures: list[str] = []
        for old_id in old_ids:
            try:
                outcome = await self.revoke(old_id)
                ok, why = outcome.ok, outcome.message
            except Exception as exc:  # noqa: BLE001
                ok, why = False, _why(exc)
            if ok:
                revoked.append(old_id)
                steps.append(f"revoked the old secret {old_id}")
            else:
                failures.append(f"{old_id} ({why})")
        left = [i for i in old_ids if i not in revoked]
        if failures:
            text = (
                f"The new secret {new_id} is stored and in use, but the old secret {', '.join(failures)} could "
                "not be revoked: it still exists and still works. Revoke it from the Secrets list (d) when you "
                "have checked nothing else uses it."
            )
            return RotationResult(
                True, text, complete=False, new_secret_id=new_id, old_secret_ids=old_ids, revoked=revoked,
                in_use_id=new_id, leftover_ids=left, steps=steps,
            )
        return RotationResult(
            True,
            f"Rotated: the new secret {new_id} is stored for this profile and in use; "
            f"the old secret {', '.join(old_ids)} was revoked.",
            complete=True, new_secret_id=new_id, old_secret_ids=old_ids, revoked=revoked, in_use_id=new_id,
            steps=steps,
        )

    async def _roll_back(
        self,
        old_secret: SecretStr,
        old_ids: list[str],
        new_id: str | None,
        reason: str,
        *,
        stored_new: bool,
        connected_new: bool,
        steps: list[str],
    ) -> RotationResult:
        """Back to the old secret; the new one is revoked only once nothing depends on it any more."""
        problems: list[str] = []
        if connected_new:
            try:
                await self.connect(old_secret)
                steps.append("reconnected with the old secret")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"reconnecting with the old secret failed ({_why(exc)})")
        if stored_new:
            try:
                await self.store(old_secret)
                steps.append("stored the old secret again")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"storing the old secret again failed ({_why(exc)})")
        in_use = old_ids[0] if not problems else None
        if problems:
            # Something may still depend on the new secret: keep it, so nothing is locked out.
            text = (
                f"Rotation undone only in part: {reason}; {'; '.join(problems)}. Both secrets still exist "
                f"and work (new: {new_id or 'id unknown'}); check which one this profile stores before "
                "revoking either."
            )
            return RotationResult(
                False, text, new_secret_id=new_id, old_secret_ids=old_ids, rolled_back=False,
                leftover_ids=[new_id] if new_id else [], steps=steps,
            )
        if new_id is None:
            try:
                new_ids = [i for i in await self.list_ids() if i not in old_ids]
            except Exception:  # noqa: BLE001
                new_ids = []
                problems.append("the new secret's id is unknown: refresh the list and revoke the newer secret")
        else:
            new_ids = [new_id]
        leftover: list[str] = []
        for secret_id in new_ids:
            try:
                outcome = await self.revoke(secret_id)
                ok, why = outcome.ok, outcome.message
            except Exception as exc:  # noqa: BLE001
                ok, why = False, _why(exc)
            if ok:
                steps.append(f"revoked the new secret {secret_id}")
            else:
                leftover.append(secret_id)
                problems.append(f"the new secret {secret_id} could not be revoked ({why}); revoke it with d")
        text = f"Rotation rolled back: {reason}. The old secret is stored and in use as before."
        if problems:
            text += " " + "; ".join(problems) + "."
        return RotationResult(
            False, text, new_secret_id=new_id, old_secret_ids=old_ids, rolled_back=True, in_use_id=in_use,
            leftover_ids=leftover, steps=steps,
        )


__all__ = ["RotationResult", "SecretRotation", "generate_secret"]
