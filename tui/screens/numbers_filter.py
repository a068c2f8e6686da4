"""The Numbers screen's server-side filters: a small form that returns a checked ``OwnedQuery``.

Unlike `/` (which narrows what is loaded), these go to ``/account/numbers`` and reload the list, so
they are validated here (``OwnedQuery``) and a bad value is named next to its field, never sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.api.errors import InputError
from tui.screens.numbers_format import MATCH_CHOICES
from tui.widgets.form_escape import FormEscape
from tui.widgets.key_bar import KeyBar
from tui.widgets.literal import Literal

if TYPE_CHECKING:
    from tui.api.request_models import OwnedQuery

HAS_APP_CHOICES: list[tuple[str, str]] = [("any", "any"), ("linked", "yes"), ("not linked", "no")]
FIELDS = ("pattern", "country", "application_id", "has_application")


def build_query(values: dict[str, Any]) -> OwnedQuery | None:
    """An OwnedQuery from form values (None when every filter is empty); InputError names the field."""
    data = {k: v for k, v in values.items() if v not in (None, "")}
    if not data.get("pattern"):
        data.pop("search_pattern", None)
    if not data:
        return None
    if "country" in data:  # a real country, by code or name ("ZZ" would list nothing and look like "no numbers")
        from tui.countries import resolve

        data["country"] = resolve(data["country"])
    from tui.api.request_models import OwnedQuery

    query = OwnedQuery(**data)
    return query if query.model_dump(exclude_none=True) else None


class NumbersFilterDialog(FormEscape, ModalScreen["OwnedQuery | None | bool"]):
    """Returns the new query, None for "no server filter", or False when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="numbers_filter.cancel", tooltip="Close without changing the filter"),
        Binding("ctrl+s", "apply", "Apply", id="numbers_filter.apply", tooltip="Apply the filters and reload"),
    ]

    def __init__(self, query: OwnedQuery | None) -> None:
        super().__init__()
        self._query = query

    def compose(self) -> ComposeResult:
        q = self._query
        has_app = "any" if q is None or q.has_application is None else ("yes" if q.has_application else "no")
        with Vertical(id="numbers-filter-box", classes="dialog numbers-form"):
            yield Literal("Server-side filters (reload from the API)", classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Number digits", classes="form-label")
                yield Select(
                    MATCH_CHOICES, value=q.search_pattern if q and q.search_pattern is not None else 1,
                    allow_blank=False,
                    compact=True, id="filter-search_pattern",
                )
                yield Input(q.pattern or "" if q else "", placeholder="e.g. 7700", compact=True, id="filter-pattern")
            yield Literal("", classes="field-error", id="filter-pattern-error")
            with Horizontal(classes="form-row"):
                yield Label("Country", classes="form-label")
                yield Input(q.country or "" if q else "", placeholder="GB", compact=True, id="filter-country")
            yield Literal("", classes="field-error", id="filter-country-error")
            with Horizontal(classes="form-row"):
                yield Label("Application id", classes="form-label")
                yield Input(
                    q.application_id or "" if q else "", placeholder="UUID", compact=True, id="filter-application_id"
                )
            yield Literal("", classes="field-error", id="filter-application_id-error")
            with Horizontal(classes="form-row"):
                yield Label("Application", classes="form-label")
                yield Select(
                    HAS_APP_CHOICES, value=has_app, allow_blank=False, compact=True, id="filter-has_application"
                )
            yield Literal("", classes="field-error", id="filter-has_application-error")
            yield Literal("Empty fields are not filtered on. ctrl+s applies.", classes="dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Clear all", id="filter-clear", compact=True)
                yield Button("Cancel", id="filter-cancel", compact=True)
                yield Button("Apply", id="filter-apply", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#filter-pattern", Input))
        for name in FIELDS:
            self.query_one(f"#filter-{name}-error", Static).display = False

    def values(self) -> dict[str, Any]:
        has_app = self.query_one("#filter-has_application", Select).value
        return {
            "pattern": self.query_one("#filter-pattern", Input).value.strip(),
            "search_pattern": self.query_one("#filter-search_pattern", Select).value,
            "country": self.query_one("#filter-country", Input).value.strip(),
            "application_id": self.query_one("#filter-application_id", Input).value.strip(),
            "has_application": None if has_app == "any" else has_app == "yes",
        }

    def show_error(self, field: str, message: str) -> None:
        target = field if field in FIELDS else "pattern"
        if field == "search_pattern":
            target = "pattern"
        for name in FIELDS:
            error = self.query_one(f"#filter-{name}-error", Static)
            error.update(message if name == target else "")
            error.display = name == target

    def action_apply(self) -> None:
        try:
            query = build_query(self.values())
        except InputError as exc:
            self.show_error(exc.field, exc.message)
            return
        self.dismiss(query)

    def action_cancel(self) -> None:
        self.leave_or_discard(lambda: self.dismiss(False), what="the filters typed")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#filter-apply")
    def _apply(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#filter-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)  # the button says what it does: no question

    @on(Button.Pressed, "#filter-clear")
    def _clear(self) -> None:
        self.dismiss(None)
