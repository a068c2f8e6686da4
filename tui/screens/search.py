"""Search & buy: find numbers on sale (country, type, features, digits) and buy one after a confirm.

Flow: the form is checked locally (tui.countries / tui.api.validators) and problems are shown under
the field, so a bad country or a pattern with letters never reaches the API. A valid form becomes a
``SearchQuery``; the ``load`` worker fetches one page and posts it (``SearchPage``). ``b`` reads the
balance first and refuses when the setup price is above it, then asks (the one confirmation dialog,
"No" focused); the purchase itself is ``Operations.buy_number`` (journaled, reconciled, the number put
in the session's list and the balance read back) and its outcome is announced as ``NumberBought``.
When the login knows subaccounts, the dialog offers "for account" (primary first): a subaccount's
purchase is sent with its ``target_api_key`` and the subaccount pays for and owns the number.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message

from tui.api.errors import ActionFailed, VonageError
from tui.api.models import AvailableNumber, AvailableNumbersPage, SearchQuery
from tui.formatting import money
from tui.messages import BalanceChanged, NumberBought, SessionOpened
from tui.screens.base import VonageScreen
from tui.screens.search_form import SearchForm
from tui.screens.search_format import (
    confirm_body,
    describe_query,
    detail_line,
    page_count,
    paging_text,
    row_cells,
    shown_number,
)
from tui.screens.subaccounts import buy_body, confirm_for_account
from tui.widgets.fast_table import Column, FastTable
from tui.widgets.literal import Literal

COLUMNS = (
    Column("number", "Number"),
    Column("type", "Type"),
    Column("features", "Features", width=16),
    Column("setup", "Setup", width=10, align="right"),
    Column("monthly", "Monthly", width=10, align="right"),
)


class FundsChecked(Message, bubble=False):
    """The balance was read before a purchase (``balance`` None: it could not be, ``error`` says why)."""

    def __init__(self, number: AvailableNumber, country: str, balance: Decimal | None, error: str = "") -> None:
        super().__init__()
        self.number = number
        self.country = country
        self.balance = balance
        self.error = error


class SearchStatus(Message, bubble=False):
    """A line for the status bar while a worker runs ("" = back to the paging summary)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SearchPage(Message, bubble=False):
    """A search answered (``result``) or failed (``error``)."""

    def __init__(self, query: SearchQuery, page: int, focus: bool, result: AvailableNumbersPage | None,
                 error: VonageError | None = None) -> None:
        super().__init__()
        self.query = query
        self.page = page
        self.focus = focus
        self.result = result
        self.error = error


