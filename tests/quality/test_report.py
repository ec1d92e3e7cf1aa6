"""The report says what was run (header, budgets, seeds), writes text/Markdown/JSON and a
litmus test per counterexample, streams rows as they finish and resumes from them, flags
mismatches and undecided verdicts, and ``weakwasm check`` exits with the documented status."""

import json
from pathlib import Path

from metatheory.budgets import FAIL_BUDGET_FACTOR
from metatheory.cli import exit_epilog
from metatheory.hunt import HuntResult
from metatheory.report import ROWS_FILE, WIDTH, Report, Row, _hunt_row, check_command, planned
from metatheory.theorems import PROGRAMS, THEOREMS
from tests.common.cli import run

# graph theorems, and one theorem per program/configuration domain (the others cost seconds)
SUBSET = ("sc_drf", "sc_single_thread", "no_tearing", "wasm_eq_js", "sc_machine_eq_seqcst",
          "preservation", "progress")


def test_check_command_runs_every_theorem_by_default():
    assert set(planned()) == {(t.name, m) for t in THEOREMS.values() for m in t.models}


def test_check_command_writes_three_formats_litmus_tests_and_the_header(tmp_path):
    heard: list[tuple[str, int, int]] = []
    report = check_command(tmp_path, max_examples=20, program_examples=4, mutants=False,
                           proofs=False, theorems=SUBSET,
                           progress=lambda r, done, total: heard.append((r.theorem, done, total)))
    pairs = {(r.theorem, r.model) for r in report.rows}
    assert pairs == set(planned(SUBSET))
    total = len(report.rows)
    assert [(d, t) for _, d, t in heard] == [(i + 1, total) for i in range(total)]
    data = json.loads((tmp_path / "report.json").read_text())
    assert {"weakwasm", "versions", "budgets", "seeds"} <= set(data["header"])
    # a rarely reached expected failure runs at its theorem's seed, and the header says so
    es2017 = next(r for r in report.rows if (r.theorem, r.model) == ("sc_drf", "es2017"))
    assert es2017.bound.endswith("(seed 1)") and "; sc_drf es2017 1" in data["header"]["seeds"]
    assert {"command", "date", "machine", "workers", "time"} <= set(data["run"])
    assert "commit" in data["header"]["weakwasm"] or "no git commit" in data["header"]["weakwasm"]
    assert "wall" in data["run"]["time"] and "CPU" in data["run"]["time"]
    assert len(data["rows"]) == total and data["exit_status"] == report.exit_status()
    text = (tmp_path / "report.txt").read_text()
    md = (tmp_path / "report.md").read_text()
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert text.count("summary: ") == 1 and f"summary: {total} rows" in text
    for r in report.rows:
        assert r.theorem in text and f"`{r.model}`" in md
        if r.result == "tested":
            # an expected failure is searched FAIL_BUDGET_FACTOR times longer
            # and a program-level theorem gets its own budget
            base = 4 if THEOREMS[r.theorem].domain == PROGRAMS else 20
            n = base if r.expected == "holds" else base * FAIL_BUDGET_FACTOR
            assert r.detail.startswith(f"tested ({n} instances")
            assert "proved" not in r.detail
    found = [r for r in report.rows if r.litmus]
    assert found  # wasm_eq_js under es2017 is found within 100 instances
    for r in found:
        assert (tmp_path / "litmus" / r.litmus_name()).read_text() == r.litmus
        assert r.litmus.startswith("WASM ") and "exists" in r.litmus
    streamed = [Row(**json.loads(line)) for line in (tmp_path / ROWS_FILE).read_text().splitlines()]
    assert len(streamed) == total and set(streamed) == set(report.rows)  # as they finished


def _row(result: str, expected: str, method: str = "hypothesis") -> Row:
    return Row("t", "m", method, "5 instances", result, "detail", expected, 0.1)


def test_verdicts_mismatch_vacuous_incomplete_and_not_reached_are_flagged():
    assert _row("tested", "holds").verdict == "holds, as expected"
    assert _row("counterexample", "fails").as_expected is True
    bad = _row("tested", "fails")
    assert bad.as_expected is False and bad.verdict == "MISMATCH"
    assert _row("counterexample", "holds").verdict == "MISMATCH"
    vacuous = _row("vacuous", "holds")
    assert vacuous.as_expected is None and vacuous.verdict == "VACUOUS" and not vacuous.complete
    unknown = _row("unknown", "holds", "z3")
    assert unknown.verdict == "INCOMPLETE" and not unknown.complete
    short = _row("proved", "fails", "z3")  # the bound is below the counterexample
    assert short.not_reached and short.verdict == "NOT REACHED" and short.as_expected is None
    assert _row("tested", "-").verdict == "tested" and _row("tested", "-").complete


