"""Snapshot tests of the main screens (pytest-textual-snapshot), at 80x24 and 120x36, and a NO_COLOR check.

Each snapshot runs the app (``make_app``: demo credentials) against this test's own sandbox (seed 7, so the
content is the same on every run and in any test order), waits until every worker is done and nothing is in
flight, then compares the screen with ``tests/__snapshots__/test_snapshots/<test>[<screen>-<size>].svg``.

Accept intended changes with ``python -m pytest tests/test_snapshots.py --snapshot-update``, look at the
updated SVGs, and commit them. A failing run writes a side-by-side report to ``snapshot_report.html``.

Nothing on these screens varies from run to run: no port (the sandbox URL is never shown), no clock, no
"cached … ago" (demo mode keeps no disk cache), no new ids or timestamps (nothing is created; the one secret
has a fixed creation time), a fixed balance (nothing is bought), no toasts (any would be an error: the test
fails on one), and no blinking cursor.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import settle

from tui.sandbox.inventory import DEMO_API_KEY

SIZES = [(80, 24), (120, 36)]
SEARCH_LINK = {"country": "GB", "type": "mobile-lvn", "pattern": "7700", "search_pattern": 1}
SCREENS: dict[str, dict[str, object]] = {
    "numbers": {},
    "search": {"screen_args": SEARCH_LINK},  # a deep link: the search runs at start, results show
    "account": {},
    "secrets": {},
    "pools": {},
}
SCREEN_CLASSES = {
    "numbers": "NumbersScreen",
    "search": "SearchScreen",
    "account": "AccountScreen",
    "secrets": "SecretsScreen",
    "pools": "PoolsScreen",
}


class Toasts:
    """Every notification the app raised (they are cleared before the screenshot, and must not be errors)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.seen: list[tuple[str, str]] = []
        original = app.notify

        def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.seen.append((str(kwargs.get("severity", "information")), str(message)))
            return original(message, *args, **kwargs)

        app.notify = notify

    @property
    def errors(self) -> list[str]:
        return [message for severity, message in self.seen if severity in ("error", "warning")]


async def wait_until_idle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Every worker finished (including ones started by others) and no request in flight in the header."""
    for _ in range(40):
        await settle(app, pilot)
        if all(worker.is_finished for worker in app.workers) and not app.activity_text:
            break
    else:
        raise AssertionError(f"the app did not settle: {list(app.workers)} {app.activity_text!r}")


def make_ready(screen: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual.widgets import Input

        app = pilot.app
        await wait_until_idle(app, pilot)
        assert type(app.screen).__name__ == SCREEN_CLASSES[screen]
        app.clear_notifications()
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor is on or off depending on timing
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screen(screen: str, size: tuple[int, int], make_app, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(initial_screen=screen, **SCREENS[screen])
    toasts = Toasts(app)
    assert snap_compare(app, terminal_size=size, run_before=make_ready(screen))
    assert toasts.errors == []


# -- NO_COLOR -----------------------------------------------------------------------------------


def visible_text(svg: str) -> str:
    """The text of a Textual SVG screenshot (tags dropped, entities decoded)."""
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


async def test_no_color_renders_the_numbers_table(make_app, sandbox, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(initial_screen="numbers")
    assert app.no_color  # Textual read NO_COLOR when the app was built
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until_idle(app, pilot)
        assert type(app.screen).__name__ == "NumbersScreen"
        saved = app.save_screenshot(filename="no-color.svg", path=str(tmp_path))
    svg = Path(saved).read_text(encoding="utf-8")
    text = visible_text(svg)
    for header in ("Number", "Country", "Type", "Features"):
        assert header in text
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    assert owned, "the demo account owns numbers"
    squeezed = text.replace(" ", "")  # digits match whatever grouping the table uses
    for msisdn in owned:
        assert msisdn in squeezed, f"{msisdn} is not in the NO_COLOR screenshot"
    # and it is drawn in greys only (Rich's own default foreground, #c5c8c6, aside)
    styles = re.findall(r"-r\d+ \{ fill: #([0-9a-fA-F]{6})", svg)
    backgrounds = re.findall(r'<rect fill="#([0-9a-fA-F]{6})"', svg)
    assert styles and backgrounds
    coloured = {c for c in styles + backgrounds if c.lower() != "c5c8c6" and len({c[0:2], c[2:4], c[4:6]}) > 1}
    assert not coloured, f"colours in a NO_COLOR screenshot: {sorted(coloured)}"
