"""The SC machine: the reference operational sequentially consistent semantics.

Threads are interleaved step by step over one memory (bytes plus the length), and every read
is answered with the latest write to each cell it reads (``step.settle``). Outcomes come in the
same form as the axiomatic enumerator's (``executions.Enumeration``), so the two can be compared:
each complete interleaving yields an execution whose ``rf`` names, per cell read, the write it
read, and whose ``tot`` is the interleaving order. Interleavings giving the same events and
``rf`` count once.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from semantics.litmus.engine import (
    DEFAULT_BOUNDS,
    Bounds,
    Enumeration,
    ThreadPath,
    ValidExecution,
    after_step,
    allocation_event,
    cut_report,
    thread_final,
)
from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    Region,
    is_memory,
    writing,
)
from semantics.wasm import runtime
from semantics.wasm.runtime import Store, Thread
from semantics.wasm.step import Emit, Hole, settle, thread_steps
from semantics.wasm.syntax import Program

Key = tuple[int, int]  # (thread, index in thread); the allocation is (INIT_THREAD, 0)
ALLOC: Key = (INIT_THREAD, 0)


@attrs.frozen
class _Thread:
    no: int
    func: int
    store: Store
    state: Thread
    events: tuple[Event, ...] = ()
    steps: int = 0
    done: bool = False


@attrs.frozen
class _Memory:
    """The writes so far, latest last; a cell's value is the latest write covering it."""

    writes: tuple[tuple[Key, Action], ...]

    def read(self, hole: Hole) -> tuple[tuple[int, ...], tuple[Key, ...]]:
        values, writers = [], []
        for k in range(hole.offset, hole.offset + hole.width):
            for key, a in reversed(self.writes):
                if a.region == hole.region and a.offset <= k < a.offset + len(a.write):
                    values.append(a.write[k - a.offset])
                    writers.append(key)
                    break
            else:
                raise ValueError(f"SC machine: nothing was ever written at {hole.region}[{k}]")
        return tuple(values), tuple(writers)

    def add(self, key: Key, actions: Sequence[Action]) -> _Memory:
        new = tuple((key, a) for a in actions if a.region is not None and is_memory(a)
                    and writing(a))
        return _Memory(self.writes + new) if new else self


RfKey = tuple[Key, Key, Region, int]  # (writer, reader, region, cell)


@attrs.frozen
class _Run:
    threads: tuple[_Thread, ...]
    memory: _Memory
    rf: tuple[RfKey, ...] = ()
    order: tuple[Key, ...] = ()


class _Search:
    def __init__(self, program: Program, bounds: Bounds) -> None:
        self.program = program
        self.bounds = bounds
        self.cut_events = self.cut_steps = 0  # interleavings cut at each bound
        self.complete: list[_Run] = []

    def settle_thread(self, t: _Thread) -> _Thread:
        """Take silent deterministic steps eagerly: they commute with every other step."""
        while not t.done:
            ts = thread_steps(t.store, t.state)
            if not ts:
                return attrs.evolve(t, done=True)
            if len(ts) != 1 or not isinstance(ts[0], Emit) or ts[0].actions:
                return t
            if t.steps >= self.bounds.max_steps:
                return t
            st, th = after_step(ts[0])
            t = attrs.evolve(t, store=st, state=th, steps=t.steps + 1)
        return t

    def successors(self, run: _Run, i: int) -> list[_Run]:
        t = run.threads[i]
        if t.steps >= self.bounds.max_steps:
            self.cut_steps += 1
            return []
        if len(t.events) >= self.bounds.max_events:
            self.cut_events += 1
            return []
        out = []
        for tr in thread_steps(t.store, t.state):
            reads: list[tuple[Hole, tuple[Key, ...]]] = []

            def answer(hole: Hole, reads: list[tuple[Hole, tuple[Key, ...]]] = reads
                       ) -> tuple[int, ...]:
                values, writers = run.memory.read(hole)
                reads.append((hole, writers))
                return values

            e = settle(tr, answer)
            if e is None:
                continue
            st, th = after_step(e)
            events, memory, rf, order = t.events, run.memory, run.rf, run.order
            if e.actions:
                key = (t.no, len(events))
                events = events + (Event(len(events), t.no, len(events), e.actions, e.rule),)
                memory = memory.add(key, e.actions)
                rf = rf + tuple((w, key, h.region, h.offset + j)
                                for h, ws in reads for j, w in enumerate(ws))
                order = order + (key,)
            nt = self.settle_thread(attrs.evolve(t, store=st, state=th, events=events,
                                                 steps=t.steps + 1))
            threads = run.threads[:i] + (nt,) + run.threads[i + 1:]
            out.append(_Run(threads, memory, rf, order))
        return out

    def run(self, start: _Run, n_threads: int) -> None:
        """All interleavings of the first ``n_threads`` threads, then the observer alone."""
        stack = [start]
        while stack:
            run = stack.pop()
            live = [i for i in range(n_threads) if not run.threads[i].done]
            if not live and n_threads < len(run.threads) and not run.threads[-1].done:
                live = [len(run.threads) - 1]
            if not live:
                self.complete.append(run)
                continue
            for i in reversed(live):
                stack.extend(reversed(self.successors(run, i)))


