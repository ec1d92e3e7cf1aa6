"""The length space (``Space(length=True)``): the encoding of bounds checks, traps,
memory.size, memory.grow, fences and spawn edges agrees with the explicit checker, the DRF
hypothesis is not vacuous there, a race on the length is a data race, and a broken model or a
broken encoder is caught."""

from __future__ import annotations

import attrs
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.concrete import decode
from proofs.encoding import ENCODERS, Encoding, encode
from proofs.obligations import sc_drf
from proofs.space import FENCE, GROW, KINDS, SIZE, STEPS, TRAP, Space
from proofs.symbolic import FALSE, RD, WR, SymExec, fresh
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.events import (
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Execution,
    Fill,
    Kind,
    Ord,
    show_execution,
    size,
)
from semantics.memory.verdict import Ok
from tests.common.cli import run
from tests.common.spaces import (
    EXAMPLES,
    MODEL_NAMES,
    Shape,
    decoded,
    pin,
    setup,
    shapes,
    true,
)

ALL_KINDS = (*range(len(KINDS)), *STEPS)


def axiom(enc: Encoding, name: str) -> z3.BoolRef:
    return z3.And([ENCODERS[name](r) for r in enc.regions])




@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes(ALL_KINDS, 1, 3), st.sampled_from(MODEL_NAMES))
def test_each_axiom_hb_race_and_seqcst_agree_with_the_checker(case: Shape, name: str) -> None:
    """Any execution of the length space (the solver completes the drawn kinds, threads and
    tot), decoded: Z3's value of each axiom, of hb, of the race and of is-seqcst is the
    explicit checker's on the decoded execution (so the len region, the grow's zero writes and
    the spawn edges are encoded as the checker reads them)."""
    m = M.get_model(name)
    sym, enc, s = setup(Space(case[0], values=2, length=True), m)
    pin(s, sym, enc, case)
    got = decoded(s, sym, enc, m)
    if got is None:  # e.g. a trap that is not last in its thread
        return
    mod, ex, violated = got
    for ax in m.axiom_names:
        holds = true(mod, axiom(enc, ax))
        assert holds == (ax not in violated), (ax, name, show_execution(ex))
    hb = {(a, b) for a in sym.ids for b in sym.ids if true(mod, enc.hb[a][b])}
    assert hb == set(C.hb(ex, m)), show_execution(ex)
    assert true(mod, enc.data_race()) == (C.data_race(ex, m) is not None), show_execution(ex)
    assert true(mod, enc.is_seqcst()) == C.is_seqcst(ex, ex.tot), show_execution(ex)


def grow_then_access(m: M.Model, sp: Space | None = None
                     ) -> tuple[SymExec, Encoding, z3.Solver]:
    """Valid, race-free executions of 3 events: thread 0 grows the memory by a page, another
    thread reads a cell of the new page (its bounds check reads two pages)."""
    sym, enc, s = setup(sp or Space(3, values=1, length=True), m)
    s.add(enc.axioms())
    s.add(z3.Not(enc.data_race()))
    s.add(sym.thread[1] == 0, sym.kind[1] == GROW, sym.lwb[1] == 2)
    s.add(z3.Or([z3.And(sym.thread[i] != 0, sym.kind[i] == RD, sym.beyond(i))
                 for i in (2, 3)]))
    return sym, enc, s


@pytest.mark.parametrize("name", ["wasm", "es2020"])
def test_the_drf_hypothesis_is_not_vacuous_on_the_length(name: str) -> None:
    """A race-free execution with a successful grow and, in another thread, a bounds-checked
    read of the grown page exists (the hb from the grow to the read comes through the length:
    a memory.size that reads the grown length syncs with the grow's rmw, or a spawn edge)."""
    m = M.get_model(name)
    sym, enc, s = grow_then_access(m)
    assert s.check(*enc.assumptions()) == z3.sat
    ex = decode(s.model(), sym, enc.clk)
    assert ex.tot is not None
    assert isinstance(C.check(ex, m, ex.tot), Ok), show_execution(ex)
    assert C.data_race(ex, m) is None
    # which event grows from one page and which reader is beyond it is the solver's choice
    grow = next(e for e in ex.events
                if e.access(MEM_LEN) == attrs.evolve(e.access(MEM_LEN), kind=Kind.RMW,
                                                     read=(PAGE,), write=(2 * PAGE,)))
    zeros = grow.access(MEM_DATA)
    assert zeros is not None and zeros.offset == PAGE and isinstance(zeros.write, Fill)
    assert any(e.thread != 0 and (acc := e.access(MEM_DATA)) is not None
               and acc.offset + size(acc) > PAGE
               and e.access(MEM_LEN).read == (2 * PAGE,)  # type: ignore[union-attr]
               for e in ex.events)


