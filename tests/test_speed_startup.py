"""Start-up order: the first frame first (nothing else built, no collection), then the login; the
Numbers screen built while idle when another screen was first, so `1` only shows it (behaviour only)."""

from __future__ import annotations

import gc

import pytest

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
    # Only what it shows (not even Textual's blank default screen to switch from), and no collection.
    assert events[0] == ("frame", ["account"], False)
    assert events[1] == ("login", ["account", "numbers"], True)  # Numbers on its way, GC back
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


# -- warm start: the cached list before the session connects ----------------------------------------


def _cache_one_number(sandbox) -> str:  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    from tui import cache
    from tui.owned import OwnedRecord
    from tui.sandbox.inventory import DEMO_API_KEY

    key = cache.profile_key(DEMO_API_KEY, urlsplit(sandbox.url).netloc)
    cache.save_owned(key, [OwnedRecord("15550001111", "US", "mobile-lvn", ["SMS"])])
    return "15550001111"


def _status(app) -> str:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    return str(app.screen.query_one("#numbers-status", Static).render())


async def test_a_restart_shows_its_cached_list_before_connecting_and_refuses_changes_until_then(
        make_app, sandbox, monkeypatch) -> None:
    import asyncio

    from tui.sandbox.inventory import DEMO_API_KEY
    from tui.service import ApiService

    ghost = _cache_one_number(sandbox)
    release, connecting = asyncio.Event(), asyncio.Event()
    original = ApiService.connect

    async def held(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        connecting.set()
        await release.wait()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(ApiService, "connect", held)
    app = make_app(demo=False)  # an environment login: its cache is kept (the demo's never is)
    async with app.run_test(size=(120, 36)) as pilot:
        await asyncio.wait_for(connecting.wait(), 10)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NumbersScreen) and app.session is None  # no session, no client yet
        assert screen.query_one(FastTable).visible_keys() == [ghost]
        assert "1 numbers · cached" in _status(app) and "waiting for login" in _status(app)
        await pilot.press("e")  # edit the highlighted (cached) number: refused, no dialog
        await pilot.pause()
        assert app.screen is screen
        assert "Log in first." in [n.message for n in app._notifications]
        release.set()
        await settle(app, pilot)
        assert app.session is not None and app.screen is screen
        owned = set(sandbox.state.accounts[DEMO_API_KEY].owned)
        assert set(screen.query_one(FastTable).visible_keys()) == owned  # refreshed: the ghost is gone
        assert "cached" not in _status(app)


async def test_the_early_list_never_shows_over_an_open_session(make_app, sandbox) -> None:
    from tui.loading import CachedListRead
    from tui.owned import OwnedList, OwnedRecord

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        shown = app.screen.query_one(FastTable).visible_keys()
        other = OwnedList()
        other.replace([OwnedRecord("15550002222", "US")], complete=False, from_cache=True, loaded_at=0.0)
        message = CachedListRead(other)
        app.post_message(message)
        await message.shown.wait()  # answered, so a connecting session never waits for nothing
        await pilot.pause()
        assert app.screen.query_one(FastTable).visible_keys() == shown


def test_the_session_keeps_its_journal_where_the_journal_module_says(sandbox) -> None:
    from pydantic import SecretStr

    from tui.journal import default_path
    from tui.session import Session, SessionSpec

    spec = SessionSpec(api_key="abcd1234", secret=SecretStr("s3cret-Value1"), rest_url=sandbox.url,
                       api_url=sandbox.url, label="env", storage="environment")
    assert Session(spec).journal.path == default_path()


# -- first frame: Numbers styled once ------------------------------------------------------------


