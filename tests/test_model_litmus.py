"""Rows of the litmus table (memory-model.md §5), built as candidate executions by hand, and the
verdict of each model variant: the execution is consistent (the outcome is allowed) or which
axiom forbids it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from semantics.memory.check import check, consistent, hb
from semantics.memory.events import Execution
from semantics.memory.model import MODELS, get_model
from semantics.memory.relations import linear
from tests.test_model_builder import Exe, X, Y, Z

ALL = ("wasm", "wasm-oopsla19", "es2017", "es2020")


def mp_atomic() -> Execution:
    """Row 2, MP_atomic: st.sc x 42; st.sc y 1 || ld.sc y = 1; ld.sc x = 0."""
    b = Exe()
    b.store(0, X, 42, sc=True)
    wy = b.store(0, Y, 1, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 0, 0, sc=True)
    return b.build()


def sb_atomic() -> Execution:
    """Row 4, SB_atomic (0,0): st.sc x 1; ld.sc y = 0 || st.sc y 1; ld.sc x = 0."""
    b = Exe()
    b.store(0, X, 1, sc=True)
    b.load(0, Y, 0, 0, sc=True)
    b.store(1, Y, 1, sc=True)
    b.load(1, X, 0, 0, sc=True)
    return b.build()


def lb_atomic() -> Execution:
    """Row 6, LB_atomic (1,1): ld.sc y = 1; st.sc x 1 || ld.sc x = 1; st.sc y 1."""
    b = Exe()
    b.load(0, Y, 1, 4, sc=True)
    wx = b.store(0, X, 1, sc=True)
    b.load(1, X, 1, wx, sc=True)
    b.store(1, Y, 1, sc=True)
    return b.build()


def two_grows(paper: bool = False) -> Execution:
    """Row 11: two concurrent successful memory.grow 1 from the same length."""
    b = Exe(paper=paper)
    b.grow(0, 1, 0)
    b.grow(1, 1, 0)
    return b.build()


def fig18() -> Execution:
    """Row 13, [P] Fig.18 / ecma262 #1354: W1: st.sc x 1; Wy: st.sc y 1 || W2: st.sc x 2;
    ld.sc y = 1; R1: ld x = 2; R2: ld x = 1."""
    b = Exe()
    w1 = b.store(0, X, 1, sc=True)
    wy = b.store(0, Y, 1, sc=True)
    w2 = b.store(1, X, 2, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 2, w2)
    b.load(1, X, 1, w1)
    return b.build()


def dagger_js() -> Execution:
    """Row 14: a: st x 1; b: st.sc y 1; c: rmw.sc x (reads a) || d: ld.sc y (reads b);
    e: st.sc x 2; f: ld.sc x (reads c)."""
    b = Exe()
    a = b.store(0, X, 1)
    wb = b.store(0, Y, 1, sc=True)
    c = b.rmw(0, X, 1, 5, a)
    b.load(1, Y, 1, wb, sc=True)
    b.store(1, X, 2, sc=True)
    b.load(1, X, 5, c, sc=True)
    return b.build()


def stephen() -> Execution:
    """Row 15, ARMv8 'Stephen': a: st.sc x 1; b: st.sc x 2; c: st y 1; d: st.sc z 1 ||
    e: st.sc y 2; r1 = ld.sc x = 1; r2 = ld.sc z = 1; r3 = ld.sc y = 2."""
    b = Exe()
    a = b.store(0, X, 1, sc=True)
    b.store(0, X, 2, sc=True)
    b.store(0, Y, 1)
    d = b.store(0, Z, 1, sc=True)
    e = b.store(1, Y, 2, sc=True)
    b.load(1, X, 1, a, sc=True)
    b.load(1, Z, 1, d, sc=True)
    b.load(1, Y, 2, e, sc=True)
    return b.build()


def mp_popl_poap() -> Execution:
    """Row 18: st x 1; st.sc y 1 || ld.sc y = 1; ld x = 0."""
    b = Exe()
    b.store(0, X, 1)
    wy = b.store(0, Y, 1, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 0, 0)
    return b.build()


def mp_popl_poap_mixed() -> Execution:
    """Row 19: as row 18, but the flag is a 1-byte st.sc and the sc read covers 2 bytes (one
    from the flag write, one from INIT): ranges differ, no sync."""
    b = Exe()
    b.store(0, X, 1)
    wy = b.store(0, Y, 1, size=1, sc=True)
    b.load(1, Y, 1, (wy, 0), size=2, sc=True)
    b.load(1, X, 0, 0)
    return b.build()


def corr_mixed(store_size: int) -> Execution:
    """Rows 20/21: i32.atomic.store{16,8} 2 1 || r0 = i32.atomic.load8_u 2 = 1; r1 = ... = 0."""
    b = Exe()
    w = b.store(0, 2, 1, size=store_size, sc=True)
    b.load(1, 2, 1, w, size=1, sc=True)
    b.load(1, 2, 0, 0, size=1, sc=True)
    return b.build()


def torn_i32(is_float: bool = False) -> Execution:
    """Row 23: i32.store 0 0x11111111 || i32.store 0 0x22222222 || r = i32.load 0 = 0x11112222
    (is_float: the same with f32 accesses, which carry no NOTEARS in [T])."""
    b = Exe()
    w1 = b.store(0, 0, 0x11111111, is_float=is_float)
    w2 = b.store(1, 0, 0x22222222, is_float=is_float)
    b.load(2, 0, 0x11112222, (w2, w2, w1, w1), is_float=is_float)
    return b.build()


def torn_with_init() -> Execution:
    """Row 24: i32.store 0 0x11111111 || r = i32.load 0 = 0x00001111 (two bytes from INIT)."""
    b = Exe()
    w = b.store(0, 0, 0x11111111)
    b.load(1, 0, 0x1111, (w, w, 0, 0))
    return b.build()


def torn_i64() -> Execution:
    """Row 25: i64.store 0 v || i64.store 0 v' || i64.load 0 mixes v and v'."""
    b = Exe()
    w1 = b.store(0, 0, 0x1111111111111111, size=8)
    w2 = b.store(1, 0, 0x2222222222222222, size=8)
    b.load(2, 0, 0x1111111122222222, (w2,) * 4 + (w1,) * 4, size=8)
    return b.build()


A = None  # allowed
ROWS: list[tuple[str, Callable[[], Execution], dict[str, str | None]]] = [
    ("2 MP_atomic", mp_atomic, dict.fromkeys(ALL, "hb-consistent")),
    ("4 SB_atomic", sb_atomic, {"wasm": "sc-last-visible-dagger",
                                "wasm-oopsla19": "sc-last-visible-dagger",
                                "es2017": "es2017-memory-order",
                                "es2020": "sc-last-visible-dagger"}),
    ("6 LB_atomic", lb_atomic, dict.fromkeys(ALL, "hb-acyclic")),
    ("11 two grows", two_grows, {"wasm": "sc-last-visible", "wasm-oopsla19": "sc-last-visible",
                                 "es2017": "es2017-memory-order", "es2020": "sc-last-visible"}),
    ("13 Fig.18", fig18, {"wasm": "sc-last-visible-ddagger",
                          "wasm-oopsla19": "sc-last-visible-ddagger",
                          "es2017": A, "es2020": "sc-last-visible-ddagger"}),
    ("14 dagger", dagger_js, {"wasm": "sc-last-visible-dagger",
                              "wasm-oopsla19": "sc-last-visible-dagger",
                              "es2017": A, "es2020": "sc-last-visible-dagger"}),
    ("15 Stephen", stephen, {"wasm": A, "wasm-oopsla19": A, "es2017": "es2017-memory-order",
                             "es2020": A}),
    ("18 MP+popl+poap", mp_popl_poap, dict.fromkeys(ALL, "hb-consistent")),
    ("19 MP mixed", mp_popl_poap_mixed, dict.fromkeys(ALL, A)),
    ("20 CoRR mixed", lambda: corr_mixed(2), dict.fromkeys(ALL, A)),
    ("21 CoRR same size", lambda: corr_mixed(1), dict.fromkeys(ALL, "hb-consistent")),
    ("23 tearing i32", torn_i32, dict.fromkeys(ALL, "no-tear")),
    ("23' tearing f32", lambda: torn_i32(is_float=True),
     {"wasm": A, "wasm-oopsla19": "no-tear", "es2017": A, "es2020": A}),
    ("24 tear with init", torn_with_init, dict.fromkeys(ALL, A)),
    ("25 tearing i64", torn_i64, dict.fromkeys(ALL, A)),
]


@pytest.mark.parametrize("model", ALL)
@pytest.mark.parametrize(("row", "build", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_litmus_row_verdict(row: str, build: Callable[[], Execution],
                            expected: dict[str, str | None], model: str) -> None:
    m = get_model(model)
    ex = build()
    v = consistent(ex, m)
    want = expected[model]
    if want is None:
        assert v.ok, f"row {row} should be allowed under {model}: {v}"
        assert v.tot is not None
        assert check(ex, m, v.tot).ok
        assert hb(ex, m) <= linear(v.tot)
    else:
        assert not v.ok and v.axiom == want, f"row {row} under {model}: {v}"


def test_two_grows_with_paper_allocation_is_forbidden_by_dagger_in_oopsla19() -> None:
    """[P] allocates with a plain (unord) write of len: the grows do not sync with it, and it
    is (†) with allocation-time hb that forbids two grows from reading the same length."""
    ex = two_grows(paper=True)
    v = consistent(ex, get_model("wasm-oopsla19"))
    assert not v.ok and v.axiom == "sc-last-visible-dagger"
    assert v.witness[:2] in ((1, 2), (2, 1)) and set(v.witness) == {0, 1, 2}


def test_fig18_witness_names_both_writes_and_both_reads() -> None:
    v = consistent(fig18(), get_model("wasm"))
    assert str(v) == (
        "violates sc-last-visible-ddagger: #5 reads #3, #1 hb #5, #3 syncs with #1, so #1 must "
        "be tot-before #3; #6 reads #1, #3 hb #6, #1 syncs with #3, so #3 must be tot-before #1;"
        " no tot satisfies these and the axioms before (events #1, #3, #5, #6)")


def test_sb_atomic_witness_is_the_tot_cycle() -> None:
    v = consistent(sb_atomic(), get_model("wasm"))
    assert not v.ok
    cyc = v.witness[:4]
    assert sorted(cyc) == [1, 2, 3, 4]
    # consecutive events of the cycle are po-ordered or forced by (†)
    steps = {(cyc[i], cyc[(i + 1) % 4]) for i in range(4)}
    assert steps == {(1, 2), (2, 3), (3, 4), (4, 1)}


def test_stephen_needs_the_unordered_write_between_e_and_r3_in_es2017() -> None:
    """ES2017's clause quantifies over writes of any order: the unord c: st y 1 between
    e: st.sc y 2 and r3 (which e synchronizes-with) is what breaks it."""
    v = consistent(stephen(), get_model("es2017"))
    assert not v.ok
    assert "#5 synchronizes-with #8, so #3 (same range as #8)" in v.detail


def test_every_model_is_listed() -> None:
    assert set(MODELS) == set(ALL)
