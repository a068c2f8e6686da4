"""API secrets: the OS keyring (one entry per profile), an encrypted file, or, by explicit opt-in, a plain file.

    errors          CredentialError and its kinds (messages for people, never a secret)
    advice          the sentences for a keyring that cannot be used here (SSH, no bus, locked...)
    runner          storage calls in a daemon thread with a timeout (a hung keyring never freezes the app)
    secret_service  read-only D-Bus probes: session bus, Secret Service, locked collection
    system          keyring's backend, chosen without terminal-prompting file keyrings
    status          keyring_status(): usable here or not, and why
    files           the credentials files' shared checks; the plain-text file
    encrypted       the encrypted file (scrypt + Fernet), its header refused unless it is what we write
    storage         SecretStorage: get/set/delete/rename a profile's secret in one of the three
    environment     VONAGE_API_KEY/VONAGE_API_SECRET for this run, and resolution

Importing this package imports neither keyring nor cryptography (they load on first use). No Textual
imports: used from worker threads.
"""

from __future__ import annotations

from tui.credentials.advice import (
    CHOICES,
    HEADLESS_REASON,
    KEYRING_DISABLED_REASON,
    NO_SECRET_SERVICE_REASON,
    NO_SESSION_BUS_REASON,
    NO_SYSTEM_KEYRING_REASON,
    UNLOCK_GNOME_KEYRING,
    headless_session,
    locked_reason,
    no_collection_reason,
)
from tui.credentials.encrypted import MIN_MASTER_PASSWORD
from tui.credentials.environment import (
    API_KEY_ENV,
    API_SECRET_ENV,
    Credentials,
    env_credentials,
    resolve_credentials,
)
from tui.credentials.errors import (
    CredentialError,
    CredentialFileError,
    CredentialsLocked,
    KeyringTimeout,
    KeyringUnavailable,
    MasterPasswordRequired,
    PlaintextNotAllowed,
    WrongMasterPassword,
)
from tui.credentials.status import DEFAULT_TIMEOUT, KeyringState, KeyringStatus, keyring_status
from tui.credentials.storage import ENCRYPTED_FILENAME, FILE_TIMEOUT, PLAINTEXT_FILENAME, SERVICE, SecretStorage

__all__ = [
    "API_KEY_ENV", "API_SECRET_ENV", "CHOICES", "DEFAULT_TIMEOUT", "ENCRYPTED_FILENAME", "FILE_TIMEOUT",
    "HEADLESS_REASON", "KEYRING_DISABLED_REASON", "MIN_MASTER_PASSWORD", "NO_SECRET_SERVICE_REASON",
    "NO_SESSION_BUS_REASON", "NO_SYSTEM_KEYRING_REASON", "PLAINTEXT_FILENAME", "SERVICE", "UNLOCK_GNOME_KEYRING",
    "CredentialError", "CredentialFileError", "Credentials", "CredentialsLocked", "KeyringState",
    "KeyringStatus", "KeyringTimeout", "KeyringUnavailable", "MasterPasswordRequired", "PlaintextNotAllowed",
    "SecretStorage", "WrongMasterPassword", "env_credentials", "headless_session", "keyring_status",
    "locked_reason", "no_collection_reason", "resolve_credentials",
]
