"""``Literal``: a Static that shows its text exactly as given — never read as markup, never as a control.

Why a widget of its own: status lines, errors next to fields and result panels show server text
(error labels, pool ids, webhook URLs) and what the user typed; read as Textual markup,
``[@click=app.quit]x[/]`` becomes a clickable quit and ``[/]`` an exception. And a control character
(ESC, CSI, OSC 52) written to the terminal as it is would drive the terminal itself: move the cursor,
retitle the window, or set the clipboard. Anything that can hold such text is a ``Literal``; a plain
``Static`` in this code base holds only our own fixed words.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from tui.api.text import printable


def literal(text: object) -> Content:
    """Content showing ``text`` exactly, for widgets that take content (buttons, options, labels)."""
    return Content(printable(str(text)))


class Literal(Static):
    """Static text with markup off and controls made visible, in the constructor and every ``update``."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        kwargs["markup"] = False
        super().__init__(printable(content) if isinstance(content, str) else content, **kwargs)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(printable(content) if isinstance(content, str) else content, layout=layout)


__all__ = ["Literal", "literal", "printable"]
