"""The model's API: variants, hb, data races, is-seqcst, and the tot search against brute
force over every permutation on small random executions."""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from semantics.memory import check as checking
from semantics.memory.check import check, consistent, data_race, hb, is_seqcst
from semantics.memory.events import INIT_THREAD, MEM_DATA, MEM_LEN, Execution, Ord, wr
from semantics.memory.model import MODELS, UnknownModel, get_model
from semantics.memory.relations import linear
from semantics.memory.verdict import Ok, Violation
from tests.common.builder import Exe, X, Y
from tests.common.litmus_table import dagger_js, fig18, mp_atomic, sb_atomic, two_grows

# --- variants ---------------------------------------------------------------------------------


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModel) as e:
        get_model("c11")
    assert isinstance(e.value, ValueError)
    for name in ("wasm", "wasm-oopsla19", "es2017", "es2020"):
        assert name in str(e.value)


def test_models_differ_where_the_docs_say() -> None:
    names = {m: set(MODELS[m].axiom_names) for m in MODELS}
    assert names["wasm"] == names["es2020"]
    assert names["wasm"] - names["wasm-oopsla19"] == {"init-hb"}
    assert names["wasm"] - names["es2017"] == {
        "sc-last-visible", "sc-last-visible-dagger", "sc-last-visible-ddagger"}
    assert names["es2017"] - names["wasm"] == {"es2017-memory-order"}
    assert [g.name for g in MODELS["wasm-oopsla19"].hb_generators][-1] == "alloc"


def test_violation_prints_like_a_sentence() -> None:
    v = Violation("no-tear", (3, 1, 2), "torn")
    assert str(v) == "violates no-tear: torn (events #3, #1, #2)"
    assert not v.ok and Ok((0,)).ok


# --- happens-before ---------------------------------------------------------------------------

def test_hb_is_least_po_sync_and_init() -> None:
    ex = mp_atomic()  # #1 W.sc x; #2 W.sc y || #3 R.sc y (reads #2); #4 R.sc x (reads #0)
    h = hb(ex, get_model("wasm"))
    assert {(1, 2), (3, 4), (2, 3), (1, 4)} <= h  # po, sync, and their composition
    assert {(0, e) for e in range(1, 5)} <= h  # INIT before every overlapping access
    assert (0, 4) in h and (2, 1) not in h and (4, 3) not in h
    assert len(h) == 4 + 6  # nothing else


def test_init_hb_ignores_events_that_touch_only_len() -> None:
    """[T]'s INIT axiom orders INIT's INIT-ordered (data) action only; [P]'s allocation-time hb
    orders every event that touches the memory, so a trapping access too."""
    b = Exe()
    t = b.trap(0)
    ex = b.build()
    assert (0, t) not in hb(ex, get_model("wasm"))
    assert (0, t) in hb(ex, get_model("wasm-oopsla19"))
    assert data_race(ex, get_model("wasm")) == (0, t)
    assert data_race(ex, get_model("wasm-oopsla19")) is None


def test_sync_needs_same_range_and_both_seqcst() -> None:
    b = Exe()
    w = b.store(0, X, 1, size=2, sc=True)
    r = b.load(1, X, 1, (w, w, 0, 0), sc=True)
    w2 = b.store(0, Y, 1)
    r2 = b.load(1, Y, 1, w2, sc=True)
    h = hb(b.build(), get_model("wasm"))
    assert (w, r) not in h and (w2, r2) not in h


# --- races and sequential consistency ---------------------------------------------------------

def test_data_race_needs_two_distinct_unordered_events() -> None:
    b = Exe()
    b.store(0, X, 1)
    assert data_race(b.build(), get_model("wasm")) is None  # no self-race (E5)
    b.store(1, X, 2)
    assert data_race(b.build(), get_model("wasm")) == (1, 2)


def test_atomics_of_the_same_range_do_not_race_but_mixed_sizes_do() -> None:
    b = Exe()
    b.store(0, X, 1, sc=True)
    b.load(1, X, 0, 0, sc=True)
    assert data_race(b.build(), get_model("wasm")) is None
    b.load(2, X, 0, 0, size=2, sc=True)
    assert data_race(b.build(), get_model("wasm")) == (1, 3)


def test_reads_do_not_race_with_reads() -> None:
    b = Exe()
    b.load(0, X, 0, 0)
    b.load(1, X, 0, 0)
    assert data_race(b.build(), get_model("wasm")) is None


def test_is_seqcst_is_about_the_tot_latest_write() -> None:
    ex = sb_atomic()  # #1 W x; #2 R y=0 || #3 W y; #4 R x=0
    assert is_seqcst(ex, (0, 1, 2, 3, 4)) is False  # #4 should see #1
    assert is_seqcst(ex, (0, 2, 4, 1, 3)) is True
    assert is_seqcst(ex, (2, 0, 4, 1, 3)) is False  # reads before the write they read


def test_fig18_is_race_free_valid_in_es2017_and_not_seqcst() -> None:
    """The ecma262 #1354 counterexample to SC-DRF for ES2017."""
    ex = fig18()
    m = get_model("es2017")
    v = consistent(ex, m)
    assert v.ok and v.tot is not None
    assert data_race(ex, m) is None
    assert not is_seqcst(ex, v.tot)


# --- the tot search against brute force -------------------------------------------------------

LOCS = [(0, 4), (4, 4), (0, 2), (2, 2)]  # simplest first: aligned words, then mixed size
ANY_ORDER = st.booleans()


