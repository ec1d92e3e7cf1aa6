"""Bounded obligations at CI bounds; every counterexample is re-checked by the explicit
checker (semantics/memory/check.py)."""

from __future__ import annotations

import re

import attrs
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.concrete import mirror, pin
from proofs.encoding import encode
from proofs.obligations import (
    ProofResult,
    UnknownTheorem,
    no_seqcst_init_reads,
    prove,
    prove_exactly,
    prove_up_to,
    sc_drf,
    solver,
    wasm_eq_js,
)
from proofs.space import INIT_ACTION, Space, concrete_action
from proofs.symbolic import SymExec, fresh
from properties.strategies import Bounds, graphs
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    Event,
    Execution,
    Kind,
    Ord,
    show_execution,
    size,
)
from semantics.memory.verdict import Ok, Violation

CI_BOUND = 5


def assert_sc_drf_counterexample(r: ProofResult, m: M.Model) -> Execution:
    assert r.status == "counterexample"
    ex = r.execution
    assert ex is not None and ex.tot is not None
    assert isinstance(C.check(ex, m, ex.tot), Ok), show_execution(ex)
    assert isinstance(C.consistent(ex, m), Ok)
    assert C.data_race(ex, m) is None
    assert not C.is_seqcst(ex, ex.tot)
    return ex


def test_es2017_is_not_sc_drf_and_the_smallest_counterexample_checks_out() -> None:
    m = M.get_model("es2017")
    run = prove_up_to("sc_drf", m, 6)
    assert run.largest_proved == 3
    cex = run.counterexample
    assert cex is not None and cex.bound == 4
    ex = assert_sc_drf_counterexample(cex, m)
    # the repaired models forbid this tot: it is the (‡) shape of ecma262 #1354
    assert ex.tot is not None
    for fixed in ("wasm", "es2020"):
        verdict = C.check(ex, M.get_model(fixed), ex.tot)
        assert isinstance(verdict, Violation)


def test_es2017_counterexample_without_mixed_sizes_is_the_1354_shape() -> None:
    r = sc_drf(M.get_model("es2017"), 4, space=Space(4, values=1, widths=(1,)))
    ex = assert_sc_drf_counterexample(r, M.get_model("es2017"))
    accesses = [e.actions[0] for e in ex.events[1:]]
    assert {size(a) for a in accesses} == {1}
    assert any(a.ord is Ord.UNORD for a in accesses)  # a plain read sees the stale seqcst write
    assert ex.tot is not None
    verdict = C.check(ex, M.get_model("wasm"), ex.tot)
    assert isinstance(verdict, Violation) and verdict.axiom == "sc-last-visible-ddagger"


@pytest.mark.parametrize("name", ["wasm", "es2020", "wasm-oopsla19"])
def test_sc_drf_is_proved_at_the_ci_bound(name: str) -> None:
    r = prove("sc_drf", M.get_model(name), CI_BOUND)
    assert r.status == "proved", r.summary()
    assert r.cumulative and r.bound == CI_BOUND
    assert r.z3_version == z3.get_version_string()
    assert f"proved up to {CI_BOUND} events" in r.summary()


@pytest.mark.parametrize("dropped", ["sc-last-visible-ddagger", "sc-last-visible-dagger"])
def test_dropping_dagger_or_ddagger_breaks_sc_drf(dropped: str) -> None:
    mutant = M.get_model("wasm").without(dropped)
    run = prove_up_to("sc_drf", mutant, CI_BOUND)
    cex = run.counterexample
    assert cex is not None, [r.summary() for r in run.results]
    assert cex.model == mutant.name
    assert_sc_drf_counterexample(cex, mutant)


def test_the_unsat_core_names_the_axioms_that_forbid() -> None:
    """At 2 events SC-DRF needs (†) (an SC read of init overtaken by an SC write)."""
    r = prove_exactly("sc_drf", M.get_model("wasm"), 2, core=True)
    assert r.status == "proved"
    assert "sc-last-visible-dagger" in r.core
    assert set(r.core) <= set(M.get_model("wasm").axiom_names)
    assert prove_exactly("sc_drf", M.get_model("wasm"), 2).core == ()  # not asked for
    without = prove_exactly("sc_drf", M.get_model("wasm").without("sc-last-visible-dagger"), 2)
    assert without.status == "counterexample"


def test_resource_limit_gives_unknown_deterministically() -> None:
    r1 = sc_drf(M.get_model("wasm"), 3, rlimit=1000)
    r2 = sc_drf(M.get_model("wasm"), 3, rlimit=1000)
    assert r1.status == r2.status == "unknown"
    assert "unknown" in r1.summary()


