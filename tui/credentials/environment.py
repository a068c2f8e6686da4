"""Credentials for this run from the environment (VONAGE_API_KEY/VONAGE_API_SECRET), and resolution: the
environment pair wins over the stored profile without touching what is stored."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tui.config import Profile
from tui.crash import hold
from tui.credentials.errors import CredentialError

if TYPE_CHECKING:
    from tui.credentials.storage import SecretStorage

__all__ = ["API_KEY_ENV", "API_SECRET_ENV", "Credentials", "env_credentials", "resolve_credentials"]

API_KEY_ENV = "VONAGE_API_KEY"
API_SECRET_ENV = "VONAGE_API_SECRET"


def env_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, SecretStr] | None:
    """(api_key, secret) from VONAGE_API_KEY/VONAGE_API_SECRET, overriding the stored profile for this run.

    None when neither is set; CredentialError when only one is.
    """
    env = os.environ if environ is None else environ
    key = env.get(API_KEY_ENV, "").strip()
    secret = SecretStr(env.get(API_SECRET_ENV, "").strip())
    hold(secret)
    has_secret = bool(secret.get_secret_value())
    if not key and not has_secret:
        return None
    if not key or not has_secret:
        have, missing = (API_KEY_ENV, API_SECRET_ENV) if key else (API_SECRET_ENV, API_KEY_ENV)
        raise CredentialError(f"{have} is set but {missing} is not: set both, or neither.")
    return key, secret


@dataclass(frozen=True)
class Credentials:
    """What the client needs. `source` is "environment" or the storage's backend."""

    api_key: str
    api_secret: SecretStr
    source: str
    profile: str | None = None


def resolve_credentials(
    profile: Profile | None, storage: SecretStorage | None, *, environ: Mapping[str, str] | None = None
) -> Credentials | None:
    """The environment pair if set, else the profile's key with its stored secret; None when there is no secret."""
    env = env_credentials(environ)
    if env is not None:
        return Credentials(env[0], env[1], "environment", profile.name if profile else None)
    if profile is None or storage is None:
        return None
    secret = storage.get_secret(profile.name)
    return None if secret is None else Credentials(profile.api_key, secret, storage.backend, profile.name)
