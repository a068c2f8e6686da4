"""Trust: money and secrets hold under crashes, faults and hostile input (the app side, end to end).

The API layer's own guarantees (sent or not, deadlines, size caps, proxies, bad values) are tested in
tests/test_api_*.py; the sandbox's lying modes in tests/test_sandbox_fault_modes.py. Here the app and
``Operations`` meet them: what the user is told, what the journal says, what the account really did.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from conftest import confirm_yes, settle
from textual.widgets import Input

from tui.api.client import VonageClient
from tui.api.errors import ServerError
from tui.journal import DONE, UNKNOWN, Journal
from tui.operations import Operations, UpdateConflict
from tui.owned import OwnedRecord
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, DEMO_TOP_UP_AMOUNT, DEMO_TRX
from tui.sandbox.server import RunningSandbox
from tui.topups import TopUpAmounts
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

ROOT = Path(__file__).resolve().parents[1]
CRASH_SECRET = "Crash-Secret-42x"


def _account(sandbox: RunningSandbox):  # type: ignore[no-untyped-def]
    return sandbox.state.accounts[DEMO_API_KEY]


def _ops(client: VonageClient, tmp_path: Path) -> Operations:
    ops = Operations(lambda: client, Journal(tmp_path / "journal.jsonl"), "default")
    ops.top_up_amounts = TopUpAmounts(tmp_path)
    return ops


# -- a crash never shows a secret -----------------------------------------------------------------------


def _run_crashing_app(tmp_path: Path, sandbox: RunningSandbox, patch: str) -> subprocess.CompletedProcess[str]:
    """The installed command line, headless, with ``patch`` making something raise with the secret in scope."""
    code = f"{patch}\nfrom tui.cli import main\nraise SystemExit(main(['--rest-url', '{sandbox.url}', '--api-url', '{sandbox.url}']))"
    env = {
        **os.environ,
        "VONAGE_API_KEY": DEMO_API_KEY, "VONAGE_API_SECRET": CRASH_SECRET,
        "VONAGE_TUI_CONFIG_DIR": str(tmp_path / "config"), "VONAGE_TUI_CACHE_DIR": str(tmp_path / "cache"),
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
    }
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)


def test_a_crash_in_the_app_says_where_the_report_is_and_exits_1_without_the_secret(tmp_path, sandbox) -> None:
    patch = (
        "import tui.screens.numbers as screen\n"
        "def boom(self):\n"
        f"    secret = {CRASH_SECRET!r}  # a local, as the login form's or the client's would be\n"
        "    raise RuntimeError('boom while opening Numbers')\n"
        "screen.NumbersScreen.on_mount = boom"
    )
    done = _run_crashing_app(tmp_path, sandbox, patch)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "stopped after an unexpected error (RuntimeError)" in output
    assert CRASH_SECRET not in output and "Traceback" not in output and "locals" not in output
    (report,) = (tmp_path / "config" / "crashes").glob("crash-*.txt")
    assert str(report) in output.replace("\n", "")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    text = report.read_text()
    assert "boom while opening Numbers" in text and "in boom" in text  # what, and where
    assert CRASH_SECRET not in text and "secret =" not in text.split("Traceback")[0]


def test_a_crash_before_the_app_starts_is_one_line_and_exit_1(tmp_path, sandbox) -> None:
    patch = (
        "import tui.cli as cli\n"
        "def boom(args):\n"
        f"    raise ValueError('bad state near ' + {CRASH_SECRET!r})\n"
        "cli._launch_options = boom"
    )
    done = _run_crashing_app(tmp_path, sandbox, patch)
    assert done.returncode == 1
    assert "stopped after an unexpected error (ValueError)" in done.stderr
    assert CRASH_SECRET not in done.stderr + done.stdout
    (report,) = (tmp_path / "config" / "crashes").glob("crash-*.txt")
    assert CRASH_SECRET not in report.read_text() and "[redacted]" in report.read_text()


async def test_an_unexpected_error_while_checking_a_login_is_said_not_left_at_checking(sandbox, monkeypatch) -> None:
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    async def broken(self):  # type: ignore[no-untyped-def]
        raise KeyError("surprise")

    monkeypatch.setattr(VonageClient, "get_balance", broken)
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        form = app.screen
        form.query_one("#login-key", Input).value = DEMO_API_KEY
        form.query_one("#login-secret", Input).value = DEMO_API_SECRET
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        status = str(form.query_one("#login-status").render())
        assert "Could not check the credentials" in status and "KeyError" in status
        assert "Checking" not in status and app.screen is form  # still usable: nothing was saved


async def test_server_text_is_shown_literally_never_as_markup(sandbox, monkeypatch) -> None:
    """A server error label that is Textual markup ([@click=app.quit]…) is shown as it is, and does nothing."""
    from tui.api.errors import ValidationFailed
    from tui.app import VonageApp
    from tui.launch import LaunchOptions

    hostile = "[@click=app.quit]x[/] and [/] and [b]bold"

    async def refuse(self):  # type: ignore[no-untyped-def]
        raise ValidationFailed(hostile)

    monkeypatch.setattr(VonageClient, "get_balance", refuse)
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        form = app.screen
        form.query_one("#login-key", Input).value = DEMO_API_KEY
        form.query_one("#login-secret", Input).value = DEMO_API_SECRET
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        status = str(form.query_one("#login-status").render())
        assert hostile in status
        await pilot.click("#login-status")
        await settle(app, pilot)
        assert app.is_running and app.screen is form


# -- truthful reconciliation ------------------------------------------------------------------------------


async def test_a_purchase_answered_with_a_broken_gzip_body_is_checked_and_found_bought(make_app, sandbox) -> None:
    app = make_app(initial_screen="search", screen_args={"country": "GB", "type": "mobile-lvn"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        msisdn = app.screen.query_one("#search-results", FastTable).cursor_key
        price = Decimal(sandbox.state.available[msisdn]["initialPrice"])
        before = Decimal(str(_account(sandbox).balance))
        sandbox.state.faults.arm("/number/buy", "corrupt-after-commit")
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert msisdn in _account(sandbox).owned and len(sandbox.state.purchases) == 1  # charged once
        notes = [f"{n.title}: {n.message}" for n in app._notifications]
        assert any("Bought" in n and "answer was lost" in n for n in notes), notes
        assert not any("not bought" in n.lower() or "could not be sent" in n for n in notes)
        assert msisdn in app.session.account.owned.by_msisdn
        assert app.balance_text == f"{before - price:.2f} EUR"  # the header shows what was charged
        (entry,) = [e for e in app.session.journal.entries() if e.target == msisdn]
        assert entry.state == DONE and entry.reconciled


# -- top-up is never misreported ---------------------------------------------------------------------------


async def test_a_lost_top_up_with_no_known_amount_is_unknown_and_blocks_a_second_until_checked(
    client: VonageClient, sandbox, tmp_path
) -> None:
    ops = _ops(client, tmp_path)
    sandbox.state.faults.arm("/account/top-up", "drop-after-commit")
    outcome = await ops.top_up(DEMO_TRX)
    assert outcome.unknown and not outcome.ok and not outcome.reconciled
    assert "payment history" in outcome.message and "did not happen" not in outcome.message
    (entry,) = [e for e in ops.journal.entries() if e.op == "top-up"]  # type: ignore[union-attr]
    assert entry.state == UNKNOWN
    credited = Decimal(str(_account(sandbox).balance))
    again = await ops.top_up(DEMO_TRX)  # refused before anything is sent
    assert again.unsettled is not None and not again.ok
    assert Decimal(str(_account(sandbox).balance)) == credited
    await ops.acknowledge_top_up(again.unsettled)
    third = await ops.top_up(DEMO_TRX)
    assert third.ok and Decimal(str(_account(sandbox).balance)) == credited + Decimal(str(DEMO_TOP_UP_AMOUNT))


async def test_a_lost_top_up_is_done_only_when_the_balance_rose_by_its_amount(
    client: VonageClient, sandbox, tmp_path
) -> None:
    ops = _ops(client, tmp_path)
    first = await ops.top_up(DEMO_TRX)  # a clean one: its amount is learnt from the balance
    assert first.ok and first.amount is not None and first.amount.amount == Decimal("10.00")
    sandbox.state.faults.arm("/account/top-up", "drop-after-commit")
    outcome = await ops.top_up(DEMO_TRX)
    assert outcome.ok and outcome.reconciled  # +10.00 seen: proven


async def test_a_real_top_up_hidden_by_spending_is_unknown_never_not_done(
    client: VonageClient, sandbox, tmp_path
) -> None:
    ops = _ops(client, tmp_path)
    await ops.remember_amount(DEMO_TRX, Decimal("10.00"), "entered")
    real_top_up = client.top_up

    async def top_up_while_spending(trx: str):  # type: ignore[no-untyped-def]
        try:
            return await real_top_up(trx)
        finally:
            _account(sandbox).charge("7.00")  # another purchase lands while the answer is lost

    client.top_up = top_up_while_spending  # type: ignore[method-assign]
    sandbox.state.faults.arm("/account/top-up", "drop-after-commit")
    before = Decimal(str(_account(sandbox).balance))
    outcome = await ops.top_up(DEMO_TRX)
    assert Decimal(str(_account(sandbox).balance)) == before + 10 - 7  # it did happen
    assert outcome.unknown and not outcome.ok  # and we do not claim it did not
    assert "payment history" in outcome.message


async def test_the_top_up_confirmation_names_the_amount_known(make_app, sandbox) -> None:
    app = make_app(initial_screen="account")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#topup-trx", Input).value = DEMO_TRX
        app.screen.query_one("#topup-amount", Input).value = "10"
        await pilot.press("t")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = str(dialog.query_one("#confirm-body").render())
        assert DEMO_TRX in body and "10.00 EUR" in body
        assert "10.00 EUR" in str(dialog.query_one("#confirm-yes").label)


# -- no lost update after ambiguity --------------------------------------------------------------------------


async def test_an_update_lost_while_someone_else_changed_the_number_stops_with_ours_and_theirs(
    client: VonageClient, sandbox, tmp_path
) -> None:
    ops = _ops(client, tmp_path)
    msisdn = "442079460123"
    number = OwnedRecord.from_model(await client.get_owned_number(msisdn))
    real_update = client.update_number
    sent = []

    async def update_then_colleague(update):  # type: ignore[no-untyped-def]
        sent.append(update)
        try:
            return await real_update(update)
        except ServerError:
            # A colleague changes the inbound webhook in the dashboard while our answer is lost.
            _account(sandbox).owned[msisdn]["moHttpUrl"] = "https://colleague.example.com/in"
            raise

    client.update_number = update_then_colleague  # type: ignore[method-assign]
    sandbox.state.faults.arm("/number/update", "5xx")  # refused before processing: ours never applied
    outcome = await ops.update_number(number, {"voice_status_callback": "https://ours.example.com/status"})
    assert not outcome.ok and outcome.unknown
    conflict = outcome.result
    assert isinstance(conflict, UpdateConflict)
    assert conflict.theirs["mo_http_url"] == "https://colleague.example.com/in"
    assert conflict.ours["voice_status_callback"] == "https://ours.example.com/status"
    assert len(sent) == 1  # never resent over the colleague's change
    assert _account(sandbox).owned[msisdn]["moHttpUrl"] == "https://colleague.example.com/in"


async def test_an_update_lost_with_nothing_changed_meanwhile_is_sent_again_safely(
    client: VonageClient, sandbox, tmp_path
) -> None:
    ops = _ops(client, tmp_path)
    msisdn = "442079460123"
    number = OwnedRecord.from_model(await client.get_owned_number(msisdn))
    sandbox.state.faults.arm("/number/update", "5xx")
    outcome = await ops.update_number(number, {"voice_status_callback": "https://ours.example.com/status"})
    assert outcome.ok
    record = _account(sandbox).owned[msisdn]
    assert record["voiceStatusCallback"] == "https://ours.example.com/status"
    assert record["moHttpUrl"] == number.mo_http_url  # the rest of the configuration kept


# -- bounded answers reach the user as words -------------------------------------------------------------------


async def test_a_huge_answer_to_the_number_list_is_a_clear_message_not_an_empty_account(make_app, sandbox) -> None:
    sandbox.state.faults.arm("/account/numbers", "huge")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert "larger than" in notes
        status = str(app.screen.query_one("#numbers-status").render())
        assert "load failed" in status and "0 numbers" not in status
        table = app.screen.query_one("#numbers-table", FastTable)
        app.screen.set_focus(table)
        await pilot.press("r")  # the fault was armed once: reading again gets the list
        await settle(app, pilot)
        assert table.row_count == len(_account(sandbox).owned)
        assert "load failed" not in str(app.screen.query_one("#numbers-status").render())
