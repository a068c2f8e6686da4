"""Keeping the list of subaccounts: typed on :profiles (saved in config.toml) or for the run, and listed.

A saved profile's subaccounts are written to ``[profiles.NAME.subaccounts]`` as they are added,
relabelled and removed; an environment or demo login keeps them for the run (no file is written);
the demo also offers what the sandbox lists, and a 403 there means none (``KnownSubaccounts``).
"""

from __future__ import annotations

import keyring
import pytest
from pydantic import SecretStr
from textual.widgets import DataTable, Input, Static

from conftest import settle
from tui.api.client import VonageClient
from tui.app import VonageApp
from tui.config import Profile, ProfileError, add_profile, config_path, load_config, save_config
from tui.launch import LaunchOptions
from tui.sandbox.inventory import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    SUBACCOUNT2_API_KEY,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_API_SECRET,
)
from tui.screens.profiles import RUN_ROW, ProfilesScreen
from tui.screens.subaccounts import SubaccountsDialog
from tui.screens.subaccounts_forms import SubaccountForm
from tui.subaccounts import KnownSubaccounts, list_subaccounts

SECRET = "Xy7pQ2rsT9wz"  # the shape of a Vonage API secret
SIZE = (80, 24)


async def idle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await settle(app, pilot)


async def open_subaccounts(app, pilot, row: str) -> SubaccountsDialog:  # type: ignore[no-untyped-def]
    app.open_extra("profiles")
    await idle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ProfilesScreen)
    table = screen.query_one("#profiles-table", DataTable)
    table.move_cursor(row=table.get_row_index(row))
    await pilot.press("A")
    await idle(app, pilot)
    assert isinstance(app.screen, SubaccountsDialog)
    return app.screen


async def fill(app, pilot, key: str | None, label: str) -> None:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, SubaccountForm)
    if key is not None:
        form.query_one("#sub-key", Input).value = key
    form.query_one("#sub-label", Input).value = label
    form.query_one("#sub-label", Input).focus()
    await pilot.press("enter")
    await idle(app, pilot)