def test_without_spawn_edges_every_bounds_check_races_with_the_allocation() -> None:
    """A broken model, without the spawn generator: the allocation's ``wr.sc len`` is then
    hb-unordered with every thread's bounds checks (``rd len``, unord), a race, so the witness
    above disappears: the spawn edges are what makes the hypothesis satisfiable."""
    wasm = M.get_model("wasm")
    broken = attrs.evolve(wasm, name="wasm-no-spawn",
                          hb_generators=tuple(g for g in wasm.hb_generators
                                              if g.name != "spawn"))
    _, enc, s = grow_then_access(broken)
    assert s.check(*enc.assumptions()) == z3.unsat


def test_a_grow_and_a_bounds_check_of_another_thread_race_without_hb() -> None:
    """A grow (``rmw len``, seqcst) and an access of another thread (its bounds check, an
    unordered ``rd len``) overlap on the length and do not sync: with nothing ordering them
    they race, whatever the access touches."""
    m = M.get_model("wasm")
    sym, enc, s = setup(Space(2, values=1, length=True), m)
    s.add(enc.axioms())
    s.add(sym.thread[1] == 0, sym.thread[2] == 1, sym.kind[1] == GROW, sym.kind[2] == WR,
          z3.Not(sym.spawn[1][2]))
    assert s.check(*enc.assumptions()) == z3.sat
    ex = decode(s.model(), sym, enc.clk)
    race = C.data_race(ex, m)
    assert race is not None and MEM_LEN in ex.events[2].regions, show_execution(ex)
    s.add(z3.Not(enc.data_race()))
    assert s.check(*enc.assumptions()) == z3.unsat


def test_memory_size_and_grow_sync_on_the_length() -> None:
    """Seqcst reads of the length (memory.size, a failed grow) and grows never race with each
    other: they sync (same range, both seqcst)."""
    m = M.get_model("wasm")
    sym, enc, s = setup(Space(2, values=1, length=True), m)
    s.add(*enc.axioms(), z3.Not(enc.data_race()))
    s.add(sym.thread[2] == 1, z3.Not(sym.spawn[1][2]),
          z3.Or(sym.kind[1] == SIZE, sym.kind[1] == GROW),
          z3.Or(sym.kind[2] == SIZE, sym.kind[2] == GROW))
    assert s.check(*enc.assumptions()) == z3.sat
    ex = decode(s.model(), sym, enc.clk)
    assert ex.tot is not None and isinstance(C.check(ex, m, ex.tot), Ok)
    assert C.data_race(ex, m) is None


def test_a_trap_ends_its_thread_and_a_fence_has_no_memory_action() -> None:
    sym, _, s = setup(Space(2, values=1, length=True), M.get_model("wasm"))
    s.push()
    s.add(sym.kind[1] == TRAP, sym.thread[2] == 0)
    assert s.check() == z3.unsat
    s.pop()
    s.add(sym.kind[1] == FENCE, sym.kind[2] == TRAP)
    assert s.check() == z3.sat
    ex = decode(s.model(), sym)
    assert ex.events[1].regions == () and ex.events[1].actions[0].kind is Kind.FENCE
    assert [a.kind for a in ex.events[2].actions] == [Kind.RD]
    assert ex.events[2].actions[0].region == MEM_LEN
    assert ex.events[2].actions[0].ord is Ord.UNORD


def test_an_access_to_the_grown_page_needs_a_bounds_check_that_read_two_pages() -> None:
    """In bounds only after a grow: reading cell 2 (the new page's first byte) needs the
    length 2 pages, which only the grow's rmw writes; its byte comes from the grow's zeros."""
    m = M.get_model("wasm")
    sym, enc, s = setup(Space(1, values=1, length=True), m)
    s.add(*enc.axioms(), sym.kind[1] == RD, sym.off[1] == 2)
    assert s.check(*enc.assumptions()) == z3.unsat  # #0 wrote one page
    sym, enc, s = setup(Space(2, values=1, length=True), m)
    s.add(*enc.axioms(), sym.kind[1] == GROW, sym.kind[2] == RD, sym.off[2] == 2,
          sym.thread[2] == 0)
    assert s.check(*enc.assumptions()) == z3.sat
    ex = decode(s.model(), sym, enc.clk)
    assert (1, 2, MEM_DATA, PAGE) in ex.rf and (1, 2, MEM_LEN, 0) in ex.rf


