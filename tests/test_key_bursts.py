"""Keys typed in one burst outside fields act in the order typed (``tui.key_order``: one key on its way).

Each burst is one a newcomer typed at 80x24 and saw go wrong: a priority key (Tab) ran before the keys
typed ahead of it had reached their widget, so those were looked up with the focus already moved.
"""

from __future__ import annotations

from conftest import settle
from test_first_contact import SMALL, burst
from textual.widgets import Input

from tui.countries import format_msisdn
from tui.screens.search import SearchScreen
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable


def focused_table(app, table_id: str) -> FastTable:  # type: ignore[no-untyped-def]
    """The screen's table, focused (keys then go to it, as after a click or Tab)."""
    table = app.screen.query_one(f"#{table_id}", FastTable)
    app.screen.set_focus(table)
    return table


async def test_j_j_d_tab_asks_about_the_third_row_not_the_first(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = focused_table(app, "numbers-table")
        first, third = table.visible_keys()[0], table.visible_keys()[2]
        burst(app, "j", "j", "d", "tab")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        asked = app.screen._title + app.screen._body
        assert format_msisdn(str(third)) in asked and format_msisdn(str(first)) not in asked
        await pilot.press("escape")
        await settle(app, pilot)
        assert table.cursor_key == third


async def test_b_then_tab_opens_the_purchase_question(make_app) -> None:
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        results = focused_table(app, "search-results")
        burst(app, "j", "b", "tab")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert format_msisdn(str(results.visible_keys()[1])) in app.screen._title + app.screen._body


async def test_keys_typed_after_t_land_in_the_top_up_field(make_app) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        burst(app, "t", "0", "0", "X", "1")
        await settle(app, pilot)
        field = app.screen.query_one("#topup-trx", Input)
        assert app.focused is field and field.value == "00X1"


async def test_back_from_a_screen_reached_from_the_first_run_form_is_not_an_error(sandbox) -> None:
    """The first run's blank screen (under the login form) is not a screen to go back to: a palette jump
    from the form, then Esc, raised UnknownModeError (found by a hostile reviewer)."""
    from test_first_contact import _first_run

    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        assert app.current_mode == "_default"
        await app.action_goto("account")
        await pilot.pause()
        await app.action_go_back()
        await pilot.pause()
        assert app.is_running and app.current_mode == "account" and app._exception is None


async def test_a_key_typed_right_after_esc_back_reaches_the_screen_gone_back_to(make_app) -> None:
    from tui.screens.numbers_edit import NumberEditDialog

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        focused_table(app, "numbers-table")
        burst(app, "3", "escape", "e")  # to Account (its first visit: still being built), back, edit
        await settle(app, pilot)
        assert app.current_mode == "numbers"
        assert isinstance(app.screen, NumberEditDialog)


async def test_keys_typed_while_a_search_runs_act_on_its_results_not_in_the_field(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        burst(app, "2", "slash", "G", "B", "enter", "j", "b")
        await settle(app, pilot)
        search = next(screen for screen in app.screen_stack if isinstance(screen, SearchScreen))
        assert search.query_one("#search-country", Input).value == "GB"  # not "GBjb"
        # j and b acted on the results: on none yet, or on the first rows once they had arrived
        if isinstance(app.screen, ConfirmDialog):
            results = search.query_one("#search-results", FastTable)
            asked = app.screen._title + app.screen._body
            assert any(format_msisdn(str(key)) in asked for key in results.visible_keys()[:2])


async def test_five_j_typed_at_once_scroll_the_keys_five_lines(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y >= 5  # at 80x24 the list is longer than the screen
        burst(app, *["j"] * 5)
        await settle(app, pilot)
        assert box.scroll_y == 5


async def test_a_webhook_typed_on_a_first_visit_is_saved_as_typed(make_app, sandbox) -> None:
    """Typed before Account's settings had arrived, the URL was merged with the answer and saved so."""
    from tui.sandbox.inventory import DEMO_API_KEY

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        sandbox.state.config.latency = 0.3  # the settings arrive after the typing
        burst(app, "3", "e", *"https://x.example/a")
        await settle(app, pilot)
        sandbox.state.config.latency = 0.0
        assert app.screen.query_one("#mo-url", Input).value == "https://x.example/a"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert sandbox.state.accounts[DEMO_API_KEY].mo_callback_url == "https://x.example/a"


async def test_the_first_key_after_the_one_that_opens_a_dialog_lands_in_it(make_app) -> None:
    """``e abcdef`` gave "bcdef", ``: pools`` went to "ools", ``n`` + a secret created another secret."""
    from tui.screens.jump import JumpPrompt
    from tui.screens.numbers_edit import NumberEditDialog

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        focused_table(app, "numbers-table")
        burst(app, "e", *"abcdef")
        await settle(app, pilot)
        assert isinstance(app.screen, NumberEditDialog)
        assert isinstance(app.focused, Input) and app.focused.value.endswith("abcdef")
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        if isinstance(app.screen, ConfirmDialog):  # "discard what you typed?"
            await pilot.press("tab", "enter")
            await settle(app, pilot)
        burst(app, "colon", *"pools")
        await settle(app, pilot)
        assert isinstance(app.screen, JumpPrompt) and app.focused.value == "pools"


async def test_ctrl_x_while_the_balance_is_read_for_a_purchase_leaves_buying_free(make_app, sandbox) -> None:
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        focused_table(app, "search-results")
        sandbox.state.config.latency = 1.0
        await pilot.press("b", "ctrl+x")
        sandbox.state.config.latency = 0.0
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmDialog) and not sandbox.state.purchases
        await pilot.press("b")  # it said "A purchase is still in progress" until the app was restarted
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)


async def test_a_purchase_question_never_opens_over_another_screen(make_app, sandbox) -> None:
    """``b 1`` typed at once: the balance read for the purchase ended on Numbers, and the question opened there."""
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        focused_table(app, "search-results")
        sandbox.state.config.latency = 0.3
        burst(app, "b", "1")
        await settle(app, pilot)
        sandbox.state.config.latency = 0.0
        assert app.current_mode == "numbers" and not isinstance(app.screen, ConfirmDialog)
        assert not sandbox.state.purchases


async def test_a_long_paste_right_after_a_dialog_key_lands_whole(make_app) -> None:
    """``e`` then 1,500 characters without bracketed paste: the waiting keys were let go one inside the
    other, and the 300th-odd raised RecursionError."""
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        focused_table(app, "numbers-table")
        burst(app, "e", *("x" * 1500))
        await settle(app, pilot)
        assert app._exception is None
        assert isinstance(app.focused, Input) and app.focused.value == "x" * 1500


async def test_keys_behind_a_key_that_never_comes_back_go_after_a_moment(make_app) -> None:
    """A key lost on its way (its widget removed with it in its queue) holds the next ones only briefly."""
    from textual import events

    from tui import key_order

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = focused_table(app, "numbers-table")
        lost = events.Key("x", "x")
        key_order._state(app)
        app._key_on_its_way = key_order._OnItsWay(app, lost, table)  # sent, and never coming back
        burst(app, "j", "j")
        await pilot.pause(0.05)
        assert table.cursor_index == 0  # held behind the lost key
        await pilot.pause(key_order.ON_ITS_WAY_MAX + 0.2)
        await settle(app, pilot)
        assert table.cursor_index == 2 and app._key_on_its_way is None
