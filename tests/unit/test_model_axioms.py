"""For every axiom: an execution (with a tot) that violates that axiom and no other, the
printed witness, and the mutant without that axiom accepting it."""

from __future__ import annotations

import attrs
import pytest

from semantics.memory.check import check, consistent, violations
from semantics.memory.events import MEM_DATA, Action, Execution, Kind, wr
from semantics.memory.model import AXIOMS, Model, get_model
from semantics.memory.verdict import Ok
from tests.common.builder import Exe, X, Y
from tests.common.litmus_table import dagger_js, fig18, mp_popl_poap, stephen, torn_i32


def bad_value() -> Execution:
    b = Exe()
    w = b.store(0, X, 1)
    b.load(1, X, 2, w)
    return b.build()


def spawn_cycle() -> Execution:
    b = Exe()
    f0, f1 = b.fence(0), b.fence(1)
    b.spawn |= {(f0, f1), (f1, f0)}
    return b.build()


def init_after_access() -> Execution:
    """The allocation is (by a host edge) after a host write to the memory it allocates."""
    b = Exe()
    w = b.raw(0, wr(MEM_DATA, X, (1,)))
    b.spawn.add((w, 0))
    return b.build()


def fences() -> Execution:
    b = Exe()
    b.fence(0)
    b.fence(1)
    return b.build()


def po_fences() -> Execution:
    b = Exe()
    b.fence(0)
    b.fence(0)
    return b.build()


def two_writers_one_reader() -> Execution:
    """T0: st.sc x 1 || T1: st.sc x 2 || T2: ld.sc x = 1."""
    b = Exe()
    w1 = b.store(0, X, 1, sc=True)
    b.store(1, X, 2, sc=True)
    b.load(2, X, 1, w1, sc=True)
    return b.build()


def woken_unnotified() -> Execution:
    """T0 waits on x with no timeout and is woken, though nobody notifies."""
    b = Exe()
    w = b.raw(0, Action(Kind.WAIT, MEM_DATA, X, args=(-1,)))
    k = b.raw(0, Action(Kind.WOKEN, MEM_DATA, X))
    return attrs.evolve(b.build(), suspensions=((w, k),))


# axiom, model, execution, tot, the printed violation, also violated (consequences)
CASES = [
    ("value-consistent", "wasm", bad_value, (0, 1, 2),
     "violates value-consistent: #2 reads 0x2 at byte 0 but #1 wrote 0x1 (events #1, #2)", ()),
    ("hb-acyclic", "wasm", spawn_cycle, (0, 1, 2),
     "violates hb-acyclic: hb cycle #1 -> #2 -> #1 (events #1, #2)", ("hb-in-tot",)),
    ("init-hb", "wasm", init_after_access, (1, 0),
     "violates init-hb: INIT #0 must happen before #1, which happens before it: "
     "cycle #0 -> #1 -> #0 (events #0, #1)", ("hb-in-tot",)),
    ("hb-consistent", "wasm", mp_popl_poap, (0, 1, 2, 3, 4),
     "violates hb-consistent: #4 reads byte 0 from #0, but #1 overwrites it in between "
     "(#0 hb #1 hb #4) (events #0, #1, #4)", ()),
    ("no-tear", "wasm", torn_i32, (0, 1, 2, 3),
     "violates no-tear: tear-free #3 takes bytes from 2 same-range tear-free writes #1, #2 "
     "(events #3, #1, #2)", ()),
    ("tot-total", "wasm", fences, (0, 1),
     "violates tot-total: tot misses #2 (events #2)", ()),
    ("hb-in-tot", "wasm", po_fences, (0, 2, 1),
     "violates hb-in-tot: #1 hb #2, so #1 must be tot-before #2 (events #1, #2)", ()),
    ("sc-last-visible", "wasm", two_writers_one_reader, (0, 1, 2, 3),
     "violates sc-last-visible: #3 reads #1, #1 and #2 sync with #3, so #2 must not be "
     "tot-between them (events #1, #2, #3)", ()),
    ("sc-last-visible-dagger", "wasm", dagger_js, (0, 1, 2, 4, 5, 3, 6),
     "violates sc-last-visible-dagger: #3 reads #1, #1 hb #5, #5 syncs with #3, so #5 must not "
     "be tot-before #3 (events #1, #5, #3)", ()),
    ("sc-last-visible-ddagger", "wasm", fig18, (0, 1, 2, 3, 4, 5, 6),
     "violates sc-last-visible-ddagger: #6 reads #1, #3 hb #6, #1 syncs with #3, so #3 must "
     "be tot-before #1 (events #1, #3, #6)", ()),
    ("es2017-memory-order", "es2017", stephen, (0, 1, 5, 6, 2, 3, 4, 7, 8),
     "violates es2017-memory-order: #5 synchronizes-with #8, so #3 (same range as #8) must "
     "not be tot-between them (events #5, #3, #8)", ()),
    ("suspensions-consistent", "wasm", woken_unnotified, (0, 1, 2),
     "violates suspensions-consistent: #2 is woken, but not right after the notify that wakes "
     "it (events #2)", ()),
]


