"""The engine counts executions that differ only in writers of reads adding no hb edge
(``engine.combine``, docs/litmus.md "How the engine explores"): exact counts, the same as the
listing engine's, and the fallback to listing for a model whose axioms do not decompose."""

from collections import Counter

import attrs

from semantics.litmus.engine import enumerate_executions, factorises
from semantics.litmus.format import parse_litmus
from semantics.litmus.loader import load_test
from semantics.litmus.result import observe_of, run_test, seeds_of, state_of
from semantics.memory.axioms import Axiom
from semantics.memory.model import MODELS, get_model
from tests.common.corpus import CORPUS

WASM = get_model("wasm")

ONE_READ = """WASM one-read
{ memory 1 1 shared; x = 0; }
thread 0 { (i32.store (i32.const x) (i32.const 1)) }
thread 1 { (local $r i32) (local.set $r (i32.load (i32.const x))) }
exists (1:r=1)
"""

MP_SC = """WASM MP+sc+i32
{ memory 1 1 shared; x = 0; y = 4; }
thread 0 { (i32.store (i32.const x) (i32.const 1))
           (i32.atomic.store (i32.const y) (i32.const 1)) }
thread 1 { (local $r0 i32) (local $r1 i32)
           (local.set $r0 (i32.atomic.load (i32.const y)))
           (local.set $r1 (i32.load (i32.const x))) }
exists (1:r0=1 /\\ 1:r1=0)
"""

# an axiom of the user's own, without per_read or rf_blind: the engine must list
OWN = Axiom("own", "a test", "true", static=lambda f: None)


def _per_state(test, model, explicit):
    seeds, cells = seeds_of(test)
    en = enumerate_executions(test.program, model, observe=observe_of(test),
                              observer=test.observer, seeds=seeds, cell_seeds=cells,
                              explicit=explicit)
    out: Counter = Counter()
    for v in en.valid:
        out[state_of(test, tuple(p.final for p in v.paths), v.observed)] += v.multiplicity
    return out, en


def test_a_plain_i32_read_of_one_store_has_16_executions() -> None:
    # byte 0 from the store (r=1) or INIT (r=0); bytes 1-3, 0 in both, from either: 2 * 8
    r = run_test(parse_litmus(ONE_READ)).result
    assert (r.positive, r.negative) == (8, 8)


def test_every_variant_factorises_and_a_model_with_an_axiom_of_its_own_does_not() -> None:
    assert all(factorises(m) for m in MODELS.values())
    assert factorises(WASM.without("no-tear"))
    assert not factorises(attrs.evolve(WASM, name="wasm+own", axioms=(*WASM.axioms, OWN)))


def test_counting_keeps_one_execution_per_class_and_the_counts() -> None:
    test = parse_litmus(MP_SC)
    counted, en = _per_state(test, WASM, explicit=False)
    listed, ex = _per_state(test, WASM, explicit=True)
    assert counted == listed and en.candidates == ex.candidates
    assert len(en.valid) < len(ex.valid) and max(v.multiplicity for v in en.valid) > 1


def test_a_model_without_the_hooks_falls_back_to_listing_and_agrees() -> None:
    own = attrs.evolve(WASM, name="wasm+own", axioms=(*WASM.axioms, OWN))
    test = parse_litmus(MP_SC)
    fallback, en = _per_state(test, own, explicit=False)
    assert all(v.multiplicity == 1 for v in en.valid)
    assert fallback == _per_state(test, WASM, explicit=False)[0]


def test_counts_equal_listing_on_small_golden_tests_under_every_variant() -> None:
    keys = ("CoRR", "MP+sc", "MP+popl", "MP+cas", "Init", "Tear+init")
    small = sorted(p for p in CORPUS.rglob("*.litmus") if any(k in p.name for k in keys))
    assert len(small) >= 8
    variants = (*MODELS.values(),
                attrs.evolve(WASM, name="wasm-hb-not-closed", hb_transitive=False))
    for path in small:
        test = load_test(str(path))
        for model in variants:
            assert _per_state(test, model, False)[0] == _per_state(test, model, True)[0], \
                (path.name, model.name)
