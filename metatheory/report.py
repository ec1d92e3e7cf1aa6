"""The citable report: every theorem against every model it concerns (variants and mutants),
by Hypothesis search (``hunt``) and by bounded Z3 proof (``proofs.obligations.prove``).

Each row says exactly what was done: "tested (N instances, M met every hypothesis)", "proved up
to N events", or the counterexample found. Expected verdicts (docs/metatheory.md) are only
compared against; they never stand in for a run.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import hypothesis
import z3

from metatheory.budgets import FAIL_BUDGET_FACTOR, MAX_EXAMPLES, PROGRAM_EXAMPLES
from metatheory.hunt import HuntResult, hunt
from metatheory.models import resolve_model
from metatheory.mutants import MUTANTS
from metatheory.theorems import OBLIGATIONS, PROGRAMS, THEOREMS, Obligation, Theorem
from proofs.litmus import check_corpus, corpus
from proofs.obligations import ProofResult, prove
from proofs.space import FULL_BOUND
from semantics.memory.model import MODELS, Model


@attrs.frozen
class Row:
    theorem: str
    model: str
    method: str  # "hypothesis" or "z3"
    bound: str  # "20000 instances (seed 0)" or "up to 6 events"
    result: str  # "tested", "proved", "counterexample", "unknown"
    detail: str
    expected: str  # "holds", "fails", "-" (mutants: "fails")
    seconds: float
    counterexample: str = ""

    @property
    def as_expected(self) -> bool | None:
        if self.expected == "-" or self.result == "unknown":
            return None
        return (self.result == "counterexample") == (self.expected == "fails")


@attrs.frozen
class Report:
    rows: tuple[Row, ...]
    versions: tuple[tuple[str, str], ...]

    def text(self) -> str:
        head = ("theorem", "model", "method", "bound", "result", "expected", "seconds")
        table = [head] + [(r.theorem, r.model, r.method, r.bound, r.result + ": " + r.detail,
                           r.expected + ("" if r.as_expected is not False else " (MISMATCH)"),
                           f"{r.seconds:.1f}") for r in self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                 for row in table]
        lines.append("")
        lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in self.versions))
        for r in self.rows:
            if r.counterexample:
                lines += ["", f"--- {r.theorem} / {r.model}: counterexample", r.counterexample]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        out = ["| theorem | model | method | bound | result | expected | seconds |",
               "|---|---|---|---|---|---|---|"]
        for r in self.rows:
            mark = "" if r.as_expected is not False else " **(mismatch)**"
            out.append(f"| `{r.theorem}` | `{r.model}` | {r.method} | {r.bound} | "
                       f"{r.result}: {r.detail} | {r.expected}{mark} | {r.seconds:.1f} |")
        out.append("")
        out.append("Versions: " + ", ".join(f"{k} {v}" for k, v in self.versions) + ".")
        for r in self.rows:
            if r.counterexample:
                out += ["", f"### `{r.theorem}` under `{r.model}`", "", "```",
                        r.counterexample.rstrip(), "```"]
        return "\n".join(out) + "\n"

    def json(self) -> str:
        return json.dumps({"versions": dict(self.versions),
                           "rows": [attrs.asdict(r) for r in self.rows]}, indent=2)

    def write(self, out_dir: str | Path) -> tuple[Path, ...]:
        d = Path(out_dir)
        d.mkdir(parents=True, exist_ok=True)
        files = ((d / "report.txt", self.text()), (d / "report.md", self.markdown()),
                 (d / "report.json", self.json()))
        for path, body in files:
            path.write_text(body)
        return tuple(p for p, _ in files)


def versions() -> tuple[tuple[str, str], ...]:
    return (("python", platform.python_version()), ("hypothesis", hypothesis.__version__),
            ("z3", z3.get_version_string()))


def hunt_row(theorem: Theorem, model: Model, expected: str, seed: int,
             max_examples: int) -> Row:
    r: HuntResult = hunt(theorem, model, seed, max_examples)
    if r.found:
        return Row(theorem.name, model.name, "hypothesis", f"{max_examples} instances (seed "
                   f"{seed})", "counterexample", f"found after {r.tried} instances",
                   expected, r.seconds, r.text())
    return Row(theorem.name, model.name, "hypothesis", f"{max_examples} instances (seed {seed})",
               "tested", f"tested ({r.tried} instances, {r.satisfied} met every hypothesis)",
               expected, r.seconds)


ProofJob = tuple[Obligation, str, str]
"""(theorem, the report's model column, the model the obligation is given, as ``--model``)."""


def proof_jobs() -> list[ProofJob]:
    """sc_drf under every variant it concerns; wasm_eq_js as Wasm without (†)(‡) vs es2017."""
    sc_drf, free, eq = (OBLIGATIONS[n] for n in ("sc_drf", "sc_drf_free_hb", "wasm_eq_js"))
    return ([(sc_drf, v, v) for v in sc_drf.models] + [(free, v, v) for v in free.models]
            + [(eq, "es2017", "wasm")])


def proof_rows(jobs: Sequence[ProofJob], bound: int, timeout_s: float,
               on_bound: Callable[[ProofResult], object] | None = None) -> list[Row]:
    rows: list[Row] = []
    for theorem, column, model in jobs:
        start = time.perf_counter()
        given = resolve_model(model)
        res = prove(theorem.name, given, bound, timeout_s, on_result=on_bound)
        scope = f" over: {res.scope}" if res.space is not None else ""
        detail = {"proved": f"proved up to {bound} events{scope}",
                  "counterexample": f"counterexample with {res.bound} events{scope}",
                  }.get(res.status, f"unknown at {res.bound} events: {res.detail}")
        exp = theorem.expect(column)
        rows.append(Row(theorem.name, column, "z3", f"up to {bound} events", res.status,
                        f"{res.model}: {detail}" if column != given.name else detail,
                        "-" if exp is None else ("holds" if exp else "fails"),
                        time.perf_counter() - start, str(res.execution or "")))
    return rows


def solver_row(model: str, paths: Sequence[str]) -> Row:
    """``enumerator_eq_solver``: the Z3 encoding and the explicit enumerator find the same
    outcomes on every golden litmus test under ``model`` (a ``--model`` argument)."""
    start = time.perf_counter()
    given = resolve_model(model)
    model = given.name
    rows = check_corpus(paths, given)
    differ = [r.path for r in rows if not r.equal]
    # tests the encoding cannot represent (wait/notify, docs/proofs.md) have no row
    left = f", {len(paths) - len(rows)} out of scope" if len(rows) < len(paths) else ""
    bound = f"{len(rows)} golden tests{left}"
    if differ:
        return Row("enumerator_eq_solver", model, "z3", bound, "counterexample",
                   f"outcomes differ on {len(differ)} of {len(rows)} tests", "holds",
                   time.perf_counter() - start, "\n".join(differ))
    return Row("enumerator_eq_solver", model, "z3", bound, "tested",
               f"tested (equal outcomes on all {len(rows)} golden litmus tests{left})", "holds",
               time.perf_counter() - start)


def planned(theorems: Sequence[str] | None = None) -> tuple[tuple[str, str], ...]:
    """The (theorem, model) pairs ``check_command`` runs (mutants and proofs aside)."""
    names = list(THEOREMS) if theorems is None else list(theorems)
    return tuple((n, m) for n in names for m in THEOREMS[n].models)


class NoCorpus(ValueError):
    """``check_command`` was not given a directory of golden litmus tests."""


def check_command(out_dir: str | Path = "report", max_examples: int = MAX_EXAMPLES,
                  seed: int = 0,
                  mutants: bool = True, proofs: bool = True, proof_bound: int = FULL_BOUND,
                  proof_timeout_s: float = 600.0,
                  theorems: Sequence[str] | None = None,
                  progress: Callable[[Row], object] | None = None,
                  on_bound: Callable[[ProofResult], object] | None = None,
                  program_examples: int = PROGRAM_EXAMPLES,
                  announce: Callable[[str], object] | None = None,
                  corpus_dir: str | Path = "tests/litmus",
                  model: str | None = None) -> Report:
    """``weakwasm check --out DIR``: run everything (or only ``theorems``), write
    report.{txt,md,json} under DIR. Program-level theorems get ``program_examples`` instances,
    the others ``max_examples`` (``metatheory.budgets`` says why). ``announce`` hears of each
    row as it starts. ``corpus_dir`` holds the golden litmus tests that
    ``enumerator_eq_solver`` runs on; it is checked before anything runs. With ``model`` (a
    ``--model`` argument) only that model is checked: by every
    theorem stated for all the variants, and by the proofs of sc_drf and enumerator_eq_solver;
    its expected verdicts are the variant's, or none ("-")."""
    golden = corpus(corpus_dir) if proofs else []
    if proofs and not golden:
        raise NoCorpus(f"no golden litmus tests (*.litmus) under {corpus_dir}: run from the "
                         f"repository's root or give the corpus's directory")
    rows: list[Row] = []

    def add(row: Row) -> None:
        rows.append(row)
        if progress is not None:
            progress(row)

    def run(theorem: Theorem, model: Model, holds: bool | None, seed: int) -> None:
        if announce is not None:
            announce(f"{theorem.name} / {model.name}")
        n = program_examples if theorem.domain == PROGRAMS else max_examples
        expected = "-" if holds is None else "holds" if holds else "fails"
        add(hunt_row(theorem, model, expected, seed,
                     FAIL_BUDGET_FACTOR * n if holds is False else n))

    jobs: list[ProofJob]
    solved: list[str]  # --model arguments of enumerator_eq_solver
    if model is None:
        for name, model_name in planned(theorems):
            theorem = THEOREMS[name]
            run(theorem, resolve_model(model_name), bool(theorem.expect(model_name)), seed)
        if mutants:
            for m in MUTANTS.values():
                run(THEOREMS[m.breaks], m.model(), False, m.seed)
        jobs, solved = proof_jobs(), list(MODELS)
    else:
        only = resolve_model(model)
        for name in list(THEOREMS) if theorems is None else theorems:
            if THEOREMS[name].models == tuple(MODELS):  # stated for every variant
                run(THEOREMS[name], only, THEOREMS[name].expect(only.name), seed)
        jobs = [(OBLIGATIONS[n], only.name, model) for n in ("sc_drf", "sc_drf_free_hb")]
        solved = [model]
    if proofs:
        for row in proof_rows(jobs, proof_bound, proof_timeout_s, on_bound):
            add(row)
        for spec in solved:
            add(solver_row(spec, golden))
    report = Report(tuple(rows), versions())
    report.write(out_dir)
    return report
