"""The SMT encoding agrees with the explicit checker (semantics/memory/check.py) on concrete
executions: with every choice pinned, Z3 accepts exactly when the checker does, axiom by axiom."""

from __future__ import annotations

import attrs
import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs.concrete import OutsideSpace, decode, pin, pin_tot, relabel
from proofs.encoding import UnknownAxiom, encode
from proofs.obligations import solver
from proofs.space import INIT_ACTION, Space, concrete_action
from proofs.symbolic import fresh
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.axioms import Axiom
from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    Event,
    Execution,
    Kind,
    access_range,
    reading,
    writing,
)
from semantics.memory.verdict import Ok

MODEL_NAMES = ("wasm", "wasm-oopsla19", "es2017", "es2020")
EXAMPLES = max(10, settings().max_examples // 4)


@st.composite
def executions(draw: st.DrawFn, max_events: int = 4) -> tuple[Space, Execution]:
    """A well-formed execution of the encoded space: one data access per event, threads in
    order, every read cell reading from some other event that writes it; bytes usually match
    the writer's (so value-consistent sometimes fails); tot an interleaving of the threads
    (so it respects po but not necessarily sync) or, rarely, any permutation."""
    n = draw(st.integers(1, max_events))
    sp = Space(n, cells=4, values=3)
    shapes = list(sp.shapes())
    threads = sorted(draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n)))
    renum = {t: i for i, t in enumerate(dict.fromkeys(threads))}
    events = [Event(0, INIT_THREAD, 0, (INIT_ACTION,))]
    counts: dict[int, int] = {}
    writes: dict[int, tuple[int, ...]] = {0: (0,) * sp.cells}
    picked = []
    for i in range(1, n + 1):
        kind, sc, off, w = draw(st.sampled_from(shapes))
        wbytes = tuple(draw(st.lists(st.integers(0, sp.values - 1), min_size=w, max_size=w)))
        picked.append((kind, sc, off, w, wbytes if kind is not Kind.RD else ()))
        if kind is not Kind.RD:
            writes[i] = (0,) * off + wbytes + (0,) * (sp.cells - off - w)
    rf = set()
    for i, (kind, sc, off, w, wbytes) in enumerate(picked, start=1):
        rbytes: tuple[int, ...] = ()
        if kind is not Kind.WR:
            got = []
            for c in range(off, off + w):
                cands = [j for j, bs in writes.items() if j != i and (
                    j == 0 or (picked[j - 1][2] <= c < picked[j - 1][2] + picked[j - 1][3]))]
                j = draw(st.sampled_from(cands))
                rf.add((j, i, MEM_DATA, c))
                honest = draw(st.integers(0, 4)) > 0
                got.append(writes[j][c] if honest else draw(st.integers(0, sp.values - 1)))
            rbytes = tuple(got)
        t = renum[threads[i - 1]]
        events.append(Event(i, t, counts.get(t, 0),
                            (concrete_action(kind, sc, off, rbytes, wbytes),)))
        counts[t] = counts.get(t, 0) + 1
    queues = {t: [e.eid for e in events[1:] if e.thread == t] for t in counts}
    order = [0]
    if draw(st.integers(0, 9)) == 0:
        order += draw(st.permutations(list(range(1, n + 1))))
    else:
        while any(queues.values()):
            t = draw(st.sampled_from(sorted(t for t, q in queues.items() if q)))
            order.append(queues[t].pop(0))
    return sp, Execution(tuple(events), frozenset(rf), tot=tuple(order))


def pinned(sp: Space, ex: Execution, model: M.Model, with_tot: bool = True
           ) -> tuple[z3.Solver, object]:
    sym = fresh(sp)
    enc = encode(model, sym)
    s = solver()
    s.add(sym.well_formed())
    s.add(pin(sym, ex))
    if with_tot:
        assert ex.tot is not None
        s.add(pin_tot(enc.clk, ex.tot))
    s.add(enc.axioms())
    if "init-hb" in model.axiom_names:
        s.add(enc.indicator("init-hb"))  # part of hb's definition, not a check
    return s, enc


@settings(max_examples=EXAMPLES, deadline=None)
@given(executions(), st.sampled_from(MODEL_NAMES))
def test_each_axiom_agrees_with_the_checker(case: tuple[Space, Execution], name: str) -> None:
    sp, ex = case
    m = M.get_model(name)
    assert ex.tot is not None
    violated = {v.axiom for v in C.violations(ex, m, ex.tot)}
    s, enc = pinned(sp, ex, m)
    for ax in m.axiom_names:
        ok = s.check(*enc.assumptions(only=[ax])) == z3.sat
        assert ok == (ax not in violated), (ax, name, ex)
    whole = s.check(*enc.assumptions()) == z3.sat
    assert whole == isinstance(C.check(ex, m, ex.tot), Ok)


