"""The report says what was run, writes text/Markdown/JSON, and flags mismatches; ``weakwasm
check`` stops before anything runs when the golden corpus is missing."""

import json
from pathlib import Path

from metatheory.budgets import FAIL_BUDGET_FACTOR
from metatheory.report import Row, check_command, planned
from metatheory.theorems import PROGRAMS, THEOREMS
from tests.common.cli import run

# graph theorems, and one theorem per program/configuration domain (the others cost seconds)
SUBSET = ("sc_drf", "sc_single_thread", "no_tearing", "wasm_eq_js", "sc_machine_eq_seqcst",
          "preservation", "progress")


def test_check_command_runs_every_theorem_by_default():
    assert set(planned()) == {(t.name, m) for t in THEOREMS.values() for m in t.models}


def test_check_command_writes_three_formats(tmp_path):
    started: list[str] = []
    report = check_command(tmp_path, max_examples=10, program_examples=4, mutants=False,
                           proofs=False, announce=started.append,
                           theorems=SUBSET)
    pairs = {(r.theorem, r.model) for r in report.rows}
    assert pairs == set(planned(SUBSET))
    assert started == [f"{r.theorem} / {r.model}" for r in report.rows]  # announced in order
    assert {"sc_machine_eq_seqcst", "preservation"} <= {r.theorem for r in report.rows}
    data = json.loads((tmp_path / "report.json").read_text())
    assert {"python", "hypothesis", "z3"} <= set(data["versions"])
    assert len(data["rows"]) == len(report.rows)
    text = (tmp_path / "report.txt").read_text()
    md = (tmp_path / "report.md").read_text()
    for r in report.rows:
        assert r.theorem in text and f"`{r.model}`" in md
        if r.result == "tested":
            # an expected failure is searched FAIL_BUDGET_FACTOR times longer
            # and a program-level theorem gets its own budget
            base = 4 if THEOREMS[r.theorem].domain == PROGRAMS else 10
            n = base if r.expected == "holds" else base * FAIL_BUDGET_FACTOR
            assert r.detail.startswith(f"tested ({n} instances")
            assert "proved" not in r.detail


def test_mismatch_is_flagged():
    ok = Row("t", "m", "hypothesis", "5 instances", "tested", "tested (5 instances)", "holds", 0.1)
    bad = Row("t", "m", "hypothesis", "5 instances", "tested", "tested (5 instances)", "fails", 0.1)
    assert ok.as_expected is True and bad.as_expected is False
    found = Row("t", "m", "hypothesis", "5", "counterexample", "found", "fails", 0.1, "x")
    assert found.as_expected is True


def test_check_stops_at_once_without_the_golden_corpus(tmp_path: Path) -> None:
    code, out, err = run("check", "--out", str(tmp_path / "r"), "--corpus", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("weakwasm: no golden litmus tests (*.litmus) under ")
    assert not (tmp_path / "r").exists()  # nothing ran