@pytest.mark.parametrize(("width", "expected"), [(100, "-narrow"), (130, "-wide")])
async def test_numbers_has_its_width_class_and_the_tables_focus_from_the_first_frame(
        make_app, monkeypatch, width: int, expected: str) -> None:
    from tui.widgets.filter_input import FilterInput

    frames: list[tuple[set[str], object]] = []
    focused: list[object] = []
    original_paint, original_focus = Screen._compositor_refresh, Screen.set_focus

    def paint(self) -> None:  # type: ignore[no-untyped-def]
        if isinstance(self, NumbersScreen) and not frames:
            frames.append((set(self.classes), self.focused))
        original_paint(self)

    def set_focus(self, widget, *args, **kwargs):  # type: ignore[no-untyped-def]
        focused.append(widget)
        return original_focus(self, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "_compositor_refresh", paint)
    monkeypatch.setattr(Screen, "set_focus", set_focus)
    app = make_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(app, pilot)
        classes, focus = frames[0]
        assert expected in classes and isinstance(focus, FastTable)
        assert not any(isinstance(widget, FilterInput) for widget in focused)  # the field was never focused
        other = "-wide" if expected == "-narrow" else "-narrow"
        await pilot.resize_terminal(230 - width, 30)  # the other side of the breakpoint: the class follows
        await pilot.pause()
        assert other in app.screen.classes and expected not in app.screen.classes


async def test_a_prebuilt_numbers_shown_after_a_theme_change_has_the_new_styles(make_app) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert "numbers" in app._screen_stacks
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NumbersScreen)
        shown = [(w, w.styles.color, w.styles.background) for w in screen.walk_children(with_self=True)]
        screen.update_node_styles(animate=False)  # what a full restyle gives
        assert [(w, w.styles.color, w.styles.background) for w in screen.walk_children(with_self=True)] == shown


def test_a_config_that_cannot_be_read_is_not_a_first_run(monkeypatch) -> None:
    """The App picks its first screen in its constructor: a config it may not stat must not crash it
    there; the profile flow then says what is wrong with the file."""
    from pathlib import Path

    from tui import launch, paths

    class Unreadable(type(Path())):  # type: ignore[misc]
        def exists(self, *args: object, **kwargs: object) -> bool:
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(paths, "config_path", lambda: Unreadable("/nowhere/config.toml"))
    options = launch.LaunchOptions(initial_screen="account")
    assert launch.first_run(options) is False
    assert launch.first_mode(options) == "account"
    monkeypatch.setattr(paths, "config_path", lambda: Path("/nowhere/config.toml"))
    assert launch.first_mode(options) == "_default"  # no config at all: the login form, over a blank screen


async def test_numbers_first_frame_has_no_filter_field_until_slash_and_keys_after_it_land_there(
        make_app, monkeypatch) -> None:
    from textual.widgets import Input

    from test_first_contact import burst
    from tui.widgets.filter_input import FilterInput

    inputs_at_first_frame: list[int] = []
    original_paint = Screen._compositor_refresh

    def paint(self) -> None:  # type: ignore[no-untyped-def]
        if isinstance(self, NumbersScreen) and not inputs_at_first_frame:
            inputs_at_first_frame.append(len(self.query(Input)))
        original_paint(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", paint)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert inputs_at_first_frame == [0]
        assert "/ filter the loaded numbers" in str(screen.query_one("#numbers-filter-hint").render())
        burst(app, "slash", "4", "4", "7", "7")  # typed at once: the field is mounted before the 4 is read
        await settle(app, pilot)
        await pilot.pause()
        box = screen.query_one("#numbers-filter", FilterInput)
        assert box.has_focus and box.value == "4477"
        assert not screen.query("#numbers-filter-hint")
        table = screen.query_one("#numbers-table", FastTable)
        assert table.filter_text == "4477" and table.visible_count == 1
        await pilot.press("escape", "F")  # clear: the same field is kept, emptied
        await pilot.pause()
        assert screen.query_one("#numbers-filter", FilterInput).value == "" and table.visible_count == 6


async def test_clicking_the_filter_line_opens_the_field(make_app) -> None:
    from tui.widgets.filter_input import FilterInput

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.click("#numbers-filter-hint")
        await pilot.pause()
        assert app.screen.query_one("#numbers-filter", FilterInput).has_focus
