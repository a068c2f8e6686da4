"""`:profiles`: switch, add, rename and remove profiles. Secrets move with them in the keyring."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui.widgets.app_header import AppHeader
from tui.widgets.confirm import ConfirmDialog


class RenamePrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="rename.cancel")]

    def __init__(self, old: str) -> None:
        super().__init__()
        self._old = old

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Rename profile '{self._old}'", classes="dialog-title")
            yield Input(self._old, id="rename-input")
            yield Static("", id="rename-error", classes="field-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        from tui.config import ProfileError, validate_profile_name

        try:
            self.dismiss(validate_profile_name(event.value.strip()))
        except ProfileError as exc:
            self.query_one("#rename-error", Static).update(str(exc))


class ProfilesScreen(Screen[None]):
    """Profiles from the config file; the active one is marked."""

    SCREEN_TITLE = "Profiles"
    BINDINGS = [
        Binding("enter", "switch", "Switch", id="profiles.switch"),
        Binding("n", "add", "Add", id="profiles.add"),
        Binding("r", "rename", "Rename", id="profiles.rename"),
        Binding("d", "remove", "Remove", id="profiles.remove"),
        Binding("escape", "app.go_back", "Back", id="profiles.back"),
    ]

    def compose(self) -> ComposeResult:
        yield AppHeader(self.SCREEN_TITLE)
        yield Static("", id="profiles-summary")
        table: DataTable[str] = DataTable(id="profiles-table", cursor_type="row")
        table.add_columns("", "Profile", "API key", "Secret stored in", "Numbers host")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    @work(group="load", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        from tui.config import load_config

        try:
            cfg = await asyncio.to_thread(load_config)
        except Exception as exc:  # noqa: BLE001
            self.query_one("#profiles-summary", Static).update(str(exc))
            return
        table = self.query_one("#profiles-table", DataTable)
        table.clear()
        for name, p in cfg.profiles.items():
            mark = "●" if name == cfg.active_profile else ""
            table.add_row(mark, name, p.api_key, p.keyring_backend, p.rest_url, key=name)
        self.query_one("#profiles-summary", Static).update(
            f"{len(cfg.profiles)} profile(s). enter switches, n adds, r renames, d removes."
            if cfg.profiles else "No profiles yet: press n to add one."
        )

    def _selected(self) -> str | None:
        table = self.query_one("#profiles-table", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_add(self) -> None:
        getattr(self.app, "open_login")(reason="Add a profile.")

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_switch(self) -> None:
        from tui.config import load_config, save_config, switch_profile
        from tui.startup import resolve_startup

        name = self._selected()
        if name is None:
            return
        cfg = await asyncio.to_thread(load_config)
        await asyncio.to_thread(save_config, switch_profile(cfg, name))
        result = await asyncio.to_thread(resolve_startup, name)
        app = self.app
        if result.profile is None or result.secret is None:
            getattr(app, "open_login")(reason=result.reason, profile=result.profile,
                                       keyring_usable=result.keyring_usable)
            return
        app.profile = result.profile  # type: ignore[attr-defined]
        app.credential_storage = result.profile.keyring_backend  # type: ignore[attr-defined]
        p = result.profile
        await getattr(app, "login")(p.api_key, result.secret, rest_url=p.rest_url, api_url=p.api_url,
                                    label=f"{p.name} · {p.api_key}", rate_limit=p.rate_limit, profile_name=p.name)
        self.notify(f"Switched to profile '{name}'.")
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
            self.notify(f"Could not rename: {exc}", severity="error")
            return
        await asyncio.to_thread(save_config, renamed)
        self.notify(f"Renamed '{old}' to '{new}'.")
        self.reload()

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_remove(self) -> None:
        from tui.config import load_config, remove_profile, save_config
        from tui.credentials import SecretStorage

        name = self._selected()
        if name is None:
            return
        if not await self.app.push_screen_wait(
            ConfirmDialog("Remove profile", f"Remove profile '{name}' and delete its stored secret?",
                          yes_label="Remove")
        ):
            return
        cfg = await asyncio.to_thread(load_config)
        profile = cfg.profiles[name]
        try:
            store = SecretStorage.for_profile(profile, allow_plaintext=True)
            await asyncio.to_thread(store.delete_secret, name)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"The secret could not be deleted: {exc}", severity="warning")
        await asyncio.to_thread(save_config, remove_profile(cfg, name))
        self.notify(f"Removed profile '{name}'.")
        self.reload()
