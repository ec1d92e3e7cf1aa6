"""The ``weakwasm`` command.

``weakwasm litmus FILE... [--model NAME]... [--show dot|svg|png] [--json] [--emit-wast] ...``
prints herd7's result block per test on stdout (and nothing else there, so the output stays
herd-compatible); warnings, the batch summary and progress go to stderr.

Every command follows one exit-status convention (``EXIT_STATUS``, README "Exit status"): 0 as
expected, 1 a counterexample, a mismatch or a forbidden state observed, 2 bad input (one line
``file:line:col: expected ...`` per bad file on stderr, or one line for a bad option), 3
incomplete (a bound or a time limit was hit, or nothing was decided). Each subcommand's
``--help`` ends with its rows (``EPILOGS``).

Subcommands are registered in ``SUBCOMMANDS`` so that ``check``, ``hunt`` and ``prove`` can be
added as further ``(name, add_arguments, run)`` entries.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

import attrs

from metatheory.budgets import MAX_EXAMPLES, PROGRAM_EXAMPLES, SHARD
from metatheory.engines.options import add_arguments as add_run_arguments
from metatheory.models import BadModel, resolve_model
from properties.edges import DEFAULT_EDGES, EDGE_KINDS
from semantics.litmus.condition import state_line
from semantics.litmus.engine import DEFAULT_BOUNDS, Bounds
from semantics.litmus.format import LitmusError, LitmusTest, digest, parse_litmus
from semantics.litmus.loader import decode, load_test, read_source
from semantics.litmus.result import (
    Result,
    Run,
    SCMachine,
    herd_block,
    judge,
    result_json,
    run_test,
)
from semantics.memory.model import MODELS, Model
from semantics.text.sexp import ParseError

if TYPE_CHECKING:
    from metatheory.tasks import Workers

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3

EXIT_STATUS = {
    "litmus": (
        "every test ran completely, whatever its verdict (Ok/No is information, as in herd)",
        None,
        "some input or option was bad (one line on stderr for each; the other files still run)",
        "otherwise: some result is incomplete (a bound cut it; its block has an Incomplete "
        "line naming the option to raise) or vacuous (no valid execution: a Vacuous line)"),
    "wast": (
        "every assertion checked passed",
        "some assertion failed",
        "some script was bad (one line file:line:col on stderr)",
        "nothing was checked: every command was unsupported by the single-threaded runner"),
    "prove": (
        "proved for every execution up to --bound events",
        "a counterexample was found (printed as a litmus test): the bound is refuted",
        "bad input: an option, a theorem or a model (one line)",
        "inconclusive: --timeout or --rlimit ran out before --bound was proved"),
    "hunt": (
        "no counterexample in --max-examples instances",
        "a counterexample was found (printed as a litmus test)",
        "bad input: an option, a theorem or a model (one line)",
        "vacuous: no instance met every hypothesis, so nothing was tested"),
    "check": (
        "every row as expected",
        "some row is a MISMATCH: its result is not the expected verdict (a counterexample "
        "where a theorem should hold, or none where a mutant should fail)",
        "bad input: an option, the corpus or a model (one without an SMT encoding too; one "
        "line on stderr), or the cluster could not be reached; nothing ran",
        "otherwise: some verdict is not decided: a row INCOMPLETE (Z3 ran out of time), "
        "VACUOUS (no instance met every hypothesis) or NOT REACHED (a proof's bound is below "
        "the expected counterexample), or the run stopped before every row"),
    "run": (
        "no engine showed a state the model forbids",
        "an engine showed a state the model forbids (this wins over 2 and 3)",
        "some input was bad, or an engine failed",
        "otherwise: a test was skipped because the model's own result is incomplete"),
}
"""Per command, what statuses 0, 1, 2 and 3 mean (None: never used). When several apply,
the status is the first of 2, 1, 3, except where a row says otherwise."""


def exit_epilog(command: str) -> str:
    rows = [textwrap.fill(text, 79, initial_indent=f"  {code}  ", subsequent_indent=" " * 5)
            for code, text in enumerate(EXIT_STATUS[command]) if text is not None]
    return "exit status:\n" + "\n".join(rows)

BOUND_HELP = {
    "max_events": "events of one thread's path (loops)",
    "max_steps": "reduction steps of one thread's path, silent steps included",
    "max_rounds": "rounds of the fixed point of the values offered to reads",
    "max_paths": "paths explored per thread",
    "unroll": "entries of one loop's body in a thread's path (failed awaits not counted)",
    "max_values": "values an address, length or count read from memory may take (thin air)",
}

MODEL_HELP = (f"a variant ({', '.join(MODELS)}), a mutant (metatheory/mutants.py) or FILE.py, "
              "a Python file defining MODEL, a Model (docs/models.md)")


# --- option types: every option is checked when the command line is parsed -------------------


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {n}")
    return n


def positive_seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, found {text!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"expected a positive finite number of seconds, found "
                                         f"{text!r}")
    return x


def out_dir(text: str) -> str:
    """A directory that exists or can be created: checked before any work starts."""
    path = os.path.abspath(text)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise argparse.ArgumentTypeError(f"expected a directory, found a file: {text!r}")
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"expected a writable directory: {text!r}")
        return text
    parent = os.path.dirname(path)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"expected a directory that can be created, but "
                                         f"{parent!r} is not a writable directory: {text!r}")
    return text


def edge_kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    wrong = [k for k in kinds if k not in EDGE_KINDS]
    if wrong or not kinds:
        raise argparse.ArgumentTypeError(f"expected edge kinds among {','.join(EDGE_KINDS)}, "
                                         f"found {text!r}")
    return kinds


def _add_litmus(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE", nargs="+",
                   help="litmus tests (.litmus), threads-proposal scripts (.wast), directories "
                        "of .litmus tests, - (one litmus test on stdin) or @LIST (a file of "
                        "test names, one a line, relative to LIST's directory; # comments)")
    p.add_argument("--model", action="append", default=None, metavar="NAME",
                   help=f"{MODEL_HELP}, or sc, the SC machine (default: wasm); several "
                        "--model print one table, a row per test and a column per model")
    p.add_argument("--show", choices=["dot", "svg", "png"],
                   help="also draw executions, one graph each: dot (Graphviz text), svg or png "
                        "(rendered by Graphviz's dot, which must be installed; needs --out)")
    p.add_argument("--graphs", choices=["prop", "neg", "all"], default="prop",
                   help="which executions --show draws: those satisfying the condition's "
                        "proposition (prop, the default, as herd's -show prop), those not "
                        "(neg), or all")
    p.add_argument("--edges", type=edge_kinds, default=DEFAULT_EDGES, metavar="K,K,...",
                   help=f"edges --show draws, among {','.join(EDGE_KINDS)} "
                        f"(default {','.join(DEFAULT_EDGES)})")
    p.add_argument("--show-len", action="store_true",
                   help="--show also draws the accesses to the memory's length location")
    p.add_argument("--json", action="store_true",
                   help="print each result as one JSON object a line instead of herd's block")
    p.add_argument("--hex", action="store_true", help="state values in hex (herd's -hexa)")
    p.add_argument("--hash", action="store_true",
                   help="end each block with herd's Hash= line (the test's digest)")
    p.add_argument("--emit-wast", action="store_true",
                   help="write each test as a threads-proposal .wast script instead of running it")
    p.add_argument("--out", metavar="DIR", type=out_dir,
                   help="write --show / --emit-wast output to DIR/NAME-I.dot|svg|png / "
                        "DIR/NAME.wast, not stdout")
    for bound, what in BOUND_HELP.items():
        p.add_argument(f"--{bound.replace('_', '-')}", dest=bound, type=positive_int,
                       metavar="N", default=getattr(DEFAULT_BOUNDS, bound),
                       help=f"bound on the {what} (default %(default)s)")
    p.add_argument("--no-time", action="store_true",
                   help="omit the Time line (as in the golden .expected files)")
    p.add_argument("--write-expected", action="store_true",
                   help="also write each block without its Time line to FILE.expected "
                        "(regenerates the golden corpus)")


@contextmanager
def _ticker(err: TextIO, name: str) -> Iterator[Callable[[str], None]]:
    """On a terminal, a line on stderr every half second while a test runs: its name, the
    seconds so far and the enumeration's last word on its progress; elsewhere nothing."""
    said = [""]
    if not err.isatty():
        yield lambda _: None
        return
    import threading

    stop = threading.Event()
    start = time.perf_counter()

    def tick() -> None:
        while not stop.wait(0.5):
            err.write(f"\r{name}: {time.perf_counter() - start:.0f}s {said[0]}\x1b[K")
            err.flush()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield lambda what: said.__setitem__(0, what)
    finally:
        stop.set()
        thread.join()
        err.write("\r\x1b[K")
        err.flush()


