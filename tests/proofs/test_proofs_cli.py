"""``weakwasm prove`` and the Z3 rows of the report, end to end."""

from __future__ import annotations

import subprocess
import sys

import pytest

from metatheory.report import proof_jobs, proof_row, solver_row
from metatheory.tasks import Workers
from metatheory.theorems import OBLIGATIONS
from proofs.litmus import corpus
from tests.common.cli import run
from tests.common.corpus import CORPUS


def test_prove_prints_each_bound_and_the_es2017_counterexample_as_a_litmus_test() -> None:
    code, out, err = run("prove", "sc_drf", "--model", "es2017", "--bound", "6", "--jobs", "1")
    assert code == 1, err  # a counterexample (README "Exit status")
    lines = out.splitlines()
    assert [ln.split(":")[0] for ln in lines[:4]] == [f"bound {n}" for n in (1, 2, 3, 4)]
    assert lines[3].startswith("bound 4: counterexample")
    assert "largest bound proved: 3 events" in out
    assert "counterexample with 4 events" in out
    assert "thread 0 {" in out and "exists (" in out  # the litmus rendering
    assert "tot: #0 < " in out  # and the execution with the solver's tot
    assert "  bound 3: 54/54 cases" in err and "cases" not in out  # progress on stderr only


def test_prove_proves_wasm_up_to_the_bound_given() -> None:
    code, out, err = run("prove", "--model", "wasm", "--bound", "3", "--jobs", "1")
    assert code == 0, err
    assert "sc_drf [wasm]: largest bound proved: 3 events" in out
    assert "proved at 3 events" in err
    assert out.splitlines()[-1] == (
        "sc_drf [wasm]: proved up to 3 events over: 4 cells, widths 1/2/4, any number of "
        "threads, data region only (no bounds checks, traps, grow, memory.size, fences, spawn, "
        "wait/notify); hb the least order containing po and sync")


def test_prove_states_the_scope_it_was_given_and_the_free_hb() -> None:
    code, out, err = run("prove", "sc_drf_free_hb", "--model", "es2017", "--bound", "4",
                         "--cells", "2", "--widths", "1")
    assert code == 1, err  # the counterexample (cli.EXIT_STATUS)
    assert ("sc_drf_free_hb [es2017]: counterexample with 3 events (proved up to 2 events) "
            "over: 2 cells, widths 1, any number of threads, data region only") in out
    assert "hb any order containing po and sync, within tot" in out
    assert "hb = the least hb plus #" in out  # the solver's choice of hb, stated


def test_prove_rejects_an_unknown_model_or_theorem_in_one_line() -> None:
    for argv in (("prove", "--model", "nope"), ("prove", "preservation")):
        code, out, err = run(*argv)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and err.startswith("weakwasm: ")


def test_the_report_rows_say_proved_up_to_n_with_the_scope_or_give_the_counterexample() -> None:
    heard: list[object] = []
    sc_drf, eq = OBLIGATIONS["sc_drf"], OBLIGATIONS["wasm_eq_js"]
    with Workers(1) as w:
        rows = w.run([proof_row(job, 4, 600.0, on_bound=heard.append)[1] for job in (
            (sc_drf, "wasm", "wasm"), (sc_drf, "es2017", "es2017"), (eq, "es2017", "wasm"))])
    wasm, es2017, eq_row = rows
    assert wasm.result == "proved" and wasm.expected == "holds" and wasm.as_expected
    assert wasm.detail.startswith("proved up to 4 events over: 4 cells, widths 1/2/4, ")
    assert wasm.detail.endswith("; hb the least order containing po and sync")
    assert es2017.result == "counterexample" and es2017.as_expected
    assert es2017.detail.startswith("counterexample with 4 events")
    assert es2017.counterexample and es2017.litmus.startswith("WASM sc_drf-es2017")
    # Wasm without (†)(‡) and es2017 differ at 2 events (docs/proofs.md), as expected
    assert eq_row.result == "counterexample" and eq_row.as_expected
    assert eq_row.detail.startswith("wasm-without-dagger-ddagger vs es2017: counterexample "
                                    "with 2 events")
    assert len(heard) == 4 + 4 + 2  # one per bound: wasm 1..4, es2017 1..4, wasm_eq_js 1..2
    assert proof_jobs()[-1] == (eq, "es2017", "wasm")
    free = [(o.name, column) for o, column, _ in proof_jobs() if o.name == "sc_drf_free_hb"]
    assert free == [("sc_drf_free_hb", m) for m in sc_drf.models]  # a row per variant


