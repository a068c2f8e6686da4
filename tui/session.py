"""One Session per logged-in account: everything the screens need, built and torn down in one place.

Why: the pieces that make a login (where the secret is stored, the one API client with its rate
limiter and retries, the journal of changes, the account's state, the disk cache) must change
together. Building them here, from one ``SessionSpec``, means a new login can never mix one
account's journal or numbers with another's client, and closing a session closes all of it.

No Textual here: the app runs ``open()`` in a worker and announces the session with a message.
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from tui.account_state import AccountState, pace_at_account_limit
from tui.journal import Journal
from tui.operations import Operations
from tui.service import Activity, ApiService
from tui.topups import TopUpAmounts
from tui.subaccounts import KnownSubaccounts

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from pydantic import SecretStr

    from tui.api.client import VonageClient
    from tui.config import Profile
    from tui.credentials import SecretStorage
    from tui.launch import LaunchOptions

#: Where the session's secret lives: a saved profile's store, or only this run.
#: The journal's file name in the config directory (``tui.journal.default_path``'s).
JOURNAL_NAME = "journal.jsonl"
StorageKind = Literal["system", "encrypted-file", "plaintext-file", "memory", "environment", "demo"]
SAVED_STORAGE: frozenset[str] = frozenset({"system", "encrypted-file", "plaintext-file"})

#: What the UI does with a session before it connects. At start-up ``tui.loading`` reads the disk cache
#: into it and shows that list at once, so a restart has its last list on screen before httpx and the
#: models are imported (~200 ms) and the client is built. A context variable, so each App (each test's
#: App too) has its own and nothing outlives it; unset (a later login), the list loader reads the cache
#: once the session is open, when those imports are long done.
before_connect: ContextVar[Callable[[Session], Awaitable[None]] | None] = ContextVar("before_connect", default=None)


@dataclass(frozen=True)
class SessionSpec:
    """How to log in: what start-up, the login form, the environment or the demo decided."""

    api_key: str
    secret: SecretStr = field(repr=False)
    rest_url: str
    api_url: str
    label: str
    storage: StorageKind
    #: The saved profile this login belongs to (None for environment, demo and memory-only logins).
    profile: Profile | None = None
    #: The name journal entries are filed under.
    profile_name: str = "default"
    #: Client-side pacing until the account reports its own ``max-calls-per-second``.
    rate_limit: float | None = 25.0
    #: An already unlocked secret storage (the encrypted file with its master password), for rotation.
    secret_storage: SecretStorage | None = field(default=None, repr=False)


class Session:
    """The logged-in account: its service (client), operations, state, journal and cache."""

    def __init__(
        self,
        spec: SessionSpec,
        *,
        on_activity: Callable[[Activity], None] | None = None,
        journal_path: str | Path | None = None,
        read_only: bool = False,
    ) -> None:
        self.spec = spec
        self.read_only = read_only or bool(spec.profile and spec.profile.read_only)
        self.service = ApiService(on_activity=on_activity)
        self.account = AccountState()
        self._secret = spec.secret
        self._temp_dir: str | None = None
        self._pacing: asyncio.Future[None] | None = None
        self.journal = self._make_journal(journal_path)
        self.ops = Operations(lambda: self.service.client, self.journal, spec.profile_name, self.account)
        self.ops.top_up_amounts = TopUpAmounts(self.journal.path.parent)
        profile = spec.profile
        #: The subaccounts this login may act for: the profile's, typed for the run, the demo's listing.
        self.subaccounts = KnownSubaccounts(spec.api_key, profile.subaccounts if profile else None,
                                            profile=profile.name if profile else None, listable=self.is_demo)

    def __repr__(self) -> str:
        return f"Session({self.spec.label!r}, storage={self.spec.storage!r})"

    # -- what screens read ----------------------------------------------------------------------

    @property
    def client(self) -> VonageClient:
        return self.service.client

    @property
    def api_key(self) -> str:
        return self.spec.api_key

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def is_demo(self) -> bool:
        return self.spec.storage == "demo"

    @property
    def cache_key(self) -> str:
        """The disk cache's name for this account ("" = no cache: the demo's sandbox is new every run)."""
        if self.is_demo:
            return ""
        from tui.cache import profile_key

        return profile_key(self.spec.api_key, urlsplit(self.spec.rest_url).netloc)

    def describe(self, exc: BaseException) -> str:
        """A failure in words that fit how this session logged in (a refused key says what to fix)."""
        from tui.api.errors import AuthError
        from tui.service import describe_error

        if isinstance(exc, AuthError):
            if self.spec.storage == "environment":
                return ("Vonage refused VONAGE_API_KEY/VONAGE_API_SECRET (401): correct or unset them and start "
                        "again, or log in with another key (:login).")
            if self.spec.profile is not None:
                return (f"Vonage refused the key and secret of profile '{self.spec.profile.name}' (401): the secret "
                        "may have been rotated elsewhere. Log in again (:login) to store the current one.")
        return describe_error(exc)

    def known_secrets(self) -> list[str]:
        """The secret in use, plain and as the Basic-auth header carries it (for redaction, never shown)."""
        from tui.crash import basic_forms

        return basic_forms(self.spec.api_key, self._secret.get_secret_value())

    def current_secret(self) -> SecretStr:
        """The secret the session is logged in with (a rotation needs it to roll back); never shown."""
        return self._secret

    # -- life cycle -----------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect the client (httpx and the models are imported off the UI thread), after what the UI
        does first (``before_connect``: at start-up, the disk cache shown); then pace the client at the
        account's own ``max-calls-per-second``, read alongside the first requests (which do not wait for it).

        Nothing can change the account before this returns: the session is not the App's yet, and it
        has no client (``service.connected`` is False), so a list shown early is read-only.
        """
        first = before_connect.get()
        if first is not None:
            await first(self)
        await asyncio.to_thread(importlib.import_module, "tui.api.client")
        spec = self.spec
        await self.service.connect(spec.api_key, self._secret, rest_url=spec.rest_url, api_url=spec.api_url,
                                   rate_limit=spec.rate_limit)
        profile = spec.profile  # a rate the profile sets apart from the default is deliberate: a cap
        default = type(profile).model_fields["rate_limit"].default if profile is not None else None
        cap = profile.rate_limit if profile is not None and profile.rate_limit != default else None
        self._pacing = asyncio.ensure_future(pace_at_account_limit(self.client, self.account, cap=cap))

    async def reconnect(self, secret: SecretStr) -> None:
        """Use another secret from now on (rotation); the old client is closed."""
        client = self.service.client
        await self.service.connect(self.spec.api_key, secret, rest_url=client.rest_url, api_url=client.api_url,
                                   rate_limit=client.limiter.rate)
        self._secret = secret

    async def close(self) -> None:
        """Close the client and remove what belonged to this run only (the demo's journal)."""
        if self._pacing is not None:
            self._pacing.cancel()
        await self.service.close()
        if self._temp_dir is not None:
            await asyncio.to_thread(shutil.rmtree, self._temp_dir, True)
            self._temp_dir = None

    def _make_journal(self, journal_path: str | Path | None) -> Journal:
        if journal_path is not None:  # tests, or a journal kept elsewhere on purpose
            return Journal(Path(journal_path))
        if self.is_demo:
            from tui.demo import temp_dir

            self._temp_dir = temp_dir()
            return Journal(Path(self._temp_dir) / JOURNAL_NAME)
        from tui.paths import config_dir  # Journal()'s own default imports tui.config (pydantic) on the UI thread

        return Journal(config_dir() / JOURNAL_NAME)

    # -- the secret -----------------------------------------------------------------------------

    async def store_secret(self, secret: SecretStr) -> None:
        """Keep a rotated secret where this session's secret lives (memory-only logins: nowhere else)."""
        self._secret = secret
        spec = self.spec
        if spec.storage not in SAVED_STORAGE or spec.profile is None:
            return
        storage = spec.secret_storage
        if storage is None:
            from tui.credentials import SecretStorage

            storage = SecretStorage.for_profile(spec.profile, allow_plaintext=True)
        await asyncio.to_thread(storage.set_secret, spec.profile.name, secret)

    def secret_storage_note(self) -> str:
        """Where ``store_secret`` keeps a rotated secret, in words for the rotation dialog."""
        storage = self.spec.storage
        if storage == "demo":
            return "The new secret is kept in memory for this demo run, and the app now uses it."
        if storage == "environment":
            return ("The app now uses the new secret, for this run only: update VONAGE_API_SECRET, "
                    "because the old value no longer works.")
        if storage not in SAVED_STORAGE or self.spec.profile is None:
            return "The app now uses the new secret, kept in memory for this run only: save it somewhere safe."
        return f"The new secret is stored for profile '{self.spec.profile.name}' and the app now uses it."


def spec_from_options(options: LaunchOptions, *, api_key: str, secret: SecretStr, rest_url: str, api_url: str,
                      storage: StorageKind, label: str) -> SessionSpec:
    """A spec for a login that is not a saved profile (the environment or the demo)."""
    return SessionSpec(api_key=api_key, secret=secret, rest_url=rest_url, api_url=api_url, label=label,
                       storage=storage, profile_name=options.profile or "default", rate_limit=options.rate_limit)


def spec_from_profile(profile: Profile, secret: SecretStr, options: LaunchOptions, *,
                      secret_storage: SecretStorage | None = None) -> SessionSpec:
    """A spec for a saved profile (command-line hosts win over the profile's)."""
    return SessionSpec(
        api_key=profile.api_key, secret=secret, rest_url=options.rest_url or profile.rest_url,
        api_url=options.api_url or profile.api_url, label=f"{profile.name} · {profile.api_key}",
        storage=profile.keyring_backend, profile=profile, profile_name=profile.name,
        rate_limit=profile.rate_limit, secret_storage=secret_storage,
    )


__all__ = ["SAVED_STORAGE", "Session", "SessionSpec", "StorageKind", "spec_from_options",
           "spec_from_profile"]
