"""The waits space (``Space(waits=k)``): the encoding of wait, woken and notify events and of
``suspensions-consistent`` (the queue order a solver-chosen witness, its edges in hb) agrees
with the explicit checker, a race-free execution where a notify wakes a wait exists, and a
broken model or a broken encoder is caught."""

from __future__ import annotations

import attrs
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.concrete import decode
from proofs.encoding import ENCODERS, SUSPENSIONS, Encoding, encode, queue_accepts
from proofs.obligations import sc_drf, solver
from proofs.space import KINDS, NOTIFY, WAIT, WOKEN, Space
from proofs.symbolic import RD, WR, SymExec, fresh
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.events import Kind, show_execution
from semantics.memory.suspension import run_queue
from semantics.memory.verdict import Ok
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

ALL_KINDS = (*range(len(KINDS)), WAIT, WOKEN, NOTIFY)





@settings(max_examples=EXAMPLES, deadline=None)
@given(shapes(ALL_KINDS, 2, 4), st.sampled_from(MODEL_NAMES), st.booleans())
def test_each_axiom_hb_race_and_seqcst_agree_with_the_checker(case: Shape, name: str,
                                                              accept: bool) -> None:
    """Any execution of the waits space (the solver completes the drawn kinds, threads and tot,
    and, when ``accept``, makes the queue run accept), decoded: Z3's value of each axiom, of
    hb, of the race and of is-seqcst is the explicit checker's on the decoded execution.
    ``hb-acyclic`` and ``suspensions-consistent`` are the exception: the encoding charges
    every hb cycle to both (its hb has the queue order's edges), the checker to one of them
    (to the second when the generators alone are acyclic); so each encoded axiom implies the
    checker's, the two together agree, and the queue run (``queue_accepts``) agrees."""
    m = M.get_model(name)
    sym, enc, s = setup(Space(case[0], values=2, waits=2), m)
    pin(s, sym, enc, case)
    if accept:
        s.add(ENCODERS[SUSPENSIONS](enc))
    got = decoded(s, sym, enc, m)
    if got is None:  # e.g. a woken event that does not follow its wait
        return
    mod, ex, violated = got
    shown = show_execution(ex)
    cycles = ("hb-acyclic", SUSPENSIONS)
    for ax in m.axiom_names:
        holds = true(mod, ENCODERS[ax](enc))
        if ax in cycles:
            assert not holds or ax not in violated, (ax, name, shown)
        else:
            assert holds == (ax not in violated), (ax, name, shown)
    both = z3.And([ENCODERS[ax](enc) for ax in cycles])
    assert true(mod, both) == (not set(cycles) & violated), (name, shown)
    accepts = all(run_queue(ex.events, chain) is None for chain in ex.suspensions)
    assert true(mod, queue_accepts(sym)) == accepts, (name, shown)
    hb = {(a, b) for a in sym.ids for b in sym.ids if true(mod, enc.hb[a][b])}
    assert hb == set(C.hb(ex, m)), shown
    assert true(mod, enc.data_race()) == (C.data_race(ex, m) is not None), shown
    assert true(mod, enc.is_seqcst()) == C.is_seqcst(ex, ex.tot), shown


def notify_wakes_a_wait(m: M.Model) -> tuple[SymExec, Encoding, z3.Solver]:
    """Valid, race-free executions of 5 events: thread 0 writes a cell (unord) and notifies;
    thread 1 waits, is woken, and reads that cell (unord). The cell is the fifth, outside the
    wait's 4 bytes (which the wait's seqcst read races with an unord write of)."""
    sym = fresh(Space(5, cells=5, values=1, waits=1))
    enc = encode(m, sym)
    s = solver()
    s.add(*sym.well_formed(), *enc.axioms(), z3.Not(enc.data_race()))
    s.add([sym.thread[i] == t for i, t in ((1, 0), (2, 0), (3, 1), (4, 1), (5, 1))])
    s.add(sym.kind[1] == WR, z3.Not(sym.sc[1]), sym.kind[2] == NOTIFY, sym.nwoken[2] == 1,
          sym.kind[3] == WAIT, sym.kind[4] == WOKEN, sym.kind[5] == RD, z3.Not(sym.sc[5]),
          *[z3.And(sym.off[i] == 4, sym.width[i] == 1) for i in (1, 5)], sym.src[5][4] == 1)
    return sym, enc, s


def test_the_drf_hypothesis_is_not_vacuous_with_a_notify_and_needs_its_hb_edges() -> None:
    """A race-free execution where a notify wakes a wait and data flows from before the
    notify to after the woken event exists: the hb edge notify -> woken (of the queue order)
    is what orders the unord write before the unord read. A broken encoder, without the queue
    order's hb edges, loses the witness: there the write and the read race."""
    m = M.get_model("wasm")
    sym, enc, s = notify_wakes_a_wait(m)
    assert s.check(*enc.assumptions()) == z3.sat
    mod = s.model()
    ex = decode(mod, sym, enc.clk)
    assert ex.tot is not None
    assert isinstance(C.check(ex, m, ex.tot), Ok), show_execution(ex)
    assert C.data_race(ex, m) is None
    assert ex.suspensions == ((3, 2, 4),)
    assert [a.kind for a in ex.events[2].actions] == [Kind.NOTIFY]
    assert ex.events[2].actions[0].args[0] == 1
    assert (2, 4) in C.hb(ex, m)
    broken = encode(m.without(SUSPENSIONS), sym)  # the same hb without the queue's edges
    assert not true(mod, broken.hb[1][5]) and not true(mod, broken.hb[5][1])
    assert true(mod, attrs.evolve(enc, hb=broken.hb).data_race())


def test_without_the_axiom_a_wait_is_woken_with_no_notify() -> None:
    """The ``wasm-no-suspensions`` mutant (metatheory/mutants.py): a woken event with no
    notify at all is then valid; under wasm it is not."""
    wasm = M.get_model("wasm")
    mutant = wasm.without(SUSPENSIONS, name="wasm-no-suspensions")
    for m, expected in ((wasm, z3.unsat), (mutant, z3.sat)):
        sym, enc, s = setup(Space(2, values=1, waits=1), m)
        s.add(*enc.axioms(), sym.kind[1] == WAIT, sym.kind[2] == WOKEN)
        assert s.check(*enc.assumptions()) == expected, m.name
        if expected == z3.sat:
            ex = decode(s.model(), sym, enc.clk)
            assert ex.tot is not None and isinstance(C.check(ex, m, ex.tot), Ok)
            assert not isinstance(C.check(ex, wasm, ex.tot), Ok)


def test_sc_drf_holds_with_waits_at_a_small_bound() -> None:
    """``sc_drf`` over the waits space at 3 events (``weakwasm prove --waits`` goes further,
    docs/proofs.md)."""
    r = sc_drf(M.get_model("wasm"), 3, space=Space(3, values=1, waits=2))
    assert r.status == "proved", r.detail
    assert "wait/notify" in r.scope
