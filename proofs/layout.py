"""The slots of a litmus test's candidate executions: the explicit enumerator's candidate paths
(``candidate_paths``), their events over alternatives (``layout``), and the assembly of a
choice of them (``slot_assembly``).

Events live in *slots*, numbered as ``engine.assemble`` numbers a combination's events: slot 0
is the allocation, then slot (t, k) holds the k-th event of thread t's selected path, then the
observer function's events, then the observer's SeqCst loads. Once the selectors are fixed,
every slot's event is concrete (offsets, widths, orders, bytes); a slot beyond the selected
path's length is absent (no access, no hb edge). Only the slots' actions matter to the
encoding: the assembly numbers the events.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from semantics.litmus import engine as X
from semantics.litmus.format import LitmusTest
from semantics.litmus.result import observe_of, seeds_of
from semantics.memory.events import Event
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


# --- the slot layout: the assembly's events, over alternatives -------------------------------


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
    """Every slot of a test's candidate executions, in ``engine.assemble``'s numbering."""

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
            slots.append(Slot(g, k, alts=tuple(Alt(g, j, p.events[k])
                                               for j, p in enumerate(paths) if len(p.events) > k)))
    loads = []
    for j, (addr, width) in enumerate(cands.observe):
        load = Event(0, n_threads, 0, (X.observer_load(addr, width),), "observe")
        loads.append(len(slots))
        slots.append(Slot(None, j, fixed=load))
    return Layout(cands, alloc, tuple(slots), n_threads if cands.has_observer else None,
                  tuple(loads))


def slot_assembly(lay: Layout, picks: Sequence[int]) -> tuple[X.Assembly, dict[int, int]]:
    """``engine.assemble`` of the paths ``picks`` selects (one index per group), and the map
    from present slots to its event ids."""
    paths = [lay.cands.groups[g][j] for g, j in enumerate(picks)]
    n = lay.n_threads
    asm = X.assemble(lay.cands.program, paths[:n], lay.cands.observe,
                     paths[n] if lay.obs_group is not None else None)
    where = {0: 0}
    for g, p in enumerate(paths):
        where.update(zip(lay.group_slots(g), range(asm.starts[g], asm.starts[g] + len(p.events)),
                         strict=False))
    where.update(zip(lay.loads, range(asm.load_base, len(asm.events)), strict=True))
    return asm, where