STDIN = "-"
STDIN_NAME = "<stdin>"  # the file name messages give a test read from stdin


def expand(paths: Sequence[str], errors: list[str] | None = None) -> list[str]:
    """Files as given; a directory stands for its ``*.litmus`` files, recursively, sorted;
    ``@LIST`` for the names LIST holds, one a line (blank lines and ``#`` comments skipped,
    relative names from LIST's directory). A list's problems go to ``errors`` as
    ``file:line:col: expected ...`` lines."""
    out: list[str] = []
    for p in paths:
        if p.startswith("@") and p != "@":
            out += _listed(p[1:], errors if errors is not None else [])
        elif os.path.isdir(p):
            found = [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs
                     if f.endswith(".litmus")]
            out += sorted(found)
        else:
            out.append(p)
    return out


def _listed(path: str, errors: list[str]) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().removeprefix("\ufeff").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        why = getattr(e, "strerror", None) or str(e)
        errors.append(f"{path}:1:1: expected a readable UTF-8 file of test names, found {why}")
        return []
    base = os.path.dirname(path)
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        full = name if os.path.isabs(name) else os.path.join(base, name)
        if not os.path.exists(full):
            col = line.index(name) + 1
            errors.append(f"{path}:{n}:{col}: expected the name of a test file or directory, "
                          f"found {name!r} (no such file)")
            continue
        out += expand([full])
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "+-_.=" else "_" for c in name)


