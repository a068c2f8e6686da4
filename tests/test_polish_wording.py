"""Counted nouns read as English: "1 number", "3 numbers" — never "number(s)" nor "1 numbers"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tui.formatting import plural
from tui.screens.account_text import ago, top_up_done_text
from tui.topups import KnownAmount

SCREENS = Path(__file__).resolve().parent.parent / "tui" / "screens"
#: The screens this pass owns; each message they build is checked for "(s)".
OWNED = ("pools", "pool_numbers", "pools_forms", "search", "search_form", "search_format", "bulk_edit",
         "bulk_result", "account", "account_text", "activity", "profiles", "secrets", "secrets_modals")


def test_plural() -> None:
    assert plural(0, "number") == "0 numbers"
    assert plural(1, "number") == "1 number"
    assert plural(2, "number") == "2 numbers"
    assert plural(1200, "number") == "1,200 numbers"
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_minutes_ago() -> None:
    assert ago(5) == "less than a minute ago"
    assert ago(61) == "1 minute ago"
    assert ago(7 * 60 + 3) == "7 minutes ago"


def test_top_up_toast_names_what_it_added() -> None:
    message = "Topped up with transaction T1"
    from decimal import Decimal

    assert top_up_done_text(message, None) == f"{message}."
    measured = KnownAmount(Decimal("10.00"), "measured", 0.0)
    assert top_up_done_text(message, measured) == f"{message}: it added about 10.00 EUR."
    entered = KnownAmount(Decimal("25.00"), "entered", 0.0)
    assert top_up_done_text(message, entered) == f"{message}: 25.00 EUR, the amount entered from the dashboard."


@pytest.mark.parametrize("module", OWNED)
def test_no_message_says_s_in_brackets(module: str) -> None:
    """Every string and f-string piece in the module: "(s)" is how a message gets out of counting."""
    tree = ast.parse((SCREENS / f"{module}.py").read_text(encoding="utf-8"))
    found = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and "(s)" in node.value]
    assert not found, f"{module}.py lines {found}"


async def test_the_cancel_question_starts_its_sentences_with_a_capital(make_app) -> None:
    from conftest import settle
    from tui.widgets.confirm import ConfirmDialog
    from tui.widgets.fast_table import FastTable

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        lines = app.screen._body.splitlines()
        assert lines[1][0].isupper(), lines[1]  # "the number goes back…" after a question mark
