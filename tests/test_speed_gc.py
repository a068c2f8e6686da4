"""The one garbage-collection policy (tui.loading): none while the first screen is built, no full
collection while a list loads, what is alive frozen afterwards; collection always comes back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from conftest import settle
from tui import loading
from tui.messages import OwnedNumbersChanged
from tui.sandbox.config import SandboxConfig
from tui.sandbox.server import start_sandbox


@pytest.fixture(autouse=True)
def _gc_state() -> Iterator[None]:
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.set_threshold(*threshold)
    gc.enable() if enabled else gc.disable()
    gc.unfreeze()


def test_loading_holds_full_collections_until_the_last_load_ends() -> None:
    first, second, third = gc.get_threshold()
    with loading.loading_many():
        assert gc.get_threshold()[:2] == (first, second)  # young garbage is still collected
        assert gc.get_threshold()[2] >= 1_000_000
        with loading.loading_many():  # two loads at once (a refresh while the cache is read)
            pass
        assert gc.get_threshold()[2] >= 1_000_000  # the first is still running
        made = [[i] for i in range(1000)]  # noqa: F841 - alive when the load ends
        frozen = gc.get_freeze_count()
    assert gc.get_threshold() == (first, second, third)
    assert gc.get_freeze_count() > frozen and gc.isenabled()


def test_a_load_that_fails_still_restores_collection() -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), loading.loading_many():
        raise RuntimeError("the network went away")
    assert gc.get_threshold() == threshold


def test_start_up_builds_without_collection_then_turns_it_back_on() -> None:
    loading.hold_gc()
    assert not gc.isenabled()
    loading.keep_out_of_gc()
    assert gc.isenabled() and gc.get_freeze_count() > 0


async def test_the_app_loads_without_full_collections_and_ends_with_them_on(make_app) -> None:
    seen: list[tuple[int, int, int]] = []

    def hook(message: object) -> None:
        if isinstance(message, OwnedNumbersChanged) and message.loading:
            seen.append(gc.get_threshold())

    threshold = gc.get_threshold()
    with start_sandbox(SandboxConfig(seed=7, owned_count=800)) as running:
        app = make_app(rest_url=running.url, api_url=running.url)
        async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
            await settle(app, pilot)
            assert app.session is not None and app.session.account.owned.complete
            assert gc.isenabled() and gc.get_threshold() == threshold
    assert seen and all(t[2] >= 1_000_000 for t in seen)


async def test_the_first_frame_freezes_what_start_up_built_without_walking_it(make_app, monkeypatch) -> None:
    """Nothing was collected during start-up (the imports ran with GC off): a collection at the first
    frame would walk every object of the imports (~30 ms, which delayed a warm start's cached rows)."""
    calls: list[bool] = []
    original = loading.keep_out_of_gc

    def keep(*, collect: bool = True) -> None:
        calls.append(collect)
        original(collect=collect)

    monkeypatch.setattr(loading, "keep_out_of_gc", keep)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
    assert calls[0] is False  # the first frame's: frozen as it is
    assert gc.isenabled()
