"""Which account a non-interactive run uses, and where its API lives.

Order, as in the app: VONAGE_API_KEY/VONAGE_API_SECRET (both, for this run only), else the
profile named by ``--profile`` or the active one. Hosts: ``--rest-url``/``--api-url`` (or
VONAGE_REST_URL/VONAGE_API_URL), else the profile's, else Vonage's. There is no login form here,
so every dead end is a ``ScriptError`` with one sentence that says what to do; the one prompt is
the master password of an encrypted credentials file, and only when a person is at a terminal.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tui.api.hosts import DEFAULT_API_URL, DEFAULT_REST_URL

if TYPE_CHECKING:
    from tui.config import Profile
    from tui.credentials import SecretStorage
    from tui.launch import LaunchOptions

PASSWORD_ATTEMPTS = 3
_ENV_HINT = "set VONAGE_API_KEY and VONAGE_API_SECRET"


class ScriptError(Exception):
    """Why the run stops: ``message`` is the one line printed on stderr, ``code`` the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Access:
    """Credentials and hosts for one run. ``source``: "demo", "environment" or "profile"."""

    api_key: str
    secret: SecretStr = field(repr=False)
    rest_url: str
    api_url: str
    source: str
    profile: str | None = None
    #: Pacing before the account's own limit is known (the profile's, or the client's default).
    rate_limit: float = 25.0
    #: A rate limit the profile sets on purpose (to leave room for other users of the account).
    rate_cap: float | None = None
    timeout: float = 15.0


def interactive() -> bool:
    """A person can answer a prompt: stdin and stderr are both a terminal."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask_password(prompt: str) -> str:
    """The terminal's hidden prompt, written on stderr so stdout stays pure data."""
    return getpass.getpass(prompt, stream=sys.stderr)


def resolve_access(options: LaunchOptions, ask: Callable[[str], str] | None) -> Access:
    """Credentials from the environment or the profile; ``ask`` (None: nobody to ask) reads a password."""
    from tui.credentials import CredentialError, env_credentials

    try:
        env = env_credentials()
    except CredentialError as exc:
        raise ScriptError(str(exc)) from None
    if env is not None:
        return Access(
            env[0], env[1], options.rest_url or DEFAULT_REST_URL, options.api_url or DEFAULT_API_URL,
            "environment", options.profile,
        )
    profile = _profile(options.profile)
    secret = _stored_secret(profile, ask)
    return Access(
        profile.api_key, secret, options.rest_url or profile.rest_url, options.api_url or profile.api_url,
        "profile", profile.name, rate_limit=profile.rate_limit,
        rate_cap=profile.rate_limit if "rate_limit" in profile.model_fields_set else None,
        timeout=profile.timeout,
    )


def _profile(name: str | None) -> Profile:
    from tui.config import ConfigError, InsecurePermissions, get_profile, load_config

    try:
        cfg = load_config()
    except (ConfigError, InsecurePermissions, OSError) as exc:
        raise ScriptError(f"the config file could not be used: {exc}") from None
    if not cfg.profiles:
        raise ScriptError(f"no credentials: {_ENV_HINT}, or run vonage-tui once to add a profile")
    try:
        return get_profile(cfg, name)
    except ConfigError as exc:
        names = ", ".join(sorted(cfg.profiles))
        raise ScriptError(f"{exc} Choose one with --profile ({names}), or {_ENV_HINT}.") from None


def _stored_secret(profile: Profile, ask: Callable[[str], str] | None) -> SecretStr:
    from tui.credentials import CredentialError, SecretStorage, keyring_status
    from tui.fsutil import InsecurePermissions

    where = f"profile '{profile.name}'"
    try:
        if profile.keyring_backend == "system":
            status = keyring_status()
            if not status.usable:
                raise ScriptError(f"{where} keeps its secret in the system keyring, unusable here: {status.reason}")
            store = SecretStorage.for_profile(profile)
        elif profile.keyring_backend == "encrypted-file":
            store = _unlocked_store(profile, ask)
        else:
            store = SecretStorage.for_profile(profile, allow_plaintext=True)
        secret = store.get_secret(profile.name)
    except (CredentialError, InsecurePermissions, OSError) as exc:
        raise ScriptError(f"{where}: {exc}") from None
    if secret is None:
        raise ScriptError(f"no secret is stored for {where}: run vonage-tui to log in, or {_ENV_HINT}")
    return secret


def _unlocked_store(profile: Profile, ask: Callable[[str], str] | None) -> SecretStorage:
    """The encrypted-file store, unlocked with a password typed at the terminal (three tries)."""
    from tui.credentials import SecretStorage, WrongMasterPassword

    where = f"profile '{profile.name}'"
    if ask is None:
        raise ScriptError(
            f"{where} keeps its secret in an encrypted file whose master password can only be typed at a "
            f"terminal; for scripts, {_ENV_HINT}"
        )
    store = SecretStorage.for_profile(profile)
    for attempt in range(1, PASSWORD_ATTEMPTS + 1):
        try:
            typed = ask(f"Master password for {where}: ")
        except EOFError:
            typed = ""
        if not typed:
            raise ScriptError(f"no master password given for {where}")
        password = SecretStr(typed)
        del typed
        try:
            store.unlock(password)
            return store
        except WrongMasterPassword:
            if attempt == PASSWORD_ATTEMPTS:
                raise ScriptError(f"wrong master password for {where} ({PASSWORD_ATTEMPTS} tries)") from None
            print("Wrong master password, try again.", file=sys.stderr)
    raise AssertionError("unreachable")
