"""Running a litmus test and printing herd7's result block (docs/litmus.md) line for line, or
the same result as a JSON object."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import cast

import attrs

from semantics.litmus.condition import (
    Condition,
    Mem,
    Observable,
    Reg,
    atoms,
    evaluate,
    holds,
    observation,
    state_line,
)
from semantics.litmus.engine import (
    DEFAULT_BOUNDS,
    Bounds,
    Enumeration,
    Progress,
    ValidExecution,
)
from semantics.litmus.format import LitmusTest
from semantics.litmus.symbolic import enumerate_exact
from semantics.memory.events import MEM_DATA, Region, le_bytes
from semantics.memory.model import MODELS, Model
from semantics.wasm.terms import Term


@attrs.frozen
class SCMachine:
    """The SC interleaving machine (``semantics.litmus.sc``) in the place of a memory model:
    ``run_test`` takes it or a ``Model``. It has no axioms, so it is a value of its own and not
    a ``Model``; ``sc`` names it on the command line."""

    name: str = "sc"


SC = SCMachine()

Bits = Term | int
StateT = tuple[tuple[Observable, int], ...]
SymStateT = tuple[tuple[Observable, Bits], ...]  # a state of a symbolic execution


@attrs.frozen
class ThinAir:
    """Executions whose values their writes do not determine (values out of thin air): each
    one stands for many states, of which ``states`` lists witnesses only (one satisfying the
    condition's proposition and one not, where they exist)."""

    executions: int
    observables: tuple[Observable, ...]  # those that take more than one value in one of them

    def __str__(self) -> str:
        names = ", ".join(str(o) for o in self.observables)
        return (f"Thin air: {self.executions} executions leave {names} undetermined by their "
                f"writes; States lists witnesses for them, not every value")


@attrs.frozen
class Result:
    """What the enumerator found for one test: distinct final states (restricted to the
    observables printed), the number of valid executions satisfying / not satisfying the
    condition's proposition, and the bounds that cut the enumeration (``cut_report``s; then the
    states and counts are those found, a part of the whole)."""

    name: str
    condition: Condition
    states: tuple[StateT, ...]
    positive: int
    negative: int
    seconds: float = 0.0
    incomplete: tuple[str, ...] = ()
    thin_air: ThinAir | None = None
    filtered: int = 0  # valid executions the test's filter discarded (counted in neither)

    @property
    def complete(self) -> bool:
        return not self.incomplete

    @property
    def vacuous(self) -> bool:
        """Complete, and no execution at all: every condition's claim holds or fails trivially."""
        return self.complete and self.positive + self.negative == 0

    @property
    def ok(self) -> bool:
        """Whether the claim holds over the executions found (all of them when complete)."""
        return holds(self.condition.quantifier, self.positive, self.negative)

    @property
    def verdict(self) -> str:
        """``Ok`` or ``No``; on an incomplete run only when an execution found decides it (a
        witness of ``exists``, a counterexample to ``~exists`` or ``forall``), else ``??``, the
        word herd's log tools read as "don't know"."""
        if self.complete:
            return "Ok" if self.ok else "No"
        decided = self.negative > 0 if self.condition.quantifier == "forall" else self.positive > 0
        return ("Ok" if self.ok else "No") if decided else "??"

    @property
    def observation(self) -> str:
        """``Never``, ``Always``, ``Sometimes``; on an incomplete run ``Sometimes`` only when
        executions both ways were found, else ``Unknown`` (herd has no such case)."""
        if not self.complete:
            return "Sometimes" if self.positive and self.negative else "Unknown"
        return observation(self.positive, self.negative)


VACUOUS = "Vacuous: no valid execution"
VACUOUS_FILTERED = "Vacuous: no valid execution passes the filter"


def herd_block(r: Result, *, time: bool = True, hex: bool = False,
               hash: str | None = None) -> str:
    """herd7's block; an incomplete run adds ``Incomplete: REPORT`` lines, a vacuous one the
    line ``VACUOUS`` (or ``VACUOUS_FILTERED``), after the ``Test`` line (herd's log tools skip
    lines there). ``hex``: state values in hex (herd's ``-hexa``); ``hash``: herd's last line
    ``Hash=HASH`` (``format.digest``)."""
    lines = [f"Test {r.name} {r.condition.verdict_word}"]
    lines += [f"Incomplete: {c}" for c in r.incomplete]
    if r.thin_air is not None:
        lines.append(str(r.thin_air))
    if r.vacuous:
        lines.append(VACUOUS_FILTERED if r.filtered else VACUOUS)
    lines.append(f"States {len(r.states)}")
    lines += [state_line(s, hex) for s in sorted(r.states, key=_state_key)]
    lines += [
        r.verdict,
        "Witnesses",
        f"Positive: {r.positive} Negative: {r.negative}",
        f"Condition {r.condition}",
        f"Observation {r.name} {r.observation} {r.positive} {r.negative}",
    ]
    if time:
        lines.append(f"Time {r.name} {r.seconds:.2f}")
    if hash is not None:
        lines.append(f"Hash={hash}")
    return "\n".join(lines) + "\n"


def result_json(r: Result, *, model: str, bounds: Bounds, file: str = "",
                hash: str | None = None, time: bool = True) -> dict[str, object]:
    """The result as one JSON object (``--json``; docs/litmus.md#--json): the block's content
    with the states as objects, each marked whether it satisfies the condition's
    proposition (a witness)."""
    states = [{"values": {str(o): v for o, v in s},
               "witness": evaluate(r.condition.prop, dict(s))}
              for s in sorted(r.states, key=_state_key)]
    out: dict[str, object] = {
        "test": r.name, "file": file, "model": model, "condition": str(r.condition),
        "claim": r.condition.verdict_word, "verdict": r.verdict, "observation": r.observation,
        "states": states, "positive": r.positive, "negative": r.negative,
        "filtered": r.filtered, "complete": r.complete, "incomplete": list(r.incomplete),
        "vacuous": r.vacuous, "bounds": attrs.asdict(bounds)}
    if hash is not None:
        out["hash"] = hash
    if time:
        out["seconds"] = round(r.seconds, 3)
    return out


def _state_key(s: StateT) -> tuple[int, ...]:
    return tuple(v for _, v in s)


# --- running a test ---------------------------------------------------------------------------


@attrs.frozen
class Run:
    result: Result
    enumeration: Enumeration
    model: str  # its name


Final = tuple[tuple[str, Bits], ...]  # a ``ThreadPath.final``
Observed = tuple[tuple[int, int, Bits], ...]  # the observer's loads as (addr, width, value)
Outcome = tuple[tuple[Final, ...], Observed]
"""What a valid execution says of its end: its paths' finals (threads in order, then the
observer function's path, if any) and what the final observer loaded."""


def outcome_of(v: ValidExecution) -> Outcome:
    return tuple(p.final for p in v.paths), v.observed


def state_of(test: LitmusTest, finals: Sequence[Final], observed: Observed,
             over: Sequence[Observable] | None = None) -> SymStateT:
    """The final value of each observable the test prints (or of ``over``), in the test's
    order (terms only for a symbolic execution)."""
    loaded = {(a, w): x for a, w, x in observed}
    state: list[tuple[Observable, Bits]] = []
    by_thread: dict[int, dict[str, Bits]] = {}
    for o in test.observables if over is None else over:
        if isinstance(o, Mem):
            state.append((o, loaded[(o.addr, o.width)]))
        else:
            final = by_thread.get(o.thread)
            if final is None:
                final = by_thread[o.thread] = dict(finals[o.thread])
            state.append((o, final.get(o.name, NO_RESULT) if o.name == "result"
                          else final[o.name]))
    return tuple(state)


NO_RESULT = -1
"""The ``N:result`` of a ``.wast`` check function that trapped: it returned nothing, and -1 equals
no asserted (unsigned) value."""


def judge(test: LitmusTest, v: ValidExecution,
          over: tuple[Sequence[Observable], Sequence[Observable]] | None = None,
          ) -> tuple[StateT, bool | None]:
    """A valid execution's printed state, and whether it satisfies the condition's proposition
    (None: the test's filter discards it); not for a symbolic execution (``_decide``).
    ``over``: the test's ``observables`` and ``watched``, when the caller has them."""
    if over is None:
        over = test.observables, test.watched if test.filter is not None else ()
    shown, watched = over
    if test.filter is None:
        st = cast(StateT, state_of(test, *outcome_of(v), over=shown))
        return st, evaluate(test.condition.prop, dict(st))
    full = dict(cast(StateT, state_of(test, *outcome_of(v), over=watched)))
    st = tuple((o, full[o]) for o in shown)
    if not evaluate(test.filter, full):
        return st, None
    return st, evaluate(test.condition.prop, full)


def observe_of(test: LitmusTest) -> tuple[tuple[int, int], ...]:
    """The (addr, width) locations the final observer loads: each memory observable once."""
    return tuple(dict.fromkeys((m.addr, m.width) for m in test.memory_observables))


def seeds_of(test: LitmusTest) -> tuple[frozenset[int], dict[tuple[Region, int], set[int]]]:
    """Values the condition names: offered to reads besides what writes produce."""
    seeds: set[int] = set()
    cells: dict[tuple[Region, int], set[int]] = {}
    named = list(atoms(test.condition.prop))
    if test.filter is not None:
        named += atoms(test.filter)
    for a in named:
        if isinstance(a.loc, Reg):
            seeds.add(a.value)
        elif isinstance(a.loc, Mem):
            for i, b in enumerate(le_bytes(a.value, a.loc.width)):
                cells.setdefault((MEM_DATA, a.loc.addr + i), set()).add(b)
    return frozenset(seeds), cells


def run_test(test: LitmusTest, model: Model | SCMachine = MODELS["wasm"],
             bounds: Bounds = DEFAULT_BOUNDS, progress: Progress | None = None) -> Run:
    """Enumerate ``test``'s valid executions under ``model`` (or on the SC machine) and
    summarise them as herd does; ``progress`` as in ``enumerate_executions``."""
    start = time.perf_counter()
    observe = observe_of(test)
    if isinstance(model, SCMachine):
        from semantics.litmus.sc import sc_executions  # start-up: only for --model sc

        en = sc_executions(test.program, observe=observe, observer=test.observer, bounds=bounds)
    else:
        seeds, cells = seeds_of(test)
        en = enumerate_exact(test.program, model, observe=observe, observer=test.observer,
                             seeds=seeds, cell_seeds=cells, bounds=bounds, progress=progress)
    states: dict[StateT, None] = {}
    pos = neg = filtered = 0
    thin: ThinAir | None = None
    if en.symbolic:
        states, pos, neg, filtered, thin = _decide(test, en.valid)
    # the test's observables once, not once per execution (they are computed properties)
    shown = test.observables
    watched = shown if test.filter is None else test.watched
    for v in () if en.symbolic else en.valid:
        st, witness = judge(test, v, (shown, watched))
        if witness is None:
            filtered += v.multiplicity
            continue
        states[st] = None
        if witness:
            pos += v.multiplicity
        else:
            neg += v.multiplicity
    seconds = time.perf_counter() - start
    result = Result(test.name, test.condition, tuple(states), pos, neg, seconds,
                    en.bound_reports, filtered=filtered, thin_air=thin)
    return Run(result, en, model.name)


def _decide(test: LitmusTest, valid: Sequence[ValidExecution],
            ) -> tuple[dict[StateT, None], int, int, int, ThinAir | None]:
    """States and counts of symbolic executions (``Enumeration.symbolic``, ``witness``)."""
    from semantics.litmus import witness

    over = test.observables if test.filter is None else test.watched
    shapes = [(v.constraints, state_of(test, *outcome_of(v), over=over)) for v in valid]
    d = witness.decide(test.condition.prop, shapes, test.observables, test.filter)
    thin = ThinAir(d.free, d.loose) if d.free else None
    return dict.fromkeys(d.states), d.positive, d.negative, d.filtered, thin


def admits(test: LitmusTest, run: Run, state: StateT) -> bool:
    """Is ``state`` (a final state of ``test``'s observables, in order) one of the run's?
    For a symbolic run, whether some execution's constraints allow it (with thin air,
    ``Result.states`` lists witnesses only)."""
    if not run.enumeration.symbolic:
        return state in run.result.states
    from semantics.litmus import values

    for v in run.enumeration.valid:
        st = state_of(test, *outcome_of(v))
        if any(isinstance(x, int) and x != c for (_, x), (_, c) in zip(st, state, strict=True)):
            continue
        if values.solver(v.constraints).model(values.one_of_states(st, [state])) is not None:
            return True
    return False
