"""`:profiles`: switch, add, rename and remove profiles. Secrets move with them in their store.

``A`` opens the selected profile's subaccounts (labelled API keys, saved in config.toml). A login that
is no saved profile (the environment's credentials, the demo) is listed too, as "this run": its
subaccounts can be typed there and last for the run.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from tui import login_flow
from tui.formatting import plural
from tui.screens.base import VonageScreen
from tui.screens.subaccounts import SubaccountsDialog
from tui.subaccounts import KnownSubaccounts
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal
from tui.widgets.row_table import RowTable

#: The row of a login that is no saved profile (":" starts no profile name).
RUN_ROW = ":run"


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
        yield KeyBar()

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


class SubaccountsReady(Message, bubble=False):
    """The subaccounts of row ``name`` are known (the demo's listing read): their dialog can open."""

    def __init__(self, name: str, known: KnownSubaccounts) -> None:
        super().__init__()
        self.name = name
        self.known = known


class ProfilesScreen(VonageScreen):
    """Profiles from the config file; the active one is marked."""

    SCREEN_TITLE = "Profiles"
    BINDINGS = [
        Binding("enter", "switch", "Switch", id="profiles.switch"),
        Binding("n", "add", "Add", id="profiles.add"),
        Binding("e", "rename", "Rename", id="profiles.rename"),
        Binding("d", "remove", "Remove", id="profiles.remove"),
        Binding("A", "subaccounts", "Subaccounts…", id="profiles.subaccounts",
                tooltip="The selected profile's subaccounts: add, rename or remove their labelled API keys"),
        Binding("escape", "app.go_back", "Back", id="profiles.back"),
    ]

    _config: Any = None  # the config last read (its profiles' subaccounts are edited with A)

    def compose_body(self) -> ComposeResult:
        yield Literal("", id="profiles-summary")
        table: DataTable[str] = RowTable(id="profiles-table", cursor_type="row")
        table.add_columns("", "Profile", "API key", "Subaccounts", "Secret stored in", "Numbers host")
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
        cfg = self._config = event.config
        table = self.query_one("#profiles-table", DataTable)
        table.clear()
        for name, p in cfg.profiles.items():
            mark = "●" if name == cfg.active_profile else ""
            table.add_row(mark, name, p.api_key, str(len(p.subaccounts)), p.keyring_backend, p.rest_url, key=name)
        session = self.session
        if session is not None and session.subaccounts.profile is None:
            table.add_row("●", Text("this run"), session.api_key, str(len(session.subaccounts)),
                          session.spec.storage, session.spec.rest_url, key=RUN_ROW)
        self.query_one("#profiles-summary", Literal).update(
            f"{plural(len(cfg.profiles), 'profile')}. enter switches, n adds, e renames, d removes, A subaccounts."
            if cfg.profiles else "No profiles yet: press n to add one. A: this login's subaccounts."
        )

    def _selected(self) -> str | None:
        table = self.query_one("#profiles-table", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _saved_selected(self) -> str | None:
        """The selected saved profile (None, with a word, on the row of a login that is no profile)."""
        name = self._selected()
        if name == RUN_ROW:
            self.say("This login is not a saved profile: log in and save it to keep it.", severity="warning")
            return None
        return name

    def _known_for(self, name: str) -> KnownSubaccounts | None:
        """The subaccounts to show for the row ``name``: the session's own list when it is this login's."""
        session = self.session
        if session is not None and (name == RUN_ROW or session.subaccounts.profile == name):
            return session.subaccounts
        profile = getattr(self._config, "profiles", {}).get(name)
        if profile is None:
            return None
        return KnownSubaccounts(profile.api_key, profile.subaccounts, profile=name)

    def action_subaccounts(self) -> None:
        name = self._selected()
        known = self._known_for(name) if name is not None else None
        if name is not None and known is not None:
            self._read_subaccounts(name, known)

    @work(group="subaccounts", exclusive=True, exit_on_error=False)
    async def _read_subaccounts(self, name: str, known: KnownSubaccounts) -> None:
        session = self.session
        if session is not None and known is session.subaccounts:
            await known.read_listing(session.client)  # the demo's listing, once
        self.post_message(SubaccountsReady(name, known))

    @on(SubaccountsReady)
    def _show_subaccounts(self, event: SubaccountsReady) -> None:
        known = event.known
        title = (f"Subaccounts of this login ({known.primary_key})" if event.name == RUN_ROW
                 else f"Subaccounts of profile '{event.name}' ({known.primary_key})")
        self.app.push_screen(SubaccountsDialog(known, title=title), lambda _: self.reload())

    def action_add(self) -> None:
        login_flow.open_login(self.app, reason="Add a profile.")

    @work(group="action", exclusive=True, exit_on_error=False)
    @on(DataTable.RowSelected, "#profiles-table")
    async def _row_chosen(self) -> None:
        """Enter on a row: the table takes the key itself (it selects the row), so it switches from here."""
        await self.action_switch()

    async def action_switch(self) -> None:
        name = self._saved_selected()
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

        old = self._saved_selected()
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
        if self.session is not None and self.session.subaccounts.profile == old:
            self.session.subaccounts.profile = new  # its subaccounts are saved under the new name now
        self.say(f"Renamed '{old}' to '{new}'.")
        self.reload()

    def action_remove(self) -> None:
        name = self._saved_selected()
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