@settings(max_examples=EXAMPLES, deadline=None)
@given(executions(), st.sampled_from(MODEL_NAMES))
def test_races_seqcst_and_hb_agree_with_the_checker(case: tuple[Space, Execution],
                                                     name: str) -> None:
    sp, ex = case
    m = M.get_model(name)
    assert ex.tot is not None
    s, enc = pinned(sp, ex, m)
    assert s.check() == z3.sat  # indicators unassumed: any pinned execution is a candidate
    mod = s.model()
    hb = {(a, b) for a in enc.sym.ids for b in enc.sym.ids
          if z3.is_true(mod.eval(enc.hb[a][b], model_completion=True))}
    assert hb == set(C.hb(ex, m))
    race = z3.is_true(mod.eval(enc.data_race(), model_completion=True))
    assert race == (C.data_race(ex, m) is not None)
    sc = z3.is_true(mod.eval(enc.is_seqcst(), model_completion=True))
    assert sc == C.is_seqcst(ex, ex.tot)


@settings(max_examples=EXAMPLES, deadline=None)
@given(executions(max_events=3), st.sampled_from(MODEL_NAMES))
def test_some_tot_exists_exactly_when_the_checker_finds_one(case: tuple[Space, Execution],
                                                            name: str) -> None:
    sp, ex = case
    m = M.get_model(name)
    s, enc = pinned(sp, ex, m, with_tot=False)
    found = s.check(*enc.assumptions())
    assert (found == z3.sat) == isinstance(C.consistent(ex, m), Ok)
    if found == z3.sat:
        tot = decode(s.model(), enc.sym, enc.clk).tot
        assert tot is not None and isinstance(C.check(ex, m, tot), Ok)


@settings(max_examples=EXAMPLES, deadline=None)
@given(executions())
def test_decode_inverts_pin(case: tuple[Space, Execution]) -> None:
    sp, ex = case
    sym = fresh(sp)
    s = solver()
    s.add(sym.well_formed())
    s.add(pin(sym, ex))
    clk = [z3.BitVec(f"clk{i}", 8) for i in sym.ids]
    assert ex.tot is not None
    s.add(pin_tot(clk, ex.tot))
    assert s.check() == z3.sat
    assert decode(s.model(), sym, clk) == ex


@settings(max_examples=EXAMPLES, deadline=None)
@given(executions())
def test_relabel_keeps_verdicts_and_names_writers(case: tuple[Space, Execution]) -> None:
    _, ex = case
    assert ex.tot is not None
    out = relabel(ex)
    for e in out.events[1:]:
        a = e.actions[0]
        if writing(a):
            assert set(a.write) == {e.eid}
        if reading(a):
            src = {c: w for w, r, _, c in ex.rf if r == e.eid}
            assert a.read == tuple(src[c] for c in access_range(a))
    m = M.get_model("wasm")
    assert "value-consistent" not in {v.axiom for v in C.violations(out, m, ex.tot)}
    if "value-consistent" in {v.axiom for v in C.violations(ex, m, ex.tot)}:
        return  # relabelling repairs the bytes; nothing else to compare
    assert C.is_seqcst(out, ex.tot) == C.is_seqcst(ex, ex.tot)
    assert C.data_race(out, m) == C.data_race(ex, m)
    assert [v.axiom for v in C.violations(out, m, ex.tot)] == [
        v.axiom for v in C.violations(ex, m, ex.tot)]


def test_an_axiom_without_encoding_is_a_clear_error() -> None:
    bogus = Axiom("coherence", "nowhere", "not in the model")
    mutant = attrs.evolve(M.get_model("wasm"), name="wasm+coherence",
                          axioms=(*M.get_model("wasm").axioms, bogus))
    with pytest.raises(UnknownAxiom, match="wasm\\+coherence.*axiom coherence"):
        encode(mutant, fresh(Space(2)))


def test_a_mutant_is_encoded_from_its_axiom_list() -> None:
    """Dropping hb-consistent lets a read see a write that is hb-after it."""
    sp = Space(2, values=2)
    ex = Execution(
        (Event(0, INIT_THREAD, 0, (INIT_ACTION,)),
         Event(1, 0, 0, (concrete_action(Kind.RD, False, 0, (1,), ()),)),
         Event(2, 0, 1, (concrete_action(Kind.WR, False, 0, (), (1,)),))),
        frozenset({(2, 1, MEM_DATA, 0)}), tot=(0, 1, 2))
    wasm = M.get_model("wasm")
    mutant = wasm.without("hb-consistent")
    for m, expected in ((wasm, z3.unsat), (mutant, z3.sat)):
        s, enc = pinned(sp, ex, m, with_tot=False)
        assert s.check(*enc.assumptions()) == expected
        assert isinstance(C.consistent(ex, m), Ok) == (expected == z3.sat)


def test_pin_rejects_executions_outside_the_space() -> None:
    ex = Execution((Event(0, INIT_THREAD, 0, (INIT_ACTION,)),
                    Event(1, 0, 0, (concrete_action(Kind.WR, False, 3, (), (1, 1)),))),
                   frozenset())
    with pytest.raises(OutsideSpace, match="outside cells 0..3"):
        pin(fresh(Space(1)), ex)
