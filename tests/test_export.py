"""Export from the Numbers screen (o): the view as shown — `/` filter, sort, server filter — to a private
CSV or JSON file in the columns of `vonage-tui numbers -o csv`, never over a file without asking."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
from textual.widgets import Input, Static

from conftest import confirm_yes, settle
from tui.export import ExportRefused, ExportTarget, default_name, resolve_target, write_numbers
from tui.owned import OwnedRecord
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.screens.export import ExportDialog
from tui.screens.numbers import NumbersScreen
from tui.scripting.output import OWNED_NUMBER, CsvTable
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.fast_table import FastTable

SIZE = (120, 36)


async def export_to(app, pilot, path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    app.screen.query_one("#export-path", Input).value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)


def rows_of(path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def test_o_writes_the_filtered_sorted_view_to_a_private_csv(make_app, sandbox, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, NumbersScreen)
        assert "o Export" in str(screen.query_one("#key-bar", Static).render())
        table = screen.query_one("#numbers-table", FastTable)
        table.set_filter("44")
        table.sort_by("country", reverse=True)
        await pilot.pause()
        shown = [str(k) for k in table.visible_keys()]
        assert 1 < len(shown) < table.row_count
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-path", Input).value.startswith("./vonage-numbers-")
        assert "filter “44”" in str(dialog.query_one("#export-view", Static).render())
        target = tmp_path / "numbers.csv"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, NumbersScreen)
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        with open(target, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == OWNED_NUMBER.columns
        assert [r["msisdn"] for r in rows_of(target)] == shown  # the view's rows, in the view's order
        assert any(f"Wrote {len(shown)} numbers to {target}" in t for t in toasts(app))
        content = target.read_text(encoding="utf-8")
        assert DEMO_API_SECRET not in content and "secret" not in content.lower()
        assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


async def test_the_csv_reads_exactly_like_the_scripting_export(make_app, sandbox, client, tmp_path) -> None:
    from tui.scripting.exports import export_numbers
    from tui.scripting.output import Progress

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await export_to(app, pilot, tmp_path / "tui.csv")
    stream = io.StringIO()
    await export_numbers(client, {}, CsvTable(stream, OWNED_NUMBER), Progress("numbers", io.StringIO()), 10.0)
    scripted = stream.getvalue().splitlines()
    exported = (tmp_path / "tui.csv").read_text(encoding="utf-8").splitlines()
    assert exported[0] == scripted[0]
    assert sorted(exported[1:]) == sorted(scripted[1:])  # same cells for every number
    assert any("https://" in line for line in exported[1:])  # webhooks are in it


async def test_json_by_extension_with_the_server_filter_applied(make_app, sandbox, tmp_path) -> None:
    app = make_app(initial_screen="numbers", screen_args={"country": "GB"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await export_to(app, pilot, tmp_path / "gb.json")
    records = json.loads((tmp_path / "gb.json").read_text(encoding="utf-8"))
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    assert sorted(r["msisdn"] for r in records) == sorted(m for m, n in owned.items() if n["country"] == "GB")
    for record in records:
        wire = owned[record["msisdn"]]
        for key in ("moHttpUrl", "app_id", "voiceCallbackType", "voiceCallbackValue"):
            assert record.get(key) == wire.get(key), key  # the API's field names and values


async def test_an_existing_file_is_replaced_only_after_a_yes(make_app, sandbox, tmp_path) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("mine\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await export_to(app, pilot, target)
        assert isinstance(app.screen, ConfirmDialog)
        assert str(target) in str(app.screen.query_one("#confirm-body", Static).render())
        await pilot.press("enter")  # "No": back to the file name, nothing written
        await settle(app, pilot)
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-path", Input).value == str(target)
        assert target.read_text(encoding="utf-8") == "mine\n"
        await pilot.press("enter")
        await settle(app, pilot)
        await confirm_yes(pilot)
        await settle(app, pilot)
        assert len(rows_of(target)) == 6
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


async def test_a_missing_folder_is_said_next_to_the_field(make_app, sandbox, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await export_to(app, pilot, tmp_path / "nowhere" / "x.csv")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)  # still open, the name kept
        error = dialog.query_one("#export-path-error", Static)
        assert error.display and "does not exist" in str(error.render())
        assert dialog.query_one("#export-path", Input).value == str(tmp_path / "nowhere" / "x.csv")
        dialog.query_one("#export-path", Input).value = str(tmp_path / "x.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert ".csv or .json" in str(error.render())
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "x.txt").exists()


def test_targets_are_checked_before_writing(tmp_path) -> None:
    assert default_name(0).startswith("./vonage-numbers-") and default_name(0).endswith(".csv")
    (tmp_path / "dir.csv").mkdir()
    os.symlink(tmp_path / "elsewhere.csv", tmp_path / "link.csv")
    for name, why in (("", "Give a file name"), ("dir.csv", "is a folder"), ("link.csv", "symbolic link"),
                      ("a.xlsx", ".csv or .json"), ("sub/", "is a folder")):
        with pytest.raises(ExportRefused, match=why):
            resolve_target(name, cwd=tmp_path)
    target = resolve_target("ok.JSON", cwd=tmp_path)
    assert target == ExportTarget(tmp_path / "ok.JSON", "json", False)


def test_a_file_that_appears_meanwhile_is_not_clobbered(tmp_path) -> None:
    target = resolve_target("race.csv", cwd=tmp_path)
    (tmp_path / "race.csv").write_text("theirs\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_numbers(target, [OwnedRecord("447700900001", "GB")], overwrite=False)
    assert (tmp_path / "race.csv").read_text(encoding="utf-8") == "theirs\n"
    assert os.listdir(tmp_path) == ["race.csv"]  # no temporary file left behind
    assert write_numbers(target, [OwnedRecord("447700900001", "GB")], overwrite=True) == 1
    assert rows_of(tmp_path / "race.csv")[0]["msisdn"] == "447700900001"