def _write_artifact(args: argparse.Namespace, test: LitmusTest, ext: str, text: str,
                    out: TextIO) -> None:
    """``text`` to ``DIR/NAME.ext`` with ``--out DIR`` (``ext`` may carry a ``-I`` suffix of
    the name), else to stdout."""
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, f"{_safe(test.name)}{ext}"), "w",
                  encoding="utf-8") as f:
            f.write(text)
    else:
        out.write(text)


def _has_threads(path: str) -> bool | None:
    """Whether a ``.wast`` script has ``thread`` commands (None: it does not parse)."""
    from semantics.text import wast
    try:
        script = wast.parse_script(read_source(path))
    except (LitmusError, ParseError):
        return None
    return any(isinstance(c, wast.Thread) for c in script.commands)


def _load(path: str, err: TextIO) -> LitmusTest | None:
    """The test at ``path`` (``-``: a litmus test on stdin); None after one line on stderr
    (and, for a ``.wast`` conformance script, a hint to run it with ``weakwasm wast``)."""
    try:
        if path == STDIN:
            stream = getattr(sys.stdin, "buffer", None)
            raw = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
            return parse_litmus(decode(raw, STDIN_NAME), STDIN_NAME)
        return load_test(path)
    except LitmusError as e:
        err.write(f"{e}\n")
        if path.endswith(".wast") and _has_threads(path) is False:
            err.write(f"{path}: hint: a script without threads is a conformance test: run it "
                      f"with `weakwasm wast {path}`\n")
        return None


def _check_litmus_options(args: argparse.Namespace, models: Sequence[Model | SCMachine]
                          ) -> str | None:
    """What is wrong with a combination of options (before any work), or None."""
    if len(models) > 1:
        for flag, on in (("--show", args.show), ("--emit-wast", args.emit_wast),
                         ("--write-expected", args.write_expected)):
            if on:
                return f"{flag} takes one --model, found {len(models)}"
    if args.show == "dot" and args.json and not args.out:
        return "--show dot with --json needs --out DIR: stdout holds the JSON lines"
    if args.show in ("svg", "png"):
        import shutil

        if not args.out:
            return f"--show {args.show} writes files: give --out DIR"
        if shutil.which("dot") is None:
            return (f"--show {args.show} needs Graphviz's dot program on PATH (e.g. "
                    "`sudo apt-get install -y graphviz`); --show dot writes the text")
    if args.show and "hb" in args.edges and any(isinstance(m, SCMachine) for m in models):
        return "--edges hb needs an axiomatic model: the SC machine (sc) has no hb"
    return None


