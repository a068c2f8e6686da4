"""First contact: a new user in 80x24 over SSH never loses a keystroke, a secret or money to a surprise.

Driven through Textual's Pilot as a person would: keys, not method calls, wherever a key exists.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import settle
from pydantic import SecretStr
from textual.geometry import Region
from textual.widgets import Button, Input, Select

from tui.app import VonageApp
from tui.launch import LaunchOptions
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable
from tui.widgets.key_bar import KeyBar

SMALL = (80, 24)


def _first_run(sandbox) -> VonageApp:  # type: ignore[no-untyped-def]
    return VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))


def burst(app: VonageApp, *keys: str) -> None:
    """Queue key events all at once, without waiting between them (Pilot's press waits for each)."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        character = None if len(key) > 1 else key
        name = _character_to_key(key) if character else key
        app.post_message(events.Key(name, "/" if key == "slash" else ("\r" if key == "enter" else character)))


def _inside(region: Region, size: tuple[int, int]) -> bool:
    return region.width > 0 and region.right <= size[0] and region.bottom <= size[1]


# -- keystrokes go where the user meant ---------------------------------------------------------------


@pytest.mark.parametrize("burst", range(6))
async def test_key_tab_secret_typed_at_once_land_in_their_fields(sandbox, burst) -> None:
    burst_keys = globals()["burst"]
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        # No pause at all: the form must be there, focused in its first field, from the first frame.
        burst_keys(app, *DEMO_API_KEY, "tab", *DEMO_API_SECRET[: 8 + burst])
        await pilot.pause()
        form = app.screen
        assert type(form).__name__ == "LoginScreen"
        assert form.query_one("#login-key", Input).value == DEMO_API_KEY
        secret = form.query_one("#login-secret", Input)
        assert secret.value == DEMO_API_SECRET[: 8 + burst] and secret.password  # masked, never in clear
        assert DEMO_API_SECRET[:8] not in str(form.query_one("#login-key", Input).render())


async def test_first_run_form_is_focused_in_its_first_field_on_its_first_frame(sandbox) -> None:
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL):
        assert type(app.screen).__name__ == "LoginScreen"
        assert app.focused is app.screen.query_one("#login-key", Input)


async def test_escape_on_the_first_run_login_asks_before_quitting(sandbox) -> None:
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("escape")  # the first Esc leaves the field, as in every form
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen" and app.focused is None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.focused is app.screen.query_one("#confirm-no", Button)
        await pilot.press("enter")  # "No": back to the form, what was typed kept
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen" and app.is_running
        await pilot.press("escape", "tab", "enter")
        await pilot.pause()
        assert not app.is_running


# -- 80x24 and a headless machine -------------------------------------------------------------------------


async def test_the_login_form_keeps_its_buttons_on_screen_in_every_state(sandbox, headless_keyring) -> None:
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        form = app.screen
        form.query_one("#login-storage", Select).value = "encrypted-file"
        form.query_one("#login-hosts").collapsed = False
        await pilot.press("ctrl+s")  # every field empty: every error shown
        await pilot.pause()
        for selector in ("#login-submit", "#login-cancel"):
            assert _inside(form.query_one(selector).region, SMALL), selector
        form.query_one("#login-storage", Select).value = "plaintext-file"
        await pilot.pause()
        assert _inside(form.query_one("#login-submit").region, SMALL)


async def test_no_usable_keyring_is_said_before_the_first_save(sandbox, headless_keyring) -> None:
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        form = app.screen
        assert form.query_one("#login-storage", Select).value == "encrypted-file"
        reason = str(form.query_one("#login-reason").render()).lower()
        assert "keyring" in reason and "encrypted" in reason
        assert form.query_one("#login-master-row").display


async def test_a_401_with_environment_credentials_names_the_variables(sandbox) -> None:
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url, api_key=DEMO_API_KEY,
                                  api_secret=SecretStr("Not-The-Secret-1")))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        messages = " ".join(n.message for n in app._notifications)
        assert "VONAGE_API_KEY/VONAGE_API_SECRET" in messages


# -- no hidden yes ------------------------------------------------------------------------------------------


async def test_no_letter_confirms_and_no_is_focused(make_app, sandbox) -> None:
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert app.focused is dialog.query_one("#confirm-no", Button)
        assert "esc" in str(dialog.query_one("#confirm-no", Button).label)
        assert "tab, enter" in str(dialog.query_one("#confirm-yes", Button).label)
        await pilot.press("y", "Y", "b", "1", "q", "space")  # keys that mean something elsewhere
        await pilot.pause()
        assert app.screen is dialog and not sandbox.state.purchases
        assert "esc" in " ".join(str(b.render()) for b in dialog.query(KeyBar))  # its own keys, not the screen's


async def test_the_yes_button_arms_only_after_a_pause(make_app, sandbox, monkeypatch) -> None:
    monkeypatch.setattr("tui.widgets.confirm.ARM_DELAY", 1.0)  # long enough that a loaded machine still routes the burst first
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        while not isinstance(app.screen, ConfirmDialog):
            await pilot.pause(0.01)
        dialog = app.screen
        assert dialog.query_one("#confirm-yes", Button).disabled
        burst(app, "tab", "enter")  # typed ahead: "yes" is not armed, so these keys cannot reach it
        await settle(app, pilot)
        assert not sandbox.state.purchases
        while isinstance(app.screen, ConfirmDialog) or type(app.screen).__name__ == "SelectOverlay":
            await pilot.press("escape")  # (Enter may have answered "No", or opened the account choice)
            await settle(app, pilot)
        await pilot.press("b")
        while not isinstance(app.screen, ConfirmDialog):
            await pilot.pause(0.01)
        await pilot.pause(1.05)  # read, then choose
        assert not app.screen.query_one("#confirm-yes", Button).disabled
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert len(sandbox.state.purchases) == 1