def error_of(app, field: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#sub-{field}-error", Static).content)


@pytest.fixture
def work_profile(sandbox, memory_keyring):  # type: ignore[no-untyped-def]
    save_config(add_profile(load_config(), Profile(name="work", api_key=DEMO_API_KEY,
                                                   rest_url=sandbox.url, api_url=sandbox.url)))
    keyring.set_password("vonage-tui", "work", DEMO_API_SECRET)


async def test_profiles_A_adds_renames_and_removes_saved_subaccounts(work_profile, sandbox):
    app = VonageApp(LaunchOptions())
    async with app.run_test(size=SIZE) as pilot:
        await idle(app, pilot)
        assert app.session is not None and app.session.subaccounts.profile == "work"
        dialog = await open_subaccounts(app, pilot, "work")
        assert dialog.table.visible_keys() == [""]  # not the demo: nothing is listed, only what is typed
        assert "saved to profile 'work'" in str(dialog.query_one("#subaccounts-note", Static).content)

        await pilot.press("n")
        await pilot.pause()
        await fill(app, pilot, " sub12345 ", "  Support   team ")
        assert app.screen is dialog and dialog.table.visible_keys() == ["", SUBACCOUNT_API_KEY]
        assert load_config().profiles["work"].subaccounts == {SUBACCOUNT_API_KEY: "Support team"}
        assert f'[profiles.work.subaccounts]\n{SUBACCOUNT_API_KEY} = "Support team"' in config_path().read_text()
        assert app.session.subaccounts.choices() == [("", f"primary ({DEMO_API_KEY})"),
                                                     (SUBACCOUNT_API_KEY, f"Support team ({SUBACCOUNT_API_KEY})")]

        await pilot.press("e")  # the cursor is on the new one
        await pilot.pause()
        form = app.screen
        assert form.query_one("#sub-key", Input).disabled  # relabelling keeps the key
        await fill(app, pilot, None, "Support EU")
        assert load_config().profiles["work"].subaccounts == {SUBACCOUNT_API_KEY: "Support EU"}

        await pilot.press("d")
        await idle(app, pilot)
        assert dialog.table.visible_keys() == [""]
        assert load_config().profiles["work"].subaccounts == {}
        assert "subaccounts" not in config_path().read_text()
        assert len(app.session.subaccounts) == 0

        await pilot.press("escape")
        await idle(app, pilot)
        assert isinstance(app.screen, ProfilesScreen)


@pytest.mark.parametrize(
    ("key", "label", "field", "words"),
    [
        ("sub-12!", "Support", "key", "letters and digits"),
        (SECRET, "Support", "key", "looks like an API secret"),
        ("sub12345", SECRET, "label", "looks like an API secret"),
        ("sub12345", "", "label", "printable"),
        ("sub12345", "x" * 41, "label", "1 to 40"),
        ("sub12345", "Team\x1b[31m", "label", "printable"),
        (DEMO_API_KEY, "Me", "key", "own API key"),
    ],
)
async def test_the_form_refuses_bad_input_by_its_field_without_echo(work_profile, sandbox, key, label, field,
                                                                    words):
    app = VonageApp(LaunchOptions())
    async with app.run_test(size=SIZE) as pilot:
        await idle(app, pilot)
        await open_subaccounts(app, pilot, "work")
        before = config_path().read_text()
        await pilot.press("n")
        await pilot.pause()
        await fill(app, pilot, key, label)
        assert isinstance(app.screen, SubaccountForm)  # still open, what was typed kept
        text = error_of(app, field)
        assert words in text
        assert SECRET not in text and "\x1b" not in text
        assert config_path().read_text() == before
        assert len(app.session.subaccounts) == 0


async def test_demo_login_lists_the_sandbox_subaccounts_and_keeps_typed_ones_for_the_run(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await idle(app, pilot)
        dialog = await open_subaccounts(app, pilot, RUN_ROW)
        assert dialog.table.visible_keys() == ["", SUBACCOUNT_API_KEY, SUBACCOUNT2_API_KEY]
        assert "changes last for this run" in str(dialog.query_one("#subaccounts-note", Static).content)

        await pilot.press("n")
        await pilot.pause()
        await fill(app, pilot, "ops00001", "Ops [night]")  # brackets are text, not markup
        assert dialog.table.get_row("ops00001") == ("  Ops [night]", "ops00001", "this run only")
        assert dialog.table.move_to_key(SUBACCOUNT2_API_KEY)
        await pilot.press("d")
        await idle(app, pilot)
        assert dialog.table.visible_keys() == ["", SUBACCOUNT_API_KEY, "ops00001"]
        assert not config_path().exists()  # a demo login writes no config

        await app.session.subaccounts.read_listing(app.session.client)  # read once: a removed one stays removed
        assert [s.api_key for s in app.session.subaccounts] == [SUBACCOUNT_API_KEY, "ops00001"]


# -- KnownSubaccounts and the listing -----------------------------------------------------------------------


async def test_listing_reads_the_two_subaccounts_and_a_subaccount_lists_none(sandbox):
    async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None) as client:
        assert await list_subaccounts(client) == [(SUBACCOUNT_API_KEY, "Support team"),
                                                  (SUBACCOUNT2_API_KEY, "Marketing EU")]
    async with VonageClient(SUBACCOUNT_API_KEY, SecretStr(SUBACCOUNT_API_SECRET), rest_url=sandbox.url,
                            api_url=sandbox.url, rate_limit=None) as client:
        known = KnownSubaccounts(SUBACCOUNT_API_KEY, listable=True)
        await known.read_listing(client)  # 403: none known, no exception
        assert len(known) == 0 and sandbox.state.status_counts.get(403) == 1
        await known.read_listing(client)  # a definite answer is not asked again
        assert sandbox.state.status_counts.get(403) == 1


def test_known_subaccounts_order_labels_and_what_is_saved() -> None:
    known = KnownSubaccounts("abcd1234", {"sub12345": "Support"}, profile="work", listable=True)
    known.add_listed([("sub12345", "Listed name"), ("sub67890", "Marketing EU"), ("abcd1234", "Me"),
                      ("bad key", "x"), ("sub00001", SECRET), ("sub00002", "\x07bell")])
    assert [(s.api_key, s.label, s.source) for s in known] == [
        ("sub12345", "Support", "saved"), ("sub67890", "Marketing EU", "server")]
    assert known.describe(None) == "primary (abcd1234)" and known.describe("sub67890") == "Marketing EU (sub67890)"
    known.put("sub67890", "Marketing")  # relabelled: now the profile's own
    assert known.saved() == {"sub12345": "Support", "sub67890": "Marketing"}
    with pytest.raises(ProfileError, match="own API key"):
        known.put("abcd1234", "Me")
    known.remove("sub12345")
    assert known.saved() == {"sub67890": "Marketing"}
    run = KnownSubaccounts("abcd1234")
    assert run.put("ops00001", "Ops").source == "run" and run.saved() == {}
