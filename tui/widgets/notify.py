"""The one way the app tells the user something in a toast: always literal text, never markup.

Why one function: server error labels, pool ids, webhook URLs and what the user typed may contain
``[brackets]``; read as Textual markup, ``[@click=app.quit]x[/]`` becomes a clickable quit and ``[/]``
an exception. Every toast goes through ``say`` so none of them can parse such text.
"""

from __future__ import annotations

from typing import Literal

from textual.dom import DOMNode

from tui.widgets.literal import printable

Severity = Literal["information", "warning", "error"]


def say(node: DOMNode, message: str, *, title: str = "", severity: Severity = "information",
        timeout: float | None = None) -> None:
    """Show ``message`` (and ``title``) exactly as given, as a toast (controls made visible, see Literal)."""
    node.app.notify(printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False)


__all__ = ["Severity", "say"]
