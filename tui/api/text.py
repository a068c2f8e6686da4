"""Server text made safe to show: no terminal control character ever reaches the screen as itself.

Why its own module: the screens (first frame included) need this one function without importing
httpx or pydantic; the answers' reader uses the same rule.
"""

from __future__ import annotations

import re

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                      r"\u2060-\u206f\ufeff\ufff9-\ufffb]")
"""C0 (but tab and newline), DEL and C1: ESC starts sequences that move the cursor, retitle the window
or set the clipboard (OSC 52); a C1 CSI does the same in one character. Also the invisible format
characters (zero-width, bidi overrides and isolates): U+202E would show a URL reversed."""


def printable(text: str) -> str:
    """``text`` with every terminal control character (but tab and newline) replaced by U+FFFD."""
    return CONTROLS.sub("\N{REPLACEMENT CHARACTER}", text)


__all__ = ["CONTROLS", "printable"]
