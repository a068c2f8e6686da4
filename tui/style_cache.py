"""The stylesheet's parsed rules, kept between runs so the first frame does not parse CSS.

Why: Textual parses every start's CSS from text — our ``app.tcss`` and the default CSS of each widget
the first screen shows — which was ~12 ms of a first frame that is measured against a bare Textual
app (whose own CSS is a tenth of ours). The result depends only on the CSS text, the theme's
variables and Textual's code, so it is safe to reuse: entries are keyed by the full CSS text (as
Textual's own in-memory parse cache is), and the file is used only when the variables, Textual's
parser files and Python are the ones it was written with. A missing, foreign or broken file just
means Textual parses, as it always did.

The file holds pickled Textual objects, so it is read only when it is ours alone (a 0600 file in a
0700 directory, never through a link: ``tui.fsutil``) — the same trust as the config beside it —
and never holds anything but styles. It is written once per change, right after the first frame, off
the UI thread.
"""

from __future__ import annotations

import enum
import functools
import io
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.css.stylesheet import Stylesheet

if TYPE_CHECKING:
    from textual.app import App

FILENAME = "styles.pickle"
_FORMAT = 1
_MAX_BYTES = 4 << 20  # ours is ~80 KB; anything far larger is not ours to unpickle


def _fingerprint(stylesheet: Stylesheet) -> str:
    """What the parsed rules depend on besides the CSS text: the variables, Python, and Textual — its
    version (its dist-info's name) and the size and time of every module whose objects are pickled (a
    packager that fixes file times, as Nix does, still changes a version or a size)."""
    import textual

    root = Path(textual.__file__ or "").parent
    parts = [f"{_FORMAT}", sys.version, repr(sorted(stylesheet._variables.items()))]
    with os.scandir(root.parent) as found:
        parts += sorted(e.name for e in found if e.name.startswith("textual-") and e.name.endswith(".dist-info"))
    for folder in (root / "css", root / "layouts"):
        with os.scandir(folder) as found:
            files = sorted((e.name, e.stat()) for e in found if e.name.endswith(".py"))
        parts += [f"{folder.name}/{name}:{info.st_size}:{info.st_mtime_ns}" for name, info in files]
    for name in ("color.py", "geometry.py"):
        info = (root / name).stat()
        parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)  # kept whole, not hashed: hashlib alone would cost the start 1.5 ms


#: What the file may name, and nothing else: the classes (and selector checks) of parsed rules. A
#: pickle can call whatever it names, so a planted file could otherwise run code in the app.
_ALLOWED_MODULES = ("textual.color", "textual.geometry", "textual.css.", "textual.layouts.")
_ALLOWED_FUNCTIONS = {("textual.css.model", f"_check_{kind}") for kind in ("class", "id", "type", "universal")}


class _RulesUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("functools", "partial"):
            return functools.partial
        if (module, name) == ("builtins", "getattr"):
            return _enum_member
        if (module, name) in _ALLOWED_FUNCTIONS:
            return super().find_class(module, name)
        if "." not in name and module.startswith(_ALLOWED_MODULES):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a stylesheet")


def _enum_member(owner: Any, name: str) -> Any:
    """The only ``getattr`` parsed rules need: a member of an enum (how enums are pickled), and a rules
    dict's ``get`` and ``__contains__`` (``Styles`` keeps them bound)."""
    if isinstance(owner, type) and issubclass(owner, enum.Enum) and not name.startswith("_"):
        return getattr(owner, name)
    if type(owner) is dict and name in ("get", "__contains__"):
        return getattr(owner, name)
    raise pickle.UnpicklingError("not an enum member or a dict's lookup")


def _load(data: bytes) -> Any:
    return _RulesUnpickler(io.BytesIO(data)).load()


def _parse_cache(stylesheet: Stylesheet) -> Any:
    """Textual's in-memory parse cache (``_parse_rules`` looks there first), or None if it has moved."""
    cache = getattr(stylesheet, "_parse_cache", None)
    return cache if hasattr(cache, "keys") and hasattr(cache, "__setitem__") else None


def preload(stylesheet: Stylesheet, directory: Path) -> frozenset[tuple[Any, ...]]:
    """Put the rules saved by an earlier run into ``stylesheet``'s parse cache; the keys put there.

    Never raises: any doubt about the file (not ours, not private, too big, not readable, from
    another Textual, theme or Python) and Textual simply parses.
    """
    cache = _parse_cache(stylesheet)
    if cache is None:
        return frozenset()
    from tui.fsutil import read_private_file

    try:
        data = read_private_file(directory / FILENAME, max_bytes=_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            return frozenset()
        fingerprint, entries = _load(data)
        if fingerprint != _fingerprint(stylesheet):
            return frozenset()
        for key, rules in entries:
            cache[key] = rules
        return frozenset(key for key, _ in entries)
    except Exception:  # noqa: BLE001 - a cache: whatever is wrong with it, parse instead
        return frozenset()


def snapshot(stylesheet: Stylesheet) -> list[tuple[tuple[Any, ...], Any]]:
    """The entries of the parse cache now (call it once the first frame is drawn: what it needed)."""
    cache = _parse_cache(stylesheet)
    if cache is None:
        return []
    entries = []
    for key in list(cache.keys()):
        rules = cache.get(key)
        if rules is not None:
            entries.append((key, rules))
    return entries


def save_soon(app: App[Any]) -> None:
    """Once per App, as its first frame is drawn: keep what that frame parsed, when any of it did not come
    from the file. A plain thread, started before the frame is rendered — not a worker, which would wait
    for the event loop (~40 ms, while the second frame is built) — so that a start stopped as soon as
    its first frame shows (a benchmark, a user who quits at once) still leaves the file for the next;
    only a start that had to parse pays for it (~3 ms of its first frame)."""
    if getattr(app, "_styles_saved", True):
        return
    app._styles_saved = True  # type: ignore[attr-defined]
    try:
        entries = snapshot(app.stylesheet)
        known: frozenset[object] = getattr(app, "styles_preloaded", frozenset())
        if entries and any(key not in known for key, _ in entries):
            from tui.paths import cache_dir

            threading.Thread(target=save, args=(app.stylesheet, entries, cache_dir()), name="style-cache").start()
    except Exception:  # noqa: BLE001 - no thread to be had (a process limit): parsed again next time
        return


def save(stylesheet: Stylesheet, entries: list[tuple[tuple[Any, ...], Any]], directory: Path) -> bool:
    """Write ``entries`` for the next run (blocking: call it in a thread). False when it could not."""
    if not entries:
        return False
    from tui.fsutil import write_private_file

    try:
        data = pickle.dumps((_fingerprint(stylesheet), entries), protocol=pickle.HIGHEST_PROTOCOL)
        _load(data)  # what the next start could not read back is not written (a class outside the list)
        write_private_file(directory / FILENAME, data, fsync=False)  # a start killed right after its frame keeps it
    except Exception:  # noqa: BLE001 - a cache that cannot be written is parsed again next time
        return False
    return True


__all__ = ["FILENAME", "preload", "save", "save_soon", "snapshot"]
