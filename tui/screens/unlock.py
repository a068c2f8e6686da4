"""Master password prompt for a profile whose secret lives in the encrypted credentials file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.widgets.key_bar import KeyBar
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
        yield KeyBar()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        from pydantic import SecretStr

        self._unlock(SecretStr(event.value))

    @work(group="unlock", exclusive=True, exit_on_error=False)
    async def _unlock(self, password: SecretStr) -> tuple[SecretStr, Any] | str:
        """The secret and the unlocked file, or why not (the screen shows it: the worker only returns)."""
        import asyncio

        from tui.credentials import CredentialError, SecretStorage

        def read() -> tuple[SecretStr | None, Any]:
            store = SecretStorage("encrypted-file", master_password=password)
            store.unlock(password)
            return store.get_secret(self._profile), store

        try:
            secret, store = await asyncio.to_thread(read)
        except CredentialError as exc:
            return str(exc)
        if secret is None:
            return "No secret for this profile in the file."
        return secret, store

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.state == WorkerState.SUCCESS and isinstance(result, tuple):
            self.dismiss(result)
        elif event.state == WorkerState.SUCCESS and isinstance(result, str):
            self.query_one("#unlock-error", Static).update(result)
        elif event.state == WorkerState.ERROR:
            self.query_one("#unlock-error", Static).update(
                f"Could not open the file ({type(event.worker.error).__name__}).")
