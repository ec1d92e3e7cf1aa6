"""Every valid execution of a program under a model (the explicit litmus enumerator).

1. Per thread, explore ``step.thread_steps`` depth first. A step that reads shared memory is a
   ``Read``: it is offered candidate values, per cell the bytes some write of the program can put
   there (the allocation's INIT write, every store / rmw / grow of every thread), iterated to a
   fixed point since written values may depend on values read, plus seed values (those the
   condition names: the only way to reach self-justifying "thin air" values, see docs/litmus.md).
   ``len`` reads are offered the lengths the allocation and the grows can write. Each completed
   run is a ``ThreadPath``. Loops (docs/litmus.md, "Loops"): an iteration that comes back to
   the loop head in the state it left it, having only read, is a failed await iteration; it
   is pruned and yields a *blocked* path instead, which spins on those reads forever. Every
   other loop is unrolled up to ``Bounds.unroll`` entries of its body. A thread suspended in a
   wait with no timeout also yields a blocked path (``blocked_in_wait``).
2. Combine one path per thread, the allocation event and the final observer (``assemble``);
   for each cell read choose a writer among the events writing that byte there
   (value-consistent by construction). Where the model factorises (``factorises``), the
   choices that add hb edges or make an observer's value are enumerated and the rest counted
   per reading event with the axioms' ``per_read`` hooks (``_counted``, docs/litmus.md item 4
   of "How executions are enumerated"); otherwise each candidate goes to
   ``semantics.memory.check.consistent`` (``listed``). A combination with wait/notify events
   is listed once per order of its wait queues that they accept (``_queued``).

Events are numbered canonically (allocation 0, then thread 0's events, thread 1's, ...,
observer last), so executions equal up to renaming of events are equal values and count once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from semantics.litmus import bytewise
from semantics.memory import predicates
from semantics.memory.axioms import Axiom, Before, Constraint, Facts
from semantics.memory.check import consistent, facts, hb
from semantics.memory.events import (
    DATA,
    INIT_THREAD,
    LEN,
    MEM_DATA,
    MEM_LEN,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    Region,
    Rf,
    is_memory,
    reading,
    value,
    writing,
)
from semantics.memory.hb import (
    alloc_edges,
    init_edges,
    po_edges,
    spawn_edges,
    suspension_edges,
    sync_edges,
)
from semantics.memory.model import SUSPENSIONS_CONSISTENT, Model
from semantics.memory.relations import Rel
from semantics.memory.suspension import queue_orders, suspension_events
from semantics.memory.totsearch import find_tot
from semantics.memory.verdict import Ok, Verdict, Violation
from semantics.wasm import runtime, terms
from semantics.wasm.runtime import Store, Thread
from semantics.wasm.step import Decide, Emit, Hole, Transition, thread_steps
from semantics.wasm.syntax import Block, Program
from semantics.wasm.terms import Term, read_byte

Cell = tuple[Region, int]
Bits = Term | int
Progress = Callable[[str], None]  # how far an enumeration has got, in words (for stderr)


_POSITIVE = [attrs.validators.instance_of(int), attrs.validators.ge(1)]


@attrs.frozen
class Bounds:
    """Exploration bounds. A run that one of them cuts is dropped and reported (a ``cut_report``
    in ``Enumeration.bound_reports``), never silently kept; each is the ``weakwasm litmus``
    option named after the field (``max_paths`` is ``--max-paths``), see docs/litmus.md#bounds.
    """

    max_events: int = attrs.field(default=24, validator=_POSITIVE)  # events per thread path
    max_steps: int = attrs.field(default=400, validator=_POSITIVE)  # steps per path, silent too
    max_rounds: int = attrs.field(default=6, validator=_POSITIVE)  # rounds of offered values
    max_paths: int = attrs.field(default=20000, validator=_POSITIVE)  # paths per thread
    # entries of one loop's body per thread path (failed awaits not counted)
    unroll: int = attrs.field(default=8, validator=_POSITIVE)
    # symbolic mode: the values a term read from memory may take where a step needs it known
    # (an address, a length, a count)
    max_values: int = attrs.field(default=64, validator=_POSITIVE)


def cut_report(bound: str, what: str) -> str:
    """The report of a cut: ``what`` was cut, then the option that raises ``bound`` (a
    ``Bounds`` field), e.g. ``thread 0: more than 20000 paths (raise --max-paths)``."""
    return f"{what} (raise --{bound.replace('_', '-')})"


DEFAULT_BOUNDS = Bounds()


@attrs.frozen
class ThreadPath:
    """One complete run of one thread.

    ``events`` carry ``thread`` and ``index`` (position in the thread); their ``eid`` equals
    ``index`` until ``combine`` renumbers them. ``final`` names the thread's locals (by their
    ``$name`` without ``$``, or their index when unnamed) with their final values (at the trap
    for a trapped thread), then ``("trap", 0|1)``, ``("blocked", 0|1)``, then
    ``("result", v)`` per result value.

    A blocked path ends in one failed iteration of an await loop, ``events[spin:]`` (reads
    only), which the thread repeats forever; ``final`` is its state at the loop head. A thread
    waiting forever (``blocked_in_wait``) is blocked too, with ``spin == len(events)``.
    """

    thread: int
    events: tuple[Event, ...]
    final: tuple[tuple[str, Bits], ...]
    spin: int | None = None  # blocked: the index of the failed iteration's first event
    pc: tuple[Bits, ...] = ()  # symbolic mode: the decisions taken, each a non-zero term

    @property
    def final_map(self) -> dict[str, Bits]:
        return dict(self.final)


@attrs.frozen
class ValidExecution:
    execution: Execution  # with ``tot`` = the witness total order
    paths: tuple[ThreadPath, ...]  # one per thread, then the observer's (if it runs a function)
    observed: tuple[tuple[int, int, Bits], ...]  # (addr, width, value) the final observer read
    # The valid executions this one stands for: same paths, observed values and hb, differing
    # only in the writers of thread reads that add no hb edge (``combine``); 1 when listed.
    multiplicity: int = 1
    # Symbolic mode (``Enumeration.symbolic``): the events carry placeholder bytes; the finals
    # and ``observed`` are terms over the unknowns left free by the equations (each byte read
    # = its writer's byte, the paths' decisions) and these non-zero terms are what the
    # equations left unsolved (``values.reduce``).
    constraints: tuple[Bits, ...] = ()


@attrs.frozen
class Enumeration:
    valid: tuple[ValidExecution, ...]  # one per class of executions (``multiplicity``)
    candidates: int  # candidate executions judged by the model (listed or counted)
    paths: tuple[int, ...]  # completed paths per thread (observer last if it runs a function)
    bound_reports: tuple[str, ...] = ()  # each bound that cut, a ``cut_report``
    symbolic: bool = False  # read values are terms, decided per execution (``constraints``)

    @property
    def complete(self) -> bool:
        return not self.bound_reports


# --- candidate values ----------------------------------------------------------------------


@attrs.frozen
class Offer:
    """Values offered to reads: per cell the bytes (or lengths) some write may put there."""

    cells: Mapping[Cell, frozenset[int]]
    default: Callable[[Cell], frozenset[int]]
    seeds: frozenset[int] = frozenset()  # whole values offered to every data read

    def at(self, cell: Cell) -> frozenset[int]:
        return self.cells.get(cell, frozenset()) | self.default(cell)

    def payloads(self, hole: Hole) -> list[tuple[int, ...]]:
        per_cell = [sorted(self.at((hole.region, hole.offset + i))) for i in range(hole.width)]
        out = set(itertools.product(*per_cell))
        if hole.region.fld == DATA:
            for v in self.seeds:
                out.add(_le(v, hole.width))
        return sorted(out)


def _le(v: int, n: int) -> tuple[int, ...]:
    return tuple((v % (1 << (8 * n))).to_bytes(n, "little"))


def written_cells(actions: Iterable[Action]) -> Iterator[tuple[Cell, int]]:
    """Each (cell, value) an action writes; an INIT Fill yields only its non-zero patches (its
    zeros are the offer's default)."""
    for a in actions:
        if a.region is None or not is_memory(a) or not writing(a):
            continue
        w = a.write
        if isinstance(w, tuple):
            for i, b in enumerate(w):
                yield (a.region, a.offset + i), b
        else:
            for j, b in w.patches:
                yield (a.region, a.offset + j), b


# --- exploring one thread ------------------------------------------------------------------


@attrs.frozen
class _Explored:
    paths: tuple[ThreadPath, ...]
    cut_events: int = 0  # paths cut at ``max_events``
    cut_steps: int = 0  # paths cut at ``max_steps``
    capped: bool = False  # stopped at ``max_paths`` paths with some left unexplored
    unrolled: int = 0  # paths cut at ``unroll`` entries of a loop body
    cut_values: int = 0  # symbolic mode: decisions with more than ``max_values`` values

    def reports(self, who: str, bounds: Bounds) -> list[str]:
        out = []
        if self.capped:
            out.append(cut_report("max_paths", f"{who}: more than {bounds.max_paths} paths"))
        if self.cut_events:
            out.append(cut_report("max_events", f"{who}: {self.cut_events} paths cut at "
                                                f"{bounds.max_events} events"))
        if self.cut_steps:
            out.append(cut_report("max_steps", f"{who}: {self.cut_steps} paths cut at "
                                               f"{bounds.max_steps} steps"))
        if self.unrolled:
            out.append(cut_report("unroll", f"{who}: {self.unrolled} paths cut at "
                                            f"{bounds.unroll} entries of a loop body"))
        if self.cut_values:
            out.append(cut_report("max_values", f"{who}: {self.cut_values} paths cut where a "
                                                f"value read decides more than "
                                                f"{bounds.max_values} addresses or counts"))
        return out


def thread_final(program: Program, func_index: int, thread: Thread,
                 blocked: bool = False) -> tuple[tuple[str, Bits], ...]:
    func = program.funcs[func_index]
    names = func.local_names
    out: list[tuple[str, Bits]] = []
    for i, v in enumerate(runtime.thread_locals(thread)):
        n = names[i] if i < len(names) else None
        out.append(((n or str(i)).removeprefix("$"), v.bits))
    out.append(("trap", 1 if runtime.thread_status(thread) == "trapped" else 0))
    out.append(("blocked", 1 if blocked else 0))
    if runtime.thread_status(thread) == "done":
        out += [("result", v.bits) for v in runtime.thread_results(thread)]
    return tuple(out)


@attrs.frozen
class _Answer:
    """How reads are answered: from ``offer``, or (``unknown``: symbolic mode) data reads with
    the unknown bytes of event ``index`` of thread ``thread``, deciding terms under the path
    condition ``pc`` (``values``)."""

    offer: Offer
    unknown: bool = False
    thread: int = 0
    index: int = 0
    max_values: int = 64
    # each hole answered from ``offer``, with the payloads offered (``thread_runs`` reuses an
    # exploration whose holes a grown offer answers the same way)
    consulted: dict[Hole, list[tuple[int, ...]]] | None = attrs.field(default=None, eq=False)


def _emits(t: Transition | None, ans: _Answer,
           pc: tuple[Bits, ...]) -> Iterator[tuple[Emit, tuple[Bits, ...]] | None]:
    """Every complete step reachable from ``t`` by answering its reads, with the path
    condition it adds to ``pc``; None for a decision cut at ``max_values``."""
    if t is None:
        return
    if isinstance(t, Emit):
        yield t, pc
        return
    if isinstance(t, Decide):
        from semantics.litmus import values  # Z3: only when a test decides an unknown

        if t.boolean:
            choices = [(1, t.term), (0, terms.relop("eqz", t.term, 0))]
        else:
            found = values.solutions(t.term, pc, ans.max_values)
            if found is None:
                yield None
                return
            choices = [(v, terms.relop("eq", t.term, v)) for v in found]
        for c, cond in choices:
            pc2 = pc + (cond,)
            if t.boolean and not values.feasible(pc2):
                continue
            for t2 in t.resume(c):
                yield from _emits(t2, ans, pc2)
        return
    if ans.unknown and t.hole.region.fld == DATA:
        payloads: list[tuple[Bits, ...]] = [tuple(read_byte(ans.thread, ans.index, k)
                                                  for k in range(t.hole.width))]
    else:
        consulted = ans.consulted
        offered = None if consulted is None else consulted.get(t.hole)
        if offered is None:  # each hole's payloads once per exploration
            offered = ans.offer.payloads(t.hole)
            if consulted is not None:
                consulted[t.hole] = offered
        payloads = list(offered)
    for p in payloads:
        yield from _emits(t.resume(p), ans, pc)  # type: ignore[arg-type]


def _read_only(e: Emit) -> bool:
    """Does the step only read memory (a failed await iteration may consist of such steps)?"""
    return all(a.kind is Kind.RD for a in e.actions)


def _loop_at(node: object) -> int | None:
    """``id`` of the loop whose body a thread is about to enter (``step_pure/loop``), given
    its redex ``node``, else None. The program's nodes live as long as the exploration, so
    ``id`` names a loop of the text."""
    return id(node) if isinstance(node, Block) and node.kind == "loop" else None


@attrs.frozen
class _Node:
    """A point of the depth-first search over one thread's steps. ``heads``: the loop-head
    states (after entering a loop body) visited since the last step that did more than read,
    each with the number of events before it; ``loops``: entries per loop (``_loop_at``).
    """

    store: Store
    thread: Thread
    events: tuple[Event, ...] = ()
    steps: int = 0
    heads: tuple[tuple[tuple[Store, Thread], int], ...] = ()
    loops: tuple[tuple[int, int], ...] = ()
    pc: tuple[Bits, ...] = ()


def explore_thread(program: Program, store: Store, thread_no: int, func_index: int,
                   offer: Offer, bounds: Bounds, unknown: bool = False,
                   consulted: dict[Hole, list[tuple[int, ...]]] | None = None) -> _Explored:
    """All complete runs of one thread, reads answered from ``offer`` (with ``unknown``, data
    reads with unknowns: symbolic mode), failed await iterations pruned into blocked paths
    (module doc). ``consulted`` is told each hole answered from ``offer`` and its payloads:
    the runs depend on ``offer`` only through them."""
    start = runtime.thread_start(program, func_index)
    paths: dict[ThreadPath, None] = {}
    cut_events = cut_steps = unrolled = cut_values = 0
    stack: list[_Node] = [_Node(store, start)]
    while stack:
        n = stack.pop()
        transitions = thread_steps(n.store, n.thread)
        node = runtime.redex(n.thread.code)  # once for both tests below
        if _suspended_at(node):
            paths[blocked_in_wait(program, func_index, thread_no, n.events, n.thread)] = None
        if not transitions:
            paths[ThreadPath(thread_no, n.events,
                             thread_final(program, func_index, n.thread), pc=n.pc)] = None
            if len(paths) >= bounds.max_paths and stack:
                return _Explored(tuple(paths), cut_events, cut_steps, True, unrolled,
                                 cut_values)
            continue
        if n.steps >= bounds.max_steps:
            cut_steps += 1
            continue
        loop = _loop_at(node)
        loops = n.loops
        if loop is not None:
            entries = dict(loops).get(loop, 0) + 1
            loops = tuple(sorted({**dict(loops), loop: entries}.items()))
        succ = []
        ans = _Answer(offer, unknown, thread_no, len(n.events), bounds.max_values, consulted)
        for t in transitions:
            for answered in _emits(t, ans, n.pc):
                if answered is None:
                    cut_values += 1
                    continue
                e, pc = answered
                st2, th2 = after_step(e)
                evs, heads = n.events, n.heads
                if e.actions:
                    if len(evs) >= bounds.max_events:
                        cut_events += 1
                        continue
                    i = len(evs)
                    evs = evs + (Event(i, thread_no, i, e.actions, e.rule),)
                    if not _read_only(e):
                        heads = ()
                if loop is not None:
                    seen = dict(heads).get((st2, th2))
                    if seen is not None:
                        # Back at this loop head, in the same state, having only read: a failed
                        # await iteration. It can repeat forever: the blocked path.
                        final = thread_final(program, func_index, th2, blocked=True)
                        paths[ThreadPath(thread_no, evs, final, seen, pc)] = None
                        continue
                    if dict(loops)[loop] > bounds.unroll:
                        unrolled += 1
                        continue
                    heads = heads + (((st2, th2), len(evs)),)
                succ.append(_Node(st2, th2, evs, n.steps + 1, heads, loops, pc))
        stack.extend(reversed(succ))
    return _Explored(tuple(paths), cut_events, cut_steps, False, unrolled, cut_values)


def _suspended_at(node: object) -> bool:
    """Is a thread whose redex is ``node`` suspended in a wait with no timeout? Only a notify
    of another thread ends that ([T] WAITX), so the run may end there, blocked forever
    (docs/litmus.md, "Wait and notify"); a wait with a finite timeout ends (woken or timed
    out) in every fair run."""
    return isinstance(node, runtime.WaitX) and node.timeout < 0


def blocked_in_wait(program: Program, func_index: int, thread_no: int,
                    events: tuple[Event, ...], thread: Thread) -> ThreadPath:
    """The run of a thread that waits forever: its events end with the wait, ``spin`` is their
    number (no failed iteration repeats), ``N:blocked`` is 1."""
    return ThreadPath(thread_no, events, thread_final(program, func_index, thread, blocked=True),
                      len(events))


def after_step(e: Emit) -> tuple[Store, Thread]:
    """The (store, thread) after a thread step."""
    after = e.after
    if (not isinstance(after, tuple) or len(after) != 2 or not isinstance(after[0], Store)
            or not isinstance(after[1], Thread)):
        raise TypeError(f"step {e.rule}: Emit.after must be (store, thread), got {after!r}")
    return after[0], after[1]


# --- combining paths -----------------------------------------------------------------------


def allocation_event(program: Program) -> Event:
    """Event #0: the host allocates the memory and writes its data segments."""
    actions = runtime.allocation_actions(program.memory, program.data)
    # Its regions as the shared MEM_LEN / MEM_DATA the steps use (equal values): then region
    # tests on every access lookup succeed on identity.
    shared = {MEM_LEN: MEM_LEN, MEM_DATA: MEM_DATA}
    return Event(0, INIT_THREAD, 0, tuple(
        attrs.evolve(a, region=shared[a.region]) if a.region in shared else a
        for a in actions), "alloc")


def observer_load(addr: int, width: int) -> Action:
    """The final observer's SeqCst load of ``width`` bytes at ``addr``. Its bytes are
    placeholders: ``combine`` gives it those of the writers it reads from."""
    return Action(Kind.RD, MEM_DATA, addr, Ord.SEQCST, read=(0,) * width)


@attrs.frozen
class Assembly:
    """The events of one combination of paths before reads-from is chosen, numbered
    canonically (see the module doc), and its spawn edges."""

    events: tuple[Event, ...]
    spawn: frozenset[tuple[int, int]]
    starts: tuple[int, ...]  # per path (threads, then the observer function's): its first eid
    load_base: int  # the first observer load's eid; the loads follow in ``observe`` order
    spins: tuple[int, ...] = ()  # the reads of blocked paths' failed iterations (``await_order``)
    suspensions: tuple[tuple[int, ...], ...] = ()  # the wait queues' order (``_queued``)


def assemble(program: Program, paths: Sequence[ThreadPath],
             observe: Sequence[tuple[int, int]] = (),
             observer: ThreadPath | None = None, alloc: Event | None = None) -> Assembly:
    """The allocation event, ``paths`` (one per thread, in thread order), then the final
    observer: ``observer`` (the path of a function run as observer, if any) followed by SeqCst
    loads of the ``observe`` = (addr, width) locations; with spawn edges from the allocation to
    each thread's first event and from each thread's last event to the observer's first.
    ``alloc``: ``allocation_event(program)``, when the caller has it."""
    events: list[Event] = [allocation_event(program) if alloc is None else alloc]
    starts: list[int] = []
    spawned: list[int] = []
    last: list[int] = []
    # [T] allocates the memory in the thread that then spawns the others, so the allocation
    # happens before every thread's first step (and before the observer).
    for p in paths:
        base = len(events)
        starts.append(base)
        events += [Event(base + e.index, e.thread, e.index, e.actions, e.rule) for e in p.events]
        if p.events:
            spawned.append(base)
            last.append(len(events) - 1)
    obs_thread = len(paths)
    first_obs = len(events)
    n_obs_func = 0
    if observer is not None:
        starts.append(first_obs)
        events += [attrs.evolve(e, eid=first_obs + e.index, thread=obs_thread)
                   for e in observer.events]
        n_obs_func = len(observer.events)
    load_base = len(events)
    for j, (addr, width) in enumerate(observe):
        events.append(Event(load_base + j, obs_thread, n_obs_func + j,
                            (observer_load(addr, width),), "observe"))
    if len(events) > first_obs:
        spawned.append(first_obs)
    spawn = frozenset({(0, b) for b in spawned}
                      | ({(a, first_obs) for a in last} if len(events) > first_obs else set()))
    spins = tuple(b + k for b, p in zip(starts, [*paths, *([observer] if observer else [])],
                                       strict=True)
                  if p.spin is not None for k in range(p.spin, len(p.events)))
    return Assembly(tuple(events), spawn, tuple(starts), load_base, spins)


def await_order(asm: Assembly) -> tuple[Before, ...]:
    """What a blocked execution asks of tot besides the axioms: its failed iteration repeats
    forever, so its reads can be placed after every write of the execution (docs/litmus.md,
    "Loops"). A SeqCst read must then read the tot-last write; a plain read is not ordered by
    tot and may keep reading a stale value."""
    if not asm.spins:
        return ()
    writes = sorted({w for w, _ in _write_actions(asm.events)})
    return tuple(Before(w, r, (w, r), f"#{r} spins forever, so it follows #{w} in tot")
                 for r in asm.spins for w in writes)


def awaited(ex: Execution, model: Model, asm: Assembly) -> Verdict:
    """``consistent`` with ``await_order``: is there a tot making ``ex`` consistent in which
    every failed await iteration follows every write?"""
    verdict = consistent(ex, model)
    if not asm.spins or not isinstance(verdict, Ok):
        return verdict
    f = facts(ex, model)
    cs = [c for ax in model.axioms if ax.order is not None for c in ax.order(f)]
    tot = find_tot(len(ex.events), [*cs, *await_order(asm)])
    if tot is None:
        return Violation("await", asm.spins, "the blocked thread's reads cannot follow every "
                         "write in tot: the thread cannot spin forever")
    return Ok(tot)


def _write_actions(events: Sequence[Event]) -> list[tuple[int, Action]]:
    return [(e.eid, a) for e in events for a in e.actions
            if a.region is not None and is_memory(a) and writing(a)]


def _writers_of(writes: Sequence[tuple[int, Action]], cell: Cell) -> list[tuple[int, int]]:
    """(event, byte written) for each event writing ``cell``."""
    region, k = cell
    return [(w, a.write[k - a.offset]) for w, a in writes
            if a.region == region and a.offset <= k < a.offset + len(a.write)]


# The hb edge functions that read events only through their threads, positions, kinds,
# orders and ranges, never the bytes: hb without rf is then the same for executions of the
# same shape (``_shape``), which the assemblies of one program share across read values.
_SHAPE_ONLY = frozenset({po_edges, spawn_edges, sync_edges, alloc_edges, init_edges})
# Of those, the ones that do not read rf: a choice of writers adds none of their edges.
_RF_BLIND = frozenset({po_edges, spawn_edges, alloc_edges})
# The axioms' hb edge functions that read the shape and the suspension order only.
_SHAPE_AND_QUEUES = _SHAPE_ONLY | {suspension_edges}


def _shape(e: Event) -> tuple[object, ...]:
    """``e`` without its bytes: what hb's shape-only edges read."""
    # enums and regions by their fields (``_value_``: not the ``value`` descriptor), so that
    # hashing a key calls no Python-level __hash__
    return (e.thread, e.index, tuple(
        (a.kind._value_, None if a.region is None else (a.region.addr, a.region.fld),
         a.offset, a.ord._value_, len(a.read), len(a.write)) for a in e.actions))


def _base_facts(ex: Execution, model: Model, cache: Cache | None,
                ) -> tuple[Facts, int | None]:
    """``facts(ex, model)`` of an execution without rf, from ``cache`` when one of the same
    shape was computed and the model's hb reads only shapes (``_SHAPE_ONLY``); and a token of
    that shape for further cache keys (None when not cached): an int, cheaper to hash than
    the shape."""
    if cache is None or ex.rf or not (
            all(g.edges in _SHAPE_ONLY for g in model.hb_generators)
            and all(a.hb_edges is None or a.hb_edges in _SHAPE_AND_QUEUES
                    for a in model.axioms)):
        return facts(ex, model), None
    key = ("base facts", tuple(_shape(e) for e in ex.events), ex.spawn, ex.suspensions)
    got = cache.get(key)
    if got is None:
        f = cache[key] = facts(ex, model)
        return f, id(f)  # the cache keeps f alive: its id names the shape while it lives
    assert isinstance(got, Facts)
    return Facts(ex, got.hb, got.generated, got.contributed, got.tearfree, got.reads,
                 got.writers), id(got)


class _Pruner:
    """The ``prune`` hooks of the model's axioms, on one reading event's choice of writers: a
    choice that some hook rejects cannot be part of a consistent execution. Per cell, the hooks
    read hb of the execution without rf (a lower bound: hb's generators are monotone in rf);
    per event, the hb of the execution with that event's rf (``event_ok_base``: the same hb,
    for a choice that adds no hb edge)."""

    def __init__(self, model: Model, events: Sequence[Event],
                 spawn: frozenset[tuple[int, int]], always: bool = False,
                 cache: Cache | None = None) -> None:
        self.model = model
        self.hooks = tuple(ax.prune for ax in model.axioms if ax.prune is not None)
        self.base: Facts | None = None
        self.key: int | None = None  # the shape's token, when its base facts are cached
        if self.hooks or always:
            self.base, self.key = _base_facts(Execution(tuple(events), frozenset(), spawn),
                                              model, cache)

    def cell_ok(self, r: int, w: int, cell: Cell) -> bool:
        base = self.base
        return not self.hooks or base is None or all(hook(base, ((w, r, *cell),))
                                                      for hook in self.hooks)

    def event_ok(self, e: Event, rf: frozenset[Rf], h: Rel | None = None) -> bool:
        """``h``: the hb of the execution with ``rf``, when the caller has it."""
        base = self.base
        if base is None or not self.hooks:
            return True
        events, spawn = base.ex.events, base.ex.spawn
        if e is not events[e.eid]:  # an observer load, its bytes now those of its writers
            events = (*events[:e.eid], e, *events[e.eid + 1:])
        if h is None:
            h = hb(Execution(events, rf, spawn), self.model)
        f = attrs.evolve(base, ex=Execution(events, frozenset(), spawn), hb=h)
        return all(hook(f, rf) for hook in self.hooks)

    def event_ok_base(self, e: Event, rf: frozenset[Rf]) -> bool:
        base = self.base
        if base is None or not self.hooks:
            return True
        events, spawn = base.ex.events, base.ex.spawn
        if e is not events[e.eid]:
            f = attrs.evolve(base, ex=Execution((*events[:e.eid], e, *events[e.eid + 1:]),
                                                frozenset(), spawn))
        else:
            f = base
        return all(hook(f, rf) for hook in self.hooks)


@attrs.frozen
class _Pick:
    event: Event  # the reading event (an observer load gets its bytes from its writers)
    rf: frozenset[Rf]


def _picks(e: Event, pruner: _Pruner, writes: Sequence[tuple[int, Action]],
           observer_load: bool, event_check: bool = True, free: bool = False) -> list[_Pick]:
    """Every locally consistent choice of writers for the cells ``e`` reads (without
    ``event_check``: each cell's writer is, but the event's choice is not yet, pruned), in
    the order of the product of the cells' writers. An observer load's bytes, and with
    ``free`` every data byte ``e`` reads, are not fixed: they become those of the chosen
    writers (``independent``), and the pick's event carries them.

    The choices are built cell by cell, and a partial choice is pruned as soon as the axioms'
    ``prune`` hooks reject it on the hb without rf: a hook judges rf for some of a read's
    cells, so no completion of a rejected part survives (an observer load's choices number
    (writers + 1) ** bytes otherwise; its bytes are the writers' only once all are chosen,
    and the hooks do not read them)."""
    got = _candidates(e, pruner, writes, observer_load, free)
    if got is None:
        return []
    cells, options, loose = got
    out: list[_Pick] = []
    n = len(cells)
    combo: list[int] = []  # the bytes chosen so far

    def extend(i: int, rf: frozenset[Rf]) -> None:
        if i == n:
            ev = _given(e, loose, combo) if loose else e
            if not event_check or pruner.event_ok(ev, rf):
                out.append(_Pick(ev, rf))
            return
        reg, k = cells[i]
        for w, x in options[i]:
            rf2 = rf | {(w, e.eid, reg, k)}
            # one cell's choice is ``cell_ok``'s; the whole event's is judged above
            if 1 <= i < n - 1 and not pruner.event_ok_base(e, rf2):
                continue
            combo.append(x)
            extend(i + 1, rf2)
            combo.pop()

    extend(0, frozenset())
    return out


def _candidates(e: Event, pruner: _Pruner, writes: Sequence[tuple[int, Action]],
                observer_load: bool, free: bool,
                ) -> tuple[list[Cell], list[list[tuple[int, int]]], list[int]] | None:
    """Per cell ``e`` reads (in order), its candidate writers as (writer, byte): other events
    writing that cell, with the byte read unless the writers give it (an observer load's
    bytes; with ``free``, its data bytes), each passing ``cell_ok``; and the actions whose
    bytes the writers give. None if some cell has no candidate."""
    cells: list[Cell] = []
    options: list[list[tuple[int, int]]] = []
    loose: list[int] = []
    for j, a in enumerate(e.actions):
        if a.region is None or not is_memory(a) or not reading(a):
            continue
        given = observer_load or (free and a.region.fld == DATA)
        if given:
            loose.append(j)
        for i, b in enumerate(a.read):
            cell = (a.region, a.offset + i)
            ws = [(w, x) for w, x in _writers_of(writes, cell)
                  if w != e.eid and (given or x == b) and pruner.cell_ok(e.eid, w, cell)]
            if not ws:
                return None
            cells.append(cell)
            options.append(ws)
    return cells, options, loose


def _given(e: Event, loose: Sequence[int], combo: Sequence[int]) -> Event:
    """``e`` with the read bytes of its actions ``loose`` taken, in order, from ``combo`` (the
    bytes of all its reading actions, in order)."""
    acts = list(e.actions)
    at = 0
    for j, a in enumerate(acts):
        if a.region is None or not is_memory(a) or not reading(a):
            continue
        k = len(a.read)
        if j in loose:
            acts[j] = Action(a.kind, a.region, a.offset, a.ord, tuple(combo[at:at + k]),
                             a.write, a.notears, a.args)
        at += k
    return Event(e.eid, e.thread, e.index, tuple(acts), e.rule)


def factorises(model: Model) -> bool:
    """Does validity under ``model`` decompose over reading events, so that ``combine`` may
    count executions instead of listing them? Every axiom must say how (``per_read`` or
    ``rf_blind``) and every hb generator must be ``per_read`` (semantics.memory.axioms)."""
    return (all(g.per_read for g in model.hb_generators)
            and all(a.per_read is not None or a.rf_blind for a in model.axioms))


Cache = dict[object, object]


def combine(program: Program, model: Model, paths: Sequence[ThreadPath],
            observe: Sequence[tuple[int, int]] = (),
            observer: ThreadPath | None = None, *, explicit: bool = False,
            cache: Cache | None = None) -> tuple[list[ValidExecution], int]:
    """Valid executions of the assembly of ``paths``, ``observe`` and ``observer``
    (``assemble``). Returns the valid executions and the number of candidates judged.

    Listed one by one when ``explicit`` or when ``model`` does not factorise; else one
    representative per class, with its ``multiplicity`` (``_counted``). ``cache`` (shared by
    the assemblies of one program) holds per-event work that only depends on the event, its
    writers and hb."""
    # one allocation event for all assemblies: equal cache keys then compare by identity
    got = None if cache is None else cache.get(("alloc",))
    if got is None:
        got = allocation_event(program)
        if cache is not None:
            cache[("alloc",)] = got
    assert isinstance(got, Event)
    alloc = got
    asm = assemble(program, paths, observe, observer, alloc)
    all_paths = tuple(paths) + ((observer,) if observer is not None else ())
    return judge(model, asm, all_paths, observe, explicit=explicit, cache=cache)


def judge(model: Model, asm: Assembly, all_paths: tuple[ThreadPath, ...],
          observe: Sequence[tuple[int, int]], *, explicit: bool = False,
          cache: Cache | None = None, expand: bool = False,
          free: int | None = None) -> tuple[list[ValidExecution], int]:
    """``combine`` on an assembly; with ``expand``, every valid execution one by one even where
    they are counted (each class expanded into its members, which the counting shows valid
    without judging them again). With ``free`` (an assembly without wait/notify), the data
    bytes the threads read are those of the writers chosen (``_picks``), and a thread whose
    reads can take more than ``free`` tuples of values raises ``TooManyValues``."""
    if suspension_events(asm.events):
        assert free is None, "wait/notify: the read values are the paths'"
        return _queued(model, asm, all_paths, observe)
    if explicit or not factorises(model):
        return listed(model, asm, all_paths, observe, free)
    return _counted(model, asm, all_paths, observe, {} if cache is None else cache, expand,
                    free)


def _reading(e: Event) -> bool:
    return any(a.region is not None and is_memory(a) and reading(a) for a in e.actions)


def _observed(evs: Sequence[Event], load_base: int,
              observe: Sequence[tuple[int, int]]) -> tuple[tuple[int, int, int], ...]:
    return tuple((a, w, value(evs[load_base + j].actions[0].read))
                 for j, (a, w) in enumerate(observe))


def listed(model: Model, asm: Assembly, all_paths: tuple[ThreadPath, ...],
           observe: Sequence[tuple[int, int]], free: int | None = None,
           ) -> tuple[list[ValidExecution], int]:
    """Every candidate execution, each judged by ``consistent``: the reference enumeration
    (``free`` as in ``judge``)."""
    events, spawn, load_base = list(asm.events), asm.spawn, asm.load_base
    writes = _write_actions(events)
    pruner = _Pruner(model, events, spawn)
    per_event: list[list[_Pick]] = []
    for e in events[1:]:
        if _reading(e):
            picks = _picks(e, pruner, writes, e.eid >= load_base, free=free is not None)
            if not picks:
                return [], 0
            per_event.append(picks)
    if free is not None:
        _values_within([[p.event for p in picks] for picks in per_event], load_base, free)

    out: list[ValidExecution] = []
    checked = 0
    for choice in itertools.product(*per_event):
        evs = list(events)
        rf: set[Rf] = set()
        for pick in choice:
            evs[pick.event.eid] = pick.event
            rf |= pick.rf
        ex = Execution(tuple(evs), frozenset(rf), spawn, suspensions=asm.suspensions)
        checked += 1
        verdict = awaited(ex, model, asm)
        if isinstance(verdict, Ok):
            out.append(ValidExecution(attrs.evolve(ex, tot=verdict.tot), all_paths,
                                      _observed(evs, load_base, observe)))
    return out, checked


def _queued(model: Model, asm: Assembly, all_paths: tuple[ThreadPath, ...],
            observe: Sequence[tuple[int, int]]) -> tuple[list[ValidExecution], int]:
    """The valid executions of an assembly with wait/notify events, listed: one pairing of
    waits, wakes, timeouts and notifies per order of each location's wait queue that its run
    accepts (``suspension.queue_orders``), which the witness ``Execution.suspensions`` holds.
    A model without ``suspensions-consistent`` reads no order: the assembly is listed once."""
    if SUSPENSIONS_CONSISTENT.name not in model.axiom_names:
        return listed(model, asm, all_paths, observe)
    out: list[ValidExecution] = []
    checked = 0
    for chains in queue_orders(asm.events):
        found, k = listed(model, attrs.evolve(asm, suspensions=chains), all_paths, observe)
        out += found
        checked += k
    return out, checked


class TooManyValues(Exception):
    """The reads of one thread of an assembly with ``free`` bytes can take more tuples of
    values than the bound: as many paths of that thread as the offered values would give."""


def _values_within(per_event: Sequence[Sequence[Event]], load_base: int, bound: int) -> None:
    """Raise ``TooManyValues`` if some thread's reading events (``per_event``: each one's
    variants, by its bytes) have more than ``bound`` combinations of bytes; the observer's
    loads are not a thread's."""
    per_thread: dict[int, int] = {}
    for evs in per_event:
        if evs and evs[0].eid < load_base:
            t = evs[0].thread
            per_thread[t] = per_thread.get(t, 1) * len(set(evs))
            if per_thread[t] > bound:
                raise TooManyValues(t)


@attrs.frozen
class _Option:
    """The writer choices of one reading event that give it the same bytes (an observer load's
    vary) and add the same hb-generator edges: fixing one option per event fixes hb. They are
    ``picks``, or, counted byte by byte, the product of ``cells`` (``bytewise``)."""

    event: Event
    edges: frozenset[tuple[int, int]]
    picks: tuple[frozenset[Rf], ...]
    cells: bytewise.Cells | None = None

    @property
    def count(self) -> int:
        return len(self.picks) if self.cells is None else self.cells.count

    @property
    def first(self) -> frozenset[Rf]:
        if self.cells is None:
            return self.picks[0]
        assert self.cells.first is not None
        return self.cells.first


def _options(e: Event, model: Model, pruner: _Pruner, writes: Sequence[tuple[int, Action]],
             observer_load: bool, base_edges: Mapping[str, frozenset[tuple[int, int]]],
             free: bool = False) -> list[_Option]:
    """``_picks`` of ``e`` grouped into options. A pick's edges are those the generators add
    for its rf alone (``Generator.per_read``); a pick adding none is pruned against the hb
    without rf, as ``_Pruner.event_ok`` would."""
    base = pruner.base
    assert base is not None
    events, spawn = base.ex.events, base.ex.spawn
    groups: dict[tuple[Event, frozenset[tuple[int, int]]], list[frozenset[Rf]]] = {}
    # With the base facts cached by shape (``_Pruner.key``), hb reads rf only through the
    # generators' per-read edges (``_base_facts``): the hb with a pick's rf is the base hb
    # with its edges, closed, as ``_choice`` computes it; one per set of edges.
    with_edges: dict[frozenset[tuple[int, int]], Rel] | None = \
        {} if pruner.key is not None else None
    for pick in _picks(e, pruner, writes, observer_load, event_check=False, free=free):
        evs = events if pick.event is events[e.eid] else \
            (*events[:e.eid], pick.event, *events[e.eid + 1:])
        ex = Execution(evs, pick.rf, spawn)
        edges = frozenset().union(*(g.edges(ex) - base_edges[g.name]
                                    for g in model.hb_generators if g.edges not in _RF_BLIND))
        if not edges:
            ok = pruner.event_ok_base(pick.event, pick.rf)
        elif with_edges is None:
            ok = pruner.event_ok(pick.event, pick.rf)
        else:
            h = with_edges.get(edges)
            if h is None:
                h = with_edges[edges] = _with_edges(base.hb, edges, model.hb_transitive)
            ok = pruner.event_ok(pick.event, pick.rf, h)
        if not ok:
            continue
        groups.setdefault((pick.event, edges), []).append(pick.rf)
    return [_Option(ev, edges, tuple(rfs)) for (ev, edges), rfs in groups.items()]


def _bytewise_options(e: Event, model: Model, pruner: _Pruner,
                      writes: Sequence[tuple[int, Action]], free: bool) -> list[_Option] | None:
    """``_options`` of a reading event that ``bytewise`` counts: per tuple of bytes the
    candidates can give its cells (its data cells' with ``free``, else the path's), the
    candidates of each cell giving that byte; None if ``bytewise`` cannot count it. A SeqCst
    read's options are also told apart by the writer of ``tf`` they take, if any
    (``bytewise.Cells.branches``): its sync edge, if it syncs, is the option's, and the
    candidates are pruned again on the hb with it, as ``_options`` prunes a pick with edges."""
    base = pruner.base
    assert base is not None
    seqcst = bytewise.seqcst_read(e)
    found = _candidates(e, pruner, writes, False, free)
    if found is None:
        return []
    read, writers, loose = found
    # per cell: (byte, writer, rf edge)
    per_cell = [[(x, w, (w, e.eid, reg, k)) for w, x in ws]
                for (reg, k), ws in zip(read, writers, strict=True)]
    limited = bytewise.tear_limited(model)
    out: list[_Option] = []
    for combo in itertools.product(*(sorted({x for x, _, _ in ws}) for ws in per_cell)):
        candidates = [[edge for x, _, edge in ws if x == byte]
                      for ws, byte in zip(per_cell, combo, strict=True)]
        got = bytewise.torn_of(e.eid, base, candidates, limited, seqcst)
        if got is None:
            return None
        torn, tf = got
        ev = _given(e, loose, combo) if loose else e
        branches: list[int | None] = [None, *sorted(tf)]
        if not seqcst:
            cells = bytewise.cells(candidates, torn, tf, branches)
            if cells.count:
                out.append(_Option(ev, frozenset(), (), cells))
            continue
        for t in branches:
            edges: frozenset[tuple[int, int]] = frozenset()
            kept = candidates
            if t is not None and torn is not None and bytewise.syncs(base, t, e.eid, torn):
                edges = frozenset({(t, e.eid)})
                h = _with_edges(base.hb, edges, model.hb_transitive)
                fh = Facts(base.ex, h, base.generated | edges, base.contributed,
                           base.tearfree, base.reads, base.writers)
                kept = [[x for x in c if all(hook(fh, (x,)) for hook in pruner.hooks)]
                        for c in candidates]
            cells = bytewise.cells(kept, torn, tf, (t,))
            if cells.count:
                out.append(_Option(ev, edges, (), cells))
    return out


# per group of an option's choices: the constraints on tot they add, one of them, how many, and
# all of them (None when counted byte by byte)
Groups = tuple[tuple[frozenset[Constraint], frozenset[Rf], int,
                     tuple[frozenset[Rf], ...] | None], ...]


def _cell_key(t: Rf) -> tuple[int, str, int]:
    """An rf edge's cell, in the order of (region, k), by plain fields (compared in C)."""
    return t[2].addr, t[2].fld, t[3]


def _groups(f: Facts, eid: int, option: _Option, model: Model) -> Groups:
    """The picks of ``option`` that satisfy every axiom's part for the event ``eid`` under the
    hb of ``f``, grouped by the tot constraints those parts contribute."""
    if option.cells is not None:
        return tuple((cs, rep, n, None)
                     for cs, rep, n in bytewise.groups(f, eid, option.cells, model))
    out: dict[frozenset[Constraint], list[frozenset[Rf]]] = {}
    hooks = [ax.per_read for ax in model.axioms if ax.per_read is not None]
    for rf in option.picks:
        reads: dict[tuple[int, Region], dict[int, tuple[int, ...]]] = {}
        for w, r, reg, k in sorted(rf, key=_cell_key):
            reads.setdefault((r, reg), {})[k] = (w,)
        fr = Facts(f.ex, f.hb, f.generated, f.contributed, f.tearfree, reads, f.writers)
        cs: list[Constraint] = []
        for hook in hooks:
            v, c = hook(fr, eid)
            if v is not None:
                break
            cs += c
        else:
            out.setdefault(frozenset(cs), []).append(rf)
    return tuple((cs, rfs[0], len(rfs), tuple(rfs)) for cs, rfs in out.items())


def _fields(e: Event) -> tuple[object, ...]:
    """``e`` as a plain tuple, for cache keys: the events of each assembly are new objects,
    and comparing tuples is cheaper than comparing ``Event`` values field by field."""
    return (e.eid, e.thread, e.index, e.actions, e.rule)


def _counted(model: Model, asm: Assembly, all_paths: tuple[ThreadPath, ...],
             observe: Sequence[tuple[int, int]], cache: Cache,
             expand: bool = False, free: int | None = None,
             ) -> tuple[list[ValidExecution], int]:
    """The valid executions of ``asm``, counted (docs/litmus.md, "How the engine explores").

    Choose one ``_Option`` per reading event: that fixes the events (an observer load's
    bytes) and hb. Under that hb, the axioms decompose over reading events (``per_read``,
    ``rf_blind``): each option's picks that pass their event's part form groups by the tot
    constraints they add. An execution is one pick per event; it is valid iff each pick passes
    and some tot meets the rf-blind constraints and those of the chosen groups. So each choice
    of a group per event with such a tot stands for the product of the group sizes, and
    differs from the others only in writers of reads that add no hb edge: a thread's read
    bytes are fixed by its path, so they all end in the same state."""
    events, spawn, load_base = asm.events, asm.spawn, asm.load_base
    writes = _write_actions(events)
    pruner = _Pruner(model, events, spawn, always=True, cache=cache)
    base = pruner.base
    assert base is not None
    base_ex = base.ex
    base_edges: dict[str, frozenset[tuple[int, int]]] = {}  # filled on the first _options
    blind = [ax for ax in model.axioms if ax.rf_blind]
    by_bytes = not expand and bytewise.applies(model)
    # a SeqCst read's sync edge extends the shape's hb (``_with_edges``): cached shapes only
    by_bytes_sc = by_bytes and pruner.key is not None and bytewise.seqcst_applies(model)
    per_event: list[tuple[object, list[_Option]]] = []
    # per region, its writers (``_fields``), for the options' cache keys: built once per
    # assembly rather than filtered from ``writes`` for every reading event
    by_region: dict[Region, list[tuple[object, ...]]] = {}
    for w, a in writes:
        by_region.setdefault(a.region, []).append(_fields(events[w]))  # type: ignore[arg-type]
    written = {reg: tuple(fs) for reg, fs in by_region.items()}
    for e in events[1:]:
        if not _reading(e):
            continue
        key: object = ("options", _fields(e), base.hb,
                       tuple(written.get(a.region, ()) for a in e.actions
                             if a.region is not None), free is not None)
        opts = cache.get(key)
        if opts is None and by_bytes and e.eid < load_base and (
                by_bytes_sc or not bytewise.seqcst_read(e)):
            opts = _bytewise_options(e, model, pruner, writes, free is not None)
            if opts is not None:
                cache[key] = opts
        if opts is None:
            if not base_edges:
                base_edges.update((g.name, g.edges(base_ex)) for g in model.hb_generators)
            opts = cache[key] = _options(e, model, pruner, writes, e.eid >= load_base,
                                         base_edges, free is not None)
        assert isinstance(opts, list)
        if not opts:
            return [], 0
        per_event.append((key, opts))
    if free is not None:
        _values_within([[o.event for o in opts] for _, opts in per_event], load_base, free)

    out: list[ValidExecution] = []
    candidates = 0
    for choice in itertools.product(*(range(len(opts)) for _, opts in per_event)):
        chosen = [opts[i] for (_, opts), i in zip(per_event, choice, strict=True)]
        candidates += math.prod(o.count for o in chosen)
        evs = list(events)
        for o in chosen:
            evs[o.event.eid] = o.event
        found = _choice(model, asm, evs, chosen, per_event, choice, base, pruner.key, blind,
                        expand, cache)
        if not found:
            continue
        observed = _observed(evs, load_base, observe)
        evt = tuple(evs)
        out += [ValidExecution(Execution(evt, rf, spawn, tot), all_paths, observed, mult)
                for rf, tot, mult in found]
    return out, candidates


def _choice(model: Model, asm: Assembly, evs: list[Event], chosen: Sequence[_Option],
            per_event: Sequence[tuple[object, list[_Option]]], choice: Sequence[int],
            base: Facts, base_key: int | None, blind: Sequence[Axiom], expand: bool,
            cache: Cache) -> list[tuple[frozenset[Rf], tuple[int, ...], int]]:
    """The valid executions of one choice of options (``_counted``) as (rf, tot,
    multiplicity); with ``expand`` every member of each class, each of multiplicity 1."""
    spawn, n = asm.spawn, len(evs)
    rep = frozenset().union(*(o.first for o in chosen))
    ex = Execution(tuple(evs), rep, spawn)
    edges = frozenset().union(*(o.edges for o in chosen))
    # When the rf-blind axioms read only hb and the shape (``_SHAPE_BLIND``) and hb reads
    # only the shape and rf's sync edges (``_base_facts``), a choice's hb, the axioms' verdict
    # and the tot searches are those of its shape and edges: shared by the choices and the
    # combinations of paths of that shape that add the same edges.
    shared = base_key is not None and all(
        h is None or h in _SHAPE_BLIND for ax in blind for h in (ax.static, ax.order))
    if not edges:
        f = Facts(ex, base.hb, base.generated, base.contributed, base.tearfree, base.reads,
                  base.writers)
    elif shared:
        # the generators' edges are the shape's and the options' (``Generator.per_read``)
        ekey = ("edge facts", base_key, edges)
        got_f = cache.get(ekey)
        if got_f is None:
            got_f = cache[ekey] = (base.generated | edges,
                                   _with_edges(base.hb, edges, model.hb_transitive))
        assert isinstance(got_f, tuple)
        f = Facts(ex, got_f[1], got_f[0], base.contributed, base.tearfree, base.reads,
                  base.writers)
    else:
        f = facts(ex, model)
    if shared:
        skey = ("blind", base_key, asm.spins, edges)
        got = cache.get(skey)
        if got is None:
            got = cache[skey] = _blind_part(f, asm, blind)
        assert isinstance(got, tuple)
        part = got
    else:
        part = _blind_part(f, asm, blind)
    ok, fixed, tots = part
    if not ok:
        return []
    per_groups: list[Groups] = []
    for (_, opts), i, o in zip(per_event, choice, chosen, strict=True):
        # the options' list stands for its key (the cache keeps it alive), cheaper to hash
        gkey = ("groups", id(opts), i, f.hb)
        gs = cache.get(gkey)
        if gs is None:
            gs = cache[gkey] = _groups(f, o.event.eid, o, model)
        assert isinstance(gs, tuple)
        per_groups.append(gs)
    found: list[tuple[frozenset[Rf], tuple[int, ...], int]] = []
    for picked in itertools.product(*per_groups):
        cs = frozenset().union(*(g[0] for g in picked))
        if cs not in tots:
            tots[cs] = find_tot(n, [*fixed, *cs])
        tot = tots[cs]
        if tot is None:
            continue
        if expand:
            found += [(frozenset().union(*members), tot, 1)
                      for members in itertools.product(*(_members(g) for g in picked))]
            continue
        found.append((frozenset().union(*(g[1] for g in picked)), tot,
                      math.prod(g[2] for g in picked)))
    return found


def _members(g: tuple[frozenset[Constraint], frozenset[Rf], int,
                       tuple[frozenset[Rf], ...] | None]) -> tuple[frozenset[Rf], ...]:
    assert g[3] is not None, "a group counted byte by byte is not listed (expand)"
    return g[3]


Tots = dict[frozenset[Constraint], tuple[int, ...] | None]


def _with_edges(h: frozenset[tuple[int, int]], edges: Iterable[tuple[int, int]],
                transitive: bool) -> frozenset[tuple[int, int]]:
    """hb ``h`` (closed when ``transitive``) with ``edges`` added and closed again: an edge
    u -> v joins everything before u to everything after v, and the result stays closed."""
    if not transitive:
        return h.union(edges)
    out = set(h)
    for u, v in edges:
        if (u, v) in out:
            continue
        pre = [a for a, b in out if b == u] + [u]
        post = [b for a, b in out if a == v] + [v]
        out.update((a, b) for a in pre for b in post)
    return frozenset(out)

# The rf-blind axioms' hooks that read an execution only through hb, its generators and the
# axioms' edges, and its events' shapes (``_shape``) and wait queues.
_SHAPE_BLIND = frozenset({predicates.hb_acyclic, predicates.init_hb, predicates.hb_in_tot,
                          predicates.suspensions_consistent})


def _blind_part(f: Facts, asm: Assembly, blind: Sequence[Axiom],
                ) -> tuple[bool, list[Constraint], Tots]:
    """Whether the rf-blind axioms' static parts hold on ``f``; their constraints on tot with
    ``await_order``'s; and a memo of the tots found for further constraints."""
    if any(ax.static is not None and ax.static(f) is not None for ax in blind):
        return False, [], {}
    # a blocked thread's failed iteration follows every write in tot (``await_order``)
    fixed = [*(c for ax in blind if ax.order is not None for c in ax.order(f)),
             *await_order(asm)]
    return True, fixed, {}


# --- the whole enumeration ------------------------------------------------------------------


def _initial_offer(program: Program, seeds: Iterable[int],
                   cell_seeds: Mapping[Cell, Iterable[int]]) -> Offer:
    alloc = allocation_event(program)
    cells: dict[Cell, set[int]] = {}
    for c, b in written_cells(alloc.actions):
        cells.setdefault(c, set()).add(b)
    for c, vs in cell_seeds.items():
        cells.setdefault(c, set()).update(vs)

    patched = frozenset(c for c, _ in written_cells(alloc.actions))
    zero: frozenset[int] = frozenset({0})

    def default(cell: Cell) -> frozenset[int]:
        """0 wherever the INIT write (or a grow) puts a zero; nothing for the length."""
        return frozenset() if cell[0].fld == LEN or cell in patched else zero

    return Offer({c: frozenset(v) for c, v in cells.items()}, default, frozenset(seeds))


def _grow(offer: Offer, cells_written: Iterable[tuple[Cell, int]]) -> Offer:
    """``offer`` with the constant bytes ``cells_written`` (symbolic mode: data reads are not
    offered values)."""
    cells = {c: set(v) for c, v in offer.cells.items()}
    for c, b in cells_written:
        cells.setdefault(c, set()).add(b)
    return attrs.evolve(offer, cells={c: frozenset(v) for c, v in cells.items()})


def read_bytes(events: Iterable[Event]) -> Iterator[tuple[Event, Cell, Bits]]:
    """(event, cell, byte) of each byte a memory action of ``events`` reads."""
    for e in events:
        for a in e.actions:
            if a.region is not None and is_memory(a) and reading(a):
                for i, b in enumerate(a.read):
                    yield e, (a.region, a.offset + i), b


# The value-consistency prefilters below (``_needs``, ``_consistent_combos``, ``_justified``)
# name a cell by plain values, (addr, fld, k): hashing those calls no Python-level __hash__,
# and they hash a cell for every byte of every path.
Flat = tuple[int, str, int]
Zeros = tuple[tuple[int, str, int, int], ...]  # (addr, fld, lo, hi) ranges of zeros


def _flat_written(actions: Iterable[Action]) -> Iterator[tuple[Flat, int]]:
    for (reg, k), b in written_cells(actions):
        yield (reg.addr, reg.fld, k), b


def _flat_read(events: Iterable[Event]) -> Iterator[tuple[Event, Flat, Bits]]:
    for e, (reg, k), b in read_bytes(events):
        yield e, (reg.addr, reg.fld, k), b


def _in_zeros(c: Flat, zeros: Zeros) -> bool:
    return any(a == c[0] and f == c[1] and lo <= c[2] < hi for a, f, lo, hi in zeros)


@attrs.frozen
class _Needs:
    """What a path asks of the other paths of a combination for value-consistency
    (``_consistent_combos``): the bytes it writes, its zero ranges, and the (cell, byte) reads
    that neither the allocation nor another event of the path itself can have written."""

    written: frozenset[tuple[Flat, int]]
    zeros: Zeros
    open: tuple[tuple[Flat, int], ...]


def _needs(alloc_written: frozenset[tuple[Flat, int]], alloc_zeros: Zeros,
           p: ThreadPath, f: _Bytes) -> _Needs:
    """``p``'s ``_Needs``, from its bytes ``f``."""
    asked = [(c, b) for c, b in f.reads - alloc_written
             if not (b == 0 and (_in_zeros(c, alloc_zeros) or _in_zeros(c, f.zeros)))]
    if any(cb in f.written for cb in asked):
        # the path writes a byte it reads: did another of its events write it (an RMW's own
        # write does not justify its read)
        own: dict[tuple[Flat, int], set[int]] = {}
        for e in p.events:
            for cb in _flat_written(e.actions):
                own.setdefault(cb, set()).add(e.index)
        short = {(c, b) for e, c, b in _flat_read(p.events) if not isinstance(b, Term)
                 and ((by := own.get((c, b))) is None or (len(by) == 1 and e.index in by))}
        asked = [cb for cb in asked if cb in short]
    return _Needs(f.written, f.zeros, tuple(asked))


def _consistent_combos(alloc: Event, per_thread: Sequence[Sequence[ThreadPath]],
                       memo: dict[int, tuple[ThreadPath, _Needs]] | None = None,
                       bytes_memo: PathMemo | None = None) -> list[tuple[ThreadPath, ...]]:
    """The combinations (one path per thread) in which every byte some path reads has a writer
    of that byte (another event, the allocation included): the cheap necessary condition of
    value-consistency, without the model. Each path's own part is decided once (``_needs``);
    a combination only checks what is left against the other threads' paths. ``memo``
    (by ``id``) keeps each path's part across the rounds of ``thread_runs``, which keep the
    paths of a thread whose reads the grown offer answers as before."""
    alloc_written = frozenset(_flat_written(alloc.actions))
    alloc_zeros = _zero_ranges([alloc])
    memo = {} if memo is None else memo
    bytes_memo = {} if bytes_memo is None else bytes_memo

    def need(p: ThreadPath) -> _Needs:
        got = memo.get(id(p))
        if got is None or got[0] is not p:
            got = memo[id(p)] = (p, _needs(alloc_written, alloc_zeros, p,
                                           _bytes(p, bytes_memo)))
        return got[1]

    needs = [[need(p) for p in paths] for paths in per_thread]
    out = []
    for idx in itertools.product(*(range(len(paths)) for paths in per_thread)):
        chosen = [needs[t][i] for t, i in enumerate(idx)]
        if all(any(cb in q.written or (cb[1] == 0 and _in_zeros(cb[0], q.zeros))
                   for u, q in enumerate(chosen) if u != t)
               for t, nd in enumerate(chosen) for cb in nd.open):
            out.append(tuple(per_thread[t][i] for t, i in enumerate(idx)))
    return out


def _zero_ranges(events: Iterable[Event]) -> Zeros:
    """Ranges written by Fill payloads (INIT, grow): their zeros are not listed cell by cell."""
    return tuple((a.region.addr, a.region.fld, a.offset, a.offset + len(a.write))
                 for e in events for a in e.actions
                 if a.region is not None and writing(a) and not isinstance(a.write, tuple))


@attrs.frozen
class _Bytes:
    """A path's bytes for ``_justified`` and ``_grow``: the (cell, byte) pairs it writes, its
    zero ranges, the constant (cell, byte) pairs it reads, and its constant written cells."""

    written: frozenset[tuple[Flat, int]]
    zeros: Zeros
    reads: frozenset[tuple[Flat, int]]
    cells: tuple[tuple[Cell, int], ...]


PathMemo = dict[int, tuple[ThreadPath, _Bytes]]  # by ``id``, the path kept alive beside


def _bytes(p: ThreadPath, memo: PathMemo) -> _Bytes:
    got = memo.get(id(p))
    if got is None or got[0] is not p:
        acts = [a for e in p.events for a in e.actions]
        got = memo[id(p)] = (p, _Bytes(
            frozenset(_flat_written(acts)), _zero_ranges(p.events),
            frozenset((c, b) for _, c, b in _flat_read(p.events) if not isinstance(b, Term)),
            tuple(cb for cb in written_cells(acts) if not isinstance(cb[1], Term))))
    return got[1]


def _justified(per_thread: list[list[ThreadPath]], alloc: Event,
               memo: PathMemo | None = None) -> list[list[ThreadPath]]:
    """Drop paths reading a (cell, byte) that no event of any remaining path writes, until
    stable: seed values that no write can produce die here. ``memo`` keeps each path's bytes
    (``_bytes``) across calls."""
    memo = {} if memo is None else memo
    alloc_written = frozenset(_flat_written(alloc.actions))
    alloc_zeros = _zero_ranges([alloc])
    while True:
        facts = [[_bytes(p, memo) for p in paths] for paths in per_thread]
        written = set(alloc_written).union(*(f.written for fs in facts for f in fs))
        zeros = alloc_zeros + tuple(z for fs in facts for f in fs for z in f.zeros)

        def ok(f: _Bytes, written: set[tuple[Flat, int]] = written,
               zeros: Zeros = zeros) -> bool:
            return all(b == 0 and _in_zeros(c, zeros) for c, b in f.reads - written)

        kept = [[p for p, f in zip(paths, fs, strict=True) if ok(f)]
                for paths, fs in zip(per_thread, facts, strict=True)]
        if [len(k) for k in kept] == [len(p) for p in per_thread]:
            return kept
        per_thread = kept


@attrs.frozen
class Runs:
    """The runs of each thread (and of the observer function, last) that some value-consistent
    combination justifies, those combinations, and what bounds were hit."""

    per_thread: tuple[tuple[ThreadPath, ...], ...]
    combos: tuple[tuple[ThreadPath, ...], ...]
    reports: tuple[str, ...]


def thread_runs(program: Program, *, observer: int | None = None,
                seeds: Iterable[int] = (),
                cell_seeds: Mapping[Cell, Iterable[int]] | None = None,
                bounds: Bounds = DEFAULT_BOUNDS, progress: Progress | None = None,
                unknown: bool = False) -> Runs:
    """The first phase of ``enumerate_executions``: which runs exist (with ``unknown``, data
    reads answered with unknowns: symbolic mode). The solver of ``proofs/litmus.py`` chooses
    among exactly these (via ``proofs/layout.py``)."""
    store = runtime.instantiate(program).store
    funcs = list(program.threads) + ([observer] if observer is not None else [])
    alloc = allocation_event(program)
    offer = _initial_offer(program, seeds, cell_seeds or {})
    reports: list[str] = []
    # Offered values grow with the bytes written by value-consistent combinations of paths
    # (one per thread), until nothing new is written.
    # A thread whose holes the grown offer answers as before has the same runs: kept.
    last: list[tuple[_Explored, dict[Hole, list[tuple[int, ...]]]] | None] = [None] * len(funcs)
    memo: dict[int, tuple[ThreadPath, _Needs]] = {}  # ``_consistent_combos``'s, per path
    bytes_memo: PathMemo = {}  # ``_justified``'s and ``_grow``'s, per path
    for round_no in range(1, bounds.max_rounds + 1):
        explored = []
        for i, fi in enumerate(funcs):
            prev = last[i]
            if prev is not None and all(offer.payloads(h) == p for h, p in prev[1].items()):
                explored.append(prev[0])
                continue
            if progress:
                progress(f"round {round_no}: exploring thread {i}")
            consulted: dict[Hole, list[tuple[int, ...]]] = {}
            x = explore_thread(program, store, i, fi, offer, bounds, unknown, consulted)
            last[i] = (x, consulted)
            explored.append(x)
        per_thread = _justified([list(x.paths) for x in explored], alloc, bytes_memo)
        if progress:
            progress(f"round {round_no}: {'x'.join(str(len(p)) for p in per_thread)} paths")
        combos = _consistent_combos(alloc, per_thread, memo, bytes_memo)
        in_combos = {id(p): p for c in combos for p in c}.values()
        # with unknowns, data reads consult no offer: only the lengths may grow it
        grown = _grow(offer, (cb for p in in_combos for cb in _bytes(p, bytes_memo).cells
                              if not unknown or cb[0][0].fld != DATA))
        if grown == offer:
            break
        offer = grown
    else:
        reports.append(cut_report("max_rounds", f"values: no fixed point of the offered values "
                                                f"in {bounds.max_rounds} rounds"))
    for i, x in enumerate(explored):
        reports += x.reports(f"thread {i}", bounds)
    return Runs(tuple(tuple(p) for p in per_thread), tuple(tuple(c) for c in combos),
                tuple(reports))


def enumerate_executions(program: Program, model: Model, *,
                         observe: Sequence[tuple[int, int]] = (),
                         observer: int | None = None,
                         seeds: Iterable[int] = (),
                         cell_seeds: Mapping[Cell, Iterable[int]] | None = None,
                         bounds: Bounds = DEFAULT_BOUNDS, explicit: bool = False,
                         progress: Progress | None = None) -> Enumeration:
    """Every valid execution of ``program`` under ``model``: listed one by one if ``explicit``
    (or if the model does not factorise), else one per class with its multiplicity.

    ``observe``: (addr, width) locations the final observer loads (SeqCst) after all threads;
    ``observer``: index of a function run as the final observer before those loads (a ``.wast``
    ``$Check``); ``seeds``: whole values offered to every data read besides the bytes writes
    produce (the condition's values); ``cell_seeds``: extra bytes per cell; ``progress`` is
    told, in words, how far the enumeration has got.
    """
    runs = thread_runs(program, observer=observer, seeds=seeds, cell_seeds=cell_seeds,
                       bounds=bounds, progress=progress)
    per_thread, combos, reports = runs.per_thread, runs.combos, runs.reports
    n = len(program.threads)
    valid: list[ValidExecution] = []
    checked = 0
    cache: Cache = {}
    for j, combo in enumerate(combos, 1):
        if progress:
            progress(f"combination {j}/{len(combos)}: {checked} candidates checked, "
                     f"{len(valid)} valid")
        obs = combo[n] if observer is not None else None
        found, k = combine(program, model, combo[:n], observe, obs, explicit=explicit,
                           cache=cache)
        valid += found
        checked += k
    return Enumeration(tuple(valid), checked, tuple(len(p) for p in per_thread),
                       tuple(reports))
