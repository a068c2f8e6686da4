"""Where vonage-tui keeps its files — importable before the first frame (no pydantic, no keyring).

Why separate from ``tui.config``: deciding whether this is a first run (no config file yet) must be
instant, so the login form can be the very first thing painted, focused, ready for typing.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "vonage-tui"
CONFIG_FILENAME = "config.toml"
CONFIG_DIR_ENV = "VONAGE_TUI_CONFIG_DIR"
CACHE_DIR_ENV = "VONAGE_TUI_CACHE_DIR"


def _env_dir(var: str) -> Path | None:
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """The config directory: $VONAGE_TUI_CONFIG_DIR, else the platform's user config dir. Not created here."""
    import platformdirs

    return _env_dir(CONFIG_DIR_ENV) or Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The cache directory: $VONAGE_TUI_CACHE_DIR, else the platform's user cache dir. Not created here."""
    import platformdirs

    return _env_dir(CACHE_DIR_ENV) or Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILENAME


__all__ = ["APP_NAME", "CACHE_DIR_ENV", "CONFIG_DIR_ENV", "CONFIG_FILENAME", "cache_dir", "config_dir", "config_path"]