def test_the_report_compares_enumerator_and_solver_on_golden_tests() -> None:
    paths = corpus(CORPUS)[:3]
    with Workers(1) as w:
        row = w.one(solver_row("wasm", paths)[1])
    assert row.theorem == "enumerator_eq_solver" and row.result == "tested"
    assert row.detail == "tested (equal outcomes on all 3 golden litmus tests)"
    assert row.as_expected


def test_the_report_says_how_many_golden_tests_are_out_of_the_solver_scope() -> None:
    paths = [str(CORPUS / "classic" / "MP.litmus"), str(CORPUS / "wait" / "Notify+none.litmus")]
    with Workers(1) as w:
        row = w.one(solver_row("wasm", paths)[1])
    assert row.result == "tested" and row.bound == "1 golden tests, 1 out of scope"
    assert row.detail == "tested (equal outcomes on all 1 golden litmus tests, 1 out of scope)"


def test_prove_under_a_small_resource_limit_gives_the_same_result_in_every_process() -> None:
    """Z3's resource count is per context: each run is a fresh process, as a user's is."""
    argv = [sys.executable, "-m", "metatheory.cli", "prove", "--bound", "3", "--rlimit", "1000"]
    runs = [subprocess.run(argv, capture_output=True, text=True, check=False) for _ in range(2)]
    assert [r.returncode for r in runs] == [3, 3]  # inconclusive: the limit ran out
    first, second = ([ln.split(" (")[0] for ln in r.stdout.splitlines()] for r in runs)
    assert first == second  # the same, but for the seconds
    assert "unknown" in runs[0].stdout


def test_prove_on_single_bytes_prints_the_1354_shape_for_es2017() -> None:
    """ecma262 #1354 needs 4 events; with one-byte accesses the solver returns exactly it:
    W.sc x=1 ; R.sc x ; R x  ||  W.sc x=2, the plain read seeing the tot-older SC write.
    Which model Z3 picks depends on every term the process made before (bounds 1 to 3 here,
    other tests under pytest), so this runs in a fresh process, as a user's does."""
    argv = [sys.executable, "-m", "metatheory.cli", "prove", "--model", "es2017", "--widths",
            "1", "--bound", "5"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr  # the counterexample
    out = done.stdout
    assert "largest bound proved: 3 events" in out and "counterexample with 4 events" in out
    program = out.split("execution (with")[0]
    assert program.count("i32.atomic.store8") == 2 and "i32.atomic.load8_u" in program
    assert "(i32.load8_u" in program  # the plain read
    assert "rmw" not in program and "i32.atomic.load " not in program


def test_prove_rejects_bad_widths_with_a_clear_message(
        capsys: pytest.CaptureFixture[str]) -> None:
    for widths in ("1,x", "8"):
        code, out, err = run("prove", "--widths", widths)
        err += capsys.readouterr().err  # argparse reports usage errors on sys.stderr
        assert code == 2 and out == ""
        assert "widths" in err.strip().splitlines()[-1]


def test_prove_gives_the_same_results_on_two_workers_with_the_cases_in_parts() -> None:
    """Bound 6 is split (``metatheory.tasks.SPLIT_FROM``); one worker decides it whole. (Over
    single bytes of 2 cells: the default space costs a minute.)"""
    outs = []
    for jobs in ("1", "2"):
        code, out, err = run("prove", "--model", "wasm", "--bound", "6", "--widths", "1",
                             "--cells", "2", "--jobs", jobs, "--parts", "3")
        assert code == 0, err
        outs.append([ln.split(" (")[0] for ln in out.splitlines()])
        assert "  bound 6: 216/216 cases" in err
    assert outs[0] == outs[1] and outs[0][-2].endswith("largest bound proved: 6 events")
    assert outs[0][-1].startswith("sc_drf [wasm]: proved up to 6 events over: 2 cells")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_prove_cut_by_its_timeout_says_where_and_exits_incomplete(jobs: str) -> None:
    """Every bound's tasks get the run's deadline (``metatheory.tasks.Batch.budget_s``): the
    tasks past it answer "unknown" at once, and the first of them ends the run."""
    code, out, err = run("prove", "--model", "wasm", "--bound", "12", "--timeout", "3",
                         "--jobs", jobs)
    assert code == 3, err  # README "Exit status": incomplete
    lines = out.splitlines()
    cut = next(ln for ln in lines if ": unknown" in ln)
    n = int(cut.split()[1].rstrip(":"))
    assert 2 <= n < 12 and lines.index(cut) == n - 1  # bounds 1 .. n-1 proved before it
    assert lines[-1].startswith(f"sc_drf [wasm]: proved up to {n - 1} events, unknown at {n}")
