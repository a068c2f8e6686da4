"""Every change to an account: journaled first, sent once, reconciled after an ambiguous failure.

The modules follow the kinds of change: ``core`` (journal, send once, settle a lost answer),
``numbers`` (buy, cancel, update — whole sequences), ``account`` (top-up, webhooks, secrets),
``pools``, and ``reconcile`` (start-up settlement of what an earlier run left open).
"""

from __future__ import annotations

from tui.operations.account import TopUpOutcome, describe_amount
from tui.operations.bulk import BulkOperations
from tui.operations.core import BatchReport, CannotCheck, Outcome, is_ambiguous
from tui.operations.numbers import BuyOutcome, UpdateConflict
from tui.operations.reconcile import Reconciliation


class Operations(BulkOperations, Reconciliation):
    """Journaled, reconciled writes for one profile: numbers, account, secrets, pools, start-up settlement."""


__all__ = [
    "BatchReport",
    "BuyOutcome",
    "CannotCheck",
    "Operations",
    "Outcome",
    "TopUpOutcome",
    "UpdateConflict",
    "describe_amount",
    "is_ambiguous",
]
