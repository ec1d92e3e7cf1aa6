"""Exact read values: the symbolic mode of the enumerator (docs/litmus.md, "Thin air").

``engine`` offers reads the bytes writes can produce, a least fixed point. That is complete
when no value read flows back into the write it came from: then every value is built, round by
round, from the writes that do not depend on reads. A value that justifies itself through a
cycle of dependencies and reads-from ("out of thin air": load buffering with data or control
dependencies) is never offered. So, first, each thread is run with its data reads answered by
unknowns (``terms.read_byte``), which gives its paths with their decisions (``ThreadPath.pc``)
and shows which written bytes depend on which read bytes. Without a cycle in that dependency
graph of cells, the offered-values enumeration is exact and runs as before. With one, the
executions are enumerated symbolically: the axioms judge each choice of paths and of a writer
per byte read on placeholder bytes (they read values only through value-consistency), and the
arithmetic left, ``ValidExecution.constraints``, is decided by Z3 (``values``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from semantics.litmus.engine import (
    DEFAULT_BOUNDS,
    Assembly,
    Bits,
    Bounds,
    Cache,
    Cell,
    Enumeration,
    Progress,
    ThreadPath,
    ValidExecution,
    assemble,
    enumerate_executions,
    judge,
    thread_runs,
)
from semantics.litmus.independent import enumerate_independent, independent
from semantics.memory.events import DATA, Event, Execution, Fill, Kind, Payload, fill, is_memory
from semantics.memory.model import Model
from semantics.wasm.numerics import from_bytes, relop
from semantics.wasm.step import MAX_WOKEN
from semantics.wasm.syntax import Program
from semantics.wasm.terms import unknowns


def _cells_read(p: ThreadPath) -> dict[tuple[int, int], Cell]:
    """(event index, byte) of each data byte ``p`` reads -> the cell read."""
    out: dict[tuple[int, int], Cell] = {}
    for e in p.events:
        for a in e.actions:
            if a.region is not None and a.region.fld == DATA and is_memory(a):
                for k in range(len(a.read)):
                    out[(e.index, k)] = (a.region, a.offset + k)
    return out


def dependencies(per_thread: Iterable[Iterable[ThreadPath]]) -> dict[Cell, set[Cell]]:
    """Cell read -> cells written by a write whose bytes or whose path's decisions depend on
    that read (over every symbolic path)."""
    edges: dict[Cell, set[Cell]] = {}
    for paths in per_thread:
        for p in paths:
            read = _cells_read(p)
            control = {u for c in p.pc for u in unknowns(c)}
            for e in p.events:
                for a in e.actions:
                    if a.region is None or a.region.fld != DATA or not is_memory(a):
                        continue
                    w = a.write
                    for k in range(len(w)):
                        byte = w[k] if not isinstance(w, Fill) else 0
                        deps = control | set(unknowns(byte))
                        for u in deps:
                            _, i, j = u.args
                            assert isinstance(i, int) and isinstance(j, int)
                            edges.setdefault(read[(i, j)], set()).add((a.region, a.offset + k))
    return edges


def has_cycle(edges: Mapping[Cell, set[Cell]]) -> bool:
    state: dict[Cell, int] = {}  # 1 on the stack, 2 done
    for root in edges:
        if state.get(root):
            continue
        stack = [(root, iter(sorted(edges.get(root, ()))))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    return False


def _zeros(p: Payload) -> Payload:
    return fill(len(p)) if isinstance(p, Fill) else (0,) * len(p)


def _skeleton(e: Event) -> Event:
    """``e`` with every data byte 0: a placeholder that lets any writer of a cell be read."""
    acts = tuple(attrs.evolve(a, read=_zeros(a.read), write=_zeros(a.write))
                 if a.region is not None and a.region.fld == DATA and is_memory(a) else a
                 for a in e.actions)
    return attrs.evolve(e, actions=acts)


def _constraints(asm: Assembly, ex: Execution, paths: Sequence[ThreadPath],
                 observe: Sequence[tuple[int, int]],
                 ) -> tuple[list[Bits], tuple[tuple[int, int, Bits], ...]] | None:
    """The paths' decisions and, per data byte read, ``byte = its writer's byte`` (None if
    two constants differ); and the observer's values, its writers' bytes."""
    cons: list[Bits] = [c for p in paths for c in p.pc]
    loaded: dict[int, dict[int, Bits]] = {}
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[2], t[3])):
        if reg.fld != DATA:
            continue
        aw = asm.events[w].access(reg)
        assert aw is not None
        put = aw.write[k - aw.offset]
        if r >= asm.load_base:
            loaded.setdefault(r, {})[k] = put
            continue
        ar = asm.events[r].access(reg)
        assert ar is not None
        same = relop("eq", 8, ar.read[k - ar.offset], put)
        if isinstance(same, int):
            if not same:
                return None
            continue
        cons.append(same)
    observed = tuple((addr, width, from_bytes([loaded[asm.load_base + j][addr + i]
                                               for i in range(width)]))
                     for j, (addr, width) in enumerate(observe))
    return cons, observed


def enumerate_exact(program: Program, model: Model, *,
                    observe: Sequence[tuple[int, int]] = (),
                    observer: int | None = None,
                    seeds: Iterable[int] = (),
                    cell_seeds: Mapping[Cell, Iterable[int]] | None = None,
                    bounds: Bounds = DEFAULT_BOUNDS,
                    progress: Progress | None = None) -> Enumeration:
    """Every valid execution of ``program`` under ``model``, with every read value (module
    doc): ``enumerate_executions`` when no value cycles, else symbolic executions
    (``Enumeration.symbolic``, one per choice of paths and writers, listed)."""
    runs = thread_runs(program, observer=observer, bounds=bounds, progress=progress,
                       unknown=True)
    woken = _woken_cut(program, runs.per_thread)
    if not has_cycle(dependencies(runs.per_thread)):
        if independent(runs.per_thread) and not woken:
            direct = enumerate_independent(program, model, runs, observe=observe,
                                           observer=observer, bounds=bounds)
            if direct is not None:
                return direct
        en = enumerate_executions(program, model, observe=observe, observer=observer,
                                  seeds=seeds, cell_seeds=cell_seeds, bounds=bounds,
                                  progress=progress)
        # a cut of the runs with unknowns leaves their dependency graph partial: a cycle may
        # hide in what was cut
        extra = tuple(r for r in (*runs.reports, *woken) if r not in en.bound_reports)
        return attrs.evolve(en, bound_reports=en.bound_reports + extra) if extra else en
    from semantics.litmus import values  # start-up: only a test with a value cycle needs it

    n = len(program.threads)
    valid: list[ValidExecution] = []
    checked = 0
    cache: Cache = {}
    for j, combo in enumerate(runs.combos, 1):
        if progress:
            progress(f"symbolic combination {j}/{len(runs.combos)}: {checked} candidates "
                     f"checked, {len(valid)} valid")
        obs = combo[n] if observer is not None else None
        asm = assemble(program, combo[:n], observe, obs)
        skeleton = attrs.evolve(asm, events=tuple(_skeleton(e) for e in asm.events))
        found, k = judge(model, skeleton, tuple(combo), observe, cache=cache, expand=True)
        checked += k
        for v in found:
            got = _constraints(asm, v.execution, combo, observe)
            red = None if got is None else values.reduce(got[0])
            if got is None or red is None or \
                    (red.residual and values.solver(red.residual).model() is None):
                continue
            paths = tuple(attrs.evolve(p, final=tuple((k, red.apply(x)) for k, x in p.final))
                          for p in combo)
            observed = tuple((a, w, red.apply(x)) for a, w, x in got[1])
            valid.append(attrs.evolve(v, paths=paths, observed=observed,
                                      constraints=red.residual))
    return Enumeration(tuple(valid), checked, tuple(len(p) for p in runs.per_thread),
                       runs.reports + woken, symbolic=True)


def _woken_cut(program: Program, per_thread: Iterable[Iterable[ThreadPath]]) -> tuple[str, ...]:
    """The report of a notify that could wake more waiters than the reduction offers
    (``step.MAX_WOKEN``): the executions where it does are missing."""
    waiters = len(program.threads) - 1
    if waiters <= MAX_WOKEN:
        return ()
    if any(a.kind is Kind.NOTIFY and a.args[1] > MAX_WOKEN
           for paths in per_thread for p in paths for e in p.events for a in e.actions):
        return (f"notify: up to {waiters} threads may wait, but a notify wakes at most "
                f"{MAX_WOKEN} here (semantics/wasm/step.py, MAX_WOKEN)",)
    return ()

