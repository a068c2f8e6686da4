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
and never holds anything but styles. It is written once per change, after the first frame, off the
UI thread.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path
from typing import Any

from textual.css.stylesheet import Stylesheet

FILENAME = "styles.pickle"
_FORMAT = 1
_MAX_BYTES = 4 << 20  # ours is ~80 KB; anything far larger is not ours to unpickle


def _fingerprint(stylesheet: Stylesheet) -> str:
    """What the parsed rules depend on besides the CSS text: the variables, Textual's parser, Python."""
    from textual.css import model, parse, styles, tokenize

    parts = [f"{_FORMAT}", sys.version, repr(sorted(stylesheet._variables.items()))]
    for module in (model, parse, styles, tokenize):
        found = Path(module.__file__ or "").stat()
        parts.append(f"{module.__name__}:{found.st_size}:{found.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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
        fingerprint, entries = pickle.loads(data)
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


def save(stylesheet: Stylesheet, entries: list[tuple[tuple[Any, ...], Any]], directory: Path) -> bool:
    """Write ``entries`` for the next run (blocking: call it in a thread). False when it could not."""
    if not entries:
        return False
    from tui.fsutil import write_private_file

    try:
        write_private_file(directory / FILENAME, pickle.dumps((_fingerprint(stylesheet), entries),
                                                             protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - a cache that cannot be written is parsed again next time
        return False
    return True


__all__ = ["FILENAME", "preload", "save", "snapshot"]
