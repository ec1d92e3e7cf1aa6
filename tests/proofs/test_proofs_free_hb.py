"""``sc_drf_free_hb``: [P] Prop 6.1 with hb any order containing po and sync within tot,
beside the least-hb obligation; the counterexamples are re-read by the explicit checker."""

from __future__ import annotations

import z3

from proofs.encoding import encode, free_hb
from proofs.obligations import prove_up_to, sc_drf, sc_drf_free_hb, solver
from proofs.space import Space
from proofs.symbolic import fresh
from properties.render import execution_litmus
from semantics.litmus.format import parse_litmus
from semantics.litmus.result import SC, run_test
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.events import show_execution
from semantics.memory.verdict import Ok


def test_es2017_fails_at_3_events_with_hb_free_where_the_least_hb_holds() -> None:
    m = M.get_model("es2017")
    run = prove_up_to("sc_drf_free_hb", m, 4)
    assert run.largest_proved == 2
    cex = run.counterexample
    assert cex is not None and cex.bound == 3 and cex.hb_added
    ex = cex.execution
    assert ex is not None and ex.tot is not None
    assert not C.is_seqcst(ex, ex.tot)  # the conclusion fails whatever hb is
    # With the least hb the same execution races or is invalid: the free hb is what
    # made it a counterexample, and the least-hb obligation holds at 3 events.
    assert C.data_race(ex, m) is not None or not isinstance(C.check(ex, m, ex.tot), Ok), \
        show_execution(ex)
    assert sc_drf(m, 3).status == "proved"


def test_the_repaired_models_hold_with_hb_free() -> None:
    for name in ("wasm", "es2020"):
        assert prove_up_to("sc_drf_free_hb", M.get_model(name), 4).largest_proved == 4


def test_the_free_hb_is_an_order_between_the_least_hb_and_tot() -> None:
    """The constraints admit the least hb and tot itself, and nothing outside them."""
    sym = fresh(Space(3, values=1))
    least = encode(M.WASM, sym)
    enc, order = free_hb(least)
    n = sym.space.size
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    for pick in (lambda a, b: least.hb[a][b], enc.lt):
        s = solver()
        s.add(*sym.well_formed(), *order, z3.Distinct(*enc.clk))
        s.add([enc.hb[a][b] == pick(a, b) for a, b in pairs])
        assert s.check() == z3.sat
    for outside in ([z3.And(enc.hb[a][b], z3.Not(enc.lt(a, b))) for a, b in pairs],
                    [z3.And(least.hb[a][b], z3.Not(enc.hb[a][b])) for a, b in pairs],
                    [z3.And(enc.hb[a][b], enc.hb[b][c], z3.Not(enc.hb[a][c]))
                     for a, b in pairs for c in range(n) if c not in (a, b)]):
        s = solver()
        s.add(*sym.well_formed(), *order, z3.Distinct(*enc.clk), z3.Or(outside))
        assert s.check() == z3.unsat


def test_the_free_hb_result_states_its_scope() -> None:
    r = sc_drf_free_hb(M.WASM, 2)
    assert r.status == "proved"
    assert r.scope.endswith("; hb any order containing po and sync, within tot")
    assert r.scope.startswith("4 cells, widths 1/2/4, any number of threads, data region only")


def test_the_least_hb_counterexample_of_es2017_is_program_level_too() -> None:
    """The one-byte 4-event counterexample (ecma262 #1354's (‡) shape, docs/metatheory.md)
    printed as a litmus test: es2017 reaches its outcome, the SC machine does not, wasm
    does not either. So the Z3 witness is a program-level one, not only an execution-level
    one (whose outcome an SC run could also give)."""
    m = M.get_model("es2017")
    r = sc_drf(m, 4, space=Space(4, values=1, widths=(1,)))
    assert r.status == "counterexample" and r.execution is not None
    test = parse_litmus(execution_litmus(r.execution, "cex"), file="<z3>")
    assert len([e for e in r.execution.events if e.thread >= 0]) == 4
    assert run_test(test, m).result.positive > 0
    assert run_test(test, SC).result.positive == 0
    assert run_test(test, M.WASM).result.positive == 0
