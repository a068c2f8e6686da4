"""`?`: the keys of the screen you are on, grouped, from its live bindings (so a keymap shows).

Groups: this screen's own keys, the keys of the focused table or field, then the keys that work
everywhere. Textual's internal bindings (focus cycling, the palette's own) are left out; each row
shows the binding id, which is what the config's ``[keymap]`` rebinds.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

Row = tuple[str, str, str]  # key, description, binding id


def describe_bindings(screen: Screen[object]) -> list[tuple[str, list[Row]]]:
    """(group title, rows) for every enabled, described binding active on ``screen``; a binding with
    several keys ("down,j") is one row showing all of them ("↓ j")."""
    app = screen.app
    groups: dict[str, list[Row]] = {"This screen": [], "In the table or field": [], "Everywhere": []}
    rows: dict[tuple[str, str], tuple[str, list[str], str]] = {}  # (action, description) -> group, keys, id
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if not binding.description or not active.enabled or binding.system or not binding.id:
            continue
        key = app.get_key_display(binding)
        if (binding.action, binding.description) in rows:
            keys = rows[(binding.action, binding.description)][1]
            if key not in keys:
                keys.append(key)
            continue
        if active.node is app:
            group = "Everywhere"
        elif active.node is screen:
            group = "This screen"
        else:
            group = "In the table or field"
        rows[(binding.action, binding.description)] = (group, [key], binding.id)
    for (_, description), (group, keys, binding_id) in rows.items():
        groups[group].append((" ".join(keys), description, binding_id))
    return [(title, rows) for title, rows in groups.items() if rows]


class HelpScreen(ModalScreen[None]):
    """The keys of ``screen``; esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll", key_display="j/↓", id="help.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help.up"),
        Binding("G,end", "scroll(1000)", "Last", show=False, id="help.bottom"),
        Binding("g,home", "scroll(-1000)", "First", show=False, id="help.top"),
        *(Binding(str(n), f"go('{mode}')", show=False, id=f"help.goto.{mode}")
          for n, mode in enumerate(("numbers", "search", "account", "secrets", "pools"), start=1)),
        Binding("colon", "go('')", show=False, id="help.jump"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self._title = getattr(screen, "SCREEN_TITLE", "") or type(screen).__name__
        self._groups = describe_bindings(screen)

    def action_scroll(self, lines: int) -> None:
        """j/k (and ↓ ↑, g G) scroll the list: at 80x24 it is longer than the screen."""
        box = self.query_one("#help-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + lines, animate=False, immediate=True)  # a burst of j: one line each

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-box", VerticalScroll))

    async def action_go(self, mode: str) -> None:
        """1…5 and : work here as everywhere: close the keys, then go (``""`` = the jump prompt)."""
        self.dismiss()
        await self.app.run_action(f"goto('{mode}')" if mode else "jump")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Literal(f"Keys — {self._title}", classes="dialog-title")
            width = max((len(k) for _, rows in self._groups for k, _, _ in rows), default=4) + 2
            for title, rows in self._groups:
                yield Static(title, classes="help-group", markup=False)
                lines = [Content.assemble((key.ljust(width), "bold"), text, ("  " + bid, "dim"))
                         for key, text, bid in rows]
                yield Static(Content("\n").join(lines), classes="help-keys")
            yield Literal("ctrl+p searches every action · [keymap] in the config rebinds an id", classes="dim")
        yield KeyBar()


__all__ = ["HelpScreen", "describe_bindings"]
