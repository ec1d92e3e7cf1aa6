"""``weakwasm run``: litmus tests on a real engine, next to what the model allows
(docs/engines.md).

Exit status: 1 when an engine showed a state the model forbids; otherwise 2 when some input
was bad (unreadable, or a named test the compiler or the engine cannot run: ``file:line:
expected ...``; wasmtime runs no JS threads) or an engine failed; otherwise 3 when a test was
skipped because the model's result is incomplete; otherwise 0. A test reached through a
directory that the compiler or the engine cannot run is listed as skipped, with the
construct, and does not change the status.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TextIO

import attrs

from metatheory.engines.compile import Unsupported, compile_test
from metatheory.engines.observed import EngineError, Observed, engine_block
from semantics.litmus.condition import state_line
from semantics.litmus.format import LitmusError, LitmusTest
from semantics.litmus.loader import load_test
from semantics.litmus.result import Run, SCMachine, StateT, admits, run_test
from semantics.memory.model import Model

EXIT_OK, EXIT_FORBIDDEN, EXIT_BAD_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3


@attrs.frozen
class Row:
    """One line of the sweep table: an engine run, or a skipped test with its reason."""

    name: str
    allowed: int = 0
    observed: int = 0
    forbidden: int = 0
    per_second: float = 0.0
    skipped: str = ""


def table(engine: str, rows: Sequence[Row]) -> str:
    width = max([len(r.name) for r in rows] + [4])
    lines = [f"engine {engine}",
             f"{'test':<{width}}  allowed  observed  forbidden-but-observed  iterations/s"]
    for r in rows:
        if r.skipped:
            lines.append(f"{r.name:<{width}}  skipped: {r.skipped}")
        else:
            lines.append(f"{r.name:<{width}}  {r.allowed:>7}  {r.observed:>8}  "
                         f"{r.forbidden:>22}  {r.per_second:>12.0f}")
    ran = [r for r in rows if not r.skipped]
    lines.append(f"{len(ran)} run, {len(rows) - len(ran)} skipped, "
                 f"{sum(r.forbidden for r in ran)} forbidden-but-observed")
    return "\n".join(lines) + "\n"


def _source_line(path: str, word: str) -> int:
    """The first line of ``path`` naming ``word`` (the construct the compiler refused)."""
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if word in line:
                    return n
    except OSError:
        pass
    return 1


def _check_engine(test: LitmusTest, engine: str) -> None:
    """Only node has JS agents: wasmtime cannot run a test's JS threads."""
    if engine == "wasmtime" and test.js_threads:
        raise Unsupported(f"thread {test.js_threads[0]} js",
                          "JS threads (wasmtime runs Wasm threads only)")


def run_engine(test: LitmusTest, engine: str, iterations: int, seed: int,
               batch: int) -> Observed:
    compiled = compile_test(test, min(batch, iterations))
    try:  # both engines need the wasmtime package (node for its wat2wasm)
        if engine == "wasmtime":
            from metatheory.engines.wasmtime_runner import run_wasmtime
            return run_wasmtime(compiled, iterations, seed)
        from metatheory.engines.node_runner import run_node
    except ImportError as e:
        raise EngineError(f"{e}: pip install 'weakwasm[engines]'") from e
    return run_node(compiled, iterations, seed)


class IncompleteModel(Exception):
    """The model's enumeration of a test was cut by a bound: its states are not all allowed
    states, so an engine's other states would not be forbidden (docs/litmus.md#bounds)."""


class Admitted(frozenset):  # type: ignore[type-arg]
    """The states a run lists, holding also each state its symbolic executions admit (values
    out of thin air: ``result.admits``), which it does not list."""

    def __new__(cls, test: LitmusTest, run: Run) -> Admitted:
        self = super().__new__(cls, run.result.states)
        self.test, self.run = test, run
        return self

    def __contains__(self, state: object) -> bool:
        return frozenset.__contains__(self, state) or admits(self.test, self.run, state)  # type: ignore[arg-type]


def allowed_states(test: LitmusTest, model: Model | SCMachine) -> frozenset[StateT]:
    # without the test's filter: an engine shows every execution, filtered or not
    test = attrs.evolve(test, filter=None)
    run = run_test(test, model)
    result = run.result
    if not result.complete:
        raise IncompleteModel("; ".join(result.incomplete))
    if result.thin_air is not None:
        return Admitted(test, run)
    return frozenset(result.states)


def run_command(args: argparse.Namespace, files: Sequence[tuple[str, bool]], out: TextIO,
                err: TextIO, model: Model | SCMachine,
                allowed: Callable[[LitmusTest, Model | SCMachine], frozenset[StateT]]
                = allowed_states) -> int:
    """``files``: (path, named on the command line rather than found in a directory);
    ``model``: what says which states are allowed (``metatheory.models.resolve_model``)."""
    if args.iterations < 1 or args.batch < 1:
        err.write("weakwasm run: expected --iterations and --batch of at least 1\n")
        return EXIT_BAD_INPUT
    bad = forbidden = incomplete = False
    rows: list[Row] = []
    for path, named in files:
        try:
            test = load_test(path)
            compile_test(test, 1)
            _check_engine(test, args.engine)
        except LitmusError as e:
            err.write(f"{e}\n")
            bad = True
            continue
        except Unsupported as e:
            where = f"{path}:{_source_line(path, e.construct)}"
            if named:
                err.write(f"{where}: expected a test without {e}\n")
                bad = True
            else:
                err.write(f"{where}: skipped: {e}\n")
            rows.append(Row(test.name, skipped=str(e)))
            continue
        try:
            ok = allowed(test, model)
        except IncompleteModel as e:
            err.write(f"{path}: skipped: {model.name} is incomplete: {e}\n")
            rows.append(Row(test.name, skipped=f"{model.name} is incomplete: {e}"))
            incomplete = True
            continue
        try:
            seen = run_engine(test, args.engine, args.iterations, args.seed, args.batch)
        except EngineError as e:
            err.write(f"{path}: {args.engine}: {e}\n")
            rows.append(Row(test.name, skipped=f"{args.engine} failed: {e}"))
            bad = True
            continue
        out.write(engine_block(seen, ok, model.name) + "\n")
        wrong = seen.forbidden(ok)
        for state, count in wrong:
            err.write(f"{path}: {args.engine} showed {state_line(state)} in {count} of "
                      f"{seen.iterations} iterations (seed {seen.seed}); {model.name} "
                      "forbids it\n")
        forbidden = forbidden or bool(wrong)
        rows.append(Row(test.name, len(ok), len(seen.counts), len(wrong),
                        seen.per_second))
    if len(files) > 1:
        out.write(table(args.engine, rows))
    if forbidden:
        return EXIT_FORBIDDEN
    if bad:
        return EXIT_BAD_INPUT
    return EXIT_INCOMPLETE if incomplete else EXIT_OK
