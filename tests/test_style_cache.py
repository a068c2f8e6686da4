"""The stylesheet's parsed rules kept between runs (``tui.style_cache``): a second start parses no CSS
before its first frame and looks the same; a file that is not ours alone, is broken, or was written for
another theme is never used."""

from __future__ import annotations

import os
import pickle
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
