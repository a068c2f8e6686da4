"""Non-secret settings (profiles, keymap, theme, journal and cache) in a private TOML file.

Secrets never live here: they go to the keyring (tui.credentials). The models refuse any field that is named
like a secret or whose value looks like one, and their validation errors never echo the input.
No Textual imports: used from worker threads.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tui.api.hosts import DEFAULT_API_URL, DEFAULT_REST_URL, validate_base_url
from tui.fsutil import InsecurePermissions, ensure_private_dir, read_private_file, write_private_file
from tui.paths import APP_NAME, CACHE_DIR_ENV, CONFIG_DIR_ENV, CONFIG_FILENAME, cache_dir, config_dir, config_path

__all__ = [
    "APP_NAME", "CACHE_DIR_ENV", "CONFIG_DIR_ENV", "CONFIG_FILENAME", "DEFAULT_API_URL", "DEFAULT_REST_URL",
    "CacheSettings", "Config", "ConfigError", "InsecurePermissions", "JournalSettings", "KeyringBackendName",
    "Profile", "ProfileError", "add_profile", "cache_dir", "config_dir", "config_path", "config_to_toml",
    "get_profile", "load_config", "looks_like_secret", "parse_config", "remove_profile", "remove_subaccount",
    "rename_profile", "save_config", "set_subaccount", "switch_profile", "update_profile",
    "validate_profile_name", "validate_subaccount"]


KeyringBackendName = Literal["system", "encrypted-file", "plaintext-file"]

_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_API_KEY = re.compile(r"[A-Za-z0-9]{1,32}")
_SECRET_NAME = re.compile(r"secret|passw|passphrase|token|private[_-]?key|credential|signature", re.I)
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9]{8,128}")
_THEME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_KEY = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z0-9_]{2,32}|[!-~])")
_LABEL_MAX, _MAX_SUBACCOUNTS = 40, 100
_WHERE_SECRETS_GO = "secrets are kept in the keyring (or the encrypted credentials file), never in the config file"


class ConfigError(Exception):
    """The config cannot be used as it is; the message names the file or field and what to do (never a value)."""


class ProfileError(ConfigError, ValueError):
    """A profile operation that cannot be done: unknown name, duplicate, no active profile."""


def looks_like_secret(value: str) -> bool:
    """True for an 8-128 character letters-and-digits string mixing lower case, upper case and digits.

    Vonage API secrets have that shape; API keys (lower-case hex), country codes, URLs and key names do not.
    """
    return (
        _SECRET_SHAPE.fullmatch(value) is not None
        and any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
    )


def validate_profile_name(name: str) -> str:
    """A profile name (also the keyring user name): 1-64 of letters, digits, '.', '_', '-', not starting with those."""
    if not isinstance(name, str) or _PROFILE_NAME.fullmatch(name) is None:
        raise ProfileError(
            "A profile name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
    return name


def validate_subaccount(api_key: str, label: str) -> tuple[str, str]:
    """(API key, label with runs of spaces made one). Strict because the label is shown in every "for account"
    choice and the key goes out as ``target_api_key``: no pasted secret, control sequence or paragraph."""
    key = api_key.strip() if isinstance(api_key, str) else ""
    text = " ".join(label.split()) if isinstance(label, str) else ""
    if _API_KEY.fullmatch(key) is None:
        raise ProfileError("A subaccount's API key is 1 to 32 letters and digits (Vonage keys are 8 characters).")
    if looks_like_secret(key) or looks_like_secret(text):
        raise ProfileError(f"That looks like an API secret, not a subaccount's key or label; {_WHERE_SECRETS_GO}.")
    if not text or len(text) > _LABEL_MAX or not text.isprintable():
        raise ProfileError(f"A subaccount's label is 1 to {_LABEL_MAX} printable characters.")
    return key, text


def _refuse_secret_names(data: dict[Any, Any], where: str) -> None:
    for key in data:
        if _SECRET_NAME.search(str(key)):
            field = f"{where}.{key}" if where else str(key)
            raise ValueError(f"'{field}' is not allowed: {_WHERE_SECRETS_GO}")


def _refuse_secret_values(data: dict[Any, Any], where: str, skip: frozenset[str] = frozenset()) -> None:
    for key, value in data.items():
        if key in skip:
            continue
        field = f"{where}.{key}" if where else str(key)
        if isinstance(value, str) and looks_like_secret(value):
            raise ValueError(
                f"'{field}' looks like an API secret (letters and digits mixing upper and lower case); "
                f"{_WHERE_SECRETS_GO}"
            )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, validate_assignment=True)


class Profile(_Model):
    """One Vonage account: its API key and hosts. The secret is in the keyring under this profile's name."""

    name: str
    api_key: str
    rest_url: str = DEFAULT_REST_URL
    api_url: str = DEFAULT_API_URL
    default_country: str | None = None
    rate_limit: float = Field(25.0, gt=0, le=1000)
    timeout: float = Field(15.0, gt=0, le=300)
    keyring_backend: KeyringBackendName = "system"
    read_only: bool = False
    #: Subaccounts this profile may act for: API key -> label (``[profiles.NAME.subaccounts]``).
    subaccounts: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            where = f"profiles.{data.get('name', '?')}"
            _refuse_secret_names(data, where)
            _refuse_secret_values(data, where, skip=frozenset({"name"}))
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        try:
            return validate_profile_name(value)
        except ProfileError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("api_key")
    @classmethod
    def _api_key(cls, value: str) -> str:
        value = value.strip()
        if _API_KEY.fullmatch(value) is None:
            raise ValueError("an API key is 1 to 32 letters and digits (Vonage keys are 8 characters)")
        return value

    @field_validator("subaccounts")
    @classmethod
    def _subaccounts(cls, value: dict[str, str], info: Any) -> dict[str, str]:
        checked: dict[str, str] = {}
        for key, label in value.items():
            try:
                key, label = validate_subaccount(key, label)
            except ProfileError as exc:
                raise ValueError(str(exc)) from None
            if key == info.data.get("api_key"):
                raise ValueError("a subaccount's API key is not the profile's own API key")
            checked[key] = label
        if len(checked) > _MAX_SUBACCOUNTS:
            raise ValueError(f"at most {_MAX_SUBACCOUNTS} subaccounts per profile")
        return checked

    @field_validator("rest_url", "api_url")
    @classmethod
    def _url(cls, value: str, info: Any) -> str:
        # The one set of base-URL rules (tui.api.hosts); it imports httpx only when called, so importing
        # this module stays light. Its InsecureURL is a ValueError and never repeats the URL.
        return validate_base_url(value, info.field_name)

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip().upper()
        if re.fullmatch(r"[A-Z]{2}", value) is None:
            raise ValueError("default_country is a two-letter ISO country code such as GB or US")
        return value


