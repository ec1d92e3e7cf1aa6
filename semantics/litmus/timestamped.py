"""The time-stamped machine: [T]'s pre-executions, reduced step by step and judged whole.

[T] relaxed.rst *Traces*: a pre-execution of a configuration is the trace of events its global
reduction emits, each event stamped, the stamps "totally ordered according to the reduction
order"; a behaviour is allowed iff it is that of a consistent pre-execution. So tot is not
searched for: it is the order of the steps (erratum E2: earliest first), and the allocation,
the host's step before every thread's (a spawn edge, as in the enumerator's ``assemble``), is
stamp 0. The local reduction (``semantics.wasm.step``) does not know what a read returns: a
step that reads is a ``Read``, and the machine chooses the bytes it returns, which then flow on
through the reduction (a store of a loaded register writes what the load returned, a branch on
it goes one way). Threads are interleaved in every order up to the swapping of adjacent
independent steps (sleep sets, ``_Search.unslept``); silent deterministic steps, which emit no
event and take no stamp, are taken at once. The final observer's SeqCst loads come
after every thread's last event.

**Reading from later writes.** The axioms let a plain read take a byte from a tot-later write
(load buffering needs it; [P] §5: no coherence for unordered accesses), and with tot the step
order that write is reduced after the read. So a read may return, per byte, a byte a write
already reduced put there *or* a byte from a bounded domain (``Domain``) that a later write
may put there: per cell the bytes written there by the value-consistent complete traces of
the previous round (every byte read has a writer of that byte in the trace: the criterion of
the enumerator's offered values, transposed to traces, which keeps an rmw.add chain bounded),
iterated to a fixed point (``timestamped_executions``), and the ``seeds`` as whole values (the
only source of self-justifying, thin-air values: no machine guesses from all the integers).
The domain is the machine's own: it does not read the litmus enumerator's offered values. A
byte that no write of the complete trace wrote leaves the trace with no writer: dropped.

**Judging.** A complete trace is consistent iff some choice of writers, per byte read, among
the trace's writes of that byte (before or after the read), passes ``check`` with tot = the
stamp order under the whole model (``reads_from``). Writers are chosen read by read; each
partial choice is checked against ``prefix_model``: the model minus the axioms a partial rf
may violate although a complete one does not (value-consistent: bytes without a writer yet;
suspensions-consistent: the machine refuses wait/notify; es2017's memory-order clause, whose
Init-synchronises premise asks that *every* writer of the read be Init). Every other axiom only
gains violations as rf grows (rf adds sync edges to hb and pairs to the premises of
hb-consistent, no-tear and sc-last-visible, never removes any), so a partial choice that fails
is pruned with every completion. Traces are judged only for an outcome not yet reached: the
machine computes outcomes, one witness trace each.

Choosing the writers during the reduction instead (and checking each prefix) is equivalent but
multiplies the prefixes by every writer of every byte (16 per 4-byte read with two writers per
byte): store buffering with its observer did not finish in ten minutes; judged whole, it takes
seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

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
from semantics.memory.check import check
from semantics.memory.events import (
    DATA,
    MEM_DATA,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    Region,
    Rf,
    is_memory,
    reading,
    writing,
)
from semantics.memory.model import Model
from semantics.memory.suspension import SUSPENSION_KINDS
from semantics.memory.verdict import Ok
from semantics.wasm import runtime
from semantics.wasm.runtime import Crash, Store, Thread
from semantics.wasm.step import Decide, Emit, Hole, Read, Transition, thread_steps
from semantics.wasm.syntax import Program

Cell = tuple[Region, int]
ReadByte = tuple[int, Region, int, int]  # (reading event, region, cell, byte read)

# the axioms a partial rf may violate although a complete one does not (module doc)
NOT_PREFIX_CLOSED = ("value-consistent", "suspensions-consistent", "es2017-memory-order")


def prefix_model(model: Model) -> Model:
    """``model`` without the axioms that are not monotone in rf: what each partial choice of
    writers is checked against."""
    names = [n for n in NOT_PREFIX_CLOSED if n in model.axiom_names]
    return model.without(*names, name=f"{model.name}-prefix") if names else model


@attrs.frozen
class Domain:
    """The bytes a read may take from a write not yet reduced: per cell the bytes written there
    (in an earlier round), the zero ranges of fills (a grow's new page), and whole values
    (``seeds``) for data reads."""

    cells: Mapping[Cell, frozenset[int]] = attrs.field(factory=dict)
    zeros: frozenset[tuple[Region, int, int]] = frozenset()
    seeds: frozenset[int] = frozenset()

    def at(self, c: Cell) -> frozenset[int]:
        got = self.cells.get(c, frozenset())
        if any(r == c[0] and lo <= c[1] < hi for r, lo, hi in self.zeros):
            got |= {0}
        return got

    def join(self, other: Domain) -> Domain:
        return Domain({c: self.cells.get(c, frozenset()) | other.cells.get(c, frozenset())
                       for c in {*self.cells, *other.cells}},
                      self.zeros | other.zeros, self.seeds | other.seeds)


@attrs.frozen(eq=False)
class _Thread:
    no: int
    func: int
    store: Store
    state: Thread
    events: int = 0  # events emitted so far
    last: int | None = None  # eid of its last event
    steps: int = 0
    done: bool = False


@attrs.frozen(eq=False)
class _Node:
    threads: tuple[_Thread, ...]
    events: tuple[Event, ...]  # eid = position = time stamp order
    spawn: frozenset[tuple[int, int]]
    observed: int = 0  # observer loads taken
    sleep: tuple[_Step, ...] = ()  # steps not to take here: an interleaving taking them earlier


Span = tuple[Region, int, int]  # cells [lo, hi) of a region


@attrs.frozen
class _Step:
    """A thread's step as the sleep sets compare it: thread, transition, the actions (values
    read included), and the cells it reads and writes."""

    key: tuple[object, ...]
    thread: int
    reads: tuple[Span, ...]
    writes: tuple[Span, ...]


def _step(i: int, n: int, actions: tuple[Action, ...]) -> _Step:
    reads, writes = [], []
    for a in actions:
        if a.region is None or not is_memory(a):
            continue
        span = (a.region, a.offset, a.offset + max(len(a.read), len(a.write)))
        if reading(a):
            reads.append(span)
        if writing(a):
            writes.append(span)
    return _Step((i, n, actions), i, tuple(reads), tuple(writes))


def _meet(xs: Sequence[Span], ys: Sequence[Span]) -> bool:
    return any(r == r2 and lo < hi2 and lo2 < hi for r, lo, hi in xs for r2, lo2, hi2 in ys)


def independent(a: _Step, b: _Step) -> bool:
    """Steps of different threads neither of which writes a cell the other touches."""
    return a.thread != b.thread and not (_meet(a.writes, b.writes) or _meet(a.writes, b.reads)
                                         or _meet(a.reads, b.writes))


@attrs.frozen
class Explored:
    """One exploration: the consistent traces found (one per outcome), the writes seen (the
    next round's domain), and counts."""

    valid: tuple[ValidExecution, ...]
    written: Domain
    nodes: int  # trace prefixes reduced
    traces: int  # complete traces
    judged: int  # complete traces whose writers were searched (a new outcome)
    checks: int  # calls of ``check``
    cut_steps: int
    cut_checks: bool


def writers(events: Sequence[Event], c: Cell) -> list[tuple[int, int]]:
    """(writer, byte) of every event of ``events`` that writes cell ``c``."""
    reg, k = c
    out = []
    for e in events:
        a = e.access(reg)
        if (a is not None and is_memory(a) and writing(a)
                and a.offset <= k < a.offset + len(a.write)):
            out.append((e.eid, a.write[k - a.offset]))
    return out


def _le(v: int, n: int) -> tuple[int, ...]:
    return tuple((v % (1 << (8 * n))).to_bytes(n, "little"))


def payloads(events: Sequence[Event], hole: Hole, domain: Domain | None) -> list[tuple[int, ...]]:
    """The values a read of ``hole`` may return: per byte, one that a write already reduced put
    there or (``domain`` given: a later write may still come) one of the domain's; and each of
    the domain's seeds as a whole value."""
    per = []
    for j in range(hole.width):
        c = (hole.region, hole.offset + j)
        got = {b for _, b in writers(events, c)}
        if domain is not None:
            got |= domain.at(c)
        per.append(sorted(got))
    out = set(itertools.product(*per))
    if domain is not None and hole.region.fld == DATA:
        out |= {_le(v, hole.width) for v in domain.seeds}
    return sorted(out)


def _resolve(tr: Transition, events: Sequence[Event], domain: Domain | None,
             ) -> Iterator[Emit]:
    """The completed steps of ``tr``, one per choice of the values its reads return."""
    if isinstance(tr, Emit):
        yield tr
        return
    if isinstance(tr, Decide):
        raise Crash(f"{tr.rule}: the time-stamped machine reads bytes, never unknowns")
    assert isinstance(tr, Read)
    for p in payloads(events, tr.hole, domain):
        nxt = tr.resume(p)
        if nxt is not None:
            yield from _resolve(nxt, events, domain)


def read_bytes(events: Sequence[Event]) -> list[list[ReadByte]]:
    """Per reading event (in stamp order), the bytes it read."""
    out = []
    for e in events:
        got = [(e.eid, a.region, a.offset + j, b) for a in e.actions
               if a.region is not None and is_memory(a) and reading(a)
               for j, b in enumerate(a.read)]
        if got:
            out.append(got)
    return out


class _OutOfChecks(Exception):
    pass


class _Search:
    def __init__(self, program: Program, model: Model, observe: Sequence[tuple[int, int]],
                 domain: Domain, bounds: Bounds, max_checks: int) -> None:
        self.program = program
        self.nt = len(program.threads)
        self.model = model
        self.prefix = prefix_model(model)
        self.observe = tuple(observe)
        self.domain = domain
        self.bounds = bounds
        self.max_checks = max_checks
        self.nodes = self.traces = self.judged = self.checks = self.cut_steps = 0
        self.cut_checks = False
        self.found: dict[object, ValidExecution] = {}
        self.written: dict[Cell, set[int]] = {}
        self.zeros: set[tuple[Region, int, int]] = set()

    # --- reduction ---

    def settle(self, t: _Thread) -> _Thread:
        """Silent deterministic steps are taken at once: they emit nothing, so no stamp."""
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

    def children(self, node: _Node, i: int) -> Iterator[tuple[_Step, _Node]]:
        """Thread ``i``'s steps, each with what identifies it across interleavings."""
        t = node.threads[i]
        for n, tr in enumerate(thread_steps(t.store, t.state)):
            for e in _resolve(tr, node.events, self.domain):
                if e.spawned:
                    raise Crash(f"{e.rule}: the time-stamped machine does not spawn threads")
                if any(a.kind in SUSPENSION_KINDS for a in e.actions):
                    raise Crash(f"{e.rule}: the time-stamped machine has no wait queues")
                st, th = after_step(e)
                after = attrs.evolve(t, store=st, state=th, steps=t.steps + 1)
                step = _step(i, n, e.actions)
                if not e.actions:
                    yield step, self.placed(node, i, self.settle(after))
                else:
                    yield step, self.stamped(node, i, after, e.actions, e.rule)

    @staticmethod
    def placed(node: _Node, i: int, t: _Thread) -> _Node:
        return attrs.evolve(node, threads=node.threads[:i] + (t,) + node.threads[i + 1:])

    def stamped(self, node: _Node, i: int, t: _Thread, actions: tuple[Action, ...],
                rule: str) -> _Node:
        """The step emitting ``actions`` takes the next stamp."""
        eid = len(node.events)
        event = Event(eid, t.no, t.events, actions, rule)
        spawn = set(node.spawn)
        if t.no < self.nt:
            if t.events == 0:
                spawn.add((0, eid))  # the allocating host's step precedes the thread
        elif node.observed == 0:
            spawn |= {(u.last, eid) for u in node.threads if u.last is not None}
        after = attrs.evolve(t, events=t.events + 1, last=eid)
        if t.no < self.nt:
            after = self.settle(after)
        node = self.placed(node, i, after)
        return attrs.evolve(node, events=node.events + (event,), spawn=frozenset(spawn),
                            observed=node.observed + (t.no == self.nt))

    def note_writes(self, e: Event) -> None:
        for a in e.actions:
            if a.region is None or not is_memory(a) or not writing(a):
                continue
            if isinstance(a.write, tuple):
                for j, b in enumerate(a.write):
                    self.written.setdefault((a.region, a.offset + j), set()).add(b)
            else:
                self.zeros.add((a.region, a.offset, a.offset + len(a.write)))
                for j, b in a.write.patches:
                    self.written.setdefault((a.region, a.offset + j), set()).add(b)

    def observer_children(self, node: _Node) -> Iterator[_Node]:
        """The final observer's next SeqCst load, after every thread: it reads what the trace
        wrote (no write comes after it)."""
        addr, width = self.observe[node.observed]
        obs = len(node.threads) - 1
        for p in payloads(node.events, Hole(MEM_DATA, addr, width, Ord.SEQCST), None):
            act = Action(Kind.RD, MEM_DATA, addr, Ord.SEQCST, read=p)
            kid = self.stamped(node, obs, node.threads[obs], (act,), "observe")
            if self.picks(kid.events, kid.events[-1], kid.spawn):
                yield kid

    def picks(self, events: tuple[Event, ...], e: Event,
              spawn: frozenset[tuple[int, int]]) -> list[frozenset[Rf]]:
        """The writers ``e``'s bytes may read in ``events``, one choice per element, each
        passing ``prefix_model`` alone (every byte is first checked alone too). Exact pruning:
        a choice that fails alone fails with any other reads' writers and in any longer trace
        (the model's other axioms are prefix-closed: module doc)."""
        tot = tuple(range(len(events)))
        per = [[(w, r, reg, k) for w, b2 in writers(events, (reg, k)) if w != r and b2 == b]
               for rd in read_bytes((e,)) for r, reg, k, b in rd]
        per = [[x for x in xs if len(xs) == 1 or self.partial_ok(events, frozenset([x]), spawn,
                                                                 tot)]
               for xs in per]
        out = [frozenset(p) for p in itertools.product(*per)]
        return [p for p in out if self.partial_ok(events, p, spawn, tot)]

    # --- judging ---

    def complete(self, node: _Node) -> None:
        """A complete trace: if its outcome is new, search writers for its reads."""
        self.traces += 1
        if all(any(w != r and b2 == b for w, b2 in writers(node.events, (reg, k)))
               for rd in read_bytes(node.events) for r, reg, k, b in rd):
            for e in node.events:  # value-consistent: its writes feed the next round's domain
                self.note_writes(e)
        paths = tuple(ThreadPath(t.no, tuple(e for e in node.events if e.thread == t.no),
                                 thread_final(self.program, t.func, t.state))
                      for t in node.threads[:self.nt])
        obs_events = [e for e in node.events if e.thread == self.nt]
        observed = tuple((a, w, int.from_bytes(bytes(e.actions[0].read), "little"))
                         for (a, w), e in zip(self.observe, obs_events, strict=True))
        key = (tuple(p.final for p in paths), observed)
        if key in self.found:
            return
        self.judged += 1
        ex = self.reads_from(node)
        if ex is not None:
            self.found[key] = ValidExecution(ex, paths, observed)

    def reads_from(self, node: _Node) -> Execution | None:
        """A choice of writers, per byte read, making the trace consistent with tot = the
        stamp order, or None. A partial choice is checked against ``prefix_model``, whose
        axioms only gain violations as rf grows (rf adds hb edges and premises, never removes
        them): so each read's choices are first checked alone, and the reads are then given
        writers, fewest choices first, each partial choice dropped at its first violation."""
        events = node.events
        tot = tuple(range(len(events)))
        groups: list[list[frozenset[Rf]]] = []
        for e in events:
            if read_bytes((e,)):
                picks = self.picks(events, e, node.spawn)
                if not picks:
                    return None
                groups.append(picks)
        groups.sort(key=len)

        def go(i: int, rf: frozenset[Rf]) -> Execution | None:
            if i == len(groups):
                ex = Execution(events, rf, node.spawn, tot)
                return ex if self.ok(ex, self.model, tot) else None
            for pick in groups[i]:
                rf2 = rf | pick
                if i == 0 or self.partial_ok(events, rf2, node.spawn, tot):
                    found = go(i + 1, rf2)
                    if found is not None:
                        return found
            return None

        return go(0, frozenset())

    def partial_ok(self, events: tuple[Event, ...], rf: frozenset[Rf],
                   spawn: frozenset[tuple[int, int]], tot: tuple[int, ...]) -> bool:
        return self.ok(Execution(events, rf, spawn), self.prefix, tot)

    def ok(self, ex: Execution, model: Model, tot: tuple[int, ...]) -> bool:
        self.checks += 1
        if self.checks > self.max_checks:
            raise _OutOfChecks
        return isinstance(check(ex, model, tot), Ok)

    def run(self, start: _Node) -> None:
        stack = [start]
        try:
            self.search(stack)
        except _OutOfChecks:
            self.cut_checks = True

    @staticmethod
    def unslept(node: _Node, steps: list[tuple[_Step, _Node]]) -> list[_Node]:
        """Sleep sets (Godefroid, LNCS 1032, ch. 5; as ``semantics.litmus.sc``): a step
        explored from a node sleeps in its later siblings' subtrees until a step dependent on
        it is taken. Swapping adjacent independent steps changes neither what they read nor the
        verdict of any choice of writers: no hb edge joins them (no event lies between them,
        they share no cell written, so no rf), and every tot premise of the axioms relates
        accesses of one cell. So every trace keeps one interleaving."""
        out: list[_Node] = []
        done: list[_Step] = []
        asleep = {z.key for z in node.sleep}
        for step, kid in steps:
            if step.key in asleep:
                continue
            sleep = tuple(z for z in (*node.sleep, *done) if independent(z, step))
            out.append(attrs.evolve(kid, sleep=sleep))
            done.append(step)
        return out

    def search(self, stack: list[_Node]) -> None:
        while stack:
            node = stack.pop()
            self.nodes += 1
            live = [i for i in range(self.nt) if not node.threads[i].done]
            if any(node.threads[i].steps >= self.bounds.max_steps for i in live):
                self.cut_steps += 1
                continue
            if live:
                kids = self.unslept(node, [c for i in live for c in self.children(node, i)])
            elif node.observed < len(self.observe):
                kids = list(self.observer_children(node))
            else:
                self.complete(node)
                continue
            stack.extend(reversed(kids))


def explore(program: Program, model: Model, domain: Domain, *,
            observe: Sequence[tuple[int, int]] = (), bounds: Bounds = DEFAULT_BOUNDS,
            max_checks: int = 100_000) -> Explored:
    """One exploration of every pre-execution whose reads ``domain`` allows."""
    search = _Search(program, model, observe, domain, bounds, max_checks)
    store = runtime.instantiate(program).store
    threads = tuple(search.settle(_Thread(i, fi, store, runtime.thread_start(program, fi)))
                    for i, fi in enumerate(program.threads))
    # the observer: a pseudo-thread with no code, its loads are taken by ``observer_children``
    obs = _Thread(len(threads), -1, store, Thread((), (), ()), done=True)
    alloc = allocation_event(program)  # reduced first: never a later write
    search.run(_Node((*threads, obs), (alloc,), frozenset()))
    written = Domain({c: frozenset(v) for c, v in search.written.items()},
                     frozenset(search.zeros), domain.seeds)
    return Explored(tuple(search.found.values()), written, search.nodes, search.traces,
                    search.judged, search.checks, search.cut_steps, search.cut_checks)


def timestamped_executions(program: Program, model: Model, *,
                           observe: Sequence[tuple[int, int]] = (),
                           seeds: frozenset[int] = frozenset(), bounds: Bounds = DEFAULT_BOUNDS,
                           max_checks: int = 100_000) -> Enumeration:
    """Every outcome of a consistent pre-execution of ``program`` (module doc), in the
    enumerator's form: one ``ValidExecution`` per distinct (thread finals, observed values),
    its ``tot`` the stamp order. The domain of values read from later writes grows from
    ``seeds`` to the fixed point of the bytes the value-consistent complete traces write, for at
    most ``bounds.max_rounds`` rounds; ``max_checks`` bounds the calls of ``check`` of all
    rounds together; ``candidates`` counts the last round's complete traces."""
    domain = Domain(seeds=frozenset(seeds))
    reports: list[str] = []
    used = 0
    for _ in range(bounds.max_rounds):
        x = explore(program, model, domain, observe=observe, bounds=bounds,
                    max_checks=max_checks - used)
        used += x.checks
        if x.cut_checks:
            reports.append(f"more than {max_checks} calls of check (the machine's budget)")
            break
        grown = domain.join(x.written)
        if grown == domain:
            break
        domain = grown
    else:
        reports.append(cut_report("max_rounds", f"values: no fixed point of the bytes later "
                                                f"writes may write in {bounds.max_rounds} rounds"))
    if x.cut_steps:
        reports.append(cut_report("max_steps", f"{x.cut_steps} traces cut at "
                                               f"{bounds.max_steps} steps in a thread"))
    paths = tuple(len({v.paths[i].events for v in x.valid}) for i in range(len(program.threads)))
    return Enumeration(x.valid, x.traces, paths, tuple(reports))