def _draw(args: argparse.Namespace, test: LitmusTest, run: Run, model: Model | SCMachine,
          out: TextIO, err: TextIO, path: str) -> bool:
    """``--show``: one graph per execution chosen by ``--graphs``; False if Graphviz failed."""
    import shutil
    import subprocess

    from properties.render import dot_graph
    from semantics.memory.check import hb

    names = {a: n for n, a in test.names}
    drawn = 0
    for i, v in enumerate(run.enumeration.valid):
        st, witness = judge(test, v)
        if witness is None or (args.graphs != "all" and witness != (args.graphs == "prop")):
            continue
        title = f"{test.name} execution {i}: {state_line(st, args.hex)}"
        if v.multiplicity > 1:
            title += f" (one of {v.multiplicity} differing only in rf bytes)"
        rel = hb(v.execution, model) if isinstance(model, Model) and "hb" in args.edges else None
        text = dot_graph(v.execution, title, names, edges=args.edges, hb=rel,
                         show_len=args.show_len)
        drawn += 1
        if args.show == "dot":
            _write_artifact(args, test, f"-{i}.dot", text, out)
            continue
        target = os.path.join(args.out, f"{_safe(test.name)}-{i}.{args.show}")
        os.makedirs(args.out, exist_ok=True)
        done = subprocess.run([shutil.which("dot") or "dot", f"-T{args.show}", "-o", target],
                              input=text.encode("utf-8"), capture_output=True, check=False)
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            err.write(f"{path}: Graphviz's dot failed on execution {i}: "
                      f"{why[0] if why else done.returncode}\n")
            return False
    if drawn == 0:
        why = " (no witness of the condition; --graphs all draws every one)" * (
            args.graphs == "prop")
        err.write(f"{path}: note: no execution to draw for --graphs {args.graphs}{why}\n")
    return True


def comparison_table(rows: Sequence[tuple[str, Sequence[Result]]],
                     models: Sequence[str]) -> str:
    """mcompare7's view: a row per test, a column per model with its verdict and observation,
    ``*`` where the verdicts differ; a last line counting them."""
    cells = [[name, *(f"{r.verdict} {r.observation}" for r in results)]
             for name, results in rows]
    head = ["test", *models]
    widths = [max(len(c[k]) for c in [head, *cells]) for k in range(len(head))]

    def line(c: Sequence[str], mark: str = "") -> str:
        return "  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip() + mark

    differ = [len({r.verdict for r in results}) > 1 for _, results in rows]
    out = [line(head)] + [line(c, "  *" if d else "") for c, d in zip(cells, differ, strict=True)]
    out.append(f"{len(rows)} tests, {sum(differ)} with verdicts that differ")
    return "\n".join(out) + "\n"


@attrs.define
class _Tally:
    done: int = 0
    ok: int = 0
    unknown: int = 0
    incomplete: int = 0
    vacuous: int = 0

    def add(self, r: Result) -> None:
        self.done += 1
        self.ok += r.verdict == "Ok"
        self.unknown += r.verdict == "??"
        self.incomplete += not r.complete
        self.vacuous += r.vacuous


