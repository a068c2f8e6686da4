"""Master password prompt for a profile whose secret lives in the encrypted credentials file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.widgets.literal import Literal
from tui.widgets.secret_input import SecretInput

if TYPE_CHECKING:
    from pydantic import SecretStr

    from tui.credentials import SecretStorage  # noqa: F401 - in the dismiss type


class UnlockScreen(ModalScreen["tuple[SecretStr, SecretStorage] | None"]):
    """Dismisses with the profile's API secret (and the unlocked file) once the master password opens it."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="unlock.cancel")]

    def __init__(self, profile: str) -> None:
        super().__init__()
        self._profile = profile

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box", classes="dialog"):
            yield Literal(f"Unlock the credentials of profile '{self._profile}'", classes="dialog-title")
            yield SecretInput(placeholder="master password", id="unlock-password")
            yield Literal("", id="unlock-error", classes="field-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        from pydantic import SecretStr

        self._unlock(SecretStr(event.value))

    @work(group="unlock", exclusive=True, exit_on_error=False)
    async def _unlock(self, password: SecretStr) -> None:
        import asyncio

        from tui.credentials import CredentialError, SecretStorage

        def read() -> tuple[SecretStr | None, Any]:
            store = SecretStorage("encrypted-file", master_password=password)
            store.unlock(password)
            return store.get_secret(self._profile), store

        try:
            secret, store = await asyncio.to_thread(read)
        except CredentialError as exc:
            self.query_one("#unlock-error", Static).update(str(exc))
            return
        if secret is None:
            self.query_one("#unlock-error", Static).update("No secret for this profile in the file.")
            return
        self.dismiss((secret, store))
