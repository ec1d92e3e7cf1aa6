"""The citable report: every theorem against every model it concerns (variants and mutants),
by Hypothesis search (``hunt``) and by bounded Z3 proof (``proofs.obligations``), each row a
plan of tasks (``metatheory.tasks``) that runs on every core or on a Dask cluster.

Each row says exactly what was done: "tested (N instances, M met every hypothesis)", "proved
up to N events", or the counterexample found (also written as a litmus test). Expected
verdicts (docs/metatheory.md) are only compared against; they never stand in for a run. A row
whose verdict the run did not decide says so: VACUOUS (no instance met every hypothesis),
INCOMPLETE (Z3 ran out of time), NOT REACHED (a proof whose bound is below the expected
counterexample). Rows are streamed to the report directory as they finish (``rows.jsonl``),
so a stopped run keeps them and ``resume=True`` skips them.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import textwrap
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import hypothesis
import z3

from metatheory.budgets import (
    FAIL_BUDGET_FACTOR,
    MAX_EXAMPLES,
    PROGRAM_EXAMPLES,
    PROGRAM_SHARD,
    SHARD,
    SOLVER_CHUNK,
)
from metatheory.hunt import HuntResult, hunt_plan
from metatheory.models import resolve_model
from metatheory.mutants import MUTANTS
from metatheory.tasks import Batch, Call, Plan, Workers, proof_plan
from metatheory.theorems import OBLIGATIONS, PROGRAMS, THEOREMS, Obligation, Theorem
from proofs.litmus import check_corpus, corpus
from proofs.space import FULL_BOUND
from properties.render import execution_litmus
from semantics.memory.model import MODELS

WIDTH = 100  # columns of report.txt


@attrs.frozen
class Row:
    theorem: str
    model: str
    method: str  # "hypothesis" or "z3"
    bound: str  # "2000 instances in 4 shards (seed 0)" or "up to 6 events"
    result: str  # "tested", "vacuous", "proved", "counterexample", "unknown"
    detail: str
    expected: str  # "holds", "fails", "-" (no expectation)
    seconds: float  # the row's tasks' time, added up
    counterexample: str = ""
    litmus: str = ""  # the counterexample as a litmus test, when it has one
    key: str = ""  # what ``resume`` compares: the row, its budget and its seed

    @property
    def not_reached(self) -> bool:
        """A proof up to a bound below the counterexample expected."""
        return self.method == "z3" and self.result == "proved" and self.expected == "fails"

    @property
    def complete(self) -> bool:
        return self.result not in ("unknown", "vacuous") and not self.not_reached

    @property
    def as_expected(self) -> bool | None:
        """None: no expectation, or the run did not decide the verdict."""
        if self.expected == "-" or not self.complete:
            return None
        return (self.result == "counterexample") == (self.expected == "fails")

    @property
    def verdict(self) -> str:
        if self.result == "vacuous":
            return "VACUOUS"
        if self.result == "unknown":
            return "INCOMPLETE"
        if self.not_reached:
            return "NOT REACHED"
        if self.as_expected is None:
            return self.result
        return f"{self.expected}, as expected" if self.as_expected else "MISMATCH"

    def litmus_name(self) -> str:
        return f"{self.theorem}-{self.model}-{self.method}.litmus"


def _wrap(line: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(line, WIDTH, subsequent_indent=indent, break_long_words=True,
                         break_on_hyphens=False) or [""]


@attrs.frozen
class Report:
    rows: tuple[Row, ...]
    header: tuple[tuple[str, str], ...]  # what was run: the same in every run of it
    run: tuple[tuple[str, str], ...] = ()  # how it ran: command, date, machine, times
    planned: int = 0  # rows the run was to make (more than ``rows`` while it runs)

    def summary(self) -> str:
        n = len(self.rows)
        counts = [(sum(r.as_expected is True for r in self.rows), "as expected"),
                  (sum(r.as_expected is False for r in self.rows), "MISMATCH"),
                  (sum(r.result == "vacuous" for r in self.rows), "VACUOUS"),
                  (sum(r.result == "unknown" for r in self.rows), "INCOMPLETE"),
                  (sum(r.not_reached for r in self.rows), "NOT REACHED"),
                  (sum(r.complete and r.expected == "-" for r in self.rows), "no expectation")]
        said = ", ".join(f"{k} {what}" for k, what in counts if k)
        left = f" ({self.planned - n} of {self.planned} not run yet)" \
            if self.planned > n else ""
        return f"summary: {n} rows{left}: {said or 'none'}; exit status {self.exit_status()}"

    def exit_status(self) -> int:
        """``EXIT_STATUS["check"]`` of metatheory/cli.py: 1 a mismatch, 3 a verdict not decided."""
        if any(r.as_expected is False for r in self.rows):
            return 1
        if self.planned > len(self.rows) or not all(r.complete for r in self.rows):
            return 3
        return 0

    def text(self, times: bool = True) -> str:
        """report.txt, lines of at most ``WIDTH`` columns; without ``times``, only what every
        run of the same check prints (no command, date, machine, workers or seconds)."""
        lines = ["weakwasm check report", ""]
        for k, v in self.header + (self.run if times else ()):
            lines += _wrap(f"{k + ':':<10}{v}", " " * 10)
        lines += ["", *_wrap(self.summary()), ""]
        head = f"{'theorem / model':<50}{'method':<12}verdict"
        lines.append(f"{head:<{WIDTH - 9}}{'seconds':>9}" if times else head)
        for r in self.rows:
            first = f"{r.theorem + ' / ' + r.model:<49} {r.method:<11} {r.verdict}"
            if times:
                first = f"{first:<{WIDTH - 9}}{r.seconds:>9.1f}"
            lines.append(first)
            lines += _wrap(f"    {r.bound}: {r.detail}", " " * 6)
        for r in self.rows:
            if r.counterexample:
                where = f" (litmus/{r.litmus_name()})" if r.litmus else ""
                lines += ["", *_wrap(f"--- {r.theorem} / {r.model}: counterexample{where}")]
                for ln in r.counterexample.rstrip("\n").splitlines():
                    lines += _wrap(ln) if len(ln) > WIDTH else [ln]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        out = ["# weakwasm check report", ""]
        out += [f"- {k}: {v}" for k, v in self.header + self.run]
        out += ["", self.summary(), "",
                "| theorem | model | method | bound | result | verdict | seconds |",
                "|---|---|---|---|---|---|---|"]
        for r in self.rows:
            verdict = f"**{r.verdict}**" if r.as_expected is not True else r.verdict
            out.append(f"| `{r.theorem}` | `{r.model}` | {r.method} | {r.bound} | "
                       f"{r.result}: {r.detail} | {verdict} | {r.seconds:.1f} |")
        for r in self.rows:
            if r.counterexample:
                out += ["", f"### `{r.theorem}` under `{r.model}`", "", "```",
                        r.counterexample.rstrip(), "```"]
        return "\n".join(out) + "\n"

    def json(self) -> str:
        return json.dumps({"header": dict(self.header), "run": dict(self.run),
                           "summary": self.summary(), "exit_status": self.exit_status(),
                           "rows": [attrs.asdict(r) for r in self.rows]}, indent=2)

    def write(self, out_dir: str | Path) -> tuple[Path, ...]:
        d = Path(out_dir)
        d.mkdir(parents=True, exist_ok=True)
        files = [(d / "report.txt", self.text()), (d / "report.md", self.markdown()),
                 (d / "report.json", self.json())]
        files += [(d / "litmus" / r.litmus_name(), r.litmus) for r in self.rows if r.litmus]
        for path, body in files:
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(body)
            tmp.replace(path)  # a run stopped while writing leaves the previous file
        return tuple(p for p, _ in files)


def versions() -> tuple[tuple[str, str], ...]:
    return (("python", platform.python_version()), ("hypothesis", hypothesis.__version__),
            ("z3", z3.get_version_string()))


def weakwasm_version() -> str:
    """The package version and, in a git checkout, the commit (``+dirty`` with local edits)."""
    try:
        version = metadata.version("weakwasm")
    except metadata.PackageNotFoundError:
        version = "unknown"
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = dirty = ""
    return f"{version}, commit {commit}{'+dirty' if dirty else ''}" if commit else \
        f"{version} (no git commit)"


# --- rows as plans ------------------------------------------------------------------------------


def _hunt_row(r: HuntResult, expected: str, bound: str, key: str) -> Row:
    if r.found:
        return Row(r.theorem, r.model, "hypothesis", bound, "counterexample",
                   f"found after {r.tried} instances", expected, r.seconds,
                   r.text(times=False), r.litmus(), key)
    why = ", ".join(f"{n} failed {h}" for h, n in r.vacuous)
    detail = (f"tested ({r.tried} instances, {r.satisfied} met every hypothesis"
              f"{'; ' + why if why and not r.satisfied else ''})")
    return Row(r.theorem, r.model, "hypothesis", bound,
               "tested" if r.satisfied else "vacuous", detail, expected, r.seconds, key=key)


def hunt_row(theorem: Theorem, model: str, expected: str, seed: int, examples: int,
             shard: int) -> tuple[str, Plan[Row]]:
    """(key, plan) of a Hypothesis row: ``examples`` instances in shards of ``shard``."""
    n_shards = -(-examples // shard)
    bound = (f"{examples} instances{f' in {n_shards} shards' if n_shards > 1 else ''} "
             f"(seed {seed})")
    key = f"hypothesis {theorem.name} {model} {examples} shard {shard} seed {seed}"

    def plan() -> Plan[Row]:
        r = yield from hunt_plan(theorem.name, model, seed, examples, shard)
        return _hunt_row(r, expected, bound, key)
    return key, plan()


ProofJob = tuple[Obligation, str, str]
"""(theorem, the report's model column, the model the obligation is given, as ``--model``)."""


def proof_jobs() -> list[ProofJob]:
    """sc_drf under every variant it concerns; wasm_eq_js as Wasm without (†)(‡) vs es2017."""
    sc_drf, free, length, eq = (OBLIGATIONS[n] for n in (
        "sc_drf", "sc_drf_free_hb", "sc_drf_length", "wasm_eq_js"))
    return ([(sc_drf, v, v) for v in sc_drf.models] + [(free, v, v) for v in free.models]
            + [(length, v, v) for v in length.models] + [(eq, "es2017", "wasm")])


def proof_row(job: ProofJob, bound: int, timeout_s: float, parts: int = 1,
              on_bound: Callable[[Any], object] | None = None) -> tuple[str, Plan[Row]]:
    """(key, plan) of a Z3 row: bounds 1 .. ``bound`` within ``timeout_s`` in all."""
    theorem, column, model = job
    key = f"z3 {theorem.name} {column} {model} up to {bound} timeout {timeout_s:g}"

    def plan() -> Plan[Row]:
        run = yield from proof_plan(theorem.proves, model, bound, timeout_s, parts=parts,
                                    length=theorem.length, on_result=on_bound)
        res = run.results[-1] if run.results else None
        seconds = sum(r.seconds for r in run.results)
        exp = theorem.expect(column)
        expected = "-" if exp is None else ("holds" if exp else "fails")
        scope = f" over: {res.scope}" if res is not None and res.space is not None else ""
        upto = run.largest_proved
        if res is None or res.status == "proved" and res.bound < bound:
            status, detail = "unknown", f"proved up to {upto} events; out of time at {upto + 1}"
        elif res.status == "unknown":
            status, detail = "unknown", (f"proved up to {upto} events; unknown at {res.bound}: "
                                         f"{res.detail}")
        elif res.status == "counterexample":
            status, detail = res.status, f"counterexample with {res.bound} events{scope}"
        else:
            status, detail = "proved", f"proved up to {bound} events{scope}"
            if expected == "fails":
                detail += f"; the expected counterexample is not reached at bound {bound}"
        name = run.model
        if name != column:
            detail = f"{name}: {detail}"
        ex = res.execution if res is not None and status == "counterexample" else None
        litmus = "" if ex is None or theorem.length else execution_litmus(
            ex, f"{theorem.name}-{column}", f"Z3 counterexample to {theorem.name} under {name}")
        return Row(theorem.name, column, "z3", f"up to {bound} events", status, detail,
                   expected, seconds, str(ex or ""), litmus, key)
    return key, plan()


def solver_part(model: str, paths: Sequence[str]) -> tuple[list[str], int, float]:
    """The golden tests of ``paths`` on which the Z3 encoding and the enumerator differ, how
    many were compared (the encoding refuses some: docs/proofs.md), and the seconds it took."""
    start = time.perf_counter()
    rows = check_corpus(paths, resolve_model(model))
    return [r.path for r in rows if not r.equal], len(rows), time.perf_counter() - start


def solver_row(model: str, paths: Sequence[str]) -> tuple[str, Plan[Row]]:
    """``enumerator_eq_solver``: the Z3 encoding and the explicit enumerator find the same
    outcomes on every golden litmus test under ``model`` (a ``--model`` argument)."""
    name = resolve_model(model).name
    key = f"z3 enumerator_eq_solver {model} {len(paths)} tests"

    def plan() -> Plan[Row]:
        chunks = [list(paths[i:i + SOLVER_CHUNK]) for i in range(0, len(paths), SOLVER_CHUNK)]
        got = yield Batch(tuple(Call(solver_part, (model, c)) for c in chunks))
        differ = [p for part, _, _ in got for p in part]
        compared = sum(n for _, n, _ in got)
        seconds = sum(t for _, _, t in got)
        # tests the encoding cannot represent (wait/notify, docs/proofs.md) have no row
        left = f", {len(paths) - compared} out of scope" if compared < len(paths) else ""
        bound = f"{compared} golden tests{left}"
        if differ:
            return Row("enumerator_eq_solver", name, "z3", bound, "counterexample",
                       f"outcomes differ on {len(differ)} of {compared} tests{left}", "holds",
                       seconds, "\n".join(differ), key=key)
        return Row("enumerator_eq_solver", name, "z3", bound, "tested",
                   f"tested (equal outcomes on all {compared} golden litmus tests{left})",
                   "holds", seconds, key=key)
    return key, plan()


def planned(theorems: Sequence[str] | None = None) -> tuple[tuple[str, str], ...]:
    """The (theorem, model) pairs ``check_command`` runs (mutants and proofs aside)."""
    names = list(THEOREMS) if theorems is None else list(theorems)
    return tuple((n, m) for n in names for m in THEOREMS[n].models)


class NoCorpus(ValueError):
    """``check_command`` was not given a directory of golden litmus tests."""


ROWS_FILE = "rows.jsonl"


def _finished(out_dir: Path) -> dict[str, Row]:
    """The rows a previous run streamed to ``out_dir`` (a half-written last line is ignored)."""
    rows: dict[str, Row] = {}
    path = out_dir / ROWS_FILE
    if not path.is_file():
        return rows
    for line in path.read_text().splitlines():
        try:
            row = Row(**json.loads(line))
        except (ValueError, TypeError):
            continue
        rows[row.key] = row
    return rows


def check_command(out_dir: str | Path = "report", max_examples: int = MAX_EXAMPLES,
                  seed: int = 0,
                  mutants: bool = True, proofs: bool = True, proof_bound: int = FULL_BOUND,
                  proof_timeout_s: float = 600.0,
                  theorems: Sequence[str] | None = None,
                  progress: Callable[[Row, int, int], object] | None = None,
                  on_bound: Callable[[Any], object] | None = None,
                  program_examples: int = PROGRAM_EXAMPLES,
                  corpus_dir: str | Path = "tests/litmus",
                  model: str | None = None, workers: Workers | None = None,
                  resume: bool = False, command: str = "",
                  shard: int = SHARD, program_shard: int = PROGRAM_SHARD) -> Report:
    """``weakwasm check --out DIR``: run everything (or only ``theorems``) on ``workers``
    (default: this process), streaming each row to DIR/rows.jsonl and DIR/report.{txt,md,json}
    as it finishes. Program-level theorems get ``program_examples`` instances in shards of
    ``program_shard``, the others ``max_examples`` in shards of ``shard``
    (``metatheory.budgets`` says why). ``corpus_dir`` holds the golden litmus tests that
    ``enumerator_eq_solver`` runs on; it is checked before anything runs. With ``model`` (a
    ``--model`` argument) only that model is checked: by every theorem stated for all the
    variants, and by the proofs of sc_drf and enumerator_eq_solver; its expected verdicts are
    the variant's, or none ("-"). ``resume`` keeps the rows of DIR/rows.jsonl made with the
    same budget and seed. ``progress(row, done, total)`` hears of each row."""
    golden = [os.path.abspath(p) for p in corpus(corpus_dir)] if proofs else []
    if proofs and not golden:
        raise NoCorpus(f"no golden litmus tests (*.litmus) under {corpus_dir}: run from the "
                       f"repository's root or give the corpus's directory")
    own = workers is None
    w = workers or Workers(1)
    try:
        return _check(Path(out_dir), max_examples, seed, mutants, proofs, proof_bound,
                      proof_timeout_s, theorems, progress, on_bound, program_examples, golden,
                      model, w, resume, command, shard, program_shard)
    finally:
        if own:
            w.close()


def _check(out: Path, max_examples: int, seed: int, mutants: bool, proofs: bool,
           proof_bound: int, proof_timeout_s: float, theorems: Sequence[str] | None,
           progress: Callable[[Row, int, int], object] | None,
           on_bound: Callable[[Any], object] | None, program_examples: int,
           golden: list[str], model: str | None, w: Workers, resume: bool, command: str,
           shard: int, program_shard: int) -> Report:
    rows: list[tuple[int, tuple[str, Plan[Row]]]] = []  # (priority, (key, plan))

    def hunt(theorem: Theorem, spec: str, holds: bool | None, seed: int) -> None:
        n, size = (program_examples, program_shard) if theorem.domain == PROGRAMS \
            else (max_examples, shard)
        n = theorem.budget(n)
        expected = "-" if holds is None else "holds" if holds else "fails"
        rows.append((1 if theorem.domain == PROGRAMS else 2, hunt_row(
            theorem, spec, expected, seed, FAIL_BUDGET_FACTOR * n if holds is False else n,
            size)))

    jobs: list[ProofJob]
    solved: list[str]  # --model arguments of enumerator_eq_solver
    mutant_seeds = row_seeds = ""
    if model is None:
        for name, model_name in planned(theorems):
            theorem = THEOREMS[name]
            hunt(theorem, model_name, bool(theorem.expect(model_name)),
                 theorem.seed_for(model_name, seed))
        row_seeds = "".join(f"; {n} {m} {k}" for n in (theorems or THEOREMS)
                            for m, k in THEOREMS[n].seeds)
        if mutants:
            for m in MUTANTS.values():
                hunt(THEOREMS[m.breaks], m.name, False, m.seed)
            mutant_seeds = "; mutants: " + ", ".join(f"{m.name} {m.seed}"
                                                     for m in MUTANTS.values())
        jobs, solved = proof_jobs(), list(MODELS)
    else:
        spec = os.path.abspath(model) if model.endswith(".py") else model
        only = resolve_model(spec)
        for name in list(THEOREMS) if theorems is None else theorems:
            if THEOREMS[name].models == tuple(MODELS):  # stated for every variant
                row_seed = THEOREMS[name].seed_for(only.name, seed)
                hunt(THEOREMS[name], spec, THEOREMS[name].expect(only.name), row_seed)
                if row_seed != seed:
                    row_seeds += f"; {name} {only.name} {row_seed}"
        jobs = [(OBLIGATIONS[n], only.name, spec)
                for n in ("sc_drf", "sc_drf_free_hb", "sc_drf_length")]
        solved = [spec]
    if proofs:
        rows += [(0, proof_row(j, proof_bound, proof_timeout_s, w.count, on_bound))
                 for j in jobs]
        rows += [(1, solver_row(spec, golden)) for spec in solved]

    header = (("weakwasm", weakwasm_version()),
              ("versions", ", ".join(f"{k} {v}" for k, v in versions())),
              ("budgets", f"{max_examples} Hypothesis instances per row in shards of {shard}; "
                          f"program-level theorems {program_examples} in shards of "
                          f"{program_shard}; expected failures x{FAIL_BUDGET_FACTOR}; "
                          + (f"Z3 up to {proof_bound} events, {proof_timeout_s:g} s per "
                             f"obligation; enumerator_eq_solver on {len(golden)} golden "
                             f"tests" if proofs else "no Z3 obligations")),
              ("seeds", f"{seed} (shard j > 0: an independent seed derived from it and j)"
                        f"{row_seeds}{mutant_seeds}"))
    out.mkdir(parents=True, exist_ok=True)
    keys = {key for _, (key, _) in rows}
    done = {k: r for k, r in _finished(out).items() if k in keys} if resume else {}
    streamed = out / ROWS_FILE
    if not resume:
        streamed.unlink(missing_ok=True)
    elif streamed.is_file() and not streamed.read_text().endswith("\n"):
        with open(streamed, "a", encoding="utf-8") as f:
            f.write("\n")  # after the half-written line of a stopped run
    results: dict[int, Row] = {i: done[key] for i, (_, (key, _)) in enumerate(rows)
                               if key in done}
    todo = [i for i in range(len(rows)) if i not in results]
    start, cpu0 = time.perf_counter(), time.process_time()

    def report() -> Report:
        wall = time.perf_counter() - start
        cpu = w.cpu_seconds + (time.process_time() - cpu0 if not w.in_process else 0.0)
        run = (("command", command or "check_command(...)"),
               ("date", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
               ("machine", f"{platform.node()}, {platform.machine()}, {os.cpu_count()} cores"),
               ("workers", w.describe()),
               ("time", f"wall {wall:.1f} s, CPU {cpu:.1f} s (every worker)"
                        + (f"; {len(done)} rows kept from the previous run" if done else "")))
        return Report(tuple(results[i] for i in sorted(results)), header, run, len(rows))

    def finished(j: int, row: Row) -> None:
        results[todo[j]] = row
        with open(out / ROWS_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(attrs.asdict(row)) + "\n")
        report().write(out)
        if progress is not None:
            progress(row, len(results), len(rows))

    for i in sorted(results):
        if progress is not None:
            progress(results[i], len(results), len(rows))
    w.run([rows[i][1][1] for i in todo], [rows[i][0] for i in todo], finished)
    final = report()
    final.write(out)
    return final

