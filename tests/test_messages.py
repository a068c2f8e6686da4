"""The data flow, asserted on the messages first and the state second, then on the screen.

Workers change the session's plain state and post typed messages to the App; the App relays a copy
to every screen. These tests capture every message with ``run_test(message_hook=...)``.
"""

from __future__ import annotations

from conftest import confirm_yes, settle

from tui.messages import BalanceChanged, NumberBought, OwnedNumbersChanged, SessionOpened
from tui.sandbox.inventory import DEMO_API_KEY
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

SIZE = (120, 36)


async def test_a_login_opens_a_session_then_loads_balance_and_numbers_as_messages(make_app, sandbox) -> None:
    seen: list[object] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        opened = [m for m in seen if isinstance(m, SessionOpened)]
        assert opened and opened[0].session is app.session  # first the session…
        first_open = seen.index(opened[0])
        pages = [m for m in seen if isinstance(m, OwnedNumbersChanged) and not m.relayed]
        balances = [m for m in seen if isinstance(m, BalanceChanged) and not m.relayed]
        assert all(seen.index(m) > first_open for m in pages + balances)  # …then what it reads
        assert balances and balances[-1].balance.value == app.session.account.balance.value
        versions = [m.version for m in pages]
        assert versions == sorted(versions) and not pages[-1].loading  # in order, and the last says "done"
        owned = app.session.account.owned
        assert owned.complete and owned.version == versions[-1]
        assert set(owned.by_msisdn) == set(sandbox.state.accounts[DEMO_API_KEY].owned)
        # the relay: every screen got its own copy of the same news
        relayed = [m for m in seen if isinstance(m, OwnedNumbersChanged) and m.relayed]
        assert relayed and {m.version for m in relayed} <= set(versions)
        table = app.screen.query_one("#numbers-table", FastTable)  # and only then the screen
        assert set(table.visible_keys()) == set(owned.by_msisdn)


async def test_a_purchase_is_one_outcome_message_that_every_screen_hears(make_app, sandbox) -> None:
    seen: list[object] = []
    app = make_app(initial_screen="search", screen_args={"country": "GB", "type": "mobile-lvn"})
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        await pilot.press("1")  # build the Numbers screen, then come back to buy
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        msisdn = app.screen.query_one("#search-results", FastTable).cursor_key
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await confirm_yes(pilot)
        await settle(app, pilot)
        bought = [m for m in seen if isinstance(m, NumberBought)]
        outcome = bought[0].outcome
        assert outcome.ok and outcome.msisdn == msisdn and outcome.record is not None  # one outcome, whole
        assert outcome.version > outcome.base_version
        assert [m.relayed for m in bought].count(True) == 2  # the App's, then a copy for Search and one for Numbers
        assert msisdn in app.session.account.owned.by_msisdn  # the state
        await pilot.press("1")
        await settle(app, pilot)
        assert msisdn in app.screen.query_one("#numbers-table", FastTable).visible_keys()  # then the screen
