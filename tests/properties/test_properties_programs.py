"""Program-level theorems: the program strategy, sc_drf_program (fails: thin air),
sc_machine_eq_seqcst (holds), wasm_eq_js_program (Stephen). (operational_eq_axiomatic:
test_properties_operational.py; hunt on programs: tests/quality/test_hunt_programs.py.)"""

import attrs
import pytest
from hypothesis import given, settings

from metatheory.theorems import (
    SC_DRF_PROGRAM,
    SC_MACHINE_EQ_SEQCST,
    WASM_EQ_JS_PROGRAM,
)
from properties.outcome import Fails, Holds, Vacuous
from properties.programs import DEFAULT, DEPENDENT, FRESH, WAITS, Op, Prog, programs
from properties.sc_drf_program import LB_CTRL, drf_programs, promote_races, sc_drf_program
from properties.sc_machine_eq_seqcst import sc_machine_property
from properties.wasm_eq_js_program import INIT_RMW, STEPHEN, wasm_eq_js_program
from semantics.litmus.format import parse_litmus
from semantics.memory.model import MODELS, get_model

WASM = get_model("wasm")


@settings(max_examples=60)
@given(programs(DEFAULT))
def test_generated_programs_are_valid_and_bounded(p):
    test = parse_litmus(p.litmus())  # validates: raises on an ill-typed program
    assert 2 <= len(test.program.threads) <= DEFAULT.threads[1]
    assert sum(len(t) for t in p.threads) <= DEFAULT.max_events
    assert all(1 <= len(t) <= DEFAULT.ops for t in p.threads)
    assert FRESH in p.seeds and p.constants <= p.seeds


def test_lb_with_control_dependencies_is_thin_air_for_every_variant():
    for m in MODELS:
        out = sc_drf_program(LB_CTRL, get_model(m))
        assert isinstance(out, Fails) and out.clause == "sc-outcome", m
        assert dict(out.witness)["0:r0"] == 2 and dict(out.witness)["1:r0"] == 1
    assert all(SC_DRF_PROGRAM.expect(m) is False for m in MODELS)


def test_racy_programs_say_nothing():
    sb = Prog(((Op("store", value=1), Op("load", loc=1)),
               (Op("store", loc=1, value=2), Op("load"))))
    out = sc_drf_program(sb, WASM)
    assert isinstance(out, Vacuous) and out.hypothesis == "DRF"
    # promotion makes the racing accesses atomic: SB with SeqCst accesses is SC
    promoted = promote_races(sb, WASM)
    assert all(op.atomic for t in promoted.threads for op in t)
    assert isinstance(sc_drf_program(promoted, WASM), Holds)


@settings(max_examples=15)
@given(drf_programs(WASM, DEPENDENT))
def test_promoted_programs_keep_the_lb_shape_plain(p):
    assert len(p.threads) >= 2
    out = sc_drf_program(p, WASM)
    assert not isinstance(out, Vacuous) or out.hypothesis != "WF"


@pytest.mark.parametrize("model", ["wasm", "wasm-oopsla19"])
def test_sc_machine_equals_seqcst_executions(model):
    assert SC_MACHINE_EQ_SEQCST.expect(model)
    # two operations per thread under CI: one three-operation program with plain i32 reads
    # after waits has 32,896 valid executions to list (a minute); `weakwasm check` runs three
    bounds = attrs.evolve(WAITS, ops=2)
    settings(max_examples=25)(sc_machine_property(get_model(model), bounds))()


def test_sc_machine_holds_on_the_pinned_shapes():
    for p in (LB_CTRL, STEPHEN):
        assert isinstance(SC_MACHINE_EQ_SEQCST.predicate(p, WASM), Holds), p


def test_stephen_separates_wasm_without_daggers_from_es2017():
    assert WASM_EQ_JS_PROGRAM.expect("es2017") is False
    out = wasm_eq_js_program(STEPHEN, get_model("es2017"))
    assert isinstance(out, Fails) and "only wasm-no-daggers allows" in out.detail
    # two plain stores and loads do not separate them
    mp = Prog(((Op("store", value=1), Op("store", loc=1, value=2)),
               (Op("load", loc=1), Op("load"))))
    assert isinstance(wasm_eq_js_program(mp, get_model("es2017")), Holds)


def test_init_and_an_rmw_separate_them_too():
    out = wasm_eq_js_program(INIT_RMW, get_model("es2017"))
    assert isinstance(out, Fails)
    assert dict(out.witness) == {"0:trap": 0, "1:r0": 0, "1:trap": 0, "[x]": 2}