class SearchScreen(VonageScreen):
    """Search the numbers on sale and buy one."""

    SCREEN_TITLE = "Search & buy"
    PAGE_SIZE: ClassVar[int] = 100
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset({"buy"})
    BINDINGS = [
        Binding("ctrl+s", "search", "Search", id="search.search", tooltip="Run the search in the form (enter in a field does too)"),
        Binding("b", "buy", "Buy", id="search.buy", tooltip="Buy the highlighted number (asks first, shows the price)"),
        Binding("slash", "focus_filter", "Edit search", priority=True, id="search.focus_form", tooltip="Go to the search form"),
        Binding("right_square_bracket", "next_page", "Next page", id="search.next_page", tooltip="Next page of results"),
        Binding("left_square_bracket", "prev_page", "Prev page", id="search.prev_page", tooltip="Previous page of results"),
        Binding("r", "refresh", "Refresh", id="search.refresh", tooltip="Run the last search again"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._query: SearchQuery | None = None
        self._page = 1
        self._count = 0
        self._numbers: dict[str, AvailableNumber] = {}
        self._pending: tuple[SearchQuery, int, bool] | None = None
        self._failed: tuple[SearchQuery, int, bool] | None = None
        self._run_when_logged_in = False
        self._interrupted = False
        self._buying = False
        self._buying_for = ""  # the account a purchase in flight is for ("" = primary)

    # -- layout ---------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield SearchForm(id="search-form")
        yield Literal("Press / to type a search (country, type, digits), then Enter.", id="search-status")
        results = FastTable(COLUMNS, id="search-results")
        results.markable = False  # one number is bought at a time: nothing to mark
        yield results
        yield Literal("", id="search-detail", classes="dim")

    def on_mount(self) -> None:
        # Open on the results, not in a field: 1-5, q and : keep their meaning until the user presses /.
        self.set_focus(self.query_one("#search-results", FastTable))
        opts = self.host.options
        if opts.initial_screen == "search" and opts.screen_args:
            self.query_one(SearchForm).prefill(opts.screen_args)
            self.action_search()

    def on_screen_resume(self) -> None:
        if self._run_when_logged_in and self.connected:
            self._run_when_logged_in = False
            self.action_search()
        elif self._pending is not None and self._interrupted:  # leaving cancelled a load: finish it
            self._search(*self._pending)
        self._interrupted = False

    def on_screen_suspend(self) -> None:
        # Textual also runs VonageScreen.on_screen_suspend (handlers run along the MRO), which
        # cancels the "load" group: remember whether that interrupts a search.
        self._interrupted = self._pending is not None

    @on(SessionOpened)
    def _logged_in(self) -> None:
        """The client exists now: run a search the deep link (or user) asked for."""
        if self._run_when_logged_in:
            self._run_when_logged_in = False
            self.action_search()

    @on(SearchForm.Submitted)
    def _submitted(self) -> None:
        self.action_search()

    # -- searching and paging -------------------------------------------------------------------

    def action_search(self) -> None:
        query = self.query_one(SearchForm).read_query(self.PAGE_SIZE)
        if query is not None and not self.connected:
            self._run_when_logged_in = True
            self._set_status("Not logged in yet: the search runs as soon as you are.")
        elif query is not None:
            self._search(query, 1, focus_results=True)

    def action_refresh(self) -> None:
        if self._failed is not None:  # retry what failed, not what is on screen
            self._search(*self._failed)
        elif self._query is None:
            self.action_search()
        else:
            self._search(self._query, self._page)

    def action_next_page(self) -> None:
        if self._query is not None and self._page < page_count(self._count, self.PAGE_SIZE):
            self._search(self._query, self._page + 1)
        else:
            self.say("This is the last page.", timeout=3)

    def action_prev_page(self) -> None:
        if self._query is not None and self._page > 1:
            self._search(self._query, self._page - 1)
        else:
            self.say("This is the first page.", timeout=3)

    def action_focus_filter(self) -> None:
        self.query_one(SearchForm).focus_first()

    def _search(self, query: SearchQuery, page: int, focus_results: bool = False) -> None:
        if focus_results:  # a new search: out of the form at once, so keys typed while it runs (j, b) act
            table = self.query_one("#search-results", FastTable)  # on its results, never on the last
            table.set_rows([])  # search's rows, and are not typed into the field
            self._numbers = {}
            self.set_focus(table)
        self._pending = (query, page, focus_results)
        self._set_status(f"Searching {describe_query(query)} (page {page})…")
        self._fetch(query, page, focus_results)

    @work(group="load", exclusive=True, exit_on_error=False, description="search numbers")
    async def _fetch(self, query: SearchQuery, page: int, focus_results: bool) -> None:
        session = self.session
        if session is None:
            return
        paged = SearchQuery(**{**query.model_dump(exclude_none=True), "index": page})
        try:
            result = await session.client.search_numbers(paged)
        except VonageError as exc:
            self.post_message(SearchPage(query, page, focus_results, None, exc))
            return
        self.post_message(SearchPage(query, page, focus_results, result))

    @on(SearchPage)
    def _page_arrived(self, event: SearchPage) -> None:
        if event.result is None:
            self._pending, self._failed = None, (event.query, event.page, event.focus)
            message = event.error.message if event.error is not None else "unknown error"
            self._set_status(f"Search failed: {message} (r retries)")
            if event.error is not None:
                self.report_error(event.error, title="Search failed")
            return
        self._pending = self._failed = None
        self._show_page(event.query, event.page, event.result, event.focus)

    def _show_page(self, query: SearchQuery, page: int, result: AvailableNumbersPage, focus: bool) -> None:
        if page > 1 and not result.numbers:  # a page past the end answers {}: the list shrank
            self._count = min(self._count, (page - 1) * self.PAGE_SIZE)
            self.say("No more numbers on that page; the list has changed. Press r to refresh.", timeout=5)
            self._show_status()
            return
        self._query, self._page, self._count = query, page, result.count
        self._numbers = {n.msisdn: n for n in result.numbers}
        table = self.query_one("#search-results", FastTable)
        table.set_rows((n.msisdn, row_cells(n, query.country)) for n in result.numbers)
        table.cursor_index = 0
        self._show_status()
        self._show_detail(table.cursor_key)
        if focus:  # even on no result: out of the field, so 1-5, q, : and r keep their meaning
            self.set_focus(table)
        self.refresh_bindings()

    def _show_status(self) -> None:
        if self._query is None:
            return
        if self._count == 0 and not self._numbers:
            self._set_status(f"No numbers match · {describe_query(self._query)}")
        else:
            self._set_status(f"{paging_text(self._page, self._count, self.PAGE_SIZE)} · {describe_query(self._query)}")

    def _set_status(self, text: str) -> None:
        self.query_one("#search-status", Literal).update(text)

    def _show_detail(self, key: object) -> None:
        number = self._numbers.get(key) if isinstance(key, str) else None
        country = self._query.country if self._query else ""
        self.query_one("#search-detail", Literal).update(detail_line(number, country) if number else "")

    @on(FastTable.RowHighlighted, "#search-results")
    def _highlighted(self, event: FastTable.RowHighlighted) -> None:
        self._show_detail(event.key)
        self.refresh_bindings()

    @on(FastTable.CopyRequested, "#search-results")
    def _copy(self, event: FastTable.CopyRequested) -> None:
        if isinstance(event.key, str):
            self.app.copy_to_clipboard(event.key)
            self.say(f"Copied {event.key}", timeout=3)

    @on(FastTable.RowSelected, "#search-results")
    def _selected(self, event: FastTable.RowSelected) -> None:
        number = self._numbers.get(event.key) if isinstance(event.key, str) else None
        if number is not None:
            country = self._query.country if self._query else ""
            self.say(detail_line(number, country) + ". Press b to buy it.", title="Number", timeout=8)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if allowed is False or not self.is_mounted:
            return allowed
        if action == "buy":
            return None if self._highlighted_number() is None else True  # shown dimmed until a row exists
        if action == "next_page":
            return None if self._query is None or self._page >= page_count(self._count, self.PAGE_SIZE) else True
        if action == "prev_page":
            return None if self._page <= 1 else True
        return allowed

    # -- buying ---------------------------------------------------------------------------------

    def _highlighted_number(self) -> AvailableNumber | None:
        try:
            key = self.query_one("#search-results", FastTable).cursor_key
        except NoMatches:  # asked (by the key bar) before the table is composed
            return None
        return self._numbers.get(key) if isinstance(key, str) else None

    def action_buy(self) -> None:
        number = self._highlighted_number()
        if number is None:
            self.say("Search, then highlight a number to buy.", severity="warning", timeout=4)
            return
        if self._buying:  # never cancel a purchase in flight by starting another
            self.say("A purchase is still in progress; wait for its result.", severity="warning", timeout=4)
            return
        if not self.writes_allowed():
            return
        self._buying = True
        self._check_funds(number, self._query.country if self._query else number.country)

    @work(group="action", exit_on_error=False, description="read the balance before buying")
    async def _check_funds(self, number: AvailableNumber, country: str) -> None:
        """Read the balance first: a price above it is refused before anything is sent."""
        session = self.session
        if session is None:
            self._buying = False
            return
        try:
            balance = await session.ops.read_balance()
            await session.subaccounts.read_listing(session.client)  # the demo's, once: for "for account"
        except VonageError as exc:
            self.post_message(FundsChecked(number, country, None, exc.message))
            return
        except asyncio.CancelledError:  # ctrl+x before the question: nothing was sent, buying is free again
            self._buying = False
            raise
        self.app.post_message(BalanceChanged(balance))
        self.post_message(FundsChecked(number, country, balance.value))

    @on(FundsChecked)
    def _funds_checked(self, event: FundsChecked) -> None:
        number, country = event.number, number_country(event.number, event.country)
        shown = shown_number(number, country)
        price = number.initial_price
        if event.balance is None:
            self._buying = False
            self.say(event.error, title=f"Not buying {shown}: the balance could not be read", severity="error")
            return
        if not self.is_current:  # left while the balance was read: no question over another screen
            self._buying = False
            self.say(f"Not bought: {shown} (you left Search before the question).", timeout=5)
            return
        if price is not None and event.balance < price:
            self._buying = False
            self.say(
                f"{shown} costs {money(price)} to set up, but the balance is only {money(event.balance)}. "
                "Top up the account first; nothing was bought.",
                title="Balance too low", severity="error", timeout=10,
            )
            return

        def not_bought() -> None:
            self._buying = False
            self.say(f"Not bought: {shown}.", timeout=3)

        body = confirm_body(number, country, event.balance)
        session = self.session
        if session is None or not len(session.subaccounts):
            self.confirm(f"Buy {shown}?", body, yes=f"Buy for {money(price)}",
                         then=lambda: self._buy(number, country), otherwise=not_bought)
            return
        known = session.subaccounts

        def describe(account: str) -> tuple[str, str, str]:
            return f"Buy {shown}?", buy_body(body, known, account), f"Buy for {money(price)}"

        def buy(target: str | None) -> None:
            self._buying_for = target or ""
            self._buy(number, country, target)

        confirm_for_account(self, known, describe, then=buy, otherwise=not_bought)

    @work(group="action", exit_on_error=False, description="buy a number")
    async def _buy(self, number: AvailableNumber, country: str, target: str | None = None) -> None:
        session = self.session
        if session is None:
            return
        self.post_message(SearchStatus(f"Buying {shown_number(number, country)}…"))
        try:
            outcome = await session.ops.buy_number(number, country, target_api_key=target)
        finally:
            self.post_message(SearchStatus(""))
        self.app.post_message(NumberBought(outcome))

    @on(SearchStatus)
    def _search_status(self, event: SearchStatus) -> None:
        if event.text:
            self._set_status(event.text)
        else:
            self._show_status()

    @on(NumberBought)
    def _bought(self, event: NumberBought) -> None:
        """Show how a purchase ended; on success the number leaves the results."""
        self._buying, target, self._buying_for = False, self._buying_for, ""
        outcome = event.outcome
        shown = shown_number(outcome.msisdn, outcome.country)
        if target and self.session is not None:
            shown += f" for subaccount {self.session.subaccounts.describe(target)}"
        if outcome.ok:
            table = self.query_one("#search-results", FastTable)
            if table.remove_row(outcome.msisdn):
                self._numbers.pop(outcome.msisdn, None)
                self._count = max(0, self._count - 1)
                self._show_status()
            text = f"Bought {shown} for {money(outcome.price)}"
            if outcome.reconciled:
                text += " (the answer was lost, but the account shows the number now)"
            if outcome.balance_error:
                text += f". The balance could not be read back ({outcome.balance_error}): r on Account reads it"
            self.say(text, title="Purchase", timeout=8)
            self._show_detail(table.cursor_key)
            self.refresh_bindings()
        elif outcome.unknown:
            self.say(outcome.message, title=f"Unknown whether {shown} was bought", severity="warning", timeout=15)
        elif isinstance(outcome.error, ActionFailed):
            reason = outcome.error.label or outcome.message  # the server's words, verbatim
            self.say(reason, title=f"Vonage refused to sell {shown}", severity="error", timeout=12)
        elif outcome.reconciled:
            self.say(outcome.message, title=f"{shown} was not bought", severity="warning", timeout=12)
        else:
            self.say(outcome.message, title=f"{shown} was not bought", severity="error", timeout=10)


def number_country(number: AvailableNumber, country: str) -> str:
    return number.country or country
