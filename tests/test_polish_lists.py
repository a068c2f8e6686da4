""":activity and :profiles move like every other table (j/k/g/G), listed in `?`; their counts are worded."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from conftest import settle
from tui.config import Profile, add_profile, load_config, save_config
from tui.sandbox.inventory import DEMO_API_KEY
from tui.screens.activity import ActivityScreen
from tui.screens.help import HelpScreen, describe_bindings
from tui.screens.profiles import ProfilesScreen


async def walk(app, pilot, table: DataTable) -> list[int]:  # type: ignore[no-untyped-def,type-arg]
    """The cursor row after j, j, k, G, g."""
    rows = []
    for key in ("j", "j", "k", "G", "g"):
        await pilot.press(key)
        await pilot.pause()
        rows.append(table.cursor_row)
    return rows


def help_keys(screen) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Binding id -> the key `?` shows for it."""
    return {bid: key for _, rows in describe_bindings(screen) for key, _, bid in rows}


async def test_activity_moves_with_j_k_g_G_and_lists_them_in_help(make_app, sandbox) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        journal = app.session.journal
        for n in range(4):
            entry = journal.begin(profile="demo", op="pool-add", target=f"pool-{n}", account=DEMO_API_KEY)
            journal.end(entry, "done", f"Added 1 number to pool-{n}")
        app.open_extra("activity")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        table = screen.query_one("#activity-table", DataTable)
        assert app.focused is table and table.row_count == 4
        assert await walk(app, pilot, table) == [1, 2, 1, 3, 0]
        summary = str(screen.query_one("#activity-summary", Static).render())
        assert summary.startswith("4 changes in") and "(s)" not in summary
        keys = help_keys(screen)
        assert keys["table.down"] == "j/↓" and keys["table.up"] == "k/↑"
        assert keys["table.top"].startswith("g") and keys["table.bottom"].startswith("G")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_profiles_move_with_j_k_g_G_and_count_in_words(make_app, sandbox) -> None:
    config = load_config()
    for name in ("alpha", "beta", "gamma"):
        config = add_profile(config, Profile(name=name, api_key=DEMO_API_KEY, rest_url=sandbox.url,
                                             api_url=sandbox.url))
    save_config(config)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_extra("profiles")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        table = screen.query_one("#profiles-table", DataTable)
        assert app.focused is table and table.row_count == 4  # three saved, and this run (the demo)
        assert await walk(app, pilot, table) == [1, 2, 1, 3, 0]
        summary = str(screen.query_one("#profiles-summary", Static).render())
        assert summary.startswith("3 profiles.") and "(s)" not in summary
        assert help_keys(screen)["table.down"] == "j/↓"


async def test_enter_on_a_profile_switches_to_it(make_app, sandbox) -> None:
    from tui.credentials import SecretStorage
    from tui.sandbox.inventory import DEMO_API_SECRET

    save_config(add_profile(load_config(), Profile(name="beta", api_key=DEMO_API_KEY, rest_url=sandbox.url,
                                                   api_url=sandbox.url)))
    SecretStorage("system").set_secret("beta", DEMO_API_SECRET)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_extra("profiles")
        await settle(app, pilot)
        table = app.screen.query_one("#profiles-table", DataTable)
        table.move_cursor(row=table.get_row_index("beta"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session is not None and app.session.label.startswith("beta ")
