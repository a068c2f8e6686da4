"""The config's ``[keymap]``: rebinding keys by binding id, checked against the ids that exist.

Why checked: a misspelt id ("numbers.edti") would silently do nothing, and the user would think the
keymap is broken. Unknown ids are reported once at start-up (with the file to fix); the rest apply,
whatever kind of login this is (a saved profile, the environment's credentials or the demo).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from textual.binding import Binding
from textual.dom import DOMNode

from tui.formatting import plural
from tui.modes import SCREEN_PATHS

#: Modules whose classes carry bindings (importing them is enough to find every id).
MODULES = tuple(module for module, _ in SCREEN_PATHS.values()) + (
    "tui.screens.activity", "tui.screens.profiles", "tui.screens.login", "tui.screens.help",
    "tui.screens.jump", "tui.screens.unlock",
)


@dataclass
class LoadedKeymap:
    """The keymap to apply, and a sentence about what was ignored ("" when nothing was)."""

    keymap: dict[str, str] = field(default_factory=dict)
    problem: str = ""


def binding_ids() -> set[str]:
    """Every binding id of every widget and screen of the app (imports the screens: call it in a thread)."""
    for module in MODULES:
        importlib.import_module(module)
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def load() -> LoadedKeymap:
    """Read ``[keymap]`` from the config file; a config that cannot be read is start-up's to report."""
    from tui.paths import config_path

    if not config_path().exists():  # no config, no keymap: and no pydantic import racing the cache read
        return LoadedKeymap()
    from tui.config import ConfigError, load_config
    from tui.fsutil import InsecurePermissions

    try:
        cfg = load_config()
    except (ConfigError, InsecurePermissions, OSError):
        return LoadedKeymap()
    wanted = dict(cfg.keymap)
    if not wanted:
        return LoadedKeymap()
    known = binding_ids()
    unknown = sorted(k for k in wanted if k not in known)
    problem = ""
    if unknown:
        problem = (f"Ignored {plural(len(unknown), 'unknown binding id')} in [keymap] of {config_path()}: "
                   f"{', '.join(unknown)}. "
                   "The ids are listed by ? on each screen.")
    return LoadedKeymap({k: v for k, v in wanted.items() if k in known}, problem)


__all__ = ["LoadedKeymap", "binding_ids", "load"]
