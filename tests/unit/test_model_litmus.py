"""The classic tests of docs/model.md, built as candidate executions by hand in
tests/common/litmus_table.py, and the verdict of each model variant: the execution is consistent
(the outcome is allowed) or which axiom forbids it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from semantics.memory.check import check, consistent, hb
from semantics.memory.events import Execution
from semantics.memory.model import MODELS, get_model
from semantics.memory.relations import linear
from tests.common.litmus_table import (
    corr_mixed,
    dagger_js,
    fig18,
    lb_atomic,
    mp_atomic,
    mp_popl_poap,
    mp_popl_poap_mixed,
    sb_atomic,
    stephen,
    torn_i32,
    torn_i64,
    torn_with_init,
    two_grows,
)

ALL = ("wasm", "wasm-oopsla19", "es2017", "es2020")
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
