"""The one confirmation dialog with its "for account" choice keeps every guarantee it had.

No is focused; Tab from No still reaches yes (the choice is before the buttons: shift+tab); no letter
confirms or changes the account; Esc in the open list closes the list, not the dialog; the yes
button still arms only after its pause; choosing an account rewrites title, body and yes, literally.
"""

from __future__ import annotations

from textual.app import App
from textual.widgets import Button, Select, Static

from tui.widgets.confirm import ConfirmDialog

ACCOUNTS = [("", "primary (abcd1234)"), ("sub12345", "Support [b]team[/b] (sub12345)"), ("sub67890", "Ops")]


def describe(account: str) -> tuple[str, str, str]:
    who = dict(ACCOUNTS)[account]
    return f"Buy for {who}?", f"Paid by and owned by {who}.", f"Buy for {who}"


class Host(App[None]):
    def __init__(self, dialog: ConfirmDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[tuple[bool | None, str]] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, lambda answer: self.answers.append((answer, self.dialog.account)))


def make(arm_delay: float | None = 0.0) -> Host:
    title, body, yes = describe("")
    return Host(ConfirmDialog(title, body, yes_label=yes, accounts=ACCOUNTS, describe=describe, arm_delay=arm_delay))


def text(dialog: ConfirmDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).content)


async def test_no_is_focused_and_tab_still_reaches_yes() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.dialog
        assert app.focused is dialog.query_one("#confirm-no", Button)
        await pilot.press("enter")  # a stray Enter answers No
        await pilot.pause()
        assert app.answers == [(False, "")]


async def test_choosing_an_account_rewrites_the_text_and_yes_answers_for_it() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.dialog
        await pilot.press("shift+tab")
        assert app.focused is dialog.query_one("#confirm-account", Select)
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert dialog.account == "sub12345"
        assert text(dialog, "#confirm-title") == "Buy for Support [b]team[/b] (sub12345)?"  # literal, not markup
        assert text(dialog, "#confirm-body") == "Paid by and owned by Support [b]team[/b] (sub12345)."
        assert str(dialog.query_one("#confirm-yes", Button).label) == "Buy for Support [b]team[/b] (sub12345) · tab, enter"
        await pilot.press("tab", "tab", "enter")
        await pilot.pause()
        assert app.answers == [(True, "sub12345")]


async def test_letters_neither_confirm_nor_change_the_account_and_esc_closes_the_list_first() -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.dialog
        await pilot.press("shift+tab", *"yobsm")
        await pilot.pause()
        assert dialog.account == "" and app.answers == [] and app.screen is dialog
        await pilot.press("enter")  # open the list
        await pilot.pause()
        await pilot.press("escape")  # closes the list only
        await pilot.pause()
        assert app.screen is dialog and app.answers == []
        await pilot.press("escape")  # now: No
        await pilot.pause()
        assert app.answers == [(False, "")]


async def test_yes_still_arms_only_after_its_pause() -> None:
    app = make(arm_delay=30.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.dialog
        await pilot.press("shift+tab", "enter", "down", "enter")
        await pilot.pause()
        assert dialog.account == "sub12345"
        assert dialog.query_one("#confirm-yes", Button).disabled
        await pilot.press("tab", "tab", "enter")
        await pilot.pause()
        assert app.answers == []  # nothing bought by a fast tab-tab-enter


async def test_one_account_or_none_means_no_choice() -> None:
    for accounts in ([], ACCOUNTS[:1]):
        app = Host(ConfirmDialog("t", "b", accounts=accounts, arm_delay=0.0))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert not app.dialog.query("#confirm-account")
            assert app.dialog.account == ""
