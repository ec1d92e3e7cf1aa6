"""Programs whose reads decide nothing: every read valued by its writers, as herd does
(docs/litmus.md, "Reads that decide nothing").

The offered-values enumeration (``engine.enumerate_executions``) explores each thread once per
tuple of values its reads may return, round after round, and judges each value-consistent
combination of those runs. When a thread's run with unknown read values (the first pass of
``symbolic.enumerate_exact``) branches on no value read (``ThreadPath.pc`` empty, so it is
not an await loop either), writes no byte computed from one, and neither waits nor notifies,
its runs for the read values are that one run with the unknowns replaced: same events, same
writes, only the read bytes and the final values computed from them differ. So each
combination of those runs is assembled once, each data byte a thread reads takes the byte of
the writer chosen for it (``engine.judge(..., free=...)``), and the final values are the
run's terms with those bytes put in. This gives the same valid executions, with the same
multiplicities, as the offered values (a test keeps the two equal on the golden corpus and on
random programs), without exploring a thread once per value or judging a combination of runs
per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from semantics.litmus.engine import (
    Bounds,
    Cache,
    Enumeration,
    Runs,
    ThreadPath,
    TooManyValues,
    ValidExecution,
    allocation_event,
    assemble,
    judge,
)
from semantics.litmus.values import substitute
from semantics.memory.events import DATA, Event, is_memory, reading, writing
from semantics.memory.model import Model
from semantics.memory.suspension import suspension_action
from semantics.wasm.syntax import Program
from semantics.wasm.terms import Term


def _decides_nothing(p: ThreadPath) -> bool:
    if p.pc or p.spin is not None:
        return False
    for e in p.events:
        if suspension_action(e) is not None:
            return False
        for a in e.actions:
            if a.region is None or not is_memory(a) or not writing(a):
                continue
            if isinstance(a.write, tuple) and any(isinstance(b, Term) for b in a.write):
                return False
    return True


def independent(per_thread: Iterable[Iterable[ThreadPath]]) -> bool:
    """Do the runs with unknown read values (``thread_runs(..., unknown=True)``) show that no
    value read decides a branch, an address or a written byte, and that no thread waits or
    notifies?"""
    return all(_decides_nothing(p) for paths in per_thread for p in paths)


def _concrete(p: ThreadPath, events: Sequence[Event]) -> ThreadPath:
    """``p`` (a run with unknown read values) with the bytes its events read in ``events``
    (the same events, as assembled, with their writers' bytes) and its finals computed."""
    env: dict[Term, int] = {}
    out: list[Event] = []
    for e, got in zip(p.events, events, strict=True):
        for a, b in zip(e.actions, got.actions, strict=True):
            if a.region is not None and a.region.fld == DATA and is_memory(a) and reading(a):
                for x, y in zip(a.read, b.read, strict=True):
                    if isinstance(x, Term):
                        assert isinstance(y, int)
                        env[x] = y
        out.append(Event(e.eid, e.thread, e.index, got.actions, e.rule))
    final = tuple((k, substitute(v, env)) for k, v in p.final)
    assert all(isinstance(v, int) for _, v in final), "a final value names no unknown read"
    return ThreadPath(p.thread, tuple(out), final, p.spin, p.pc)


def enumerate_independent(program: Program, model: Model, runs: Runs, *,
                          observe: Sequence[tuple[int, int]] = (),
                          observer: int | None = None,
                          bounds: Bounds, explicit: bool = False) -> Enumeration | None:
    """Every valid execution of ``program`` under ``model``, from its runs with unknown read
    values, which must be ``independent``: as ``engine.enumerate_executions`` gives them. None
    when some thread's reads could take more than ``bounds.max_paths`` tuples of values (the
    offered values would cut that thread's runs: the caller enumerates them that way).
    ``explicit`` lists the executions one by one, as there."""
    n = len(program.threads)
    alloc = allocation_event(program)
    # A path's events in an execution are the assembly's or one of an option's (cached by
    # ``judge``): many executions share them, so each path is made concrete once per
    # tuple of event objects (the memo keeps them alive, so their ids stay theirs).
    memo: dict[tuple[int, ...], tuple[Sequence[Event], ThreadPath]] = {}

    def concrete(p: ThreadPath, events: Sequence[Event]) -> ThreadPath:
        key = (id(p), *map(id, events))
        got = memo.get(key)
        if got is None:
            got = memo[key] = (events, _concrete(p, events))
        return got[1]

    valid: list[ValidExecution] = []
    checked = 0
    cache: Cache = {}
    for combo in runs.combos:
        obs = combo[n] if observer is not None else None
        asm = assemble(program, combo[:n], observe, obs, alloc)
        try:
            found, k = judge(model, asm, tuple(combo), observe, explicit=explicit,
                             cache=cache, free=bounds.max_paths)
        except TooManyValues:
            return None
        checked += k
        for v in found:
            evs = v.execution.events
            paths = tuple(concrete(p, evs[s:s + len(p.events)])
                          for p, s in zip(combo, asm.starts, strict=True))
            valid.append(ValidExecution(v.execution, paths, v.observed, v.multiplicity))
    return Enumeration(tuple(valid), checked, tuple(len(p) for p in runs.per_thread),
                       runs.reports)
