"""The SC machine: the reference operational sequentially consistent semantics.

Threads are interleaved step by step over one memory (bytes plus the length), and every read
is answered with the latest write to each cell it reads (``step.settle``). Outcomes come in the
same form as the axiomatic enumerator's (``engine.Enumeration``), so the two can be compared:
each complete interleaving yields an execution whose ``rf`` names, per cell read, the write it
read, and whose ``tot`` is the interleaving order. Interleavings giving the same events and
``rf`` count once: Positive/Negative count these executions, not interleavings. A thread that
comes back to a state it had, having only read, while no thread wrote in between, has
stuttered: that branch is pruned, and when every other thread has ended, nothing can change
what it reads and it is blocked (docs/litmus.md, "Loops").

Exploring every interleaving is factorial in the threads (eight independent stores: 8! runs
of one execution), so the search explores one interleaving per Mazurkiewicz trace instead:
two steps of different threads are independent when neither writes a cell the other reads or
writes (their footprints: the cells their reads were answered from, the cells their actions
write); swapping adjacent independent steps changes neither the values read nor the state
reached, hence neither the events nor ``rf``. Steps are tried in a fixed order (thread, then
the thread's choice) with sleep sets (Godefroid, "Partial-Order Methods for the Verification of
Concurrent Systems", LNCS 1032, ch. 5): a step explored from a state sleeps in the subtrees of
its later siblings until a step dependent on it is taken. The interleavings completed are then
exactly the lexicographically least one of each trace (its lexicographic normal form), so

- every trace, hence every (events, rf) of the full exploration, is reached;
- the first interleaving found for each (events, rf) is the same as the full depth-first search
  finds (the least interleaving of an execution is the least of its traces' normal forms), so
  the representative executions, their ``tot`` and their order are those of the full search.

Whether a step only reading is a stutter depends on the writes before it, not only on the cells
it reads: a write of one thread empties the other threads' heads (``_Run.heads``), so a
read-only step of another thread may be a stutter before it and not after. So a step that writes
and a step of another thread that only reads are dependent too, whatever cells they touch; with
that, swapping adjacent independent steps keeps which steps are stutters and the heads reached
(neither step writes, or neither only reads: no head is added or dropped between them). A pruned
stutter of thread i is not taken, so it sleeps in no sibling's subtree; the pruning removes
exactly the interleavings having a step of thread i that repeats a state of i with no write in
between, as in the full search. The argument above then holds over the interleavings the pruning
keeps: a step asleep in a subtree was taken (not pruned) at the node it was put to sleep, and
the independent steps before it write nothing if it only reads, so its thread's heads and the
writes are unchanged there and it is still no stutter when moved to the front (nor are the steps
it passes, by the swap property): the moved interleaving is kept, and explored earlier. The
representatives are therefore the least kept interleaving of each trace, as the full depth-first
search with the same pruning finds.

Silent deterministic steps are taken eagerly: they commute with every step of other threads.

Wait queues ([T] relaxed.rst suspensionsconsistent): a location's queue is the threads
suspended in a wait on it, oldest wait first (``_waiters``; it is read off the threads' states
and the run's order, so it needs no state of its own). A notify wakes
``min(count, waiters)`` of them, the oldest, and their ``woken`` steps are taken in the same
search step, right after the notify, as [T] orders them (the youngest of them first); a
``woken`` step is never taken on its own, a timeout only by a thread that waits with a finite
timeout. Every step that changes a queue reads and writes the location's pseudo-cell
``(addr, "queue", offset)``, so such steps of one location are dependent, and a thread woken by
a notify has no other step to commute with it (its timeout changes the queue too). When no
thread can step, the threads waiting with no timeout are blocked forever (``spin`` = their
number of events, as the enumerator's ``engine.blocked_in_wait``).
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
    Fill,
    Kind,
    Ord,
    Region,
    is_memory,
    writing,
)
from semantics.memory.suspension import SUSPENSION_KINDS, location, suspension_action
from semantics.wasm import runtime
from semantics.wasm.runtime import Crash, Store, Thread
from semantics.wasm.step import Decide, Emit, Hole, Read, Transition, thread_steps
from semantics.wasm.syntax import Program

Key = tuple[int, int]  # (thread, index in thread); the allocation is (INIT_THREAD, 0)
ALLOC: Key = (INIT_THREAD, 0)
Span = tuple[int, str, int, int]  # the cells [lo, hi) of a Region(addr, fld)


@attrs.frozen(eq=False)  # compared by identity: a thread state is shared by every run that has it
class _Thread:
    no: int
    func: int
    store: Store
    state: Thread
    events: tuple[Event, ...] = ()
    steps: int = 0
    done: bool = False
    spin: int | None = None  # blocked: where its last (failed) iteration starts


Cell = tuple[int, str, int]  # (memory, field, offset): a Region's parts, cheaper to compare


@attrs.frozen(eq=False)
class _Memory:
    """Per cell, the latest write covering it and the byte it wrote. Writes of a ``Fill`` (the
    allocation, a grow: a page or more of zeros) stay in ``fills`` rather than per cell; a byte
    in ``cells`` is always later than the fills covering it."""

    cells: dict[Cell, tuple[Key, int]]  # never mutated once built
    fills: tuple[tuple[Key, Action], ...] = ()  # latest last

    def read(self, hole: Hole) -> tuple[tuple[int, ...], tuple[Key, ...]]:
        values, writers = [], []
        r = hole.region
        for k in range(hole.offset, hole.offset + hole.width):
            hit = self.cells.get((r.addr, r.fld, k))
            if hit is None:
                for key, a in reversed(self.fills):
                    if a.region == r and a.offset <= k < a.offset + len(a.write):
                        hit = (key, a.write[k - a.offset])
                        break
                else:
                    raise ValueError(f"SC machine: nothing was ever written at {r}[{k}]")
            writers.append(hit[0])
            values.append(hit[1])
        return tuple(values), tuple(writers)

    def add(self, key: Key, actions: Sequence[Action]) -> _Memory:
        cells, fills = self.cells, self.fills
        for a in _writes(actions):
            r, lo, w = a.region, a.offset, a.write
            assert r is not None
            if isinstance(w, Fill):
                cells = {c: v for c, v in cells.items()
                         if (c[0], c[1]) != (r.addr, r.fld) or not lo <= c[2] < lo + len(w)}
                fills = fills + ((key, a),)
            else:
                cells = dict(cells)
                cells.update(((r.addr, r.fld, lo + i), (key, b)) for i, b in enumerate(w))
        return self if cells is self.cells and fills is self.fills else _Memory(cells, fills)


def _writes(actions: Sequence[Action]) -> list[Action]:
    return [a for a in actions if a.region is not None and is_memory(a) and writing(a)]


QUEUE = "queue"  # the pseudo-field of a location's wait queue in a step's footprint


def _queue_span(actions: Sequence[Action]) -> tuple[Span, ...]:
    """The wait-queue pseudo-cell a step changes, if it waits, wakes, times out or notifies."""
    out = []
    for a in actions:
        if a.kind in SUSPENSION_KINDS and a.region is not None:
            out.append((a.region.addr, QUEUE, a.offset, a.offset + 1))
    return tuple(out)


def _waiting(t: _Thread) -> runtime.WaitX | None:
    node = runtime.redex(t.state.code)
    return node if isinstance(node, runtime.WaitX) and not t.done else None


def _waiters(run: _Run, region: Region, offset: int) -> list[int]:
    """The threads in the queue of ``region[offset]``, oldest wait first."""
    at = {k: i for i, k in enumerate(run.order)}
    out = []
    for i, t in enumerate(run.threads):
        w = _waiting(t)
        if w is not None and (w.region, w.offset) == (region, offset) and t.events:
            out.append((at[(t.no, t.events[-1].index)], i))
    return [i for _, i in sorted(out)]


RfKey = tuple[Key, Key, Region, int]  # (writer, reader, region, cell)


@attrs.frozen(eq=False)
class _Step:
    """Thread ``thread``'s ``choice``-th transition taken from some run: the thread after it,
    what it adds to the run, and its footprint."""

    thread: int
    choice: int
    after: _Thread
    event: Event | None
    rf: tuple[RfKey, ...]
    reads: tuple[Span, ...]
    writes: tuple[Span, ...]
    reads_only: bool  # no action but reads: it may be a stutter (module doc)


def _overlap(xs: Sequence[Span], ys: Sequence[Span]) -> bool:
    for m, f, lo, hi in xs:
        for m2, f2, lo2, hi2 in ys:
            if lo < hi2 and lo2 < hi and m == m2 and f == f2:
                return True
    return False


def independent(a: _Step, b: _Step) -> bool:
    """Steps of different threads that commute: neither writes what the other touches, and
    neither writes while the other only reads (a write decides whether a read-only step of
    another thread is a stutter; module doc)."""
    if a.thread == b.thread or (a.writes and b.reads_only) or (b.writes and a.reads_only):
        return False
    return not (_overlap(a.writes, b.writes) or _overlap(a.writes, b.reads)
                or _overlap(a.reads, b.writes))


@attrs.frozen
class _Run:
    threads: tuple[_Thread, ...]
    memory: _Memory
    rf: tuple[RfKey, ...] = ()
    order: tuple[Key, ...] = ()
    sleep: tuple[_Step, ...] = ()  # steps not to take: an equivalent run takes them earlier
    known: tuple[_Step, ...] = ()  # steps already computed from an earlier run, still valid
    # per thread, its states (store, state, events so far) since its last step that did more
    # than read or the last write of any thread, whichever is later: a return to one is a stutter
    heads: tuple[tuple[tuple[Store, Thread, int], ...], ...] = ()


def _waits_forever(t: _Thread) -> bool:
    """Suspended in a wait with no timeout: only a notify ends it."""
    w = _waiting(t)
    return w is not None and w.timeout < 0


class _Search:
    def __init__(self, program: Program, bounds: Bounds) -> None:
        self.program = program
        self.bounds = bounds
        self.cut_events = self.cut_steps = 0  # interleavings cut at each bound
        self.complete: list[_Run] = []
        # memo tables keyed by identity; each entry keeps its keys alive
        self._transitions: dict[int, tuple[_Thread, tuple[Transition, ...]]] = {}
        self._resumed: dict[tuple[int, tuple[int, ...]], tuple[Read, Transition | None]] = {}
        self._taken: dict[tuple[int, int], tuple[_Thread, Emit, _Thread, Event | None,
                                                 tuple[Span, ...]]] = {}

    def transitions(self, t: _Thread) -> tuple[Transition, ...]:
        hit = self._transitions.get(id(t))
        if hit is None:
            hit = self._transitions[id(t)] = (t, thread_steps(t.store, t.state))
        return hit[1]

    def at_bound(self, t: _Thread) -> bool:
        return t.steps >= self.bounds.max_steps or len(t.events) >= self.bounds.max_events

    def finished(self, t: _Thread) -> bool:
        return t.done or self.at_bound(t)

    def settle_thread(self, t: _Thread) -> _Thread:
        """Take silent deterministic steps eagerly: they commute with every other step."""
        while not t.done:
            ts = self.transitions(t)
            if not ts:
                return attrs.evolve(t, done=True)
            if len(ts) != 1 or not isinstance(ts[0], Emit) or ts[0].actions:
                return t
            if t.steps >= self.bounds.max_steps:
                return t
            st, th = after_step(ts[0])
            t = attrs.evolve(t, store=st, state=th, steps=t.steps + 1)
        return t

    def step(self, run: _Run, i: int, choice: int, tr: Transition) -> _Step | None:
        """Thread ``i`` takes ``tr`` in ``run``. The reduction is memoised on the thread state
        and the values read: runs share thread states, and a thread's step depends on nothing
        else."""
        t = run.threads[i]
        reads: list[tuple[Hole, tuple[Key, ...]]] = []
        cur: Transition | None = tr
        while isinstance(cur, Read):
            values, writers = run.memory.read(cur.hole)
            reads.append((cur.hole, writers))
            hit = self._resumed.get((id(cur), values))
            if hit is None:
                hit = self._resumed[(id(cur), values)] = (cur, cur.resume(values))
            cur = hit[1]
        if isinstance(cur, Decide):
            raise Crash(f"{cur.rule}: the SC machine reads bytes, never unknowns")
        if cur is None or not self.queue_allows(run, cur):
            return None
        done = self._taken.get((id(t), id(cur)))
        if done is None:
            done = self._taken[(id(t), id(cur))] = (t, cur, *self.emitted(t, cur))
        _, _, after, event, writes = done
        rf: tuple[RfKey, ...] = ()
        if event is not None:
            key = (t.no, event.index)
            rf = tuple((w, key, h.region, h.offset + j)
                       for h, ws in reads for j, w in enumerate(ws))
        spans = tuple((h.region.addr, h.region.fld, h.offset, h.offset + h.width)
                      for h, _ in reads) + _queue_span(cur.actions)
        reads_only = event is None or all(a.kind is Kind.RD for a in event.actions)
        return _Step(i, choice, after, event, rf, spans, writes, reads_only)

    @staticmethod
    def queue_allows(run: _Run, e: Emit) -> bool:
        """A woken step only comes with its notify (``take``); a notify reports the number of
        waiters it wakes, ``min(count, waiters)``."""
        for a in e.actions:
            if a.kind is Kind.WOKEN:
                return False
            if a.kind is Kind.NOTIFY and a.region is not None:
                return a.args[0] == min(a.args[1], len(_waiters(run, a.region, a.offset)))
        return True

    def wake(self, threads: tuple[_Thread, ...], run: _Run, notify: Event
             ) -> tuple[tuple[_Thread, ...], tuple[Key, ...]]:
        """The woken steps of the waiters ``notify`` wakes, taken at once (module doc)."""
        a = suspension_action(notify)
        if a is None or a.kind is not Kind.NOTIFY or not a.args[0]:
            return threads, ()
        woken = _waiters(run, *location(a))[:a.args[0]]
        keys: list[Key] = []
        for u in reversed(woken):
            t = threads[u]
            emit = next(tr for tr in self.transitions(t)
                        if isinstance(tr, Emit) and any(b.kind is Kind.WOKEN for b in tr.actions))
            after, event, _ = self.emitted(t, emit)
            assert event is not None
            threads = threads[:u] + (after,) + threads[u + 1:]
            keys.append((t.no, event.index))
        return threads, tuple(keys)

    def emitted(self, t: _Thread, e: Emit) -> tuple[_Thread, Event | None, tuple[Span, ...]]:
        """The thread after ``e``, the event ``e`` adds (if any) and the cells it writes."""
        st, th = after_step(e)
        events, event = t.events, None
        if e.actions:
            event = Event(len(events), t.no, len(events), e.actions, e.rule)
            events = events + (event,)
        after = self.settle_thread(attrs.evolve(t, store=st, state=th, events=events,
                                                steps=t.steps + 1))
        writes = tuple((a.region.addr, a.region.fld, a.offset, a.offset + len(a.write))
                       for a in _writes(e.actions) if a.region is not None)
        return after, event, writes + _queue_span(e.actions)

    def children(self, run: _Run, live: Sequence[int], n_threads: int) -> list[_Run]:
        """The runs one step longer that the reduced search explores, in search order."""
        asleep = {(z.thread, z.choice) for z in run.sleep}
        known = {(k.thread, k.choice): k for k in run.known}
        steps: list[_Step] = []
        for i in live:
            for choice, tr in enumerate(self.transitions(run.threads[i])):
                if (i, choice) in asleep:
                    continue
                s = known.get((i, choice)) or self.step(run, i, choice, tr)
                if s is not None:
                    s = self.unstuttered(run, s, max(n_threads, i + 1))
                if s is not None:
                    steps.append(s)
        out = []
        for n, s in enumerate(steps):
            sleep = tuple(z for z in (*run.sleep, *steps[:n]) if independent(z, s))
            # a step of another thread reading nothing ``s`` writes is the same after ``s``
            still = tuple(k for k in steps if k.thread != s.thread and not _overlap(s.writes,
                                                                                   k.reads))
            out.append(self.take(run, s, sleep, still))
        return out

    def unstuttered(self, run: _Run, s: _Step, n_live: int) -> _Step | None:
        """``s``, unless it is a stutter: then nothing while another of the first ``n_live``
        threads has not ended (pruned), else ``s`` leaving its thread blocked."""
        if not s.reads_only:
            return s
        i, after = s.thread, s.after
        seen = next((k for st, th, k in self.heads(run, i)
                     if st == after.store and th == after.state), None)
        if seen is None:
            return s
        if any(not u.done and not _waits_forever(u) for j, u in enumerate(run.threads[:n_live])
               if j != i):
            return None
        return attrs.evolve(s, after=attrs.evolve(after, done=True, spin=seen))

    @staticmethod
    def heads(run: _Run, i: int) -> tuple[tuple[Store, Thread, int], ...]:
        """Thread ``i``'s heads (``_Run.heads``) including its current state."""
        t = run.threads[i]
        return run.heads[i] + ((t.store, t.state, len(t.events)),)

    def take(self, run: _Run, s: _Step, sleep: tuple[_Step, ...],
             known: tuple[_Step, ...]) -> _Run:
        threads = run.threads[:s.thread] + (s.after,) + run.threads[s.thread + 1:]
        if s.writes:
            heads: tuple[tuple[tuple[Store, Thread, int], ...], ...] = ((),) * len(threads)
        else:
            mine = self.heads(run, s.thread) if s.reads_only else ()
            heads = run.heads[:s.thread] + (mine,) + run.heads[s.thread + 1:]
        if s.event is None:
            return _Run(threads, run.memory, run.rf, run.order, sleep, known, heads)
        key = (s.thread, s.event.index)
        threads, woken = self.wake(threads, run, s.event)
        return _Run(threads, run.memory.add(key, s.event.actions), run.rf + s.rf,
                    run.order + (key,) + woken, sleep, known, heads)

    def run(self, start: _Run, n_threads: int) -> None:
        """The reduced interleavings of the first ``n_threads`` threads, then the observer
        alone. A thread stopped by a bound counts as finished; a run with one is cut."""
        stack = [start]
        while stack:
            run = stack.pop()
            live = [i for i in range(n_threads) if not self.finished(run.threads[i])]
            if (not live and n_threads < len(run.threads)
                    and all(t.done for t in run.threads[:n_threads])
                    and not self.finished(run.threads[-1])):
                live = [len(run.threads) - 1]
            if not live:
                if all(t.done for t in run.threads):
                    self.complete.append(run)
                else:
                    stopped = [t for t in run.threads if not t.done]
                    self.cut_steps += any(t.steps >= self.bounds.max_steps for t in stopped)
                    self.cut_events += any(len(t.events) >= self.bounds.max_events
                                           for t in stopped)
                continue
            kids = self.children(run, live, n_threads)
            if not kids and all(_waits_forever(run.threads[i]) for i in live):
                kids = [attrs.evolve(run, threads=tuple(
                    attrs.evolve(t, done=True, spin=len(t.events)) if _waits_forever(t) else t
                    for t in run.threads))]
            stack.extend(reversed(kids))