def test_unknown_theorem_is_a_clear_error() -> None:
    with pytest.raises(UnknownTheorem, match="sc_drf, sc_drf_free_hb, wasm_eq_js"):
        prove("preservation", M.get_model("wasm"), 2)


def _is_separating(ex: Execution, accepts: M.Model, rejects: M.Model) -> bool:
    assert ex.tot is not None
    return (isinstance(C.check(ex, accepts, ex.tot), Ok)
            and isinstance(C.consistent(ex, rejects), Violation))


WASM_MINUS = M.get_model("wasm").without("sc-last-visible-dagger", "sc-last-visible-ddagger")


def test_wasm_without_daggers_and_es2017_separate_at_two_events() -> None:
    """ES2017's synchronizes-with from Init forbids two seqcst rmws both reading the initial
    value; Wasm without (†) allows it."""
    assert prove_exactly("wasm_eq_js", M.get_model("wasm"), 1).status == "proved"
    r = wasm_eq_js(2)
    assert r.status == "counterexample" and r.execution is not None
    es = M.get_model("es2017")
    assert (_is_separating(r.execution, WASM_MINUS, es)
            or _is_separating(r.execution, es, WASM_MINUS))


def test_without_seqcst_init_reads_they_agree_at_three_events() -> None:
    """Leaving out seqcst reads of Init only, the first difference (at 4 events, see
    docs/proofs.md) is ARMv8 "Stephen"'s: a plain write between a synchronising pair."""
    r = wasm_eq_js(3, restrict=no_seqcst_init_reads)
    assert r.status == "proved"


def _stephen() -> Execution:
    """table/Stephen, the ARMv8 test (x=[0], y=[1], z=[2], one byte each), with r1=1 r2=1 r3=2."""
    def ev(i: int, t: int, k: int, kind: Kind, off: int, val: int) -> Event:
        rb, wb = ((val,), ()) if kind is Kind.RD else ((), (val,))
        return Event(i, t, k, (concrete_action(kind, True if i != 3 else False, off, rb, wb),))
    events = (Event(0, INIT_THREAD, 0, (INIT_ACTION,)),
              ev(1, 0, 0, Kind.WR, 0, 1), ev(2, 0, 1, Kind.WR, 0, 2), ev(3, 0, 2, Kind.WR, 1, 1),
              ev(4, 0, 3, Kind.WR, 2, 1), ev(5, 1, 0, Kind.WR, 1, 2), ev(6, 1, 1, Kind.RD, 0, 1),
              ev(7, 1, 2, Kind.RD, 2, 1), ev(8, 1, 3, Kind.RD, 1, 2))
    rf = {(1, 6, MEM_DATA, 0), (4, 7, MEM_DATA, 2), (5, 8, MEM_DATA, 1)}
    return Execution(events, frozenset(rf))


def test_stephen_is_allowed_by_wasm_without_daggers_and_forbidden_by_es2017() -> None:
    ex = _stephen()
    es = M.get_model("es2017")
    assert isinstance(C.consistent(ex, WASM_MINUS), Ok)
    assert isinstance(C.consistent(ex, es), Violation)
    for m, expected in ((WASM_MINUS, z3.sat), (es, z3.unsat)):
        sym = fresh(Space(8, values=3))
        enc = encode(m, sym)
        s = solver()
        s.add(*sym.well_formed(), *pin(sym, ex), *enc.axioms())
        assert s.check(*enc.assumptions()) == expected
        if expected == z3.unsat:
            assert any("es2017-memory-order" in str(c) for c in s.unsat_core())


# --- the split of the negated conclusion, and the mirror symmetry --------------------------

def test_the_cases_together_are_exactly_not_is_seqcst() -> None:
    """Two byte values, so that the 'byte differs' part of a case is exercised too."""
    sym = fresh(Space(3, values=2))
    enc = encode(M.get_model("wasm"), sym)
    cases = list(enc.not_seqcst_cases())
    assert len(cases) == 3 * 4 * 3 * 3  # read, cell, writer, (nothing | a write between)
    s = solver()
    s.add(*sym.well_formed())
    s.add(z3.Or([c.formula for c in cases]) != z3.Not(enc.is_seqcst()))
    assert s.check() == z3.unsat


@pytest.mark.parametrize("name", sorted(M.MODELS))
def test_every_variant_is_mirror_invariant_so_half_the_cells_suffice(name: str) -> None:
    sp = Space(6)
    assert sp.mirror_invariant(M.get_model(name).tearfree)
    assert sp.violating_cells(M.get_model(name).tearfree) == (0, 1)


