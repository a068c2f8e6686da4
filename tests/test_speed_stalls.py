"""What keeps the event loop free while a list loads (behaviour only; the stall figures are the bench's).

- A request starting or ending changes the header's activity text: that repaints the header line,
  never the whole screen, and never lays the screen out.
- Answers that arrive together are decoded one per turn of the event loop, so other work (a key, a
  repaint) runs between them.
"""

from __future__ import annotations

import asyncio

from textual.screen import Screen

from conftest import settle
from tui.api.client import VonageClient
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import RunningSandbox
from tui.widgets.app_header import AppHeader


async def test_request_activity_repaints_the_header_line_not_the_screen(make_app, monkeypatch) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        screen = app.screen
        header = screen.query_one(AppHeader)
        layouts: list[Screen[object]] = []
        original = Screen._refresh_layout

        def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            layouts.append(self)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        for text in ["⟳ 1", "⟳ 2", "⟳ 1 retrying (1/5)…", "⟳ 1", ""]:  # any width: the line is repainted in place
            app.activity_text = text
            assert not screen._repaint_required and not screen._layout_required
            await pilot.pause()
            line = str(header.render())
            if text:  # right-aligned on the line
                assert len(line) == header.size.width == 100 and line.endswith(f" {text} ")
            else:
                assert "⟳" not in line and "Numbers" in line
        assert layouts == []


async def test_answers_arriving_together_are_decoded_one_per_loop_turn(sandbox: RunningSandbox, monkeypatch) -> None:
    from tui.api import core

    turns: list[int] = []
    decoded: list[int] = []
    original = core.decode_json

    def decode(*args, **kwargs):  # type: ignore[no-untyped-def]
        decoded.append(len(turns))
        return original(*args, **kwargs)

    monkeypatch.setattr(core, "decode_json", decode)

    async def count_turns() -> None:  # one tick per turn of the event loop
        while True:
            turns.append(1)
            await asyncio.sleep(0)

    async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None) as client:
        ticker = asyncio.ensure_future(count_turns())
        try:
            await asyncio.gather(*(client.list_owned_numbers(index=1) for _ in range(8)))
        finally:
            ticker.cancel()
    assert len(decoded) == 8
    assert len(set(decoded)) == 8  # never two decodes in one turn: the ticker ran between each