def _run_litmus(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        models = [resolve_model(m, sc=True) for m in args.model or ["wasm"]]
    except BadModel as e:
        err.write(f"weakwasm: {e}\n")
        return EXIT_BAD_INPUT
    problem = _check_litmus_options(args, models)
    if problem is not None:
        err.write(f"weakwasm litmus: {problem}\n")
        return EXIT_BAD_INPUT
    bounds = Bounds(**{b: getattr(args, b) for b in BOUND_HELP})
    status = EXIT_OK
    tallies = {m.name: _Tally() for m in models}
    rows: list[tuple[str, list[Result]]] = []
    start = time.perf_counter()
    listing: list[str] = []
    files = expand(args.files, listing)
    for line in listing:
        err.write(line + "\n")
        status = EXIT_BAD_INPUT
    for p in args.files:
        if os.path.isdir(p) and not expand([p]):
            err.write(f"{p}: expected a directory holding .litmus files, found none\n")
            status = EXIT_BAD_INPUT
    progress = len(files) > 1 and err.isatty()
    rejected = 0
    for i, path in enumerate(files):
        if progress:
            err.write(f"\r[{i + 1}/{len(files)}] {path}\x1b[K")
            err.flush()
        test = _load(path, err)
        if test is None:
            status = EXIT_BAD_INPUT
            rejected += 1
            continue
        if args.emit_wast:
            from semantics.litmus.script import print_wast

            try:
                _write_artifact(args, test, ".wast", print_wast(test), out)
            except LitmusError as e:
                err.write(f"{e}\n")
                status = EXIT_BAD_INPUT
            continue
        label = f"[{i + 1}/{len(files)}] {test.name}" if len(files) > 1 else test.name
        results: list[Result] = []
        for model in models:
            tag = f"{label} [{model.name}]" if len(models) > 1 else label
            with _ticker(err, tag) as said:
                run = run_test(test, model, bounds, said)
            r = run.result
            results.append(r)
            if args.json:
                import json

                out.write(json.dumps(result_json(
                    r, model=model.name, bounds=bounds, file=path, hash=digest(test),
                    time=not args.no_time)) + "\n")
            elif len(models) == 1:
                out.write(herd_block(r, time=not args.no_time, hex=args.hex,
                                     hash=digest(test) if args.hash else None) + "\n")
            if args.write_expected:
                with open(path + ".expected", "w", encoding="utf-8") as f:
                    f.write(herd_block(r, time=False))
            under = f" under {model.name}" if len(models) > 1 else ""
            for report in run.enumeration.bound_reports:
                err.write(f"{path}: warning: bound hit{under}: {report}\n")
            if args.show and not _draw(args, test, run, model, out, err, path):
                status = EXIT_BAD_INPUT
            tallies[model.name].add(r)
            if status == EXIT_OK and (not r.complete or r.vacuous):
                status = EXIT_INCOMPLETE
        rows.append((test.name, results))
    if progress:
        err.write("\r\x1b[K")
    if len(models) > 1 and not args.json and not args.emit_wast:
        out.write(comparison_table(rows, [m.name for m in models]))
    if len(files) > 1 and not args.emit_wast:
        seconds = time.perf_counter() - start
        for name, t in tallies.items():
            extra = "".join(f", {n} {what}" for n, what in (
                (t.unknown, "??"), (t.incomplete, "incomplete"), (t.vacuous, "vacuous"),
                (rejected, "rejected")) if n)
            err.write(f"{t.done} tests, {t.ok} Ok, {t.done - t.ok - t.unknown} No{extra}; "
                      f"model {name}; {seconds:.2f}s\n")
    return status


def _add_workers(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help=f"local worker processes (default: every core, {os.cpu_count()}; 1 runs "
                        "in this process)")
    p.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help="run the tasks on the Dask distributed cluster whose scheduler is at "
                        "ADDRESS (e.g. tcp://10.0.0.1:8786) instead (docs/scale.md)")


@contextmanager
def _workers(args: argparse.Namespace, err: TextIO) -> Iterator[Workers | None]:
    """The ``Workers`` that ``--jobs`` / ``--cluster`` name, or None (said on stderr) when the
    cluster cannot be reached."""
    from metatheory.tasks import Workers

    try:
        w = Workers(args.jobs, args.cluster)
    except (OSError, TimeoutError, ValueError) as e:
        why = " ".join(str(e).split()) or type(e).__name__
        err.write(f"weakwasm: --cluster {args.cluster}: cannot reach a Dask scheduler there: "
                  f"{why}\n")
        yield None
        return
    try:
        yield w
    finally:
        w.close()


def _add_hunt(p: argparse.ArgumentParser) -> None:
    p.add_argument("theorem", help="a theorem name (weakwasm check lists them)")
    p.add_argument("--model", default="wasm", help=f"{MODEL_HELP} (default: wasm)")
    p.add_argument("--seed", type=int, default=0, help="search seed (reproducible)")
    p.add_argument("--max-examples", type=positive_int, default=20000,
                   help="how many instances to try before giving up")
    p.add_argument("--shard", type=positive_int, default=SHARD, metavar="N",
                   help=f"instances per task, each shard with its own seed derived from --seed "
                        f"(default {SHARD}); the result depends on it, not on --jobs")
    _add_workers(p)


