"""The search form of the Search & buy screen: country, type, features, pattern, match strategy.

It checks what was typed locally (tui.countries, tui.api.validators) and shows each problem right
under its field, so a bad country or a pattern with letters never costs a request. It never
clears what the user typed; a message under a field goes as soon as that field changes. Enter in a
field, or the Search button, posts ``SearchForm.Submitted``; the screen decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tui import countries
from tui.api import validators
from tui.api.errors import InputError
from tui.api.models import SearchQuery

TYPE_OPTIONS: list[tuple[str, str]] = [("Any type", "any")] + [(t, t) for t in validators.NUMBER_TYPES]
MATCH_OPTIONS: list[tuple[str, int]] = [("starts with", 0), ("contains", 1), ("ends with", 2)]
FEATURE_BOXES = ("SMS", "VOICE", "MMS")
#: field of an InputError -> the Static under that field
ERROR_SLOTS = {
    "country": "#search-country-error",
    "pattern": "#search-pattern-error",
    "features": "#search-features-error",
}


class CountrySuggester(Suggester):
    """Completes a half-typed country name to "United Kingdom (GB)"."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=False)

    async def get_suggestion(self, value: str) -> str | None:
        return countries.suggest(value)


class FeatureBox(Checkbox):
    """A compact checkbox whose state shows without colour (NO_COLOR): "▐X▌ SMS" on, "▐ ▌ SMS" off."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "X" if self.value else " "


class SearchForm(Vertical):
    """Two compact rows of fields, each with its message line underneath."""

    class Submitted(Message):
        """Enter in a field, or the Search button."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="search-row"):
            yield Label("Country", classes="search-label")
            yield Input(
                placeholder="name or code: united k, GB",
                suggester=CountrySuggester(),
                id="search-country",
                compact=True,
            )
            yield Label("Type", classes="search-label")
            yield Select(TYPE_OPTIONS, value="any", allow_blank=False, id="search-type", compact=True)
        with Horizontal(classes="search-row search-notes"):
            yield Static("", markup=False, id="search-country-hint", classes="dim")
            yield Static("", markup=False, id="search-country-error", classes="field-error")
        with Horizontal(classes="search-row"):
            yield Label("Pattern", classes="search-label")
            yield Input(placeholder="digits", id="search-pattern", compact=True)
            yield Select(MATCH_OPTIONS, value=1, allow_blank=False, id="search-match", compact=True)
            for name in FEATURE_BOXES:
                yield FeatureBox(name, id=f"search-{name.lower()}", compact=True)
            yield Button("Search", id="search-go", compact=True)
        with Horizontal(classes="search-row search-notes"):
            yield Static("", markup=False, id="search-pattern-error", classes="field-error")
            yield Static("", markup=False, id="search-features-error", classes="field-error")

    def on_mount(self) -> None:
        for selector in ("#search-country-hint", *ERROR_SLOTS.values()):
            self.query_one(selector, Static).display = False

    def prefill(self, args: Mapping[str, Any]) -> None:
        """Fill in a deep link ({"country", "type", "features", "pattern", "search_pattern"})."""
        if args.get("country"):
            self.query_one("#search-country", Input).value = str(args["country"])
        if args.get("type") in validators.NUMBER_TYPES:
            self.query_one("#search-type", Select).value = args["type"]
        features = args.get("features") or ()
        chosen = {f.strip().upper() for f in (features.split(",") if isinstance(features, str) else features)}
        for name in FEATURE_BOXES:
            self.query_one(f"#search-{name.lower()}", Checkbox).value = name in chosen
        if args.get("pattern"):
            self.query_one("#search-pattern", Input).value = str(args["pattern"])
        if args.get("search_pattern") in (0, 1, 2):
            self.query_one("#search-match", Select).value = int(args["search_pattern"])
        self._show_hint(self.query_one("#search-country", Input).value)

    def read_query(self, size: int) -> SearchQuery | None:
        """The form as a query of ``size`` per page, or None after showing every problem by its field."""
        errors: dict[str, str] = {}
        country = ""
        try:
            country = countries.resolve(self.query_one("#search-country", Input).value)
        except InputError as exc:
            errors["country"] = exc.message
        pattern = self.query_one("#search-pattern", Input).value.strip()
        if pattern:
            try:
                pattern = validators.pattern(pattern)
            except InputError as exc:
                errors["pattern"] = exc.message
        chosen = [n for n in FEATURE_BOXES if self.query_one(f"#search-{n.lower()}", Checkbox).value]
        type_ = self.query_one("#search-type", Select).value
        query = None
        if not errors:
            try:
                query = SearchQuery(
                    country=country,
                    type=None if type_ in ("any", Select.NULL) else type_,
                    features=validators.features(chosen) if chosen else None,  # the API's order
                    pattern=pattern or None,
                    search_pattern=self.query_one("#search-match", Select).value if pattern else None,
                    size=size,
                )
            except InputError as exc:
                errors[exc.field if exc.field in ERROR_SLOTS else "country"] = exc.message
        self.show_errors(errors)
        return query

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each message under its field (and hide the others); focus the first bad field."""
        for field, selector in ERROR_SLOTS.items():
            slot = self.query_one(selector, Static)
            slot.update(errors.get(field, ""))
            slot.display = field in errors
        if "country" in errors:
            self.query_one("#search-country-hint", Static).display = False
        if errors:
            first = next(iter(errors))
            target = {"country": "#search-country", "pattern": "#search-pattern"}.get(first, "#search-sms")
            self.screen.set_focus(self.query_one(target))
    def focus_first(self) -> None:
        self.screen.set_focus(self.query_one("#search-country", Input))
    def _show_hint(self, text: str) -> None:
        hint = self.query_one("#search-country-hint", Static)
        try:
            code = countries.resolve(text)
        except InputError:
            hint.display = False
            return
        hint.update(f"→ {code} · {countries.name_of(code)}")
        hint.display = not self.query_one("#search-country-error", Static).display

    @on(Input.Changed, "#search-country")
    def _country_changed(self, event: Input.Changed) -> None:
        if event.input.has_focus:  # the user is fixing it: the old complaint no longer applies
            self.query_one("#search-country-error", Static).display = False
        self._show_hint(event.value)

    @on(Input.Changed, "#search-pattern")
    def _pattern_changed(self, event: Input.Changed) -> None:
        if event.input.has_focus:
            self.query_one("#search-pattern-error", Static).display = False

    @on(Select.Changed, "#search-match")
    def _match_changed(self) -> None:
        self.query_one("#search-pattern-error", Static).display = False  # "how it matches" is the pattern's

    @on(Checkbox.Changed)
    def _features_changed(self) -> None:
        self.query_one("#search-features-error", Static).display = False

    @on(Input.Submitted)
    @on(Button.Pressed, "#search-go")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Submitted())
