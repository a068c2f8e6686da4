"""The subaccounts a login may act for: labelled API keys, from the profile, typed for this run, or listed.

Why a list of our own: the Subaccounts API is outside the specs the app is built on, so for a saved
profile the user types each subaccount's API key with a label (``[profiles.NAME.subaccounts]`` in
config.toml). Environment and demo logins have no profile: what is typed is kept for the run only.
The demo also offers what its sandbox lists at ``GET /accounts/{key}/subaccounts``; a 403 or 404 there
means "none known", never an error. We never hold a subaccount's secret: a subaccount is acted on
with the primary's credentials and its key (``target_api_key``, or the key in a secrets path).

No Textual here: the session owns one ``KnownSubaccounts``; screens read it and change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tui.api.errors import Forbidden, NotFound, VonageError

if TYPE_CHECKING:
    from tui.api.client import VonageClient

#: Where an entry comes from: the profile's config, typed for this run, or the server's listing.
Source = Literal["saved", "run", "server"]
SOURCE_TEXT: dict[str, str] = {"saved": "saved in the profile", "run": "this run only", "server": "listed by Vonage"}
PRIMARY = ""  # the account value meaning "the primary account" (what we log in with)


@dataclass(frozen=True, slots=True)
class Subaccount:
    """One subaccount: its API key, the label people know it by, and where we learnt of it."""

    api_key: str
    label: str
    source: Source

    @property
    def title(self) -> str:
        """"Support team (sub12345)": how every dialog names it."""
        return f"{self.label} ({self.api_key})"


class KnownSubaccounts:
    """The subaccounts of one login, in the order they were learnt (saved, then typed, then listed)."""

    def __init__(self, primary_key: str, saved: Mapping[str, str] | None = None, *, profile: str | None = None,
                 listable: bool = False) -> None:
        self.primary_key = primary_key
        #: The saved profile whose config holds these (None: an environment or demo login).
        self.profile = profile
        self._entries: dict[str, Subaccount] = {
            key: Subaccount(key, label, "saved") for key, label in (saved or {}).items()
        }
        self._listable = listable
        self._forgotten: set[str] = set()  # listed ones the user removed, for this run

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Any:
        return iter(list(self._entries.values()))

    def get(self, api_key: str | None) -> Subaccount | None:
        return self._entries.get(api_key or "")

    def describe(self, api_key: str | None) -> str:
        """"primary (abcd1234)" or "Support team (sub12345)" (an unknown key is named by its key)."""
        if not api_key or api_key == self.primary_key:
            return f"primary ({self.primary_key})"
        entry = self._entries.get(api_key)
        return entry.title if entry is not None else f"subaccount {api_key}"

    def choices(self) -> list[tuple[str, str]]:
        """(value, text) for a "for account" choice: the primary first (``PRIMARY``), then each subaccount."""
        return [(PRIMARY, self.describe(None)), *((s.api_key, s.title) for s in self)]

    def saved(self) -> dict[str, str]:
        """What the profile's config should hold."""
        return {s.api_key: s.label for s in self if s.source == "saved"}

    # -- changes (the caller saves ``saved()`` for a profile) ---------------------------------------------

    def put(self, api_key: str, label: str) -> Subaccount:
        """Add a subaccount or relabel one (checked like the config file; ProfileError says why not)."""
        from tui.config import ProfileError, validate_subaccount

        key, text = validate_subaccount(api_key, label)
        if key == self.primary_key:
            raise ProfileError("That is this login's own API key, not a subaccount's.")
        entry = Subaccount(key, text, "saved" if self.profile else "run")
        self._entries[key] = entry
        self._forgotten.discard(key)
        return entry

    def remove(self, api_key: str) -> Subaccount | None:
        entry = self._entries.pop(api_key, None)
        if entry is not None and entry.source == "server":
            self._forgotten.add(api_key)
        return entry

    def replace_saved(self, saved: Mapping[str, str]) -> None:
        """The profile's config was saved: take its entries as the truth for the saved ones."""
        kept = {k: s for k, s in self._entries.items() if s.source != "saved" and k not in saved}
        self._entries = {**{k: Subaccount(k, v, "saved") for k, v in saved.items()}, **kept}

    # -- the server's listing (the demo) ------------------------------------------------------------------

    async def read_listing(self, client: VonageClient) -> None:
        """Offer what the server lists, once per login; only where it is known to answer (the demo).

        403/404 (not a primary account, no such API) means none are known; another failure is let go
        quietly and tried again next time — the listing is a convenience, never in the way of a change.
        """
        if not self._listable:
            return
        try:
            listed = await list_subaccounts(client)
        except (Forbidden, NotFound):
            listed = []
        except VonageError:
            return
        self._listable = False
        self.add_listed(listed)

    def add_listed(self, listed: Iterable[tuple[str, str]]) -> None:
        """Listed (key, name) pairs the user has not typed or removed; names not fit to show are skipped."""
        from tui.config import ProfileError, validate_subaccount

        for key, name in listed:
            try:
                key, text = validate_subaccount(key, name)
            except ProfileError:
                continue
            if key != self.primary_key and key not in self._entries and key not in self._forgotten:
                self._entries[key] = Subaccount(key, text, "server")


async def list_subaccounts(client: VonageClient) -> list[tuple[str, str]]:
    """(api_key, name) of the client's account's subaccounts, names cut to the 40-character label limit."""
    return [(key, name if len(name) <= 40 else name[:39] + "…") for key, name in await client.list_subaccounts()]


__all__ = ["PRIMARY", "SOURCE_TEXT", "KnownSubaccounts", "Source", "Subaccount", "list_subaccounts"]