def test_a_grow_without_its_zero_writes_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken encoder whose grows write no zeros: the read of the grown page above finds no
    writer (so the obligation would lose those executions), and the agreement with the
    checker fails on the execution the correct encoder gives."""
    m = M.get_model("wasm")
    sym, enc, s = setup(Space(2, values=1, length=True), m)
    s.add(*enc.axioms(), sym.kind[1] == GROW, sym.kind[2] == RD, sym.off[2] == 2,
          sym.thread[2] == 0)
    assert s.check(*enc.assumptions()) == z3.sat
    good: Execution = decode(s.model(), sym, enc.clk)
    monkeypatch.setattr(SymExec, "grows", lambda self, i: FALSE)
    sym, enc, s = setup(Space(2, values=1, length=True), m)
    s.add(*enc.axioms(), sym.kind[1] == GROW, sym.kind[2] == RD, sym.off[2] == 2,
          sym.thread[2] == 0)
    assert s.check(*enc.assumptions()) == z3.unsat
    assert good.tot is not None and isinstance(C.check(good, m, good.tot), Ok)


def test_es2017_fails_in_the_length_space_at_3_events_where_the_data_space_holds() -> None:
    """es2017 (not SC-DRF) loses SC-DRF at 3 events once spawn edges are in the space: a
    thread spawned after another's plain write stands in for the fourth event the data
    space's counterexample needs (proved at 3 there: test_proofs_obligations)."""
    m = M.get_model("es2017")
    r = sc_drf(m, 3, space=Space(3, values=1, length=True))
    assert r.status == "counterexample"
    ex = r.execution
    assert ex is not None and ex.tot is not None
    assert isinstance(C.check(ex, m, ex.tot), Ok) and C.data_race(ex, m) is None
    assert not C.is_seqcst(ex, ex.tot)
    assert any(a != 0 for a, _ in ex.spawn), show_execution(ex)


def test_sc_drf_holds_over_the_length_space_at_a_small_bound() -> None:
    """(es2020 too in the report's rows, which tests/proofs/test_dask_cluster.py runs at 3;
    bench/prove_bounds.py --length goes to 7: docs/proofs.md)"""
    r = sc_drf(M.get_model("wasm"), 3, space=Space(3, values=1, length=True))
    assert r.status == "proved", r.detail
    assert "length regions" in r.scope and "fences, spawn edges" in r.scope


def test_prove_with_length_states_its_scope_and_prints_the_length_actions() -> None:
    code, out, err = run("prove", "sc_drf", "--model", "es2017", "--bound", "3", "--length",
                         "--jobs", "1")
    assert code == 1, err  # the counterexample
    assert ("sc_drf [es2017]: counterexample with 3 events (proved up to 2 events) over: 4 "
            "cells (2 in the first page, 2 in the grown one), widths 1/2/4") in out
    assert "fences, spawn edges; no wait/notify" in out
    assert "R len=65536" in out and "spawn #0->#1" in out  # the len region is shown
    assert "thread 0 {" not in out  # no litmus rendering of grow, size, fence or trap
    code, out, err = run("prove", "wasm_eq_js", "--length")
    assert code == 2 and out == "" and "data space only" in err


def test_the_length_space_has_no_mirror_symmetry_so_every_cell_is_searched() -> None:
    """The bounds checks tell the first page's cells (0, 1) from the grown ones (2, 3): the
    violating cell is sought in all four, and in the length."""
    sp = Space(2, values=1, length=True)
    m = M.get_model("wasm")
    assert not sp.mirror_invariant(m.tearfree)
    assert sp.violating_cells(m.tearfree) == (0, 1, 2, 3)
    enc = encode(m, fresh(sp))
    cells = {(c.c, c.length) for c in enc.not_seqcst_cases(sp.violating_cells(m.tearfree))}
    assert cells == {(0, False), (1, False), (2, False), (3, False), (0, True)}
