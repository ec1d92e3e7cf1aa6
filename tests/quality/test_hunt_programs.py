"""hunt on programs: it finds (within one shard) and shrinks the thin-air LB of sc_drf_program,
and a program that separates wasm from es2017."""

from metatheory.budgets import PROGRAM_SHARD
from metatheory.hunt import hunt_command
from properties.outcome import Fails
from semantics.litmus.format import parse_litmus

# before ProgramBounds.pair_odds and .conflicts, seed 0 needed 700 instances (and a `weakwasm
# check` row 844): the expected failure must be a common draw, found within one shard
HUNT_SEED = 0


def test_hunt_finds_load_buffering_thin_air_in_one_shard():
    r = hunt_command("sc_drf_program", "wasm", seed=HUNT_SEED, max_examples=PROGRAM_SHARD)
    assert r.found, r.text()
    p = r.counterexample
    assert len(p.threads) == 2 and all(len(t) == 2 for t in p.threads)
    (l0, s0), (l1, s1) = p.threads
    assert l0.kind == l1.kind == "load" and s0.kind == s1.kind == "store"
    assert s0.guard == 0 and s1.guard == 0  # control dependencies
    assert (l0.loc, l1.loc) == (s1.loc, s0.loc)  # each thread reads where the other writes
    text = r.litmus()
    assert "(if (local.get $r0)" in text and parse_litmus(text).condition.quantifier == "exists"
    assert "violated: sc-outcome" in r.text()


def test_hunt_separates_wasm_from_es2017_on_programs():
    r = hunt_command("wasm_eq_js_program", "es2017", seed=0, max_examples=40)
    assert r.found and isinstance(r.outcome, Fails) and r.outcome.clause == "same-outcomes"
    assert sum(len(t) for t in r.counterexample.threads) <= 3
