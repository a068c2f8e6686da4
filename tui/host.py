"""What screens may ask of the app, as a type — so no screen imports ``tui.app``.

Screens receive the session through ``host.session`` and ask for the shared reads (owned numbers,
balance) to run again; the app's relay of account messages is ``host.account_events``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.signal import Signal

    from tui.launch import LaunchOptions
    from tui.messages import AccountEvent
    from tui.session import Session


class SessionHost(Protocol):
    """The App as screens see it (``tui.app.VonageApp`` implements it)."""

    @property
    def session(self) -> Session | None: ...

    @property
    def options(self) -> LaunchOptions: ...

    @property
    def account_events(self) -> Signal[AccountEvent]: ...

    def load_owned(self, use_cache: bool = True) -> object: ...

    def refresh_balance(self) -> object: ...

    def known_secrets(self) -> list[str]: ...


__all__ = ["SessionHost"]