def sc_executions(program: Program, *, observe: Sequence[tuple[int, int]] = (),
                  observer: int | None = None, bounds: Bounds = DEFAULT_BOUNDS) -> Enumeration:
    """Every execution of the SC machine, in the enumerator's form (see module doc);
    ``candidates`` is the number of interleavings completed (one per trace)."""
    store = runtime.instantiate(program).store
    alloc = allocation_event(program)
    funcs = list(program.threads) + ([observer] if observer is not None else [])
    search = _Search(program, bounds)
    threads = tuple(search.settle_thread(_Thread(i, fi, store, runtime.thread_start(program, fi)))
                    for i, fi in enumerate(funcs))
    start = _Run(threads, _Memory({}).add(ALLOC, alloc.actions), heads=((),) * len(threads))
    search.run(start, len(program.threads))
    seen: dict[object, ValidExecution] = {}
    for run in search.complete:
        # (events, rf) before renumbering, which is one-to-one given the events per thread
        finals = tuple(run.memory.read(Hole(MEM_DATA, a, w, Ord.SEQCST))[1] for a, w in observe)
        key = (tuple(t.events for t in run.threads), frozenset(run.rf), finals)
        if key not in seen:
            seen[key] = _execution(program, alloc, run, observe, observer is not None)
    reports = tuple(
        cut_report(bound, f"{n} interleavings (one per trace) cut at {limit} {what} in a thread")
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
        paths.append(ThreadPath(t.no, t.events,
                                thread_final(program, t.func, t.state, t.spin is not None),
                                t.spin))
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
    ex = Execution(tuple(events), frozenset(rf), spawn, tuple([0] + order),
                   _suspensions(events, order))
    return ValidExecution(ex, tuple(paths), tuple(observed))


def _suspensions(events: Sequence[Event], order: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """Each location's wait/notify events in the run's order: the execution's witness."""
    chains: dict[tuple[Region, int], list[int]] = {}
    for e in order:
        a = suspension_action(events[e])
        if a is not None and a.region is not None:
            chains.setdefault(location(a), []).append(e)
    return tuple(tuple(c) for _, c in sorted(chains.items()))
