"""``enumerator_eq_solver``: the Z3 encoding (proofs/litmus.py) finds exactly the outcomes of the
explicit enumerator on the golden litmus corpus, for ``wasm`` on every file and for the other
models and the mutants on the files where they make a difference."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from metatheory.mutants import MUTANTS
from proofs.encoding import UnknownAxiom
from proofs.layout import Candidates, candidate_paths, layout, slot_assembly
from proofs.litmus import (
    SOLVER_PATHS,
    Comparison,
    CorpusRow,
    OutOfScope,
    check_corpus,
    compare,
    corpus,
    encode_litmus,
    explicit_run,
    solve_outcomes,
    solver_outcomes,
)
from semantics.litmus.engine import enumerate_executions
from semantics.litmus.format import parse_litmus
from semantics.litmus.loader import load_test
from semantics.litmus.result import observe_of, run_test, seeds_of, state_of
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.axioms import Axiom
from semantics.memory.events import MEM_LEN, Kind, wr
from semantics.memory.verdict import Ok
from tests.common.corpus import CORPUS as LITMUS

CORPUS = corpus(LITMUS)
WAITS = sorted(Path(p).relative_to(LITMUS).as_posix() for p in CORPUS
               if "/wait/" in p or "Atomics.wait" in Path(p).read_text(encoding="utf-8"))
OUT_OF_SCOPE: dict[str, str] = {
    "bounds/Count+unroll.litmus": "its runs are cut by --unroll: no outcomes to compare",
    "control/Incr8.litmus": "offered values give its thread 9^8 runs, more than SOLVER_PATHS:"
                            " only symbolic executions run it (docs/proofs.md)",
    **{w: "it waits or notifies: the wait queues' order is not encoded (docs/proofs.md)"
       for w in WAITS},
}
"""Corpus files outside the comparison, with the reason: the tests whose offered-value runs a
bound cuts (bounds/, control/Incr8), and the wait/ tests and the JS tests that wait, which
``encode_litmus`` refuses (``OutOfScope``). The ``len`` region (bounds checks, memory.size,
grow's rmw) and traps are encoded like any other access."""


def _rel(path: str) -> str:
    return Path(path).relative_to(LITMUS).as_posix()


IN_SCOPE = [p for p in CORPUS if _rel(p) not in OUT_OF_SCOPE]
JS_SAMPLE = {"js/MP+js.litmus", "js/CAS+fail+js.litmus", "js/Tear+f64+js.litmus",
             "js/SB+js+wasm.litmus", "js/OOB+atomics+js.litmus", "js/Mixed+sizes+js.litmus",
             "js/grow/SB+grow+js.litmus"}
"""The JS tests compared here: one per kind of JS event (plain and Atomics accesses, the
always-rmw compareExchange, a tearing float, a RangeError, mixed sizes, a mixed program, a
length read racing a grow). A JS thread is translated into the reduction the Wasm tests
already cover, and the whole of js/ takes a minute of the CI's 20; ``weakwasm check``'s
enumerator_eq_solver rows compare all of it."""
COMPARED = [p for p in IN_SCOPE if "/js/" not in p or _rel(p) in JS_SAMPLE]
WASM = M.get_model("wasm")


def _diagnose(c: Comparison) -> str:
    return (f"{c.row.path}: explicit only {sorted(c.explicit_only)[:4]}, "
            f"solver only {sorted(c.solver_only)[:4]}")


def test_the_scope_is_the_whole_sorted_corpus() -> None:
    assert CORPUS == sorted(CORPUS) and len(CORPUS) >= 70
    assert JS_SAMPLE <= {_rel(p) for p in IN_SCOPE}  # a renamed test is not silently dropped
    assert IN_SCOPE == [p for p in CORPUS if "/bounds/" not in p and "/wait/" not in p
                        and not p.endswith("/control/Incr8.litmus")
                        and "Atomics.wait" not in Path(p).read_text(encoding="utf-8")]
    assert len(WAITS) >= 7
    grow = [p for p in CORPUS if "memory.grow" in Path(p).read_text()]
    assert len(grow) >= 10


@pytest.mark.parametrize("path", COMPARED, ids=_rel)
def test_enumerator_eq_solver_wasm(path: str) -> None:
    c = compare(path, WASM)
    assert c.row.equal, _diagnose(c)
    assert c.row.solver_count == c.row.explicit_count > 0
    assert not c.solver.reports
    # every outcome comes with a witness the explicit checker accepts with the solver's tot,
    # numbered as combine numbers it: one of the enumerator's valid executions
    test = load_test(path)
    seeds, cells = seeds_of(test)
    listed = enumerate_executions(test.program, WASM, observe=observe_of(test),
                                  observer=test.observer, seeds=seeds, cell_seeds=cells,
                                  explicit=True)
    valid = {(v.execution.events, v.execution.rf, v.execution.spawn) for v in listed.valid}
    for outcome, ex in c.solver.witnesses:
        assert ex.tot is not None
        assert isinstance(C.check(ex, WASM, ex.tot), Ok), f"{outcome}\n{ex}"
        assert (ex.events, ex.rf, ex.spawn) in valid, f"{outcome}\n{ex}"


DISCRIMINATING = {
    "es2017": ["table/Fig18.litmus", "table/Dagger.litmus",
               "table/Stephen.litmus", "classic/IRIW+sc.litmus"],
    "es2020": ["table/Fig18.litmus", "table/Dagger.litmus",
               "classic/IRIW+sc.litmus"],
    "wasm-oopsla19": ["mixed/Tear+f32.litmus", "table/Tear+init.litmus",
                      "grow/Grow+zero.litmus", "grow/Grow+2size.litmus"],
}
"""A deterministic subset per model: the files on which it differs from wasm, and a few more."""


@pytest.mark.parametrize(("model", "rel"), [(m, r) for m, rs in DISCRIMINATING.items()
                                            for r in rs])
def test_enumerator_eq_solver_other_models(model: str, rel: str) -> None:
    c = compare(str(LITMUS / rel), M.get_model(model))
    assert c.row.equal, _diagnose(c)


@pytest.mark.parametrize(("model", "rel"), [
    ("es2017", "table/Stephen.litmus"),
    ("es2017", "table/Fig18.litmus"),
    ("wasm-oopsla19", "mixed/Tear+f32.litmus"),
])
def test_the_solver_separates_the_models_where_the_enumerator_does(model: str, rel: str) -> None:
    test = load_test(str(LITMUS / rel))
    assert solver_outcomes(test, M.get_model(model)) != solver_outcomes(test, WASM)


MUTANT_CASES = [
    ("wasm-no-dagger", "table/Dagger.litmus"),
    ("wasm-no-dagger", "classic/SB+sc.litmus"),
    ("wasm-no-ddagger", "table/Fig18.litmus"),
    ("wasm-es2017-mo", "table/Stephen.litmus"),
    ("wasm-no-tear", "table/NoTear.litmus"),
    ("wasm-no-hb-consistent", "classic/CoRW1.litmus"),
    ("wasm-no-hb-consistent", "classic/CoWW.litmus"),
]


@pytest.mark.parametrize(("mutant", "rel"), MUTANT_CASES)
def test_enumerator_eq_solver_on_mutants_that_change_the_outcomes(mutant: str, rel: str) -> None:
    model = MUTANTS[mutant].model()
    c = compare(str(LITMUS / rel), model)
    assert c.row.equal, _diagnose(c)
    assert c.solver.outcomes != explicit_run(load_test(str(LITMUS / rel)), WASM).outcomes


def test_hb_not_closed_is_encoded_too() -> None:
    open_hb = attrs.evolve(WASM, name="wasm-hb-open", hb_transitive=False)
    path = str(LITMUS / "table" / "MP+popl+poap.litmus")
    c = compare(path, open_hb)
    assert c.row.equal, _diagnose(c)
    assert c.solver.outcomes != compare(path, WASM).solver.outcomes


def test_observer_functions_of_wast_scripts(threads_tests: Path) -> None:
    c = compare(str(threads_tests / "MP.wast"), WASM)
    assert c.row.equal, _diagnose(c)
    # the observer function's path is part of each outcome (it reads and checks memory)
    assert all(len(finals) == 3 for finals, _ in c.solver.outcomes)


def test_check_corpus_rows() -> None:
    paths = [str(LITMUS / "classic" / "MP.litmus"), str(LITMUS / "grow" / "Grow+nondet.litmus")]
    rows = check_corpus(paths, WASM)
    assert [r.path for r in rows] == paths
    assert all(isinstance(r, CorpusRow) and r.equal and r.seconds > 0 for r in rows)
    path, equal, explicit_count, solver_count, _seconds = rows[0]
    assert (path, equal, explicit_count, solver_count) == (paths[0], True, 4, 4)


def test_states_project_outcomes_as_the_herd_block_prints_them() -> None:
    test = load_test(str(LITMUS / "classic" / "MP+sc.litmus"))
    states = {state_of(test, *o) for o in solver_outcomes(test, WASM)}
    assert states == set(run_test(test, WASM).result.states)
    assert {tuple(v for _, v in s) for s in states} == {(0, 0), (0, 42), (1, 42)}


def test_observed_memory_values_come_from_the_solver() -> None:
    test = parse_litmus("""WASM W+W
{ x = 0; }
thread 0 { (i32.store (i32.const x) (i32.const 1)) }
thread 1 { (i32.store (i32.const x) (i32.const 2)) }
exists ([x] = 1)
""")
    outcomes = solver_outcomes(test, WASM)
    assert {obs for _, obs in outcomes} == {((0, 4, 1),), ((0, 4, 2),)}


def test_layout_puts_each_path_where_combine_does() -> None:
    test = load_test(str(LITMUS / "table" / "Fig12+size.litmus"))
    cands = candidate_paths(test)
    lay = layout(cands)
    run = run_test(test, M.get_model("wasm"))
    assert run.enumeration.valid
    for v in run.enumeration.valid:
        picks = [cands.groups[g].index(p) for g, p in enumerate(v.paths)]
        asm, where = slot_assembly(lay, picks)
        assert asm.spawn == v.execution.spawn
        got = [e for e in asm.events if e.rule != "observe"]
        assert got == [e for e in v.execution.events if e.rule != "observe"]
        assert sorted(where.values()) == list(range(len(asm.events)))


def test_the_len_region_is_encoded_for_grow() -> None:
    test = load_test(str(LITMUS / "grow" / "Grow+2size.litmus"))
    enc = encode_litmus(WASM, candidate_paths(test))
    assert MEM_LEN in {v.region for v in enc.views}
    kinds = {a.kind for s in enc.layout.slots for e in s.events() for a in e.actions
             if a.region == MEM_LEN}
    assert {Kind.RD, Kind.RMW, Kind.WR} <= kinds


def test_unknown_axioms_are_named() -> None:
    odd = attrs.evolve(WASM, name="odd", axioms=(*WASM.axioms, Axiom("made-up", "", "")))
    test = load_test(str(LITMUS / "classic" / "MP.litmus"))
    with pytest.raises(UnknownAxiom, match="made-up"):
        solve_outcomes(test, odd)


def test_a_second_allocation_is_out_of_scope() -> None:
    test = load_test(str(LITMUS / "classic" / "CoWW.litmus"))
    cands = candidate_paths(test)
    path = cands.groups[0][0]
    e = path.events[0]
    odd = attrs.evolve(path, events=(attrs.evolve(e, actions=(wr(MEM_LEN, 0, (1,)),)),
                                     *path.events[1:]))
    bad = Candidates(cands.program, ((odd,),), cands.observe, False, ())
    with pytest.raises(OutOfScope, match="allocates memory"):
        encode_litmus(WASM, bad)


def test_a_test_beyond_the_concrete_paths_is_out_of_scope_and_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """control/Incr8 would have 9^8 concrete runs: refused after SOLVER_PATHS of them, so
    ``weakwasm check``'s rows do not spend minutes comparing two cut explorations (a lower
    cap here: the 500 paths of the real one take seconds under coverage)."""
    import proofs.litmus

    assert SOLVER_PATHS >= 256  # the corpus' largest in scope: table/Tear64
    monkeypatch.setattr(proofs.litmus, "SOLVER_PATHS", 40)
    path = str(LITMUS / "control" / "Incr8.litmus")
    with pytest.raises(OutOfScope, match="more than 40 paths"):
        compare(path, WASM)
    mp = str(LITMUS / "classic" / "MP.litmus")
    assert [r.path for r in check_corpus([path, mp], WASM)] == [mp]


@pytest.mark.parametrize("name", ["Notify+count", "Wait+forever"])
def test_wait_and_notify_are_out_of_scope_and_left_out_of_the_corpus_check(name: str) -> None:
    path = str(LITMUS / "wait" / f"{name}.litmus")
    with pytest.raises(OutOfScope, match="waits or notifies"):
        encode_litmus(WASM, candidate_paths(load_test(path)))
    mp = str(LITMUS / "classic" / "MP.litmus")
    assert [r.path for r in check_corpus([path, mp], WASM)] == [mp]
