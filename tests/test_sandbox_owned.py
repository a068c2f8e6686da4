"""Owned numbers keep their sorted order and filtered views up to date through every change.

Paging right after a buy must not re-sort 100,000 numbers or re-run a filter over all of them, so the views
are patched in place of being rebuilt; these tests prove the patched views always equal a fresh rebuild,
and that a list once handed out never changes under its reader.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import APP_SUPPORT, DEMO_API_KEY
from tui.sandbox.number_queries import OwnedFilter
from tui.sandbox.owned import VIEW_CACHE_SIZE, OwnedNumbers
from tui.sandbox.state import SandboxState

FILTERS = [
    OwnedFilter(country="GB"),
    OwnedFilter(has_application=True),
    OwnedFilter(has_application=False),
    OwnedFilter(application_id=APP_SUPPORT),
    OwnedFilter(pattern=("77", 1)),
    OwnedFilter(country="US", pattern=("1", 0)),
]
MSISDNS = [f"{cc}{n:05d}" for cc in ("4477", "1317", "4930") for n in range(12)]


def record(msisdn: str, linked: bool) -> dict:
    country = {"44": "GB", "13": "US", "49": "DE"}[msisdn[:2]]
    base = {"country": country, "msisdn": msisdn, "type": "mobile-lvn", "features": ["SMS"]}
    return {**base, "app_id": APP_SUPPORT} if linked else base


def rebuilt(owned: dict, wanted: OwnedFilter) -> list[str]:
    keep = wanted.predicate()
    return sorted(m for m, r in owned.items() if keep is None or keep(r))


operation = st.tuples(
    st.sampled_from(["set", "del", "pop", "view"]), st.sampled_from(MSISDNS), st.booleans(), st.sampled_from(FILTERS)
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    start=st.lists(st.tuples(st.sampled_from(MSISDNS), st.booleans()), max_size=20),
    ops=st.lists(operation, max_size=40),
)
def test_views_always_equal_a_fresh_rebuild(start: list[tuple[str, bool]], ops: list[tuple]) -> None:
    owned = OwnedNumbers(record(m, linked) for m, linked in start)
    handed_out = []
    for wanted in FILTERS[:3]:
        view = owned.view(wanted, wanted.predicate())
        handed_out.append((view, list(view)))
    for kind, msisdn, linked, wanted in ops:
        if kind == "set":
            owned[msisdn] = record(msisdn, linked)  # a new number, or a changed configuration
        elif kind == "del" and msisdn in owned:
            del owned[msisdn]
        elif kind == "pop":
            owned.pop(msisdn, None)
        else:
            owned.view(wanted, wanted.predicate())  # a view cached in the middle of the changes
        assert owned.view(None, None) == sorted(owned)
        for wanted in FILTERS:
            assert owned.view(wanted, wanted.predicate()) == rebuilt(owned, wanted)
    for view, copy in handed_out:
        assert view == copy  # copy-on-write: a page being served never changes under it


def test_a_buy_patches_the_cached_views_instead_of_dropping_them() -> None:
    state = SandboxState(SandboxConfig(owned_count=5_000))
    owned = state.accounts[DEMO_API_KEY].owned
    gb = OwnedFilter(country="GB")
    ordered, gb_view = owned.view(None, None), owned.view(gb, gb.predicate())
    offer = next(r for r in state.available.values() if r["country"] == "GB")
    owned[offer["msisdn"]] = dict(offer)
    assert owned.view(None, None) == sorted(owned) and len(owned.view(None, None)) == len(ordered) + 1
    assert offer["msisdn"] in owned.view(gb, lambda r: False)  # the cached (patched) view, not a rebuild
    assert len(owned.view(gb, gb.predicate())) == len(gb_view) + 1
    del owned[offer["msisdn"]]
    assert owned.view(gb, gb.predicate()) == gb_view


def test_touch_and_bulk_changes_rebuild_the_views() -> None:
    owned = OwnedNumbers([record("447700001", False), record("447700002", True)])
    linked = OwnedFilter(has_application=True)
    assert owned.view(linked, linked.predicate()) == ["447700002"]
    owned["447700001"]["app_id"] = APP_SUPPORT  # changed in place: the route must say so
    owned.touch()
    assert owned.view(linked, linked.predicate()) == ["447700001", "447700002"]
    owned.update({"447700003": record("447700003", True)})
    assert owned.view(linked, linked.predicate()) == ["447700001", "447700002", "447700003"]
    assert owned.view(None, None) == ["447700001", "447700002", "447700003"]
    owned.clear()
    assert owned.view(None, None) == [] and owned.view(linked, linked.predicate()) == []


def test_the_view_cache_is_bounded() -> None:
    owned = OwnedNumbers([record(m, False) for m in MSISDNS])
    for n in range(VIEW_CACHE_SIZE * 3):
        wanted = OwnedFilter(pattern=(str(n), 1))
        assert owned.view(wanted, wanted.predicate()) == rebuilt(owned, wanted)
    assert len(owned._views) <= VIEW_CACHE_SIZE
