"""operational_eq_axiomatic: the time-stamped machine (semantics/litmus/timestamped.py) against
the litmus engine, over programs; and the property failing on broken engines (mutation tests)."""

import attrs
from hypothesis import settings

from metatheory.mutants import MUTANTS
from metatheory.theorems import OPERATIONAL_EQ_AXIOMATIC
from properties.operational_eq_axiomatic import (
    OPERATIONAL,
    axiomatic,
    operational,
    operational_eq_axiomatic,
    operational_property,
)
from properties.outcome import Fails, Holds
from properties.programs import Op, Prog, observe, outcomes
from semantics.litmus.engine import enumerate_executions
from semantics.litmus.timestamped import prefix_model, timestamped_executions
from semantics.memory.model import MODELS, get_model

WASM = get_model("wasm")

# load buffering with data dependencies: each thread stores what it loaded
LB_DATA = Prog(((Op("load", loc=0), Op("store", loc=1, src=0)),
                (Op("load", loc=1), Op("store", loc=0, src=0))))
THIN_AIR = {"0:r0": 42, "1:r0": 42, "[x]": 42, "[y]": 42}
# a thread stores, then loads: only 1 is consistent (hb-consistent)
STORE_LOAD = Prog(((Op("store", value=1), Op("load")),))


def _has(outs, atoms):
    return any(atoms.items() <= dict(o).items() for o in outs)


def test_the_machine_reaches_thin_air_through_the_reduction():
    """r0 = 42 is promised from a write not yet reduced; the store of r0 then writes 42, which
    the other thread reads and stores, fulfilling the promise: values flow through step.py."""
    op = timestamped_executions(LB_DATA.test.program, WASM, observe=observe(LB_DATA),
                                seeds=LB_DATA.seeds)
    assert op.complete
    outs = outcomes(LB_DATA, op)
    assert _has(outs, THIN_AIR)
    ex = next(v.execution for v in op.valid if v.paths[0].final_map["r0"] == 42)
    assert ex.tot == tuple(range(len(ex.events)))  # tot is the step order
    # some read takes its value from a write reduced after it
    assert any(w > r for w, r, _, _ in ex.rf)
    # and the engine agrees
    assert outcomes(LB_DATA, op) == axiomatic(LB_DATA, WASM)[0]


def test_prefix_model_drops_only_the_axioms_a_partial_rf_may_break():
    for m in MODELS:
        model = get_model(m)
        dropped = set(model.axiom_names) - set(prefix_model(model).axiom_names)
        assert dropped <= {"value-consistent", "suspensions-consistent", "es2017-memory-order"}
        assert "value-consistent" in dropped


def test_fails_on_an_engine_that_offers_no_thin_air_value():
    """A broken engine: the seeds without the fresh value (what an engine that only offers the
    bytes writes produce computes). The machine still reaches 42 and the property says so."""

    def no_fresh(p, model):
        en = enumerate_executions(p.test.program, model, observe=observe(p), seeds=p.constants)
        return outcomes(p, en), en.bound_reports

    out = operational_eq_axiomatic(LB_DATA, WASM, no_fresh)
    assert isinstance(out, Fails) and out.clause == "operational-in-axiomatic", out
    assert THIN_AIR.items() <= dict(out.witness).items()


def test_fails_on_an_engine_with_a_broken_axiom():
    """A broken engine: it judges with wasm-no-hb-consistent while the machine keeps wasm, so
    the load after ``store x 1`` may read the initial 0."""
    broken = MUTANTS["wasm-no-hb-consistent"].model()
    out = operational_eq_axiomatic(STORE_LOAD, WASM, lambda p, _: axiomatic(p, broken))
    assert isinstance(out, Fails) and out.clause == "axiomatic-in-operational", out
    assert dict(out.witness)["0:r0"] == 0
    assert axiomatic(STORE_LOAD, WASM)[0] == operational(STORE_LOAD, WASM)[0]  # 0:r0=1 only


def test_grow_and_the_bounds_check():
    """A grow ‖ a store one page up: the store's bounds check reads the length; it traps or
    not as the grow's length write is read or not (per step, not per path)."""
    p = Prog(((Op("grow", atomic=True),), (Op("store", loc=3, value=1),)))
    out = operational_eq_axiomatic(p, WASM)
    assert isinstance(out, Holds), out
    ops, _, _ = operational(p, WASM)
    assert {dict(o)["1:trap"] for o in ops} == {0, 1}


def test_operational_equals_axiomatic_on_drawn_programs():
    assert all(OPERATIONAL_EQ_AXIOMATIC.expect(m) for m in MODELS)
    small = attrs.evolve(OPERATIONAL, threads=(2, 2), max_events=3)
    settings(max_examples=5)(operational_property(WASM, small))()
