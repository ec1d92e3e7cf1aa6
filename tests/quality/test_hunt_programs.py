"""hunt on programs: it finds and shrinks the thin-air LB of sc_drf_program and a program that
separates wasm from es2017."""

from metatheory.hunt import hunt_command
from properties.outcome import Fails
from semantics.litmus.format import parse_litmus

HUNT_SEED = 1  # a seed that finds it within the CI budget (about 30 instances)


def test_hunt_finds_load_buffering_thin_air():
    r = hunt_command("sc_drf_program", "wasm", seed=HUNT_SEED, max_examples=400)
    assert r.found, r.text()
    p = r.counterexample
    assert len(p.threads) == 2 and all(len(t) == 2 for t in p.threads)
    (l0, s0), (l1, s1) = p.threads
    assert l0.kind == l1.kind == "load" and s0.kind == s1.kind == "store"
    assert s0.guard == 0 and s1.guard == 0  # control dependencies
    assert (l0.loc, s0.loc) == (s1.loc, l1.loc) and l0.loc != s0.loc  # the LB cycle
    text = r.litmus()
    assert "(if (local.get $r0)" in text and parse_litmus(text).condition.quantifier == "exists"
    assert "violated: sc-outcome" in r.text()


def test_hunt_separates_wasm_from_es2017_on_programs():
    r = hunt_command("wasm_eq_js_program", "es2017", seed=0, max_examples=40)
    assert r.found and isinstance(r.outcome, Fails) and r.outcome.clause == "same-outcomes"
    assert sum(len(t) for t in r.counterexample.threads) <= 3
