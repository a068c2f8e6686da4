"""The stylesheet's parsed rules kept between runs (``tui.style_cache``): a second start parses no CSS
before its first frame and looks the same; a file that is not ours alone, is broken, or was written for
another theme is never used."""

from __future__ import annotations

import gc
import os
import pickle
import threading
from pathlib import Path

import textual.css.stylesheet as stylesheet_module
from textual.screen import Screen

from conftest import settle
from tui import style_cache
from tui.widgets.app_header import AppHeader


def _styles(app) -> list[tuple[str, object, object, object]]:  # type: ignore[no-untyped-def]
    return [(repr(w), w.styles.color, w.styles.background, w.styles.height)
            for w in app.screen.walk_children(with_self=True)]


async def _start(make_app, monkeypatch) -> tuple[list[str], list[tuple[str, object, object, object]]]:  # type: ignore[no-untyped-def]
    """Run the app to its first frame and settle; the CSS sources Textual parsed before that frame."""
    parsed: list[str] = []
    painted: list[bool] = []
    original_parse, original_paint = stylesheet_module.parse, Screen._compositor_refresh

    def parse(scope, css, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not painted:
            parsed.append(str(path))
        return original_parse(scope, css, path, *args, **kwargs)

    def paint(self) -> None:  # type: ignore[no-untyped-def]
        painted.append(True)
        original_paint(self)

    monkeypatch.setattr(stylesheet_module, "parse", parse)
    monkeypatch.setattr(Screen, "_compositor_refresh", paint)
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        assert app.screen.query_one(AppHeader)
        return parsed, _styles(app)


async def test_a_second_start_parses_no_css_before_its_first_frame(make_app, monkeypatch, isolated_dirs) -> None:
    first, styled = await _start(make_app, monkeypatch)
    assert any("app.tcss" in path for path in first)  # nothing saved yet: Textual parsed our stylesheet
    saved = Path(isolated_dirs.cache) / style_cache.FILENAME
    assert saved.exists() and saved.stat().st_mode & 0o777 == 0o600
    again, restyled = await _start(make_app, monkeypatch)
    assert again == []
    assert restyled == styled


async def test_a_cache_file_others_can_write_is_not_read(make_app, monkeypatch, isolated_dirs) -> None:
    await _start(make_app, monkeypatch)
    saved = Path(isolated_dirs.cache) / style_cache.FILENAME
    os.chmod(saved, 0o666)
    parsed, _ = await _start(make_app, monkeypatch)
    assert any("app.tcss" in path for path in parsed)


async def test_a_broken_cache_file_is_parsed_around_and_replaced(make_app, monkeypatch, isolated_dirs) -> None:
    await _start(make_app, monkeypatch)
    saved = Path(isolated_dirs.cache) / style_cache.FILENAME
    saved.write_bytes(b"\x80\x05not a pickle at all")
    parsed, _ = await _start(make_app, monkeypatch)
    assert any("app.tcss" in path for path in parsed)
    again, _ = await _start(make_app, monkeypatch)  # written afresh by the run that had to parse
    assert again == []


async def test_rules_saved_for_another_theme_are_not_used(make_app, monkeypatch, isolated_dirs) -> None:
    await _start(make_app, monkeypatch)
    saved = Path(isolated_dirs.cache) / style_cache.FILENAME
    _fingerprint, entries = pickle.loads(saved.read_bytes())
    saved.write_bytes(pickle.dumps(("written with other variables", entries)))
    parsed, _ = await _start(make_app, monkeypatch)
    assert any("app.tcss" in path for path in parsed)


# -- whatever is wrong with it, the app starts as it would without it ---------------------------------


class _Planted:
    """What a planted file could hold: loading it would call ``touch`` (were any global allowed)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


async def test_a_private_cache_file_that_would_run_code_is_refused_without_running_it(
        make_app, monkeypatch, isolated_dirs, tmp_path) -> None:
    """The file is read only when ours alone, but a pickle can call what it names: only the classes of
    parsed rules may be named, so a planted file runs nothing and is parsed around."""
    await _start(make_app, monkeypatch)
    saved = Path(isolated_dirs.cache) / style_cache.FILENAME
    marker = tmp_path / "ran"
    fingerprint, _entries = pickle.loads(saved.read_bytes())
    saved.write_bytes(pickle.dumps((fingerprint, [(("css", ("x", ""), False, 0, ""), _Planted(marker))])))
    assert saved.stat().st_mode & 0o777 == 0o600
    parsed, _ = await _start(make_app, monkeypatch)
    assert not marker.exists()
    assert any("app.tcss" in path for path in parsed)


_real_start = threading.Thread.start


def _refuse_style_cache_thread(self: threading.Thread) -> None:
    """The OS refusing a thread (a process limit reached: RuntimeError "can't start new thread")."""
    if self.name == "style-cache":
        raise RuntimeError("can't start new thread")
    _real_start(self)


async def test_no_thread_for_the_cache_does_not_stop_the_app(make_app, monkeypatch) -> None:
    """Found by review: run as a user at its process limit, the app stopped at its first frame."""
    monkeypatch.setattr(threading.Thread, "start", _refuse_style_cache_thread)
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app._exception is None and app.current_mode == "numbers" and app.session is not None
    assert app.return_code in (None, 0)


async def test_a_first_run_turns_garbage_collection_back_on_even_without_a_cache_thread(
        sandbox, monkeypatch) -> None:
    """Found by review: on a first run (the login form first) the refused thread ended the start-up worker
    before it turned collection back on, for the whole session."""
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    enabled = gc.isenabled()
    monkeypatch.setattr(threading.Thread, "start", _refuse_style_cache_thread)
    try:
        gc.disable()  # as the command line leaves it before the App starts
        app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))  # no config: the login form
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert type(app.screen).__name__ == "LoginScreen"
            assert gc.isenabled()
    finally:
        gc.enable() if enabled else gc.disable()
