"""The local journal: an append-only record of every change the app makes to an account.

Why: a purchase over a flaky SSH link can die between "sent" and "answered". Each change is
written *before* its request (state ``pending``) and completed *after* it (``done``, ``failed`` or
``unknown``), each as its own line, so even a crash mid-purchase leaves a record that the next
start-up reconciles against the account. Lines are JSON; the file is 0600 in a 0700 directory.
Nothing secret is ever written: entries carry operation names, numbers, ids, prices and outcomes.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.fsutil import append_private_line, open_private_file

#: Outcomes an entry can end with.
DONE, FAILED, UNKNOWN, PENDING = "done", "failed", "unknown", "pending"


@dataclass
class JournalEntry:
    """One change, as the journal knows it (the begin line merged with its end line, if any)."""

    id: str
    ts: float
    profile: str
    op: str
    target: str
    country: str = ""
    price: str = ""
    batch: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    account: str = ""
    """The API key the change was made with ("" in entries written before it was recorded)."""
    state: str = PENDING
    outcome: str = ""
    ended_at: float | None = None
    reconciled: bool = False
    acknowledged: bool = False
    """The user said they checked an unknown outcome themselves (e.g. a top-up in their payment history)."""
    owner: str = ""
    """The process that began the change ("pid:start"): another running instance's changes are not settled."""

    @property
    def finished(self) -> bool:
        return self.state != PENDING


def default_path() -> Path:
    from tui.paths import config_dir  # (not tui.config: that imports pydantic)

    return config_dir() / "journal.jsonl"


class Journal:
    """Append-only JSON lines; thread-safe so workers in threads may write too."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()

    def _append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), sort_keys=True)
        with self._lock:
            if self._torn():
                # A crash cut the last line short: end it first, or this record would be glued onto
                # the fragment and lost with it (the whole line would no longer parse).
                append_private_line(self.path, "")
            append_private_line(self.path, line)

    def _torn(self) -> bool:
        """True when the file exists and does not end with a newline."""
        try:
            with open_private_file(self.path) as fh:  # never through a symlink, only when private
                fh.seek(0, os.SEEK_END)
                if fh.tell() == 0:
                    return False
                fh.seek(-1, os.SEEK_END)
                return fh.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def begin(
        self,
        *,
        profile: str,
        op: str,
        target: str,
        country: str = "",
        price: str = "",
        batch: str = "",
        details: dict[str, Any] | None = None,
        account: str = "",
    ) -> str:
        """Record the intent before the request is sent; returns the entry id."""
        entry_id = uuid.uuid4().hex[:12]
        self._append(
            {
                "kind": "begin",
                "id": entry_id,
                "ts": time.time(),
                "profile": profile,
                "op": op,
                "target": target,
                "country": country,
                "price": price,
                "batch": batch,
                "details": details or {},
                "account": account,
                "owner": OWNER,
            }
        )
        return entry_id

    def end(
        self, entry_id: str, state: str, outcome: str = "", *, reconciled: bool = False, acknowledged: bool = False
    ) -> None:
        """Complete an entry with what actually happened."""
        record: dict[str, Any] = {
            "kind": "end",
            "id": entry_id,
            "ts": time.time(),
            "state": state,
            "outcome": outcome,
            "reconciled": reconciled,
        }
        if acknowledged:
            record["acknowledged"] = True
        self._append(record)

    def entries(self) -> list[JournalEntry]:
        """Every entry, oldest first, with its latest end merged in."""
        try:
            raw_file = open_private_file(self.path)  # never through a symlink, only when private
        except FileNotFoundError:
            return []
        by_id: dict[str, JournalEntry] = {}
        with io.TextIOWrapper(raw_file, encoding="utf-8", errors="replace") as fh:
            for raw in fh:
                try:
                    rec = json.loads(raw)
                except (json.JSONDecodeError, RecursionError):
                    continue  # a torn line after a crash: skip it, keep the rest
                if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
                    continue
                if rec.get("kind") == "begin":
                    details = rec.get("details")
                    by_id[rec["id"]] = JournalEntry(
                        id=rec["id"],
                        ts=_number(rec.get("ts")) or 0.0,
                        profile=_text(rec.get("profile")),
                        op=_text(rec.get("op")),
                        target=_text(rec.get("target")),
                        country=_text(rec.get("country")),
                        price=_text(rec.get("price")),
                        batch=_text(rec.get("batch")),
                        details=details if isinstance(details, dict) else {},
                        account=_text(rec.get("account")),
                        owner=_text(rec.get("owner")),
                    )
                elif rec.get("kind") == "end" and rec["id"] in by_id:
                    entry = by_id[rec["id"]]
                    state = rec.get("state")
                    entry.state = state if state in (DONE, FAILED, UNKNOWN) else UNKNOWN
                    entry.outcome = _text(rec.get("outcome"))
                    entry.ended_at = _number(rec.get("ts"))
                    entry.reconciled = rec.get("reconciled") is True
                    entry.acknowledged = entry.acknowledged or rec.get("acknowledged") is True
        return list(by_id.values())

    def unfinished(self, profile: str | None = None) -> list[JournalEntry]:
        """Entries that still need reconciling: never completed, or ended as unknown.

        An entry that start-up reconciliation already settled as "unknown, check it by hand" (its
        effect cannot be read back) is not offered again, or it would be reported on every start.
        """
        return [
            e
            for e in self.entries()
            if (e.state == PENDING or (e.state == UNKNOWN and not e.reconciled))
            and (profile is None or e.profile == profile)
            and not owner_running(e.owner)
        ]

    def batch_items(self, batch: str) -> list[JournalEntry]:
        return [e for e in self.entries() if e.batch == batch]


def _process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, Linux), "" when it cannot be told.

    Why: a pid alone is reused; the pid and its start time name one process for as long as it runs.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


OWNER = f"{os.getpid()}:{_process_start(os.getpid())}"
"""This process, as journal entries name the instance that began them."""


def owner_running(owner: str) -> bool:
    """True when ``owner`` is another instance that is still running (its changes are its own to settle).

    This process is never "another"; an entry with no owner (older journals) or an owner whose process
    is gone, or whose pid now belongs to a process started at another time, is left to be settled.
    """
    if not owner or owner == OWNER:
        return False
    pid_text, _, started = owner.partition(":")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        pass  # it exists (another user's process would be denied): decide by its start time
    now = _process_start(pid)
    return not started or not now or now == started


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None