@pytest.mark.parametrize(("axiom", "model", "build", "tot", "printed", "also"),
                         CASES, ids=[c[0] for c in CASES])
def test_violates_only_this_axiom(axiom: str, model: str, build: object, tot: tuple[int, ...],
                                  printed: str, also: tuple[str, ...]) -> None:
    m = get_model(model)
    ex = build()  # type: ignore[operator]
    v = check(ex, m, tot)
    assert str(v) == printed
    assert tuple(x.axiom for x in violations(ex, m, tot)) == (axiom, *also)


@pytest.mark.parametrize("axiom", [c[0] for c in CASES if c[0] != "hb-acyclic"])
def test_the_mutant_without_the_axiom_accepts(axiom: str) -> None:
    """(Not hb-acyclic: a cyclic hb can never be contained in a total order.)"""
    _, model, build, tot, _, _ = next(c for c in CASES if c[0] == axiom)
    m = get_model(model).without(axiom)
    assert check(build(), m, tot) == Ok(tot)  # type: ignore[operator]


def test_every_canonical_axiom_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(AXIOMS)


def test_violations_lists_each_violated_axiom_once_in_model_order() -> None:
    """SB_atomic against a po-respecting tot breaks (†) on both threads, reported once."""
    from tests.common.litmus_table import sb_atomic
    names = [v.axiom for v in violations(sb_atomic(), get_model("wasm"), (0, 1, 2, 3, 4))]
    assert names == ["sc-last-visible-dagger"]


# --- mutants (docs/model.md): each changes the verdict of its litmus execution ---------------

def _wasm() -> Model:
    return get_model("wasm")


def test_mutant_drop_dagger_allows_row_14() -> None:
    assert not consistent(dagger_js(), _wasm()).ok
    assert consistent(dagger_js(), _wasm().without("sc-last-visible-dagger")).ok


def test_mutant_drop_ddagger_allows_fig18() -> None:
    assert not consistent(fig18(), _wasm()).ok
    assert consistent(fig18(), _wasm().without("sc-last-visible-ddagger")).ok


def test_mutant_pre_repair_clause_forbids_stephen() -> None:
    m = attrs.evolve(_wasm(), name="wasm-es2017-clause",
                     axioms=(*_wasm().without("sc-last-visible").axioms,
                             AXIOMS["es2017-memory-order"]))
    assert consistent(stephen(), _wasm()).ok
    v = consistent(stephen(), m)
    assert not v.ok and v.axiom == "es2017-memory-order"


def test_mutant_drop_init_hb_lets_a_thread_read_init_after_its_own_write() -> None:
    b = Exe()
    b.store(0, X, 1)
    b.load(0, X, 0, 0)
    ex = b.build()
    v = consistent(ex, _wasm())
    assert not v.ok and v.axiom == "hb-consistent"
    assert consistent(ex, _wasm().without("init-hb")).ok


def test_mutant_hb_not_closed_loses_message_passing() -> None:
    """table/MP+popl+poap needs x's write -> y's write -> y's read -> x's read: two hops."""
    m = attrs.evolve(_wasm(), name="wasm-hb-not-closed", hb_transitive=False)
    assert not consistent(mp_popl_poap(), _wasm()).ok
    assert consistent(mp_popl_poap(), m).ok


def test_mutant_drop_no_tear_allows_tearing() -> None:
    assert consistent(torn_i32(), _wasm().without("no-tear")).ok


def test_without_rejects_unknown_axiom_names() -> None:
    with pytest.raises(ValueError, match="has no axiom sc-last-visible-triple-dagger"):
        _wasm().without("sc-last-visible-triple-dagger")


def test_an_unrelated_location_does_not_change_the_witness() -> None:
    """Accesses to another location change nothing: MP+popl+poap plus a y-independent write
    is still forbidden with the same witness."""
    b = Exe()
    b.store(0, X, 1)
    wy = b.store(0, Y, 1, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 0, 0)
    b.store(2, 12, 7)
    v = consistent(b.build(), _wasm())
    assert not v.ok and v.witness == (0, 1, 4)