def _run_hunt(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metatheory.hunt import hunt_plan
    from metatheory.theorems import get_theorem

    try:
        get_theorem(args.theorem)
        spec = os.path.abspath(args.model) if args.model.endswith(".py") else args.model
        resolve_model(spec)
    except ValueError as e:
        err.write(f"weakwasm: {e}\n")
        return EXIT_BAD_INPUT
    with _workers(args, err) as w:
        if w is None:
            return EXIT_BAD_INPUT
        err.write(f"hunting {args.theorem} under {args.model} (seed {args.seed}, up to "
                  f"{args.max_examples} instances; {w.describe()})...\n")
        result = w.one(hunt_plan(args.theorem, spec, args.seed,
                                 args.max_examples, args.shard))
    out.write(result.text().rstrip("\n") + "\n")
    if result.found:
        return EXIT_FOUND
    return EXIT_OK if result.satisfied else EXIT_INCOMPLETE


def _add_check(p: argparse.ArgumentParser) -> None:
    from proofs.space import FULL_BOUND

    p.add_argument("--out", default="report", metavar="DIR", type=out_dir,
                   help="where report.txt, report.md, report.json, rows.jsonl and litmus/ go "
                        "(default: report)")
    p.add_argument("--resume", action="store_true",
                   help="keep the rows DIR/rows.jsonl already has for the same budget and seed; "
                        "run the others")
    p.add_argument("--max-examples", type=positive_int, default=MAX_EXAMPLES,
                   help=f"Hypothesis instances per theorem and model (default {MAX_EXAMPLES})")
    p.add_argument("--program-examples", type=positive_int, default=PROGRAM_EXAMPLES,
                   help="instances for the program-level theorems, which enumerate every "
                        f"execution of each program (default {PROGRAM_EXAMPLES})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--proof-bound", type=positive_int, default=FULL_BOUND,
                   help=f"largest Z3 event bound (default {FULL_BOUND})")
    p.add_argument("--proof-timeout", type=positive_seconds, default=600.0,
                   help="seconds per Z3 obligation")
    p.add_argument("--no-proofs", action="store_true", help="skip the Z3 obligations")
    p.add_argument("--corpus", default="tests/litmus", metavar="DIR",
                   help="the golden litmus tests enumerator_eq_solver runs on "
                        "(default: tests/litmus)")
    p.add_argument("--no-mutants", action="store_true", help="skip the mutants")
    p.add_argument("--model", default=None,
                   help=f"check only this model: {MODEL_HELP}; by every theorem stated for all "
                        "the variants, sc_drf's proof and enumerator_eq_solver (default: every "
                        "variant and mutant)")
    _add_workers(p)


def _command_line(name: str, args: argparse.Namespace) -> str:
    """The options as parsed, defaults included: what the run was, whoever started it."""
    words = ["weakwasm", name]
    for k, v in sorted(vars(args).items()):
        if k in ("run", "command") or v is None or v is False:
            continue
        words.append(f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}"))
    return " ".join(words)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metatheory.report import NoCorpus, Row, check_command
    from proofs.encoding import UnknownAxiom

    start = time.perf_counter()
    first = [0]  # rows kept by --resume: not counted in the estimate

    def progress(row: Row, done: int, total: int) -> None:
        elapsed = time.perf_counter() - start
        if elapsed < 1:
            first[0] = done
        ran = done - first[0]
        left = (f", about {_minutes(elapsed / ran * (total - done))} left"
                if ran and done < total else "")
        _say(err, f"[{done}/{total}] {row.theorem} / {row.model} ({row.method}): {row.verdict} "
                  f"({row.seconds:.1f} s); {_minutes(elapsed)} so far{left}")

    with _workers(args, err) as w:
        if w is None:
            return EXIT_BAD_INPUT
        try:
            report = check_command(
                args.out, max_examples=args.max_examples, seed=args.seed,
                mutants=not args.no_mutants, proofs=not args.no_proofs,
                proof_bound=args.proof_bound, proof_timeout_s=args.proof_timeout,
                progress=progress, on_bound=lambda r: _say(err, f"  {r.summary()}"),
                program_examples=args.program_examples, corpus_dir=args.corpus,
                model=args.model, workers=w, resume=args.resume,
                command=_command_line("check", args))
        except (NoCorpus, BadModel, UnknownAxiom) as e:
            err.write(f"weakwasm: {e}\n")
            return EXIT_BAD_INPUT
    out.write(report.text().rstrip("\n") + "\n")
    err.write(f"report written to {args.out}/report.{{txt,md,json}}\n")
    return report.exit_status()


def _add_wast(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE", nargs="+", help=".wast scripts")
    p.add_argument("--verbose", action="store_true", help="also list unsupported commands")


def _run_wast(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metatheory.conformance import main as run_scripts

    code = run_scripts(args.files, out, err, args.verbose)
    if code == EXIT_INCOMPLETE:
        for path in args.files:
            if path.endswith(".wast") and _has_threads(path) is not None:
                err.write(f"{path}: hint: nothing it asserts could be checked by running it "
                          f"once: `weakwasm litmus {path}` gives its outcomes under the "
                          "model\n")
    return code


def _add_prove(p: argparse.ArgumentParser) -> None:
    from proofs.space import FULL_BOUND

    p.add_argument("theorem", nargs="?", default="sc_drf",
                   help="sc_drf (default) or wasm_eq_js")
    p.add_argument("--model", default="wasm",
                   help=f"{MODEL_HELP} (default: wasm; for wasm_eq_js: the Wasm variant "
                        "compared with es2017 once its (dagger)(ddagger) are dropped)")
    p.add_argument("--bound", type=positive_int, default=FULL_BOUND,
                   help=f"largest number of events (default {FULL_BOUND})")
    p.add_argument("--timeout", type=positive_seconds, default=600.0,
                   help="total seconds for all bounds (default 600)")
    p.add_argument("--cells", type=positive_int, default=None,
                   help="data bytes the accesses may touch (default 4)")
    p.add_argument("--widths", type=_widths, default=None, metavar="W,W,...",
                   help="access widths in bytes (default 1,2,4); e.g. 1 for single bytes")
    p.add_argument("--length", action="store_true",
                   help="the length space: bounds checks, traps, memory.size, memory.grow, "
                        "fences and spawn edges besides the data accesses (docs/proofs.md)")
    p.add_argument("--waits", type=positive_int, nargs="?", const=2, default=0, metavar="K",
                   help="the waits space: up to K memory.atomic.wait32 (default 2) and one "
                        "notify on byte 0, with woken events, besides the data accesses "
                        "(5 cells unless --cells; docs/proofs.md)")
    p.add_argument("--rlimit", type=positive_int, default=None,
                   help="Z3's deterministic resource limit per query (default none): the "
                        "same limit gives the same result in every run")
    p.add_argument("--parts", type=positive_int, default=None, metavar="N",
                   help="decide each bound's cases (from 6 events on) in N parts on as many "
                        "workers (default: the number of workers); the result does not "
                        "depend on it")
    _add_workers(p)


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        widths = ()
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected widths such as 1,2,4, found {text!r}")
    return widths


def _say(err: TextIO, line: str) -> None:
    err.write(line + "\n")
    err.flush()


def _case_counter(err: TextIO) -> Callable[[int, int, int], None]:
    """Progress within a bound, a line per tenth of its cases."""
    def show(bound: int, done: int, total: int) -> None:
        if done * 10 // total > (done - 1) * 10 // total:
            _say(err, f"  bound {bound}: {done}/{total} cases")
    return show


def _run_prove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metatheory.tasks import proof_plan
    from proofs.encoding import require_encoding
    from proofs.obligations import THEOREMS, ProofResult, UnknownTheorem, space_shape
    from proofs.space import Space
    from properties.render import execution_litmus
    from semantics.memory.events import show_execution

    if args.cells is not None:
        widths = args.widths or Space(1).widths
        if max(widths) > args.cells:
            err.write(f"weakwasm: --cells {args.cells} is narrower than the access widths "
                      f"{','.join(map(str, widths))}"
                      f"{'' if args.widths else ' (the default)'}: give --widths up to "
                      f"{args.cells}\n")
            return EXIT_BAD_INPUT
    try:
        spec = os.path.abspath(args.model) if args.model.endswith(".py") else args.model
        model = resolve_model(spec)
        require_encoding(model)  # in one line here, not as a worker's traceback
        if args.theorem not in THEOREMS:
            raise UnknownTheorem(f"no bounded obligation for theorem {args.theorem!r}; "
                                 f"known: {', '.join(THEOREMS)}")
        Space(1, **{k: v for k, v in (("cells", args.cells), ("widths", args.widths))
                    if v is not None})
        if args.length and args.theorem == "wasm_eq_js":
            raise ValueError("wasm_eq_js is decided over the data space only: drop --length")
        if args.waits:
            if args.length or args.theorem == "wasm_eq_js":
                raise ValueError("--waits is a data space: drop --length, and it is for "
                                 "sc_drf and sc_drf_free_hb")
            Space(1, **space_shape(args.cells, args.widths, waits=args.waits))
    except (UnknownTheorem, ValueError) as e:
        err.write(f"weakwasm: {e}\n")
        return EXIT_BAD_INPUT
    walls: list[float] = [time.perf_counter()]

    def heard(r: ProofResult) -> None:
        walls.append(time.perf_counter())
        _say(err, r.summary())

    with _workers(args, err) as w:
        if w is None:
            return EXIT_BAD_INPUT
        run = w.one(proof_plan(
            args.theorem, spec, args.bound, args.timeout, rlimit=args.rlimit,
            cells=args.cells, widths=args.widths, length=args.length, waits=args.waits,
            parts=args.parts or w.count,
            on_result=heard, on_case=_case_counter(err)))
    for r, start, end in zip(run.results, walls, walls[1:], strict=False):
        work = f", {r.seconds:.2f} s of work" if abs(r.seconds - (end - start)) > 0.1 else ""
        out.write(f"bound {r.bound}: {r.status} ({end - start:.2f} s{work})\n")
    out.write(f"{args.theorem} [{model.name}]: largest bound proved: {run.largest_proved} "
              f"events (z3 {run.results[0].z3_version if run.results else '?'})\n")
    out.write(run.scope_line() + "\n")
    cex = run.counterexample
    if cex is not None and cex.execution is not None:
        out.write(f"\ncounterexample with {cex.bound} events"
                  f"{' (' + cex.detail + ')' if cex.detail else ''}:\n")
        if not (args.length or args.waits):  # the litmus fragment has no grow, memory.size,
            # fence, trap, wait or notify
            out.write(execution_litmus(cex.execution, f"{args.theorem}-{model.name}",
                                       f"Z3 counterexample to {args.theorem} under "
                                       f"{model.name}"))
            out.write("\n")
        spawn = ", ".join(f"#{a}->#{b}" for a, b in sorted(cex.execution.spawn))
        out.write("execution (with the tot the solver chose"
                  f"{'; spawn ' + spawn if spawn else ''}):\n")
        out.write(show_execution(cex.execution, hide_len=not args.length) + "\n")
    if cex is not None:
        return EXIT_FOUND
    return EXIT_OK if run.largest_proved >= args.bound else EXIT_INCOMPLETE


def _run_engines(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from metatheory.engines.command import run_command
    try:
        model = resolve_model(args.model, sc=True)
    except BadModel as e:
        err.write(f"weakwasm: {e}\n")
        return EXIT_BAD_INPUT
    listing: list[str] = []
    files = [(f, not os.path.isdir(p)) for p in args.files for f in expand([p], listing)]
    for line in listing:
        err.write(line + "\n")
    code = run_command(args, files, out, err, model)
    return EXIT_BAD_INPUT if listing and code != EXIT_FOUND else code


Subcommand = tuple[str, str, Callable[[argparse.ArgumentParser], None],
                   Callable[[argparse.Namespace, TextIO, TextIO], int]]

SUBCOMMANDS: list[Subcommand] = [
    ("litmus", "print every allowed outcome of litmus tests, as herd7 does",
     _add_litmus, _run_litmus),
    ("wast", "run .wast scripts over a sequential memory, threads round robin",
     _add_wast, _run_wast),
    ("prove", "bounded proof of a metatheorem with Z3, bound by bound",
     _add_prove, _run_prove),
    ("hunt", "search for a counterexample to a theorem and shrink it to a litmus test",
     _add_hunt, _run_hunt),
    ("check", "check every metatheorem against every variant and write the report",
     _add_check, _run_check),
    ("run", "run litmus tests on a real engine (wasmtime, node) next to what the model allows",
     lambda p: add_run_arguments(p, f"{MODEL_HELP}, or sc, the SC machine"), _run_engines),
]


def version() -> str:
    from importlib import metadata  # slow to import: only for --version

    try:
        return metadata.version("weakwasm")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


class _Version(argparse.Action):
    """argparse's ``version`` action, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        parser._print_message(f"weakwasm {version()}\n", sys.stdout)
        parser.exit()


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command``, the one subcommand's options only (building every
    subcommand's options costs start-up, and imports ``proofs``), else every subcommand."""
    p = argparse.ArgumentParser(prog="weakwasm",
                                description="Executable WebAssembly relaxed memory model",
                                epilog="exit status: 0 as expected, 1 a counterexample, "
                                       "mismatch or forbidden state observed, 2 bad input, 3 "
                                       "incomplete (a bound was hit); each command's --help "
                                       "says what they mean for it")
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text, add, run in SUBCOMMANDS:
        if command is not None and name != command:
            continue
        sp = sub.add_parser(name, help=help_text, description=help_text,
                            epilog=exit_epilog(name),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        add(sp)
        sp.set_defaults(run=run)
    return p


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: its first word, when no option comes before it (the
    options before a subcommand, --help and --version, need none of the subcommands'
    options); else None."""
    if argv and argv[0] in {name for name, *_ in SUBCOMMANDS}:
        return argv[0]
    return None


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:  # argparse reports usage errors (and --help) itself, to the given streams
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser(_command(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    except SystemExit as e:
        return EXIT_BAD_INPUT if e.code not in (0, None) else EXIT_OK
    try:
        code: int = args.run(args, out, err)
    except BrokenPipeError:  # the reader went away (``| head``): nobody is left to tell
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (so exit's flush cannot fail)
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
