"""JSON and CSV written as the data arrives: what each record looks like, and how it is framed.

Why streaming: 100,000 numbers must not be held twice (once as models, once as text), so each
page is turned into text and written as soon as it is in order. JSON is one array with one
object per line (``json.load`` and ``jq`` read it; a run that fails half-way leaves the array
unclosed, so a parser refuses it rather than taking a short list for the whole). Fields keep the
API's wire names (``moHttpUrl``, ``initialPrice``); CSV has a fixed header in the same names.

Why cells are made safe: the fields come from the server (webhook URLs, SMPP system types, pool
names) and a CSV is meant to be opened in a spreadsheet, which runs a cell starting with ``=``, ``+``,
``-`` or ``@`` (or a tab or CR before one) as a formula. Such a cell is written with a leading ``'``,
which spreadsheets show as text; plain numbers (``-1.5``) stay numbers. Control characters (C0, DEL,
C1: ESC, BEL, CSI...) become spaces in CSV, and in JSON they are escaped (``\u001b``, ``\u009b``),
so printing either to a terminal cannot drive it. This writer is the one both ``-o csv`` and the
Numbers screen's export use.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

Record = dict[str, Any]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 (tab, CR and LF included), DEL and C1 controls."""
_NOT_ESCAPED_BY_JSON = re.compile(r"[\x7f-\x9f]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw (it escapes C0 itself)."""
_FORMULA = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(text: str) -> str:
    """A cell no spreadsheet runs as a formula and no terminal obeys (see the module docstring)."""
    text = _CONTROL.sub(" ", text)  # a tab or CR in front of a formula becomes a space: seen below
    head = text.lstrip(" ")
    if head.startswith(_FORMULA) and not _PLAIN_NUMBER.fullmatch(head):
        return "'" + text
    return text


def json_text(value: Any, **options: Any) -> str:
    """``json.dumps`` (UTF-8 as is) with DEL and C1 controls escaped too; the values are unchanged."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _NOT_ESCAPED_BY_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


@dataclass(frozen=True)
class Shape:
    """How one kind of item is printed: the CSV columns and how a JSON record becomes a CSV row."""

    columns: tuple[str, ...]
    #: column -> how to turn that record value into one cell (default: the value as text).
    cells: dict[str, Callable[[Any], str]]

    def row(self, record: Record) -> list[str]:
        out = []
        for column in self.columns:
            value = record.get(column)
            cell = self.cells.get(column)
            out.append(cell(value) if cell is not None else _text(value))
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _joined(value: Any) -> str:
    """A list of features as the API spells a feature filter: "SMS,VOICE"."""
    return ",".join(str(v) for v in value or ())


def _limitations(value: Any) -> str:
    """Each limitation as feature:type:reach, separated by "; " (e.g. "SMS:OUTBOUND:INTERNATIONAL")."""
    parts = []
    for item in value or ():
        if isinstance(item, dict):
            parts.append(":".join(_text(item.get(k)) for k in ("feature", "type", "reach")))
        else:
            parts.append(_text(item))
    return "; ".join(parts)


OWNED_NUMBER = Shape(
    columns=("msisdn", "country", "type", "features", "app_id", "moHttpUrl", "moSmppSysType",
             "messagesCallbackType", "messagesCallbackValue", "voiceCallbackType", "voiceCallbackValue",
             "voiceStatusCallback", "limitations"),
    cells={"features": _joined, "limitations": _limitations},
)
AVAILABLE_NUMBER = Shape(
    columns=("msisdn", "country", "type", "features", "cost", "initialPrice", "limitations"),
    cells={"features": _joined, "limitations": _limitations},
)
SECRET = Shape(columns=("id", "created_at"), cells={})
POOL = Shape(
    columns=("pool_id", "account_id", "fallback", "localized_sender_preferred", "predictable_sender_preferred"),
    cells={},
)
POOL_NUMBER = Shape(columns=("number",), cells={})


class Writer:
    """Frames records on stdout. ``begin`` is called once the first answer is in (so an early error
    leaves stdout empty), ``end`` only after the last record; ``count`` records were written."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.started = False
        self.count = 0

    def begin(self) -> None:
        self.started = True

    def write(self, records: Iterable[Record]) -> int:
        raise NotImplementedError

    def end(self) -> None:
        self._stream.flush()


class JsonArray(Writer):
    """``[`` + one object per line + ``]``; each batch is written and flushed as one piece."""

    def begin(self) -> None:
        super().begin()
        self._stream.write("[")

    def write(self, records: Iterable[Record]) -> int:
        parts = []
        for record in records:
            parts.append(("\n" if self.count == 0 else ",\n") + json_text(record))
            self.count += 1
        if parts:
            self._stream.write("".join(parts))
            self._stream.flush()
        return len(parts)

    def end(self) -> None:
        self._stream.write("\n]\n" if self.count else "]\n")
        self._stream.flush()


class JsonObject(Writer):
    """A single JSON document (the account): ``write`` takes exactly one record."""

    def write(self, records: Iterable[Record]) -> int:
        (record,) = records
        self._stream.write(json_text(record, indent=2) + "\n")
        self._stream.flush()
        self.count += 1
        return 1


class CsvTable(Writer):
    """A header row of wire names, then one row per record (RFC 4180 quoting, "\\n" line ends)."""

    def __init__(self, stream: TextIO, shape: Shape) -> None:
        super().__init__(stream)
        self._shape = shape
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    def _flush(self) -> None:
        self._stream.write(self._buffer.getvalue())
        self._stream.flush()
        self._buffer.seek(0)
        self._buffer.truncate()

    def begin(self) -> None:
        super().begin()
        self._csv.writerow(self._shape.columns)
        self._flush()

    def write(self, records: Iterable[Record]) -> int:
        count = 0
        for record in records:
            self._csv.writerow([csv_cell(cell) for cell in self._shape.row(record)])
            count += 1
        if count:
            self._flush()
        self.count += count
        return count


def writer_for(output: str, shape: Shape | None, stream: TextIO) -> Writer:
    if output == "csv":
        if shape is None:
            raise ValueError("this data is not a table")
        return CsvTable(stream, shape)
    return JsonArray(stream) if shape is not None else JsonObject(stream)


class Progress:
    """"12,300 of 100,000 numbers" on stderr, redrawn at most ten times a second - only on a terminal."""

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = self._stream.isatty() and os.environ.get("TERM") != "dumb"
        self._what = what
        self._total: int | None = None
        self._done = 0
        self._shown_at = 0.0

    def total(self, count: int) -> None:
        self._total = count
        self._show(force=True)

    def add(self, count: int) -> None:
        self._done += count
        self._show()

    def _show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown_at < 0.1:
            return
        self._shown_at = now
        of = f" of {self._total:,}" if self._total is not None else ""
        self._stream.write(f"\r\x1b[Kvonage-tui: {self._done:,}{of} {self._what}")
        self._stream.flush()

    def clear(self) -> None:
        if self.enabled and self._shown_at:
            self._stream.write("\r\x1b[K")
            self._stream.flush()

