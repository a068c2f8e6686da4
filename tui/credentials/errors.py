"""What can go wrong with stored secrets, as exceptions whose messages are for people and never hold a secret.

The classes say they live in `tui.credentials` (their public home): callers such as tui.rotation recognise
"one of ours, safe to show" by that module name without importing the keyring.
"""

from __future__ import annotations

import re

from pydantic import SecretStr

from tui.config import looks_like_secret

__all__ = [
    "CredentialError", "CredentialFileError", "CredentialsLocked", "KeyringTimeout", "KeyringUnavailable",
    "MasterPasswordRequired", "PlaintextNotAllowed", "WrongMasterPassword", "safe_detail",
]


class CredentialError(Exception):
    """A secret could not be read, stored or removed. The message is for people and never holds a secret."""


class KeyringTimeout(CredentialError):
    """The keyring did not answer in time (typically a locked collection waiting for a desktop prompt)."""


class KeyringUnavailable(CredentialError):
    """There is no usable system keyring here (headless machine, keyring disabled)."""


class CredentialsLocked(CredentialError):
    """The system keyring is locked and was not unlocked."""


class MasterPasswordRequired(CredentialError):
    """The encrypted credentials file needs its master password (unlock()) before use."""


class WrongMasterPassword(CredentialError):
    """The master password does not open the encrypted credentials file."""


class CredentialFileError(CredentialError):
    """The credentials file is damaged, tampered with, or not ours."""


class PlaintextNotAllowed(CredentialError):
    """The plain-text file backend was asked for without allow_plaintext=True."""


for _cls in (
    CredentialError, KeyringTimeout, KeyringUnavailable, CredentialsLocked, MasterPasswordRequired,
    WrongMasterPassword, CredentialFileError, PlaintextNotAllowed,
):
    _cls.__module__ = "tui.credentials"

_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def safe_detail(exc: BaseException, secret: SecretStr | None) -> str:
    """A foreign exception as "Type: text" with the secret, and anything shaped like one, redacted.

    Back-ends we do not control may echo what they were given; their text is never shown unfiltered.
    """
    text = str(exc)
    value = secret.get_secret_value() if secret is not None else ""
    if value:
        text = text.replace(value, "[redacted]")
    text = _ALNUM_RUN.sub(lambda m: "[redacted]" if looks_like_secret(m.group()) else m.group(), text)
    text = " ".join(text.split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
