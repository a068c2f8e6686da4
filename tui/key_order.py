"""Keys typed into a field are applied in the order they were typed, even when they arrive at once.

Why: Textual inserts a character in the field when the field gets the key, but runs a key *binding*
(Enter submits, ctrl+u clears, ← moves) only after the key has bubbled back up to the App — a round
trip through three message queues. Keys that arrive together (a fast typist, a paste of keys, an SSH
link that batches them) are therefore applied out of order: "Tab ctrl+u https://new… ctrl+s" cleared
the field *after* the URL was typed, and the save removed a webhook. Plain Textual does the same
(``x ctrl+u yz`` leaves the field empty).

So the App applies a key meant for a focused field itself, in its own queue, one key after the other:
a priority binding first (as Textual does), then the field's own bindings, then a printable character.
Anything else (esc, ctrl+s, ↑ ↓) takes Textual's usual way, after the keys before it were applied.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events
from textual.widgets import Input


async def applied_in_order(app: Any, event: events.Key) -> bool:
    """Apply ``event`` to the focused field now; False when it is not one this handles."""
    field = app.focused
    if not isinstance(field, Input) or field.disabled or app.screen.maximized is not None:
        return False
    if not await _settled(field):  # still busy after a moment: this key joins the others, in order
        return False
    if await app._check_bindings(event.key, priority=True):
        return True
    for binding in field._bindings.key_to_bindings.get(event.key, ()):
        if await app.run_action(binding.action, field):
            return True
    if event.is_printable and event.character is not None:
        field._restart_blink()
        selection = field.selection
        if selection.is_empty:
            field.insert_text_at_cursor(event.character)
        else:
            field.replace(event.character, *selection)
        return True
    return False


async def _settled(field: Input, *, tries: int = 200) -> bool:
    """Wait (at most ~0.2 s) until the field has handled what is already on its way to it: its focus
    (which may select its text, so that typing replaces it) and keys sent to it the usual way (esc)."""
    for _ in range(tries):
        if field._message_queue.empty():
            return True
        await asyncio.sleep(0.001)
    return False


__all__ = ["applied_in_order"]