def test_without_the_symmetry_every_cell_is_searched() -> None:
    assert not Space(6).mirror_invariant(lambda a: a.offset == 0)
    assert Space(6).violating_cells(lambda a: a.offset == 0) == (0, 1, 2, 3)
    # three cells: a pair at 0 is aligned, its mirror image at 1 is not
    assert not Space(6, cells=3, widths=(1, 2)).mirror_invariant(lambda a: True)


MIRROR_CELLS = 16  # graphs touch bytes 0..8 (two i32 slots, a misaligned i64), widths | 16


@settings(max_examples=150, deadline=None)
@given(graphs(Bounds(threads=(2, 3), events=3, slots=2, with_tot=True)),
       st.sampled_from(sorted(M.MODELS)))
def test_the_explicit_model_cannot_tell_an_execution_from_its_mirror(g: object,
                                                                     name: str) -> None:
    m = M.get_model(name)
    ex = g.ex  # type: ignore[attr-defined]
    image = mirror(ex, MIRROR_CELLS)
    assert mirror(image, MIRROR_CELLS) == ex
    assert ex.tot is not None
    assert (isinstance(C.check(ex, m, ex.tot), Ok)
            == isinstance(C.check(image, m, ex.tot), Ok))
    assert (C.data_race(ex, m) is None) == (C.data_race(image, m) is None)
    assert C.is_seqcst(ex, ex.tot) == C.is_seqcst(image, ex.tot)


def test_a_counterexample_in_the_upper_cells_has_its_image_in_the_lower_ones() -> None:
    """The solver seeks the violating cell in cells 0, 1 only; the image of what it finds is a
    counterexample whose violating cell is 2 or 3. With one-byte accesses every access moves
    under the mirror, so the image is never the counterexample itself, whichever Z3 picks."""
    mutant = M.get_model("wasm").without("sc-last-visible-ddagger")
    cex = prove_up_to("sc_drf", mutant, CI_BOUND, widths=(1,)).counterexample
    assert cex is not None and cex.execution is not None and cex.space is not None
    found = re.search(r"read #(\d+) takes cell (\d+) from #(\d+)", cex.detail)
    assert found is not None, cex.detail
    r, c, w = map(int, found.groups())
    assert cex.space.violating_cells(mutant.tearfree) == (0, 1) and c in (0, 1)
    assert (w, r, MEM_DATA, c) in cex.execution.rf
    image = mirror(cex.execution, 4)
    assert image != cex.execution and mirror(image, 4) == cex.execution
    assert (w, r, MEM_DATA, 3 - c) in image.rf  # the same read, in the upper cells
    assert_sc_drf_counterexample(attrs.evolve(cex, execution=image), mutant)


@pytest.mark.parametrize("name", sorted(M.MODELS))
def test_z3_proves_the_mirror_symmetry_of_each_part_of_the_obligation(name: str) -> None:
    """Y is X with the cells reversed, with the same tot. For every X of 3 events (two byte
    values), Y is well-formed, valid, racy and is-seqcst exactly when X is."""
    m = M.get_model(name)
    sp = Space(3, values=2)
    x, y = fresh(sp, "x_"), fresh(sp, "y_")
    clk = tuple(z3.BitVec(f"clk{i}", 4) for i in x.ids)
    last = sp.cells - 1
    link = []
    for i in range(1, sp.size):
        link += [y.thread[i] == x.thread[i], y.kind[i] == x.kind[i], y.sc[i] == x.sc[i],
                 y.width[i] == x.width[i], y.off[i] == sp.cells - x.off[i] - x.width[i]]
        for c in x.cells:
            link += [y.rb[i][c] == x.rb[i][last - c], y.wb[i][c] == x.wb[i][last - c],
                     y.src[i][c] == x.src[i][last - c]]

    def parts(sym: SymExec) -> list[z3.BoolRef]:
        enc = encode(m, sym, clk, guarded=False)
        return [z3.And(enc.axioms()), enc.data_race(), enc.is_seqcst()]

    s = solver()
    s.add(*link, *x.well_formed())
    assert s.check(z3.Not(z3.And(y.well_formed()))) == z3.unsat
    for px, py in zip(parts(x), parts(y), strict=True):
        assert s.check(px != py) == z3.unsat
        # and the part is not constant on well-formed executions
        assert s.check(px) == z3.sat and s.check(z3.Not(px)) == z3.sat
