"""The owned-numbers cache (format 3): each configuration once, numbers by index, written as a stream
with the same private-file guarantees, read back exactly; anything unexpected counts as no cache."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tui import cache, fsutil
from tui.config import cache_dir
from tui.owned import Limitation, OwnedList, OwnedRecord

KEY = cache.profile_key("abcd1234", "rest.nexmo.com")


def sample(count: int) -> list[OwnedRecord]:
    configs = [
        dict(country="GB", type="mobile-lvn", features=["SMS", "VOICE"], app_id="app-1",
             voice_callback_type="app", voice_callback_value="app-1"),
        dict(country="US", type="landline", features=["VOICE"], mo_http_url="https://example.com/in",
             limitations=[Limitation({"feature": "SMS", "type": "OUTBOUND", "reach": "DOMESTIC"})]),
        dict(country="DE", type="landline-toll-free", features=[], extra={"cost": "0.90", "note": {"a": [1, 2]}}),
    ]
    out = []
    for i in range(count):
        config = dict(configs[i % len(configs)])
        out.append(OwnedRecord(f"4477009{i:05d}", config.pop("country"), config.pop("type"),
                               config.pop("features"), **config))
    return out


def test_round_trip_keeps_every_field_order_and_shares_configurations(isolated_dirs) -> None:
    numbers = sample(10_000)
    path = cache.save_owned(KEY, numbers)
    assert path.parent == cache_dir()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = json.loads(path.read_text())
    assert body["format"] == cache.FORMAT and len(body["configs"]) == 3  # each configuration once
    assert len(body["numbers"]) == len(body["config_of"]) == 10_000
    loaded = cache.load_owned(KEY)
    assert loaded is not None
    got, _ = loaded
    assert [r.to_wire() for r in got] == [r.to_wire() for r in numbers]
    assert got == numbers
    assert len({id(r.config) for r in got}) == 3  # read back shared, as the load makes them
    assert got[1].limitations[0].reach == "DOMESTIC" and got[2].model_extra["note"] == {"a": [1, 2]}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", [
    lambda b: b.update(format=2),
    lambda b: b.update(profile="someone-else@rest.nexmo.com"),
    lambda b: b["config_of"].__setitem__(0, 99),
    lambda b: b["config_of"].__setitem__(0, "0"),
    lambda b: b["numbers"].__setitem__(0, 447700900000),
    lambda b: b["numbers"].pop(),
    lambda b: b["configs"].__setitem__(0, ["not", "an", "object"]),
    lambda b: b["configs"][0].update(moHttpUrl=["not text"]),
    lambda b: b.update(saved_at=True),
])
def test_a_damaged_or_foreign_file_is_no_cache(isolated_dirs, damage) -> None:  # type: ignore[no-untyped-def]
    path = cache.save_owned(KEY, sample(30))
    body = json.loads(path.read_text())
    damage(body)
    fsutil.write_private_file(path, json.dumps(body).encode())
    assert cache.load_owned(KEY) is None
    owned = OwnedList()
    assert not cache.fill(owned, KEY) and not owned.by_msisdn


def test_fill_marks_the_list_as_cached_with_its_age(isolated_dirs) -> None:
    numbers = sample(40)
    cache.save_owned(KEY, numbers)
    owned = OwnedList()
    assert cache.fill(owned, KEY)
    assert list(owned.by_msisdn) == [r.msisdn for r in numbers]
    assert owned.from_cache and not owned.complete and owned.loaded_at is not None
    assert not cache.fill(owned, KEY)  # never over a list already shown
    assert not cache.fill(OwnedList(), "")  # no cache for the demo


def test_a_failure_while_streaming_keeps_the_old_file_and_leaves_no_temp(isolated_dirs) -> None:
    path = cache.save_owned(KEY, sample(5))
    before = path.read_bytes()

    def broken():  # type: ignore[no-untyped-def]
        yield from sample(3)
        raise RuntimeError("the list changed under us")

    with pytest.raises(RuntimeError):
        cache.save_owned(KEY, broken())
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_streaming_write_refuses_a_link_and_writes_private_files(isolated_dirs, tmp_path) -> None:
    target = cache_dir() / "f.json"
    fsutil.write_private_stream(target, iter([b"[", b"1", b"]"]))
    assert target.read_bytes() == b"[1]"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"")
    link = cache_dir() / "link.json"
    link.symlink_to(elsewhere)
    with pytest.raises(fsutil.SymlinkRefused):
        fsutil.write_private_stream(link, iter([b"x"]))
    assert elsewhere.read_bytes() == b""


def test_a_refresh_drops_what_it_did_not_see_and_keeps_what_was_bought_meanwhile() -> None:
    owned = OwnedList()
    cached = sample(6)
    owned.replace(cached, complete=False, from_cache=True)
    before = owned.begin_load()
    fresh = [OwnedRecord.from_wire(r.to_wire()) for r in cached[:4]]  # the account no longer has 4 and 5
    owned.add_page(fresh[:2])
    owned.upsert(OwnedRecord("15550001111", "US", "mobile-lvn", ["SMS"]))  # bought while loading
    owned.remove(cached[3].msisdn)  # cancelled while loading (then listed by a page fetched before)
    owned.add_page(fresh[2:])
    gone = owned.settle(before)
    assert sorted(gone) == sorted(r.msisdn for r in cached[4:])
    assert set(owned.by_msisdn) == {r.msisdn for r in cached[:4]} | {"15550001111"}
    assert owned.complete and not owned.from_cache and owned.total == 5
