"""Is the focused widget a field? Asked on every global key, and before the first frame.

Why not ``isinstance(w, (Input, TextArea, Select))`` with the classes imported: importing TextArea
and Select costs ~7 ms of start-up that the first frame does not need. A widget of a class that was
never imported cannot be on screen, so the classes are looked up only if their modules are loaded.
"""

from __future__ import annotations

import sys

from textual.widget import Widget
from textual.widgets import Input

_TEXT_AREA = ("textual.widgets._text_area", "TextArea")
_SELECT = ("textual.widgets._select", "Select")


def _is(widget: object, where: tuple[str, str]) -> bool:
    module = sys.modules.get(where[0])
    return module is not None and isinstance(widget, getattr(module, where[1]))


def takes_text(widget: Widget | None) -> bool:
    """A field keys type into (Input, TextArea)."""
    return isinstance(widget, Input) or _is(widget, _TEXT_AREA)


def is_field(widget: Widget | None) -> bool:
    """A field Esc leaves before it goes back (Input, TextArea, Select)."""
    return takes_text(widget) or _is(widget, _SELECT)


def text_of(widget: Widget) -> object:
    """What a field holds: a TextArea's text, any other field's value."""
    return widget.text if _is(widget, _TEXT_AREA) else widget.value  # type: ignore[attr-defined]