@st.composite
def small_executions(draw: st.DrawFn, locs: list[tuple[int, int]] = LOCS,
                     threads: int = 3, sc: st.SearchStrategy[bool] = ANY_ORDER,
                     whole: bool = False, max_ops: int = 4) -> Execution:
    """INIT and up to ``max_ops`` accesses; each read byte takes its value from a write of
    that byte (the byte a write stores is its own event id); ``whole``: one write for all."""
    ops = draw(st.lists(st.tuples(st.integers(0, threads - 1),
                                  st.sampled_from(["store", "load", "rmw"]),
                                  st.sampled_from(locs), sc),
                        min_size=1, max_size=max_ops))
    writes = {eid + 1: loc for eid, (_, kind, loc, _) in enumerate(ops) if kind != "load"}
    b = Exe()
    for eid, (t, kind, (addr, size), sc) in enumerate(ops, start=1):
        rep = int.from_bytes(bytes([eid]) * size, "little")
        if kind == "store":
            b.store(t, addr, rep, size=size, sc=sc)
            continue
        frm: list[int] = []
        for k in range(addr, addr + size):
            cands = [0] + [w for w, (a, n) in writes.items() if w != eid and a <= k < a + n]
            frm.append(frm[-1] if whole and frm else draw(st.sampled_from(cands)))
        val = int.from_bytes(bytes(frm), "little")
        if kind == "load":
            b.load(t, addr, val, frm, size=size, sc=sc)
        else:
            b.rmw(t, addr, val, rep, frm, size=size)
    return b.build()


@given(st.one_of(small_executions(),
                 # two threads, seq-cst words on two locations: SB, MP, LB, CoRR shapes
                 small_executions(locs=LOCS[:2], threads=2, sc=st.just(True), whole=True,
                                  max_ops=5)))
@example(sb_atomic())
@example(two_grows())
@example(dagger_js())
def test_consistent_agrees_with_brute_force_over_all_tots(ex: Execution) -> None:
    for m in MODELS.values():
        v = consistent(ex, m)
        first = check(ex, m, tuple(range(len(ex.events))))
        static = {a.name for a in m.axioms if a.static is not None}
        # check() = the static axioms (tot-independent, so decided once) + the tot axioms
        facts = checking.facts(ex, m)
        valid = [] if isinstance(first, Violation) and first.axiom in static else [
            p for p in permutations(range(len(ex.events)))
            if not checking._order_violations(facts, m, p, first_only=True)]
        assert v.ok == bool(valid), f"{m.name}: {v}; valid tots {valid[:3]}"
        if isinstance(v, Ok):
            assert v.tot in valid
            assert hb(ex, m) <= linear(v.tot)
        else:
            assert all(0 <= e < len(ex.events) for e in v.witness)
        if m.name != "es2017" and data_race(ex, m) is None:
            # [P] Prop 6.1 (SC-DRF) on every valid tot of these small executions
            assert all(is_seqcst(ex, p) for p in valid)


def test_consistent_reports_static_axioms_before_searching() -> None:
    ex = mp_atomic()
    assert consistent(ex, get_model("wasm")) == check(ex, get_model("wasm"), (0, 1, 2, 3, 4))


def test_check_accepts_any_sequence_for_tot() -> None:
    b = Exe()
    b.store(0, X, 1)
    ex = b.build()
    assert check(ex, get_model("wasm"), [0, 1]) == Ok((0, 1))


def test_rf_naming_a_missing_event_is_a_clear_error() -> None:
    ex = Execution((Exe().build().events[0],), frozenset({(5, 0, MEM_DATA, 0)}))
    with pytest.raises(ValueError, match="names an event that is not in the execution"):
        consistent(ex, get_model("wasm"))


def test_paper_allocation_is_recognised_by_its_len_write() -> None:
    """[P] allocates with plain writes (no INIT order): still the allocation for ``alloc``."""
    b = Exe(paper=True)
    w = b.store(0, X, 1)
    ex = b.build()
    assert ex.events[0].access(MEM_LEN) == wr(MEM_LEN, 0, (65536,), Ord.UNORD)
    assert ex.events[0].thread == INIT_THREAD
    assert (0, w) in hb(ex, get_model("wasm-oopsla19"))
    assert (0, w) not in hb(ex, get_model("wasm"))


def test_disjoint_plain_writes_do_not_race() -> None:
    """Erratum E1: overlap is an intersection."""
    b = Exe()
    b.store(0, X, 1)
    b.store(1, Y, 1)
    assert data_race(b.build(), get_model("wasm")) is None


@pytest.mark.parametrize("name", sorted(MODELS))
def test_fences_constrain_nothing(name: str) -> None:
    """Erratum E7: store buffering with plain accesses and fences between them is allowed."""
    b = Exe()
    b.store(0, X, 1)
    b.fence(0)
    b.load(0, Y, 0, 0)
    b.store(1, Y, 1)
    b.fence(1)
    b.load(1, X, 0, 0)
    ex = b.build()
    assert consistent(ex, get_model(name)).ok
    with_sc = Exe()
    with_sc.store(0, X, 1, sc=True)
    with_sc.fence(0)
    with_sc.load(0, Y, 0, 0, sc=True)
    with_sc.store(1, Y, 1, sc=True)
    with_sc.fence(1)
    with_sc.load(1, X, 0, 0, sc=True)
    assert not consistent(with_sc.build(), get_model(name)).ok


def test_models_and_axioms_print_by_name() -> None:
    m = get_model("es2017")
    assert repr(m) == ("<model es2017: value-consistent, hb-acyclic, init-hb, hb-consistent, "
                       "no-tear, tot-total, hb-in-tot, suspensions-consistent, "
                       "es2017-memory-order>")
    assert repr(m.axioms[0]) == "<axiom value-consistent>"
