"""Every valid execution of a program under a model (the explicit litmus enumerator).

1. Per thread, explore ``step.thread_steps`` depth first. A step that reads shared memory is a
   ``Read``: it is offered candidate values, per cell the bytes some write of the program can put
   there (the allocation's INIT write, every store / rmw / grow of every thread), iterated to a
   fixed point since written values may depend on values read, plus seed values (those the
   condition names: the only way to reach self-justifying "thin air" values, see docs/litmus.md).
   ``len`` reads are offered the lengths the allocation and the grows can write. Each completed
   run is a ``ThreadPath``.
2. Combine one path per thread, the allocation event and the final observer (``assemble``);
   for each cell read choose a writer among the events writing that byte there
   (value-consistent by construction); call ``semantics.memory.check.consistent``; keep the
   valid executions.

Events are numbered canonically (allocation 0, then thread 0's events, thread 1's, ...,
observer last), so executions equal up to renaming of events are equal values and count once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from semantics.memory.check import consistent, facts, hb
from semantics.memory.events import (
    DATA,
    INIT_THREAD,
    LEN,
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
    value,
    writing,
)
from semantics.memory.model import Model
from semantics.memory.verdict import Ok
from semantics.wasm import runtime
from semantics.wasm.runtime import Store, Thread
from semantics.wasm.step import Emit, Hole, Transition, thread_steps
from semantics.wasm.syntax import Program

Cell = tuple[Region, int]
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
    for a trapped thread), then ``("trap", 0|1)``, then ``("result", v)`` per result value.
    """

    thread: int
    events: tuple[Event, ...]
    final: tuple[tuple[str, int], ...]

    @property
    def final_map(self) -> dict[str, int]:
        return dict(self.final)


@attrs.frozen
class ValidExecution:
    execution: Execution  # with ``tot`` = the witness total order
    paths: tuple[ThreadPath, ...]  # one per thread, then the observer's (if it runs a function)
    observed: tuple[tuple[int, int, int], ...]  # (addr, width, value) read by the final observer


@attrs.frozen
class Enumeration:
    valid: tuple[ValidExecution, ...]
    candidates: int  # candidate executions handed to the model
    paths: tuple[int, ...]  # completed paths per thread (observer last if it runs a function)
    bound_reports: tuple[str, ...] = ()  # each bound that cut, a ``cut_report``

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
        return out


def thread_final(program: Program, func_index: int, thread: Thread) -> tuple[tuple[str, int], ...]:
    func = program.funcs[func_index]
    names = func.local_names
    out: list[tuple[str, int]] = []
    for i, v in enumerate(runtime.thread_locals(thread)):
        n = names[i] if i < len(names) else None
        out.append(((n or str(i)).removeprefix("$"), v.bits))
    out.append(("trap", 1 if runtime.thread_status(thread) == "trapped" else 0))
    if runtime.thread_status(thread) == "done":
        out += [("result", v.bits) for v in runtime.thread_results(thread)]
    return tuple(out)


def _emits(t: Transition | None, offer: Offer) -> Iterator[Emit]:
    """Every complete step reachable from ``t`` by answering its reads with offered values."""
    if t is None:
        return
    if isinstance(t, Emit):
        yield t
        return
    for values in offer.payloads(t.hole):
        yield from _emits(t.resume(values), offer)


def explore_thread(program: Program, store: Store, thread_no: int, func_index: int,
                   offer: Offer, bounds: Bounds) -> _Explored:
    """All complete runs of one thread, reads answered from ``offer``."""
    start = runtime.thread_start(program, func_index)
    paths: dict[ThreadPath, None] = {}
    cut_events = cut_steps = 0
    stack: list[tuple[Store, Thread, tuple[Event, ...], int]] = [(store, start, (), 0)]
    while stack:
        st, th, events, steps = stack.pop()
        transitions = thread_steps(st, th)
        if not transitions:
            path = ThreadPath(thread_no, events, thread_final(program, func_index, th))
            paths[path] = None
            if len(paths) >= bounds.max_paths and stack:
                return _Explored(tuple(paths), cut_events, cut_steps, capped=True)
            continue
        if steps >= bounds.max_steps:
            cut_steps += 1
            continue
        succ = []
        for t in transitions:
            for e in _emits(t, offer):
                st2, th2 = after_step(e)
                evs = events
                if e.actions:
                    if len(events) >= bounds.max_events:
                        cut_events += 1
                        continue
                    i = len(events)
                    evs = events + (Event(i, thread_no, i, e.actions, e.rule),)
                succ.append((st2, th2, evs, steps + 1))
        stack.extend(reversed(succ))
    return _Explored(tuple(paths), cut_events, cut_steps)


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
    return Event(0, INIT_THREAD, 0, tuple(actions), "alloc")


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


