"""The slots of a litmus test's candidate executions: the explicit enumerator's candidate paths
(``candidate_paths``) and the events ``combine`` builds from a choice of them (``layout``,
``assemble``).

Events live in *slots*, numbered as ``combine`` numbers a combination's events: slot 0 is the
allocation, then slot (t, k) holds the k-th event of thread t's selected path, then the
observer function's events, then the observer's SeqCst loads. Once the selectors are fixed,
every slot's event is concrete (offsets, widths, orders, bytes); a slot beyond the selected
path's length is absent (no access, no hb edge).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from semantics.litmus import engine as X
from semantics.litmus.format import LitmusTest
from semantics.litmus.result import seeds_of
from semantics.memory.events import MEM_DATA, Action, Event, Kind, Ord
from semantics.wasm.syntax import Program

# --- candidate paths: the explicit enumerator's first phase ------------------------------------


@attrs.frozen
class Candidates:
    """Per thread (then the observer function, if any) the complete runs the explicit enumerator
    combines, the observer's loads, and each exploration bound that was hit."""

    program: Program
    groups: tuple[tuple[X.ThreadPath, ...], ...]
    observe: tuple[tuple[int, int], ...]
    has_observer: bool
    reports: tuple[str, ...]


def observe_of(test: LitmusTest) -> tuple[tuple[int, int], ...]:
    """The (addr, width) loads of the final observer, in ``herd.run_test``'s order."""
    return tuple(dict.fromkeys((m.addr, m.width) for m in test.memory_observables))


def candidate_paths(test: LitmusTest, bounds: X.Bounds = X.DEFAULT_BOUNDS) -> Candidates:
    """The thread paths of ``enumerate_executions`` (same offers, same fixed point of written
    values, same justification filter), before it combines them: the solver must choose among
    exactly the runs the enumerator chooses among, or the comparison would test exploration."""
    program = test.program
    seeds, cell_seeds = seeds_of(test)
    runs = X.thread_runs(program, observer=test.observer, seeds=seeds, cell_seeds=cell_seeds,
                         bounds=bounds)
    return Candidates(program, runs.per_thread, observe_of(test),
                      test.observer is not None, runs.reports)


# --- the slot layout: combine's events and spawn edges, over alternatives ----------------------


@attrs.frozen
class Alt:
    """Path ``path`` of group ``group`` puts ``event`` in this slot."""

    group: int
    path: int
    event: Event


@attrs.frozen
class Slot:
    """A fixed event (the allocation, an observer load) or the alternatives for the
    ``index``-th event of group ``group``."""

    group: int | None
    index: int
    fixed: Event | None = None
    alts: tuple[Alt, ...] = ()

    def events(self) -> list[Event]:
        return [self.fixed] if self.fixed is not None else [a.event for a in self.alts]


@attrs.frozen
class Layout:
    """Every slot of a test's candidate executions, in ``combine``'s numbering."""

    cands: Candidates
    alloc: Event
    slots: tuple[Slot, ...]
    obs_group: int | None  # the observer function's group
    loads: tuple[int, ...]  # the observer loads' slots

    @property
    def n_threads(self) -> int:
        return len(self.cands.groups) - (1 if self.cands.has_observer else 0)

    def group_slots(self, g: int) -> list[int]:
        return [i for i, s in enumerate(self.slots) if s.group == g]


def layout(cands: Candidates) -> Layout:
    alloc = X.allocation_event(cands.program)
    n_threads = len(cands.groups) - (1 if cands.has_observer else 0)
    slots: list[Slot] = [Slot(None, 0, fixed=alloc)]
    for g, paths in enumerate(cands.groups):
        for k in range(max((len(p.events) for p in paths), default=0)):
            slots.append(Slot(g, k, alts=tuple(
                Alt(g, j, p.events[k] if g < n_threads
                    else attrs.evolve(p.events[k], thread=n_threads))
                for j, p in enumerate(paths) if len(p.events) > k)))
    loads = []
    for j, (addr, width) in enumerate(cands.observe):
        load = Action(Kind.RD, MEM_DATA, addr, Ord.SEQCST, read=(0,) * width)
        loads.append(len(slots))
        slots.append(Slot(None, j, fixed=Event(0, n_threads, 0, (load,), "observe")))
    return Layout(cands, alloc, tuple(slots), n_threads if cands.has_observer else None,
                  tuple(loads))


def assemble(lay: Layout, picks: Sequence[int]) -> tuple[list[Event], frozenset[tuple[int, int]],
                                                         dict[int, int]]:
    """The events and spawn edges ``combine`` builds from the paths ``picks`` (one index per
    group), and the map from present slots to event ids. Observer loads keep placeholder bytes."""
    paths = [lay.cands.groups[g][j] for g, j in enumerate(picks)]
    n = lay.n_threads
    events: list[Event] = [lay.alloc]
    where: dict[int, int] = {0: 0}
    starts: list[int] = []
    last: list[int] = []

    def place(g: int, evs: list[Event]) -> None:
        for slot, e in zip(lay.group_slots(g), evs, strict=False):
            where[slot] = e.eid
        events.extend(evs)

    for g, p in enumerate(paths[:n]):
        base = len(events)
        place(g, [attrs.evolve(e, eid=base + e.index) for e in p.events])
        if p.events:
            starts.append(base)
            last.append(len(events) - 1)
    first_obs = len(events)
    n_obs_func = 0
    if lay.obs_group is not None:
        obs = paths[lay.obs_group]
        place(lay.obs_group, [attrs.evolve(e, eid=first_obs + e.index, thread=n)
                              for e in obs.events])
        n_obs_func = len(obs.events)
    for j, slot in enumerate(lay.loads):
        load = lay.slots[slot].events()[0]
        where[slot] = len(events)
        events.append(attrs.evolve(load, eid=len(events), index=n_obs_func + j))
    if len(events) > first_obs:
        starts.append(first_obs)
    spawn = frozenset({(0, b) for b in starts}
                      | ({(a, first_obs) for a in last} if len(events) > first_obs else set()))
    return events, spawn, where
