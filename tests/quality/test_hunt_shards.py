"""A hunt in shards (``metatheory.hunt.hunt_plan``): one shard is the plain hunt, shards merge
in order, a counterexample found by a later shard names the shard that reproduces it, and two
worker processes find what one finds."""

from __future__ import annotations

from metatheory.hunt import hunt, hunt_plan
from metatheory.models import resolve_model
from metatheory.tasks import Workers, shards
from metatheory.theorems import THEOREMS


def test_one_shard_is_the_plain_hunt() -> None:
    with Workers(1) as w:
        sharded = w.one(hunt_plan("sc_drf", "wasm", 0, 120, 500))
    plain = hunt(THEOREMS["sc_drf"], resolve_model("wasm"), 0, 120)
    assert sharded.text(times=False) == plain.text(times=False)


def test_shards_merge_in_order_and_name_the_shard_that_found_it() -> None:
    with Workers(1) as one:
        here = one.one(hunt_plan("sc_drf", "wasm-no-dagger", 0, 100, 5))
    with Workers(2) as two:
        there = two.one(hunt_plan("sc_drf", "wasm-no-dagger", 0, 100, 5))
    assert here.found and here.text(times=False) == there.text(times=False)
    split = shards(0, 100, 5)
    j = [s for s, _ in split].index(here.shard_seed)
    assert j > 0 and here.tried <= 5 * (j + 1) and here.shards == 20
    assert f"found by the shard --seed {here.shard_seed} --max-examples 5" in here.text()
    again = hunt(THEOREMS["sc_drf"], resolve_model("wasm-no-dagger"), here.shard_seed, 5)
    assert again.found and again.litmus() == here.litmus()
