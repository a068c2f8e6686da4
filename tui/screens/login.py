"""`:login` and first run: API key + secret, checked with a real call before anything is saved.

The secret goes to the chosen store (system keyring, encrypted file, or memory for this run);
only non-secret settings reach the config file. On a headless server the form explains why the
system keyring is missing and preselects the encrypted file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Select, Static

from tui.crash import hold
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal
from tui.widgets.secret_input import SecretInput

if TYPE_CHECKING:
    from pydantic import SecretStr
    from textual.worker import Worker

    from tui.credentials import SecretStorage
    from tui.launch import LaunchOptions
    from tui.session import SessionSpec

STORAGE_CHOICES = [
    ("System keyring", "system"),
    ("Encrypted file (master password)", "encrypted-file"),
    ("This run only (memory)", "memory"),
    ("Plain-text file (unsafe)", "plaintext-file"),
]


@dataclass
class LoginResult:
    """A checked credential pair, already stored where the user asked."""

    profile: str
    api_key: str
    secret: SecretStr = field(repr=False)
    rest_url: str
    api_url: str
    storage: str
    secret_storage: SecretStorage | None = field(default=None, repr=False)

    def spec(self, options: LaunchOptions) -> SessionSpec:
        """The session this login opens: the saved profile, or this run only (memory)."""
        from tui.config import Profile
        from tui.session import SessionSpec

        saved = self.storage != "memory"
        profile = Profile(name=self.profile, api_key=self.api_key, rest_url=self.rest_url, api_url=self.api_url,
                          keyring_backend=self.storage) if saved else None  # type: ignore[arg-type]
        return SessionSpec(
            api_key=self.api_key, secret=self.secret, rest_url=self.rest_url, api_url=self.api_url,
            label=f"{self.profile} · {self.api_key}", storage=self.storage,  # type: ignore[arg-type]
            profile=profile, profile_name=self.profile, rate_limit=options.rate_limit,
            secret_storage=self.secret_storage,
        )


@dataclass(frozen=True)
class Refusal:
    """Why a login was not saved: ``field`` ("secret", …, or "status" for the form's status line)."""

    field: str
    message: str


class KeyringChecked(Message, bubble=False):
    """Whether the system keyring can be used here, and why not."""

    def __init__(self, usable: bool, reason: str) -> None:
        super().__init__()
        self.usable = usable
        self.reason = reason


class LoginScreen(FormEscape, ModalScreen[LoginResult | None]):
    """The login form. Dismisses with a LoginResult once the credentials worked."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
        Binding("ctrl+s", "submit", "Check & save", id="login.submit"),
    ]

    def __init__(
        self,
        *,
        reason: str = "",
        profile: str = "default",
        api_key: str = "",
        rest_url: str = "https://rest.nexmo.com",
        api_url: str = "https://api.nexmo.com",
        keyring_usable: bool = True,
        cancellable: bool = True,
        storage: str | None = None,
    ) -> None:
        super().__init__()
        self._reason = reason
        self._profile = profile
        self._api_key = api_key
        self._rest_url = rest_url
        self._api_url = api_url
        self._keyring_usable = keyring_usable
        self._cancellable = cancellable
        self._storage = storage  # a store already chosen (a profile's); None: find out if the keyring works
        self._auto_storage = storage or ("system" if keyring_usable else "encrypted-file")  # what we chose
        self._storage_touched = False  # the user picked a store: never change it for them

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box", classes="dialog"):
            yield Literal("Log in to Vonage", classes="dialog-title")
            yield Literal(self._reason, id="login-reason")
            with VerticalScroll(id="login-fields"):
                yield from self._fields()
            yield Literal("", id="login-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel · esc", id="login-cancel")
                yield Button("Check & save · ctrl+s", id="login-submit", variant="primary")
        yield KeyBar()

    def _fields(self) -> ComposeResult:
        """In the order people type them: key, Tab, secret, Enter (the rest has defaults)."""
        with Horizontal(classes="form-row"):
            yield Label("API key")
            yield Input(self._api_key, placeholder="e.g. abcd1234", id="login-key")
        yield Literal("", id="login-key-error", classes="field-error")
        with Horizontal(classes="form-row"):
            yield Label("API secret")
            yield SecretInput(placeholder="hidden as you type", id="login-secret")
        yield Literal("", id="login-secret-error", classes="field-error")
        with Horizontal(classes="form-row"):
            yield Label("Profile")
            yield Input(self._profile, id="login-profile")
        yield Literal("", id="login-profile-error", classes="field-error")
        with Horizontal(classes="form-row"):
            yield Label("Store it in")
            yield Select(
                STORAGE_CHOICES,
                value=self._auto_storage,
                allow_blank=False,
                id="login-storage",
            )
        with Horizontal(classes="form-row", id="login-master-row"):
            yield Label("Master pass")
            yield SecretInput(placeholder="for the encrypted file (8+ characters)", id="login-master")
        yield Checkbox("I accept that the secret is stored unencrypted", id="login-plaintext-ok")
        yield Literal("", id="login-storage-error", classes="field-error")
        with Collapsible(title="Hosts (advanced)", collapsed=self._default_hosts(), id="login-hosts"):
            with Horizontal(classes="form-row"):
                yield Label("Numbers host")
                yield Input(self._rest_url, id="login-rest")
            with Horizontal(classes="form-row"):
                yield Label("Secrets host")
                yield Input(self._api_url, id="login-api")
        yield Literal("", id="login-url-error", classes="field-error")

    def _default_hosts(self) -> bool:
        """Collapse the host fields when they hold Vonage's own hosts (the usual case)."""
        return self._rest_url == "https://rest.nexmo.com" and self._api_url == "https://api.nexmo.com"

    def on_mount(self) -> None:
        for name in ("profile", "key", "secret", "storage", "url"):
            self._error(name, "")
        self.query_one("#login-reason").display = bool(self._reason)
        self._sync_storage()
        target = "#login-secret" if self._api_key else "#login-key"
        self.set_focus(self.query_one(target, Input))
        if self._storage is None:
            self._check_keyring()

    @work(group="keyring", exclusive=True, exit_on_error=False, description="check the system keyring")
    async def _check_keyring(self) -> None:
        """Before the first save: is the system keyring usable here? (a thread: it may take seconds)."""
        import asyncio

        from tui.credentials import keyring_status

        status = await asyncio.to_thread(keyring_status)
        self.post_message(KeyringChecked(status.usable, status.reason))

    @on(KeyringChecked)
    def _keyring_checked(self, event: KeyringChecked) -> None:
        self._keyring_usable = event.usable
        reason = self.query_one("#login-reason", Literal)
        if event.usable:
            return
        shown = f"{self._reason}\n{event.reason}" if self._reason else event.reason
        reason.update(shown)
        reason.display = True
        storage = self.query_one("#login-storage", Select)
        if storage.value == "system" and not self._storage_touched:
            self._auto_storage = "encrypted-file"
            storage.value = "encrypted-file"

    @on(Select.Changed, "#login-storage")
    def _storage_changed(self, event: Select.Changed) -> None:
        if event.value != self._auto_storage:
            self._storage_touched = True
        self._sync_storage()

    def _sync_storage(self) -> None:
        storage = self.query_one("#login-storage", Select).value
        self.query_one("#login-master-row").display = storage == "encrypted-file"
        if storage == "encrypted-file":
            self.query_one("#login-master", Input).placeholder = _master_placeholder()
        self.query_one("#login-plaintext-ok").display = storage == "plaintext-file"
        warn = ""
        if storage == "plaintext-file":
            warn = "Warning: anyone who can read the file gets full control of the account."
        elif storage == "system" and not self._keyring_usable:
            warn = "The system keyring cannot be used here (see above): the save would fail."
        self._error("storage", warn)

    def action_cancel(self) -> None:
        """Esc: leaves a field first; then back to the app (asking before typing is lost); on a first run
        (nothing to go back to) it asks before quitting."""
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        if self._cancellable:
            self.leave_or_discard(lambda: self.dismiss(None), what="the login typed")
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.app.exit()

        self.app.push_screen(ConfirmDialog("Quit vonage-tui?", "Nothing was saved. Quit now?",
                                           yes_label="Quit", danger=False), answered)

    @on(Button.Pressed, "#login-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#login-submit")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        form = self._validate()
        if form is None:
            self._show_first_error()
            return
        self.query_one("#login-status", Static).update("Checking the credentials with Vonage…")
        self._check_and_save(*form)

    def _show_first_error(self) -> None:
        """Focus the first field with a message and scroll the message into view: at 80x24 the form
        scrolls, and an error under a field below the fold would otherwise go unseen."""
        encrypted = self.query_one("#login-storage", Select).value == "encrypted-file"
        fields = {"key": "#login-key", "secret": "#login-secret", "profile": "#login-profile",
                  "storage": "#login-master" if encrypted else "#login-storage", "url": "#login-rest"}
        for name, field in fields.items():
            error = self.query_one(f"#login-{name}-error", Static)
            if error.display:
                self.set_focus(self.query_one(field))
                error.scroll_visible(animate=False)
                return

    def _error(self, field: str, text: str) -> None:
        """The message goes right under its field; an empty one takes no room."""
        widget = self.query_one(f"#login-{field}-error", Static)
        widget.update(text)
        widget.display = bool(text)

    def _validate(self) -> tuple[str, str, SecretStr, str, str, str, SecretStr | None] | None:
        from pydantic import SecretStr

        from tui.api.errors import InputError
        from tui.api.hosts import validate_base_url
        from tui.api.validators import api_key as check_key
        from tui.config import ProfileError, validate_profile_name

        for name in ("profile", "key", "secret", "storage", "url"):
            self._error(name, "")
        ok = True
        profile = self.query_one("#login-profile", Input).value.strip()
        try:
            validate_profile_name(profile)
        except ProfileError as exc:
            self._error("profile", str(exc))
            ok = False
        key = self.query_one("#login-key", Input).value.strip()
        try:
            key = check_key(key)
        except InputError as exc:
            self._error("key", exc.message)
            ok = False
        secret = self.query_one("#login-secret", Input).value
        if not secret:
            self._error("secret", "Enter the API secret (Dashboard → API settings).")
            ok = False
        rest = api = ""
        try:
            rest = validate_base_url(self.query_one("#login-rest", Input).value.strip())
            api = validate_base_url(self.query_one("#login-api", Input).value.strip())
        except (InputError, ValueError, UnicodeError) as exc:  # an odd host name must never escape the form
            self._error("url", exc.message if isinstance(exc, InputError) else "that host name is not valid")
            self.query_one("#login-hosts", Collapsible).collapsed = False
            ok = False
        storage = str(self.query_one("#login-storage", Select).value)
        master: SecretStr | None = None
        if storage == "encrypted-file":
            raw = self.query_one("#login-master", Input).value
            if len(raw) < 8:
                self._error("storage", "Choose a master password of at least 8 characters.")
                ok = False
            master = SecretStr(raw)
        if storage == "plaintext-file" and not self.query_one("#login-plaintext-ok", Checkbox).value:
            self._error("storage", "Tick the box to accept an unencrypted secret file, or choose another store.")
            ok = False
        hold(secret, master)  # from here on, no crash report may show them
        if not ok:
            return None
        return profile, key, SecretStr(secret), rest, api, storage, master

    @work(group="login", exclusive=True, exit_on_error=False)
    async def _check_and_save(
        self, profile: str, key: str, secret: SecretStr, rest: str, api: str, storage: str,
        master: SecretStr | None,
    ) -> LoginResult | Refusal:
        """Check with a real call, then store; returns what happened (the form shows it)."""
        import asyncio

        from tui.api.client import VonageClient
        from tui.api.errors import AuthError, VonageError

        if storage == "encrypted-file" and master is not None:  # before any request: is it the right password?
            refusal = await asyncio.to_thread(_master_opens_file, master)
            if refusal is not None:
                return refusal
        try:
            async with VonageClient(key, secret, rest_url=rest, api_url=api, rate_limit=None) as client:
                await client.get_balance()
        except AuthError:
            return Refusal("secret", "Vonage refused this key and secret (401). Check both and try again.")
        except VonageError as exc:
            return Refusal("status", f"Could not check the credentials: {exc.message}")
        stored = None
        if storage != "memory":
            try:
                stored = await asyncio.to_thread(_persist, profile, key, secret, rest, api, storage, master)
            except Exception as exc:  # noqa: BLE001 - shown to the user, the secret is never in it
                return Refusal("status", f"The credentials work, but could not be saved: {_why(exc)}")
        return LoginResult(profile, key, secret, rest, api, storage, stored)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The check's result, shown here (the worker only returns it); whatever goes wrong, the form
        says so and stays usable — never "Checking…" forever."""
        from textual.worker import WorkerState

        status = self.query_one("#login-status", Static)
        result = event.worker.result
        if event.state == WorkerState.SUCCESS and isinstance(result, LoginResult):
            self.dismiss(result)
        elif event.state == WorkerState.SUCCESS and isinstance(result, Refusal):
            status.update("" if result.field != "status" else result.message)
            if result.field != "status":
                self._error(result.field, result.message)
                self._show_first_error()
        elif event.state == WorkerState.ERROR:
            status.update(f"Could not check the credentials: {_why(event.worker.error)}. Nothing was saved.")
        elif event.state == WorkerState.CANCELLED:
            status.update("Cancelled. Nothing was saved.")


def _why(exc: BaseException | None) -> str:
    """A failure in words; the text of errors that are not ours could hold anything, so only their type."""
    from tui.service import describe_error

    if exc is None:
        return "unknown error"
    if type(exc).__module__.startswith(("tui.credentials", "tui.config", "tui.fsutil")):
        return str(exc)
    return describe_error(exc)


def _master_placeholder() -> str:
    """Choosing a password for a new file, or typing the one of the file that is there already."""
    from tui.config import config_dir
    from tui.credentials.storage import ENCRYPTED_FILENAME

    if (config_dir() / ENCRYPTED_FILENAME).exists():
        return "the master password of your encrypted file"
    return "choose one for the encrypted file (8+ characters)"


def _master_opens_file(master: SecretStr) -> Refusal | None:
    """None when ``master`` opens the encrypted file (or there is none yet: it will create it)."""
    from tui.credentials import SecretStorage
    from tui.credentials.errors import CredentialError, WrongMasterPassword

    try:
        SecretStorage("encrypted-file", master_password=master).unlock(master)  # type: ignore[arg-type]
    except WrongMasterPassword:
        return Refusal("storage", "That master password does not open your encrypted file; nothing was sent. "
                       "Type the one you chose when you created it.")
    except CredentialError as exc:
        return Refusal("storage", str(exc))
    return None


def _persist(
    profile: str, key: str, secret: SecretStr, rest: str, api: str, storage: str, master: SecretStr | None
) -> Any:
    """Secret to the chosen store first, then the non-secret profile to the config file."""
    from tui.config import (
        Profile,
        add_profile,
        load_config,
        save_config,
        switch_profile,
        update_profile,
    )
    from tui.credentials import SecretStorage

    store = SecretStorage(storage, master_password=master, allow_plaintext=storage == "plaintext-file")  # type: ignore[arg-type]
    store.set_secret(profile, secret)
    cfg = load_config()
    if profile in cfg.profiles:
        cfg = update_profile(cfg, profile, api_key=key, rest_url=rest, api_url=api, keyring_backend=storage)
    else:
        cfg = add_profile(
            cfg, Profile(name=profile, api_key=key, rest_url=rest, api_url=api, keyring_backend=storage)  # type: ignore[arg-type]
        )
    save_config(switch_profile(cfg, profile))
    return store