# -- Esc and focus are predictable ---------------------------------------------------------------------------


async def test_search_opens_on_its_results_and_esc_in_a_field_leaves_the_field(make_app, sandbox) -> None:
    app = make_app(initial_screen="search")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert app.focused is screen.query_one("#search-results", FastTable)
        await pilot.press("slash", *"GB")
        assert isinstance(app.focused, Input) and app.focused.value == "GB"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not isinstance(app.focused, Input)  # out of the field, same screen
        assert screen.query_one("#search-country", Input).value == "GB"  # what was typed stays
        await pilot.press("1")  # a global key works again
        await pilot.pause()
        assert type(app.screen).__name__ == "NumbersScreen"


async def test_activity_and_help_are_left_by_number_keys_like_any_screen(make_app, sandbox) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"activity", "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActivityScreen"
        await pilot.press("1")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "NumbersScreen"
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("2")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "SearchScreen"


# -- help, key bar and palette tell the truth ------------------------------------------------------------------


async def test_key_bar_fits_80_columns_and_counts_marked_rows(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert len(text.rstrip()) <= 80 and "? Keys" in text
        assert "/ Filter" in text and "e Edit" in text and "d Cancel" in text
        await pilot.press("space", "j", "space")
        await pilot.pause()
        assert str(bar.render()).rstrip().endswith("2 marked")
        await pilot.press("k", "space")
        await pilot.pause()
        assert str(bar.render()).rstrip().endswith("1 marked")


async def test_help_lists_this_screens_keys_grouped_without_textual_internals(make_app, sandbox) -> None:
    from tui.screens.help import describe_bindings

    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        groups = dict(describe_bindings(app.screen))
        assert {"This screen", "Everywhere"} <= set(groups)
        ids = {bid for rows in groups.values() for _, _, bid in rows}
        assert {"numbers.edit", "numbers.cancel_number", "app.jump"} <= ids
        assert all(bid and "." in bid for bid in ids)  # ours, with an id the keymap can use


#: One meaning per key: the actions a key may run on the different screens all mean this one thing
#: (the README's keys table says the same).
KEY_MEANINGS = {
    "d": ("delete what is highlighted or marked (asks first)", {"cancel_number", "revoke", "delete", "remove"}),
    "e": ("edit", {"edit", "edit_webhooks", "rename"}),
    "ctrl+s": ("send the form you are in", {"search", "save_webhooks", "submit", "save", "apply"}),
    "r": ("read it again from Vonage", {"refresh", "reload"}),
    "n": ("new", {"create", "add"}),
    "A": ("the account acted for: primary or a subaccount", {"account", "subaccounts"}),
}


async def test_every_key_has_one_meaning_across_screens() -> None:
    from textual.binding import Binding

    from tui.app import screen_classes
    from tui.screens.activity import ActivityScreen
    from tui.screens.profiles import ProfilesScreen

    meaning: dict[str, set[str]] = {}
    for cls in (*screen_classes().values(), ActivityScreen, ProfilesScreen):
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                for key in binding.key.split(","):
                    meaning.setdefault(key, set()).add(binding.action.split("(")[0])
    for key, actions in meaning.items():
        allowed = KEY_MEANINGS.get(key, ("", set()))[1]
        assert len(actions) == 1 or actions <= allowed, (key, actions)
    assert "g" not in meaning  # g is "first row" in every table, nothing else
    assert meaning["slash"] == {"focus_filter"}


# -- the keymap applies for every kind of login --------------------------------------------------------------


async def test_the_keymap_applies_with_environment_credentials_and_unknown_ids_are_reported(make_app) -> None:
    from tui.config import Config, save_config

    save_config(Config(keymap={"numbers.edit": "ctrl+e", "numbers.edti": "x"}))
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert "numbers.edti" in notes
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert type(app.screen).__name__ == "NumberEditDialog"


# -- the demo cleans up after itself --------------------------------------------------------------------------


async def test_the_demo_removes_its_temporary_journal_and_earlier_leftovers(monkeypatch) -> None:
    from tui import demo

    tmp = Path(tempfile.mkdtemp())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    stale = tmp / f"{demo.PREFIX}999999999-old"
    stale.mkdir()
    app = VonageApp(LaunchOptions(demo=True, embedded_sandbox=True))
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert app.session is not None and app.session.is_demo
        live = list(tmp.glob(f"{demo.PREFIX}*"))
        assert len(live) == 1 and not stale.exists()  # the dead process's folder is gone, ours is there
    assert not list(tmp.glob(f"{demo.PREFIX}*"))


async def test_activity_columns_fit_80_columns(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("colon", *"activity", "enter")
        await settle(app, pilot)
        table = app.screen.query_one("#activity-table")
        widths = [column.width for column in table.columns.values()]
        assert sum(widths) + 2 * len(widths) <= 80





async def test_keys_typed_right_after_slash_go_to_the_field_not_the_table(make_app, sandbox) -> None:
    """Focus moves at once: "/GB<enter>" typed in one burst searches GB; B never reaches the table (buy)."""
    app = make_app(initial_screen="search")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        burst(app, "slash", "G", "B", "enter")  # queued at once, as a fast typist's keys arrive
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.screen.query_one("#search-country", Input).value == "GB"
        assert "GB" in str(app.screen.query_one("#search-status").render())


async def test_a_slash_typed_in_a_field_is_just_a_slash(make_app, sandbox) -> None:
    app = make_app(initial_screen="search")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        burst(app, "G", "slash", "B")
        await pilot.pause()
        assert app.screen.query_one("#search-country", Input).value == "G/B"
