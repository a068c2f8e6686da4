"""The header line: one line whatever the server or the profile says, cut at the edge, never wrapped away."""

from __future__ import annotations

from conftest import settle
from tui.widgets.app_header import AppHeader


async def test_a_label_with_line_breaks_stays_on_the_one_line_with_the_balance(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.profile_label = "ops\nteam\tlondon [bold]x[/]"
        await pilot.pause()
        line = str(app.screen.query_one(AppHeader).render())
        assert "\n" not in line and "ops team london [bold]x[/]" in line
        assert app.balance_text and app.balance_text in line


async def test_a_narrow_terminal_cuts_the_header_at_its_edge(make_app) -> None:
    """Not wrapped onto a second line the one-line header never shows (the balance vanished at 40 columns)."""
    app = make_app(initial_screen="numbers", read_only=True)
    async with app.run_test(size=(44, 24)) as pilot:
        await settle(app, pilot)
        app.activity_text = ""
        await pilot.pause()
        header = app.screen.query_one(AppHeader)
        line = str(header.render())
        assert "\n" not in line and len(line) <= header.size.width == 44
        assert line.startswith(" vonage-tui Numbers")
        visible = app.export_screenshot()
        assert "vonage-tui" in visible and app.profile_label.split(" ·")[0] in visible
