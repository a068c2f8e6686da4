"""``Literal``: a Static that shows its text exactly as given — never read as markup.

Why a widget of its own: status lines, errors next to fields and result panels show server text
(error labels, pool ids, webhook URLs) and what the user typed; read as Textual markup,
``[@click=app.quit]x[/]`` becomes a clickable quit and ``[/]`` an exception. Anything that can hold
such text is a ``Literal``; a plain ``Static`` in this code base holds only our own fixed words.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class Literal(Static):
    """Static text with markup off, in the constructor and in every ``update``."""

    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        kwargs["markup"] = False
        super().__init__(content, **kwargs)


__all__ = ["Literal"]
