"""Start-up order: the first frame first (nothing else built, no collection), then the login; the
Numbers screen built while idle when another screen was first, so `1` only shows it (behaviour only)."""

from __future__ import annotations

import gc

from textual.app import App
from textual.screen import Screen

from conftest import settle
from tui import login_flow
from tui.screens.numbers import NumbersScreen
from tui.widgets.fast_table import FastTable


async def test_login_starts_after_the_first_frame_with_nothing_else_built(make_app, monkeypatch) -> None:
    events: list[tuple[str, list[str], bool]] = []
    original_begin, original_paint = login_flow.start, Screen._compositor_refresh

    def begin(app) -> None:  # type: ignore[no-untyped-def]
        events.append(("login", sorted(app._screen_stacks), gc.isenabled()))
        original_begin(app)

    def paint(self) -> None:  # type: ignore[no-untyped-def]
        if not any(kind == "frame" for kind, _, _ in events):
            events.append(("frame", sorted(self.app._screen_stacks), gc.isenabled()))
        original_paint(self)

    monkeypatch.setattr(login_flow, "start", begin)
    monkeypatch.setattr(Screen, "_compositor_refresh", paint)
    app = make_app(initial_screen="account")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
    assert events[0] == ("frame", ["_default", "account"], False)  # only what it shows; no collection
    assert events[1] == ("login", ["_default", "account", "numbers"], True)  # Numbers on its way, GC back
    assert len(events) == 2


async def test_numbers_is_built_while_idle_and_1_only_shows_it(make_app, monkeypatch) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert app.current_mode == "account"
        assert "numbers" in app._screen_stacks  # built in the background
        prebuilt = app._screen_stacks["numbers"][0]
        assert isinstance(prebuilt, NumbersScreen)
        owned = app.session.account.owned
        assert owned.complete and prebuilt.query_one(FastTable).row_count == len(owned.by_msisdn)
        css_refreshes: list[bool] = []
        original = App.refresh_css

        def spy(self, animate: bool = True) -> None:  # type: ignore[no-untyped-def]
            css_refreshes.append(animate)
            original(self, animate)

        monkeypatch.setattr(App, "refresh_css", spy)
        app.set_focus(None)
        await pilot.press("1")
        await pilot.pause()
        assert app.screen is prebuilt
        assert css_refreshes == []  # switching did not re-parse the stylesheet
