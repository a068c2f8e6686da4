"""`:profiles`: switch, add, rename and remove profiles. Secrets move with them in their store."""

from __future__ import annotations

import asyncio

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from tui import login_flow
from tui.screens.base import VonageScreen
from tui.widgets.literal import Literal


class RenamePrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="rename.cancel")]

    def __init__(self, old: str) -> None:
        super().__init__()
        self._old = old

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Literal(f"Rename profile '{self._old}'", classes="dialog-title")
            yield Input(self._old, id="rename-input")
            yield Literal("", id="rename-error", classes="field-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        from tui.config import ProfileError, validate_profile_name

        try:
            self.dismiss(validate_profile_name(event.value.strip()))
        except ProfileError as exc:
            self.query_one("#rename-error", Static).update(str(exc))


class ProfilesRead(Message, bubble=False):
    """The config as read in a thread (``config``), or why it could not be (``problem``)."""

    def __init__(self, config: Any = None, problem: str = "") -> None:
        super().__init__()
        self.config = config
        self.problem = problem


class ProfilesScreen(VonageScreen):
    """Profiles from the config file; the active one is marked."""

    SCREEN_TITLE = "Profiles"
    BINDINGS = [
        Binding("enter", "switch", "Switch", id="profiles.switch"),
        Binding("n", "add", "Add", id="profiles.add"),
        Binding("e", "rename", "Rename", id="profiles.rename"),
        Binding("d", "remove", "Remove", id="profiles.remove"),
        Binding("escape", "app.go_back", "Back", id="profiles.back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Literal("", id="profiles-summary")
        table: DataTable[str] = DataTable(id="profiles-table", cursor_type="row")
        table.add_columns("", "Profile", "API key", "Secret stored in", "Numbers host")
        yield table

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DataTable))
        self.reload()

    @work(group="load", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        from tui.config import load_config

        try:
            self.post_message(ProfilesRead(await asyncio.to_thread(load_config)))
        except Exception as exc:  # noqa: BLE001 - config errors are ours: they name the file, never a secret
            self.post_message(ProfilesRead(problem=str(exc)))

    @on(ProfilesRead)
    def _show(self, event: ProfilesRead) -> None:
        if event.problem:
            self.query_one("#profiles-summary", Literal).update(event.problem)
            return
        cfg = event.config
        table = self.query_one("#profiles-table", DataTable)
        table.clear()
        for name, p in cfg.profiles.items():
            mark = "●" if name == cfg.active_profile else ""
            table.add_row(mark, name, p.api_key, p.keyring_backend, p.rest_url, key=name)
        self.query_one("#profiles-summary", Literal).update(
            f"{len(cfg.profiles)} profile(s). enter switches, n adds, e renames, d removes."
            if cfg.profiles else "No profiles yet: press n to add one."
        )

    def _selected(self) -> str | None:
        table = self.query_one("#profiles-table", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_add(self) -> None:
        login_flow.open_login(self.app, reason="Add a profile.")

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_switch(self) -> None:
        name = self._selected()
        if name is None:
            return
        if await login_flow.switch_profile(self.app, name):
            self.say(f"Switching to profile '{name}'…")
        self.reload()

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_rename(self) -> None:
        """Rename in the config and move the stored secret to the new name."""
        from tui.config import load_config, rename_profile, save_config
        from tui.credentials import SecretStorage

        old = self._selected()
        if old is None:
            return
        new = await self.app.push_screen_wait(RenamePrompt(old))
        if not new or new == old:
            return
        cfg = await asyncio.to_thread(load_config)
        try:
            renamed = rename_profile(cfg, old, new)
            store = SecretStorage.for_profile(cfg.profiles[old], allow_plaintext=True)
            await asyncio.to_thread(store.rename, old, new)
        except Exception as exc:  # noqa: BLE001 - shown; secrets never in these messages
            self.say(f"Could not rename: {exc}", severity="error")
            return
        await asyncio.to_thread(save_config, renamed)
        self.say(f"Renamed '{old}' to '{new}'.")
        self.reload()

    def action_remove(self) -> None:
        name = self._selected()
        if name is None:
            return
        self.confirm("Remove profile", f"Remove profile '{name}' and delete its stored secret?",
                     yes="Remove", then=lambda: self._remove(name))

    @work(group="action", exclusive=True, exit_on_error=False)
    async def _remove(self, name: str) -> None:
        from tui.config import load_config, remove_profile, save_config
        from tui.credentials import SecretStorage

        cfg = await asyncio.to_thread(load_config)
        profile = cfg.profiles[name]
        try:
            store = SecretStorage.for_profile(profile, allow_plaintext=True)
            await asyncio.to_thread(store.delete_secret, name)
        except Exception as exc:  # noqa: BLE001
            self.say(f"The secret could not be deleted: {exc}", severity="warning")
        await asyncio.to_thread(save_config, remove_profile(cfg, name))
        self.say(f"Removed profile '{name}'.")
        self.reload()
