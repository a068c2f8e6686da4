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

The same round trip reorders keys outside fields: in "j j d Tab" the App ran Tab (a priority key)
while j j d were still on their way, so j j were looked up with the focus already moved (lost) and
d cancelled the first row, not the third. So a key that takes the usual way is the only one on its
way: the next key waits in the App (``dispatch``) until it came back or was used up.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
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
            # what it posted (Enter: Submitted) is handled before the next key (the App is busy with this one)
            await _settled(*(node for node in field.ancestors_with_self if node is not app))
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


async def _settled(*nodes: Any, tries: int = 200) -> bool:
    """Wait (at most ~0.2 s) until these have handled what is already on its way to them: a field its
    focus (which may select its text, so that typing replaces it) and keys sent to it the usual way
    (esc); a field and its screen the message its binding posted."""
    for _ in range(tries):
        if all(node._message_queue.empty() for node in nodes):
            return True
        await asyncio.sleep(0.001)
    return False


async def _shown(app: Any, *, tries: int = 250) -> None:
    """Wait (at most ~0.25 s) until the screen now on top is mounted and has focused what it focuses,
    so a key typed right after the one that opened it (``n`` then the secret) lands in its field."""
    for _ in range(tries):
        screen = app.screen
        if screen.is_mounted and screen._message_queue.empty() and (
                app.focused is None or app.focused._message_queue.empty()):
            return
        await asyncio.sleep(0.001)


#: How long a key may stay on its way before the next one goes anyway (a widget removed with it, say).
ON_ITS_WAY_MAX = 0.25


class _OnItsWay:
    """The key the App sent to a widget, until it is back at the App or a widget on its way kept it.

    Each widget on the way says when it has handled the key (Textual's per-widget ``message_signal``):
    then the key is either in the next one's queue (passed up) or was kept there (an Input's character).
    """

    def __init__(self, app: Any, key: events.Key, target: Any) -> None:
        self.app, self.key, self.since, self.kept = app, key, time.monotonic(), False
        self.path = [target, *(node for node in target.ancestors if node is not app)]
        for node in self.path:
            node.message_signal.subscribe(app, self._handled, immediate=True)

    def _handled(self, message: object) -> None:
        if message is self.key:  # passed up: in the next queue on its way (the App's included)
            self.kept = not any(self.key in node._message_queue.values for node in (*self.path, self.app))
            if self.kept:
                self.app.call_next(release, self.app)

    def done(self) -> bool:
        return self.kept or time.monotonic() - self.since > ON_ITS_WAY_MAX

    def close(self) -> None:
        for node in self.path:
            node.message_signal.unsubscribe(self.app)


def _state(app: Any) -> tuple[_OnItsWay | None, deque[events.Key]]:
    if not hasattr(app, "_keys_waiting"):
        app._key_on_its_way, app._keys_waiting = None, deque()
    return app._key_on_its_way, app._keys_waiting


async def dispatch(app: Any, event: events.Key, route: Callable[[events.Key], Awaitable[None]]) -> None:
    """The App's handling of a key: it waits behind the key on its way (and the keys waiting already),
    or is applied to a focused field, or is routed as Textual does (``route``); then the next waits."""
    pending, waiting = _state(app)
    if pending is not None and pending.done() and pending.key is not event:  # kept on its way, or lost
        pending.close()
        app._key_on_its_way = pending = None
    if not event.is_forwarded and event not in _RELEASED and (waiting or pending is not None):
        waiting.append(event)
        _arm(app)
        return
    _RELEASED.discard(event)
    new = not event.is_forwarded  # typed now, not one coming back from the widgets
    screen = app.screen
    if not new or not await applied_in_order(app, event):
        await route(event)
    if app.screen is not screen:  # it opened a dialog (or left one): the next key is for it, once it is up
        await _shown(app)
    if pending is not None and pending.key is event:  # back at the App, its binding run: done
        pending.close()
        app._key_on_its_way = None
    elif new and app._key_on_its_way is None and event.is_forwarded:  # sent on its way: the one to wait for
        try:
            app._key_on_its_way = _OnItsWay(app, event, app.focused or app.screen)
        except Exception:  # noqa: BLE001 - a widget not running (being removed): nothing to wait for
            app._key_on_its_way = None
    await release(app)


def _arm(app: Any) -> None:
    """One timer while keys wait (not one per key: a paste is thousands), in case the key on its way
    never comes back; it lets them go and arms itself again while some still wait."""
    if getattr(app, "_key_timer", None) is not None:
        return

    async def fire() -> None:
        app._key_timer = None
        await release(app)
        if _state(app)[1]:
            _arm(app)

    app._key_timer = app.set_timer(ON_ITS_WAY_MAX, lambda: app.call_next(fire))


async def release(app: Any) -> None:
    """The waiting keys, in order, while no key is on its way (or the one on its way was kept or lost).

    One loop, not a call per key: a key let go here that is applied at once (to a field) would let the
    next one go from inside its own handling, 1,500 keys deep for a paste (RecursionError)."""
    if getattr(app, "_releasing", False):  # the loop below, further up this call: it goes on from there
        return
    app._releasing = True
    try:
        while True:
            pending, waiting = _state(app)
            if pending is not None and pending.done():
                pending.close()
                app._key_on_its_way = pending = None
            if pending is not None or not waiting:
                return
            key = waiting.popleft()
            _RELEASED.add(key)
            await app.on_event(key)  # routes it (it may now be the key on its way)
    finally:
        app._releasing = False


#: Keys let go by ``release``: they have waited their turn already.
_RELEASED: weakref.WeakSet[events.Key] = weakref.WeakSet()


__all__ = ["applied_in_order", "dispatch", "release"]