def assemble(program: Program, paths: Sequence[ThreadPath],
             observe: Sequence[tuple[int, int]] = (),
             observer: ThreadPath | None = None) -> Assembly:
    """The allocation event, ``paths`` (one per thread, in thread order), then the final
    observer: ``observer`` (the path of a function run as observer, if any) followed by SeqCst
    loads of the ``observe`` = (addr, width) locations; with spawn edges from the allocation to
    each thread's first event and from each thread's last event to the observer's first."""
    events: list[Event] = [allocation_event(program)]
    starts: list[int] = []
    spawned: list[int] = []
    last: list[int] = []
    # [T] allocates the memory in the thread that then spawns the others, so the allocation
    # happens before every thread's first step (and before the observer).
    for p in paths:
        base = len(events)
        starts.append(base)
        events += [attrs.evolve(e, eid=base + e.index) for e in p.events]
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
    return Assembly(tuple(events), spawn, tuple(starts), load_base)


def _write_actions(events: Sequence[Event]) -> list[tuple[int, Action]]:
    return [(e.eid, a) for e in events for a in e.actions
            if a.region is not None and is_memory(a) and writing(a)]


def _writers_of(writes: Sequence[tuple[int, Action]], cell: Cell) -> list[tuple[int, int]]:
    """(event, byte written) for each event writing ``cell``."""
    region, k = cell
    return [(w, a.write[k - a.offset]) for w, a in writes
            if a.region == region and a.offset <= k < a.offset + len(a.write)]


class _Pruner:
    """The ``prune`` hooks of the model's axioms, on one reading event's choice of writers: a
    choice that some hook rejects cannot be part of a consistent execution. Per cell, the hooks
    read hb of the execution without rf (a lower bound: hb's generators are monotone in rf);
    per event, the hb of the execution with that event's rf."""

    def __init__(self, model: Model, events: Sequence[Event],
                 spawn: frozenset[tuple[int, int]]) -> None:
        self.model = model
        self.hooks = tuple(ax.prune for ax in model.axioms if ax.prune is not None)
        self.base = facts(Execution(tuple(events), frozenset(), spawn), model) \
            if self.hooks else None

    def cell_ok(self, r: int, w: int, cell: Cell) -> bool:
        base = self.base
        return base is None or all(hook(base, ((w, r, *cell),)) for hook in self.hooks)

    def event_ok(self, e: Event, rf: frozenset[Rf]) -> bool:
        base = self.base
        if base is None:
            return True
        events, spawn = base.ex.events, base.ex.spawn
        if e is not events[e.eid]:  # an observer load, its bytes now those of its writers
            events = (*events[:e.eid], e, *events[e.eid + 1:])
        h = hb(Execution(events, rf, spawn), self.model)
        f = attrs.evolve(base, ex=Execution(events, frozenset(), spawn), hb=h)
        return all(hook(f, rf) for hook in self.hooks)


@attrs.frozen
class _Pick:
    event: Event  # the reading event (an observer load gets its bytes from its writers)
    rf: frozenset[Rf]


def _picks(e: Event, pruner: _Pruner, writes: Sequence[tuple[int, Action]],
           observer_load: bool) -> list[_Pick]:
    """Every locally consistent choice of writers for the cells ``e`` reads."""
    cells: list[Cell] = []
    options: list[list[tuple[int, int]]] = []
    for a in e.actions:
        if a.region is None or not is_memory(a) or not reading(a):
            continue
        for i, b in enumerate(a.read):
            cell = (a.region, a.offset + i)
            ws = [(w, x) for w, x in _writers_of(writes, cell)
                  if w != e.eid and (observer_load or x == b) and pruner.cell_ok(e.eid, w, cell)]
            if not ws:
                return []
            cells.append(cell)
            options.append(ws)
    out = []
    for combo in itertools.product(*options):
        rf = frozenset((w, e.eid, reg, k) for (w, _), (reg, k) in zip(combo, cells, strict=True))
        ev = e
        if observer_load:
            act = attrs.evolve(e.actions[0], read=tuple(x for _, x in combo))
            ev = attrs.evolve(e, actions=(act,))
        if pruner.event_ok(ev, rf):
            out.append(_Pick(ev, rf))
    return out


def combine(program: Program, model: Model, paths: Sequence[ThreadPath],
            observe: Sequence[tuple[int, int]] = (),
            observer: ThreadPath | None = None) -> tuple[list[ValidExecution], int]:
    """Valid executions of the assembly of ``paths``, ``observe`` and ``observer``
    (``assemble``). Returns the valid executions and the number of candidates checked."""
    asm = assemble(program, paths, observe, observer)
    events, spawn, load_base = list(asm.events), asm.spawn, asm.load_base
    writes = _write_actions(events)
    pruner = _Pruner(model, events, spawn)
    per_event: list[list[_Pick]] = []
    for e in events[1:]:
        if any(a.region is not None and is_memory(a) and reading(a) for a in e.actions):
            picks = _picks(e, pruner, writes, e.eid >= load_base)
            if not picks:
                return [], 0
            per_event.append(picks)

    out: list[ValidExecution] = []
    checked = 0
    all_paths = tuple(paths) + ((observer,) if observer is not None else ())
    for choice in itertools.product(*per_event):
        evs = list(events)
        rf: set[Rf] = set()
        for pick in choice:
            evs[pick.event.eid] = pick.event
            rf |= pick.rf
        ex = Execution(tuple(evs), frozenset(rf), spawn)
        checked += 1
        verdict = consistent(ex, model)
        if isinstance(verdict, Ok):
            observed = tuple((a, w, value(evs[load_base + j].actions[0].read))
                             for j, (a, w) in enumerate(observe))
            out.append(ValidExecution(attrs.evolve(ex, tot=verdict.tot), all_paths, observed))
    return out, checked


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