def test_the_exit_status_is_1_on_a_mismatch_else_3_when_undecided_else_0():
    def status(*rows: Row, planned: int = 0) -> int:
        return Report(rows, (), (), planned or len(rows)).exit_status()

    ok, bad = _row("tested", "holds"), _row("tested", "fails")
    vacuous, short = _row("vacuous", "holds"), _row("proved", "fails", "z3")
    assert status(ok) == 0
    assert status(ok, bad, vacuous) == 1
    assert status(ok, vacuous) == 3 and status(ok, short) == 3
    assert status(ok, planned=2) == 3  # a run stopped before its last row
    epilog = exit_epilog("check")
    assert "1  some row is a MISMATCH" in epilog and "3  otherwise" in epilog
    code, out, _ = run("check", "--help")
    assert code == 0 and "exit status:" in out and "VACUOUS" in out


def test_vacuous_rows_are_not_reported_as_holding():
    # no theorem's generator is vacuous on its first instance any more (no_tearing is over
    # programs now, every one tear-free), so the hunt result is made here
    hunt = HuntResult("no_tearing", "wasm", 0, 1, tried=1, satisfied=0, vacuous=(("TF", 1),),
                      shrink_steps=0, seconds=0.0)
    row = _hunt_row(hunt, "holds", "1 instances (seed 0)", "key")
    assert row.result == "vacuous" and row.verdict == "VACUOUS"
    assert row.detail == "tested (1 instances, 0 met every hypothesis; 1 failed TF)"
    assert Report((row,), (), (), 1).exit_status() == 3


def test_resume_keeps_the_rows_of_the_same_budget_and_seed(tmp_path):
    kw = dict(max_examples=10, program_examples=2, mutants=False, proofs=False,
              theorems=("sc_drf", "no_tearing"))
    first = check_command(tmp_path, **kw)
    lines = (tmp_path / ROWS_FILE).read_text().splitlines()
    (tmp_path / ROWS_FILE).write_text("\n".join(lines[:3]) + "\n{\"half a li")  # stopped
    heard: list[str] = []
    again = check_command(tmp_path, resume=True, progress=lambda r, d, t: heard.append(r.key),
                          **kw)
    assert [r.detail for r in again.rows] == [r.detail for r in first.rows]
    assert "3 rows kept from the previous run" in dict(again.run)["time"]
    assert len(heard) == len(first.rows)
    # another budget for the execution-level rows (sc_drf) only: the program-level ones
    # (no_tearing, by program_examples) are kept, by key
    one = check_command(tmp_path, resume=True, **{**kw, "max_examples": 11})
    assert "4 rows kept from the previous run" in dict(one.run)["time"]
    other = check_command(tmp_path, resume=True, **{**kw, "max_examples": 12,
                                                    "program_examples": 3})
    assert "kept" not in dict(other.run)["time"]  # another budget for both: every row again


def test_check_exits_with_the_report_status(tmp_path: Path) -> None:
    code, out, err = run("check", "--out", str(tmp_path), "--max-examples", "1",
                         "--program-examples", "1", "--no-proofs", "--no-mutants", "--jobs", "1")
    data = json.loads((tmp_path / "report.json").read_text())
    assert code == data["exit_status"] != 0  # 1 instance: vacuous rows, missed failures
    assert out.startswith("weakwasm check report") and "[1/" in err and " left" in err
    assert "--jobs 1" in data["run"]["command"] and "--max-examples 1" in data["run"]["command"]


def test_check_stops_at_once_without_the_golden_corpus(tmp_path: Path) -> None:
    code, out, err = run("check", "--out", str(tmp_path / "r"), "--corpus", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("weakwasm: no golden litmus tests (*.litmus) under ")
    assert not (tmp_path / "r").exists()  # nothing ran


def test_a_theorem_gets_its_share_of_the_budget(tmp_path):
    report = check_command(tmp_path, program_examples=6, proofs=False, mutants=False,
                           model="wasm", theorems=["operational_eq_axiomatic"])
    assert [r.bound.split(" instances")[0] for r in report.rows] == ["2"]  # a third of 6
