"""Which account to open at start-up, decided off the UI thread (config file, keyring).

Returns plain data: the app shows the login form when there is no usable secret, with the reason
(no profile yet, no desktop keyring on this machine, a locked or hanging keyring…).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from tui.config import ConfigError, Profile, get_profile, load_config
from tui.credentials import CredentialError, SecretStorage, keyring_status
from tui.fsutil import InsecurePermissions


@dataclass
class StartupResult:
    """A profile with its secret, or the reason the user must log in."""

    profile: Profile | None = None
    secret: SecretStr | None = None
    reason: str = ""
    keyring_usable: bool = True


def resolve_startup(profile_name: str | None, *, timeout: float = 5.0) -> StartupResult:
    """Load the config and the active profile's secret; never raises, never waits past ``timeout``."""
    try:
        cfg = load_config()
    except (ConfigError, InsecurePermissions) as exc:
        return StartupResult(reason=f"The config file could not be used: {exc}")
    if not cfg.profiles:
        status = keyring_status(timeout=timeout)  # a first run says up front whether the keyring can be used
        return StartupResult(reason="Welcome! Add your Vonage API key and secret to start.",
                             keyring_usable=status.usable)
    try:
        profile = get_profile(cfg, profile_name)
    except ConfigError as exc:
        return StartupResult(reason=str(exc))
    if profile.keyring_backend == "system":
        status = keyring_status(timeout=timeout)
        if not status.usable:
            return StartupResult(profile=profile, reason=status.reason, keyring_usable=False)
    if profile.keyring_backend == "encrypted-file":
        return StartupResult(
            profile=profile, reason="Enter the master password of the encrypted credentials file.",
        )
    try:
        store = SecretStorage.for_profile(profile, timeout=timeout, allow_plaintext=True)
        secret = store.get_secret(profile.name)
    except (CredentialError, InsecurePermissions) as exc:
        return StartupResult(profile=profile, reason=str(exc))
    if secret is None:
        return StartupResult(profile=profile, reason=f"No secret is stored for profile '{profile.name}'.")
    return StartupResult(profile=profile, secret=secret)
