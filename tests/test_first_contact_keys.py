"""First contact, part two: keys typed right after a screen jump, Esc in forms, and q with typing unsaved.

Each test drives the app with keys as a newcomer did, and failed before its fix.
"""

from __future__ import annotations

from conftest import settle
from test_first_contact import SMALL, burst
from textual.widgets import Input

from tui.sandbox.inventory import DEMO_API_KEY
from tui.screens.numbers_edit import NumberEditDialog
from tui.screens.numbers_filter import NumbersFilterDialog
from tui.screens.search import SearchScreen
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable


def _fill_login(form, key: str, secret: str, master: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Type a login into the first-run form (the encrypted file chosen when ``master`` is given)."""
    from textual.widgets import Select

    if master is not None:
        form.query_one("#login-storage", Select).value = "encrypted-file"
    form.query_one("#login-key", Input).value = key
    form.query_one("#login-secret", Input).value = secret
    if master is not None:
        form.query_one("#login-master", Input).value = master


async def test_keys_typed_right_after_a_screen_key_reach_the_new_screen(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        burst(app, "2", "slash", "G", "B")  # "go to Search, edit the search, GB" in one burst
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-country", Input).value == "GB"
        assert app.focused is app.screen.query_one("#search-country", Input)
        burst(app, "3")  # in a field, a digit is typed, never a screen jump
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#search-country", Input).value == "GB3"


async def test_a_screen_key_in_a_dialog_does_nothing_behind_it(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumberEditDialog)
        app.screen.set_focus(None)
        await pilot.press("2", "question_mark", "colon", "q")
        await pilot.pause()
        assert app.screen is dialog and app.current_mode == "numbers" and app.is_running


async def test_esc_in_a_form_leaves_the_field_then_asks_before_losing_typing(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumberEditDialog)
        field = next(w for w in dialog.query(Input) if w.id and "mo_http_url" in w.id)
        dialog.set_focus(field)
        field.value = ""
        await pilot.press(*"https://half.example/typ")
        await pilot.press("escape")  # leaves the field only
        await pilot.pause()
        assert app.screen is dialog and app.focused is None
        await pilot.press("escape")  # typing would be lost: asked, No focused
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard" in str(app.screen.query_one("#confirm-yes").label)
        await pilot.press("enter")  # No
        await pilot.pause()
        assert app.screen is dialog and field.value == "https://half.example/typ"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("tab", "enter")  # Discard, deliberately
        await settle(app, pilot)
        assert not isinstance(app.screen, (NumberEditDialog, ConfirmDialog))


async def test_the_server_filter_refuses_a_country_that_does_not_exist_next_to_the_field(make_app, sandbox) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#numbers-table", FastTable))
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NumbersFilterDialog)
        requests = sandbox.state.request_count
        dialog.query_one("#filter-country", Input).value = "ZZ"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = str(dialog.query_one("#filter-country-error").render())
        assert "ZZ" in error and "country" in error
        assert sandbox.state.request_count == requests  # refused before any request


async def test_a_login_error_below_the_fold_is_focused_and_scrolled_into_view(sandbox) -> None:
    from test_first_contact import _first_run

    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        form = app.screen
        _fill_login(form, "abcd1234", "Secret12345", master="short")
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = form.query_one("#login-storage-error")
        assert "master password" in str(error.render())
        assert app.focused is form.query_one("#login-master", Input)
        assert error.region.height > 0 and error.region.bottom <= SMALL[1]  # on screen, not below the fold


async def test_a_wrong_master_password_is_said_next_to_it_before_any_request(sandbox, tmp_path) -> None:
    from test_first_contact import _first_run
    from textual.widgets import Select

    from tui.credentials import SecretStorage

    SecretStorage("encrypted-file", master_password="the-right-one").set_secret("other", "Other12345")
    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        form = app.screen
        form.query_one("#login-storage", Select).value = "encrypted-file"
        await pilot.pause()
        assert "your encrypted file" in form.query_one("#login-master", Input).placeholder
        _fill_login(form, "abcd1234", "Secret12345", master="the-wrong-one")
        sandbox.state.reset_counters()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "does not open" in str(form.query_one("#login-storage-error").render())
        assert app.focused is form.query_one("#login-master", Input)
        assert sandbox.state.request_count == 0  # the credentials were not even sent


async def test_a_refused_secret_puts_the_cursor_back_in_the_secret_field(sandbox) -> None:
    from test_first_contact import _first_run

    app = _first_run(sandbox)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        form = app.screen
        _fill_login(form, "abcd1234", "Wrong12345x")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "401" in str(form.query_one("#login-secret-error").render())
        assert app.focused is form.query_one("#login-secret", Input)


async def test_help_shows_every_key_of_a_binding(make_app) -> None:
    from tui.screens.help import describe_bindings

    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        rows = {description: key for _, group in describe_bindings(app.screen) for key, description, _ in group}
        assert rows["Down"] == "↓ j" and rows["Up"] == "↑ k" and rows["Bottom"] == "end G"


async def test_q_asks_before_losing_webhooks_typed_but_not_saved(make_app) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        field = app.screen.query_one("#mo-url", Input)
        app.screen.set_focus(field)
        field.value = "https://typed.example/in"
        await pilot.press("escape")  # out of the field: q is a key again, not a letter
        await pilot.pause()
        await pilot.press("1")  # and on another screen: the Account screen still holds the typing
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.is_running
        assert "webhooks" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("enter")  # No
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmDialog)


async def test_q_quits_at_once_when_nothing_is_held(make_app) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running or app._exit


async def test_q_asks_while_a_purchase_waits_for_its_answer(make_app, sandbox) -> None:
    from conftest import confirm_yes

    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        sandbox.state.config.latency = 2.0
        await pilot.press("b")
        while not isinstance(app.screen, ConfirmDialog):
            await pilot.pause(0.02)
        await confirm_yes(pilot)
        while not any(w.group == "action" and w.description == "buy a number" for w in app.workers):
            await pilot.pause(0.02)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.is_running
        assert "buy a number" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("enter")  # No: stay until the answer comes
        sandbox.state.config.latency = 0.0
        await settle(app, pilot)
        assert app.is_running and len(sandbox.state.purchases) == 1


async def test_ctrl_s_in_the_top_up_field_sends_the_top_up_not_the_webhooks(make_app) -> None:
    from tui.sandbox.inventory import DEMO_TRX

    app = make_app(initial_screen="account")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        field = app.screen.query_one("#topup-trx", Input)
        app.screen.set_focus(field)
        field.value = DEMO_TRX
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert DEMO_TRX in str(app.screen.query_one("#confirm-body").render())


async def test_sorting_by_number_keeps_countries_together(make_app, sandbox) -> None:
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#numbers-table", FastTable)
        app.screen.set_focus(table)
        while table.sort_column != "number":
            await pilot.press("s")
            await pilot.pause()
        shown = table.visible_keys()
        assert shown == sorted(shown) and any(k.startswith("49") for k in shown)
        assert [k[:2] for k in shown] == sorted(k[:2] for k in shown)  # +44… all before +49…


async def test_a_digits_filter_matches_numbers_not_digits_hidden_in_webhooks(make_app, sandbox) -> None:
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    routed = [m for m, n in owned.items() if "7700900" in str(n.get("voiceCallbackValue", "")) and "7700900" not in m]
    assert routed  # the demo has a number whose voice goes to a +44 7700 900… number
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#numbers-table", FastTable)
        table.set_filter("7700 900")
        shown = table.visible_keys()
        assert shown and all("7700900" in k for k in shown) and not set(routed) & set(shown)
        table.set_filter("tel")  # words still search every column
        assert set(routed) <= set(table.visible_keys())


async def test_space_marks_nothing_in_search_results(make_app) -> None:
    app = make_app(initial_screen="search", screen_args={"country": "GB"})
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        results = app.screen.query_one("#search-results", FastTable)
        app.screen.set_focus(results)
        await pilot.press("space")
        await pilot.pause()
        assert results.row_count and not results.marked_keys


async def test_a_number_filter_that_becomes_text_searches_every_column_again(make_app) -> None:
    """"89" looks in the number column only; "89a" is text and finds an application id ending in 89ab:
    typing the "a" must not narrow the number-only view (found by a hostile reviewer)."""
    app = make_app(initial_screen="numbers")
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#numbers-table", FastTable)
        for typed in ("8", "89", "89a"):
            table.set_filter(typed)
        typed_view = table.visible_keys()
        table.sort_by("number")  # the view computed again from every row
        table.sort_by(None)
        assert table.visible_keys() == typed_view
        assert typed_view  # the demo has an application id ending in …0123456789ab