class JournalSettings(_Model):
    """The local record of money-moving actions (buy, cancel, top-up)."""

    enabled: bool = True
    path: str | None = None  # None: the journal module picks its default location


class CacheSettings(_Model):
    """The on-disk cache of owned numbers and similar listings."""

    enabled: bool = True
    ttl_seconds: float = Field(300.0, ge=0)


class Config(_Model):
    """Everything in config.toml. Profiles are keyed by name; `active_profile` is one of them or None."""

    version: Literal[1] = 1
    profiles: dict[str, Profile] = Field(default_factory=dict)
    active_profile: str | None = None
    keymap: dict[str, str] = Field(default_factory=dict)
    theme: str | None = None
    animations: bool = False
    journal: JournalSettings = Field(default_factory=JournalSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        _refuse_secret_names(data, "")
        _refuse_secret_values(data, "", skip=frozenset({"active_profile"}))
        for section in ("journal", "cache"):
            if isinstance(data.get(section), dict):
                _refuse_secret_names(data[section], section)
                _refuse_secret_values(data[section], section)
        if isinstance(data.get("keymap"), dict):
            _refuse_secret_values(data["keymap"], "keymap")
        profiles = data.get("profiles")
        if isinstance(profiles, dict):
            named = {}
            for key, table in profiles.items():
                if isinstance(table, dict):
                    table = dict(table)
                    if table.setdefault("name", key) != key:
                        raise ValueError(f"profile [profiles.{key}] has a different name inside it")
                named[key] = table
            data = {**data, "profiles": named}
        return data

    @field_validator("keymap")
    @classmethod
    def _keymap(cls, value: dict[str, str]) -> dict[str, str]:
        for binding_id, keys in value.items():
            if not all(_KEY.fullmatch(k.strip()) for k in keys.split(",")):
                raise ValueError(
                    f"keymap '{binding_id}': keys are names such as ctrl+s, f2, j or G, separated by commas"
                )
        return value

    @field_validator("theme")
    @classmethod
    def _theme(cls, value: str | None) -> str | None:
        if value is not None and _THEME.fullmatch(value) is None:
            raise ValueError("theme is a Textual theme name such as textual-dark or ansi-dark")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        for key, profile in self.profiles.items():
            if profile.name != key:
                raise ValueError(f"profile '{key}' has a different name inside it")
        if self.active_profile is not None and self.active_profile not in self.profiles:
            raise ValueError("active_profile is not one of the profiles")
        return self


# -- load / save ---------------------------------------------------------------------------------------------


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        msg = err["msg"].removeprefix("Value error, ")
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _validate(data: dict[str, Any]) -> tuple[Config | None, str]:
    # Errors are raised by the callers outside the `except`, so no exception holding the input (which may be a
    # secret someone tried to sneak in) stays attached as __context__.
    try:
        return Config.model_validate(data), ""
    except ValidationError as exc:
        return None, _describe(exc)


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    """Validate raw TOML data; ConfigError (never echoing a value) on failure."""
    cfg, problem = _validate(data)
    if cfg is None:
        raise ConfigError(f"{source} is not valid: {problem}")
    return cfg


def config_to_toml(cfg: Config) -> str:
    data = cfg.model_dump(mode="json", exclude_none=True)
    for table in data.get("profiles", {}).values():
        table.pop("name", None)  # the table key is the name
        if not table.get("subaccounts"):
            table.pop("subaccounts", None)  # no empty [profiles.NAME.subaccounts] table
    return tomli_w.dumps(data)


def load_config(path: Path | None = None, *, max_bytes: int = 1 << 20) -> Config:
    """Read config.toml; a missing file gives the defaults (nothing is created). Raises InsecurePermissions when
    the file or its directory can be reached by other users (SymlinkRefused, a subclass, for a symbolic link),
    ConfigError when it is over ``max_bytes`` (a real one is a few KB), not valid TOML or not a valid config."""
    path = Path(path) if path is not None else config_path()
    try:
        raw = read_private_file(path, max_bytes=max_bytes + 1)  # checks the directory too; refuses a symlink
    except FileNotFoundError:
        return Config()
    too_big = len(raw) > max_bytes  # parsing 50 MB of TOML takes seconds: refused unparsed
    problem = f"is larger than {max_bytes / (1 << 20):g} MB, the most a config file may be" if too_big else ""
    try:
        data = {} if problem else tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        problem = "is not UTF-8 text"
    except tomllib.TOMLDecodeError as exc:
        problem = f"is not valid TOML: {exc}"
    if problem:
        raise ConfigError(f"{path} {problem}")
    return parse_config(data, str(path))


def save_config(cfg: Config, path: Path | None = None) -> Path:
    """Write config.toml atomically (0600 file in a 0700 directory); returns the path written."""
    path = Path(path) if path is not None else config_path()
    cfg = parse_config(cfg.model_dump(), "the config to save")  # re-check invariants a caller may have bent
    ensure_private_dir(path.parent)
    write_private_file(path, config_to_toml(cfg).encode("utf-8"))
    return path


# -- profiles (pure: each returns a new Config; the caller saves it) -----------------------------------------


def _rebuild(data: dict[str, Any]) -> Config:
    cfg, problem = _validate(data)
    if cfg is None:
        raise ProfileError(problem)
    return cfg


def get_profile(cfg: Config, name: str | None = None) -> Profile:
    """The named profile, or the active one when `name` is None."""
    if name is None:
        if cfg.active_profile is None:
            raise ProfileError("No profile is active: add one or switch to one.")
        name = cfg.active_profile
    profile = cfg.profiles.get(name)
    if profile is None:
        raise ProfileError(f"There is no profile named '{name}'.")
    return profile


def add_profile(cfg: Config, profile: Profile, *, activate: bool | None = None) -> Config:
    """Add a profile. `activate=None` makes it active only if no profile is active yet."""
    if profile.name in cfg.profiles:
        raise ProfileError(f"A profile named '{profile.name}' already exists.")
    data = cfg.model_dump()
    data["profiles"][profile.name] = profile.model_dump()
    if activate or (activate is None and cfg.active_profile is None):
        data["active_profile"] = profile.name
    return _rebuild(data)


def update_profile(cfg: Config, name: str, /, **changes: Any) -> Config:
    """Change fields of a profile (not its name: use rename_profile)."""
    if "name" in changes:
        raise ProfileError("Use rename_profile to change a profile's name.")
    current = get_profile(cfg, name)
    data = cfg.model_dump()
    data["profiles"][name] = {**current.model_dump(), **changes}
    return _rebuild(data)


def rename_profile(cfg: Config, old: str, new: str) -> Config:
    """Rename a profile, keeping its place and whether it is active. Rename its keyring entry too
    (SecretStorage.rename) before saving."""
    get_profile(cfg, old)
    validate_profile_name(new)
    if new == old:
        return cfg.model_copy(deep=True)
    if new in cfg.profiles:
        raise ProfileError(f"A profile named '{new}' already exists.")
    data = cfg.model_dump()
    data["profiles"] = {
        (new if key == old else key): ({**table, "name": new} if key == old else table)
        for key, table in data["profiles"].items()
    }
    if data["active_profile"] == old:
        data["active_profile"] = new
    return _rebuild(data)


def remove_profile(cfg: Config, name: str) -> Config:
    """Remove a profile. If it was active, no profile is active afterwards (never a silent switch of account)."""
    get_profile(cfg, name)
    data = cfg.model_dump()
    del data["profiles"][name]
    if data["active_profile"] == name:
        data["active_profile"] = None
    return _rebuild(data)


def switch_profile(cfg: Config, name: str) -> Config:
    """Make `name` the active profile."""
    get_profile(cfg, name)
    data = cfg.model_dump()
    data["active_profile"] = name
    return _rebuild(data)


def set_subaccount(cfg: Config, name: str, api_key: str, label: str) -> Config:
    """Add a subaccount to a profile, or give a known one a new label."""
    key, text = validate_subaccount(api_key, label)  # the profile's own key is refused by Profile
    return update_profile(cfg, name, subaccounts={**get_profile(cfg, name).subaccounts, key: text})


def remove_subaccount(cfg: Config, name: str, api_key: str) -> Config:
    """Forget a subaccount of a profile (nothing changes at Vonage)."""
    profile = get_profile(cfg, name)
    if api_key not in profile.subaccounts:
        raise ProfileError(f"Profile '{name}' has no subaccount with that API key.")
    return update_profile(cfg, name, subaccounts={k: v for k, v in profile.subaccounts.items() if k != api_key})