def sc_executions(program: Program, *, observe: Sequence[tuple[int, int]] = (),
                  observer: int | None = None, bounds: Bounds = DEFAULT_BOUNDS) -> Enumeration:
    """Every execution of the SC machine, in the enumerator's form (see module doc)."""
    store = runtime.instantiate(program).store
    alloc = allocation_event(program)
    funcs = list(program.threads) + ([observer] if observer is not None else [])
    search = _Search(program, bounds)
    threads = tuple(search.settle_thread(_Thread(i, fi, store, runtime.thread_start(program, fi)))
                    for i, fi in enumerate(funcs))
    search.run(_Run(threads, _Memory(()).add(ALLOC, alloc.actions)), len(program.threads))
    seen: dict[tuple[tuple[Event, ...], frozenset[tuple[int, int, Region, int]]],
               ValidExecution] = {}
    for run in search.complete:
        ve = _execution(program, alloc, run, observe, observer is not None)
        seen.setdefault((ve.execution.events, ve.execution.rf), ve)
    reports = tuple(
        cut_report(bound, f"{n} interleavings cut at {limit} {what} in a thread")
        for bound, n, limit, what in (("max_events", search.cut_events, bounds.max_events,
                                       "events"),
                                      ("max_steps", search.cut_steps, bounds.max_steps, "steps"))
        if n)
    paths = tuple(len({r.threads[i].events for r in search.complete}) for i in range(len(funcs)))
    return Enumeration(tuple(seen.values()), len(search.complete), paths, reports)


def _execution(program: Program, alloc: Event, run: _Run, observe: Sequence[tuple[int, int]],
               has_observer: bool) -> ValidExecution:
    eid: dict[Key, int] = {ALLOC: 0}
    events: list[Event] = [alloc]
    paths: list[ThreadPath] = []
    last: list[int] = []
    n = len(program.threads)
    for t in run.threads:
        for e in t.events:
            eid[(t.no, e.index)] = len(events)
            events.append(attrs.evolve(e, eid=len(events)))
        if t.events and t.no < n:
            last.append(len(events) - 1)
        paths.append(ThreadPath(t.no, t.events, thread_final(program, t.func, t.state)))
    first_obs = len(events)
    rf = {(eid[w], eid[r], reg, k) for w, r, reg, k in run.rf}
    order = [eid[k] for k in run.order]
    memory = run.memory
    observed = []
    obs_index = len(run.threads[-1].events) if has_observer else 0
    for j, (addr, width) in enumerate(observe):
        values, writers = memory.read(Hole(MEM_DATA, addr, width, Ord.SEQCST))
        me = len(events)
        act = Action(Kind.RD, MEM_DATA, addr, Ord.SEQCST, read=values)
        events.append(Event(me, n, obs_index + j, (act,), "observe"))
        rf |= {(eid[w], me, MEM_DATA, addr + i) for i, w in enumerate(writers)}
        order.append(me)
        observed.append((addr, width, int.from_bytes(bytes(values), "little")))
    spawn = frozenset((a, first_obs) for a in last) if len(events) > first_obs else frozenset()
    ex = Execution(tuple(events), frozenset(rf), spawn, tuple([0] + order))
    return ValidExecution(ex, tuple(paths), tuple(observed))