def _grow(offer: Offer, events: Iterable[Event]) -> Offer:
    cells = {c: set(v) for c, v in offer.cells.items()}
    for e in events:
        for c, b in written_cells(e.actions):
            cells.setdefault(c, set()).add(b)
    return attrs.evolve(offer, cells={c: frozenset(v) for c, v in cells.items()})


def _value_consistent(alloc: Event, combo: Sequence[ThreadPath]) -> bool:
    """Has every byte some path of ``combo`` reads a writer of that byte in ``combo`` (another
    event)? The cheap necessary condition of value-consistency, without the model."""
    writers: dict[tuple[Cell, int], set[tuple[int, int]]] = {}
    everything = [alloc] + [e for p in combo for e in p.events]
    for e in everything:
        for cb in written_cells(e.actions):
            writers.setdefault(cb, set()).add((e.thread, e.index))
    zeros = _zero_ranges(everything)
    for p in combo:
        for e in p.events:
            for a in e.actions:
                if a.region is None or not is_memory(a) or not reading(a):
                    continue
                for i, b in enumerate(a.read):
                    c = (a.region, a.offset + i)
                    if writers.get((c, b), set()) - {(e.thread, e.index)}:
                        continue
                    if b == 0 and any(r == c[0] and lo <= c[1] < hi for r, lo, hi in zeros):
                        continue
                    return False
    return True


def _zero_ranges(events: Iterable[Event]) -> list[tuple[Region, int, int]]:
    """Ranges written by Fill payloads (INIT, grow): their zeros are not listed cell by cell."""
    return [(a.region, a.offset, a.offset + len(a.write)) for e in events for a in e.actions
            if a.region is not None and writing(a) and not isinstance(a.write, tuple)]


def _justified(per_thread: list[list[ThreadPath]], alloc: Event) -> list[list[ThreadPath]]:
    """Drop paths reading a (cell, byte) that no event of any remaining path writes, until
    stable: seed values that no write can produce die here."""
    while True:
        everything = [alloc] + [e for paths in per_thread for p in paths for e in p.events]
        written = {cb for e in everything for cb in written_cells(e.actions)}
        zeros = _zero_ranges(everything)

        def ok(p: ThreadPath, written: set[tuple[Cell, int]] = written,
               zeros: list[tuple[Region, int, int]] = zeros) -> bool:
            for e in p.events:
                for a in e.actions:
                    if a.region is None or not is_memory(a) or not reading(a):
                        continue
                    for i, b in enumerate(a.read):
                        c = (a.region, a.offset + i)
                        if (c, b) in written:
                            continue
                        if b == 0 and any(r == c[0] and lo <= c[1] < hi for r, lo, hi in zeros):
                            continue
                        return False
            return True

        kept = [[p for p in paths if ok(p)] for paths in per_thread]
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
                bounds: Bounds = DEFAULT_BOUNDS, progress: Progress | None = None) -> Runs:
    """The first phase of ``enumerate_executions``: which runs exist. The solver of
    ``proofs/litmus.py`` chooses among exactly these (via ``proofs/layout.py``)."""
    store = runtime.instantiate(program).store
    funcs = list(program.threads) + ([observer] if observer is not None else [])
    alloc = allocation_event(program)
    offer = _initial_offer(program, seeds, cell_seeds or {})
    reports: list[str] = []
    # Offered values grow with the bytes written by value-consistent combinations of paths
    # (one per thread), until nothing new is written.
    for round_no in range(1, bounds.max_rounds + 1):
        explored = []
        for i, fi in enumerate(funcs):
            if progress:
                progress(f"round {round_no}: exploring thread {i}")
            explored.append(explore_thread(program, store, i, fi, offer, bounds))
        per_thread = _justified([list(x.paths) for x in explored], alloc)
        if progress:
            progress(f"round {round_no}: {'x'.join(str(len(p)) for p in per_thread)} paths")
        combos = [c for c in itertools.product(*per_thread) if _value_consistent(alloc, c)]
        grown = _grow(offer, (e for c in combos for p in c for e in p.events))
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
                         bounds: Bounds = DEFAULT_BOUNDS,
                         progress: Progress | None = None) -> Enumeration:
    """Every valid execution of ``program`` under ``model``.

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
    for j, combo in enumerate(combos, 1):
        if progress:
            progress(f"combination {j}/{len(combos)}: {checked} candidates checked, "
                     f"{len(valid)} valid")
        obs = combo[n] if observer is not None else None
        found, k = combine(program, model, combo[:n], observe, obs)
        valid += found
        checked += k
    return Enumeration(tuple(valid), checked, tuple(len(p) for p in per_thread),
                       tuple(reports))
