"""Hypothesis strategies for execution graphs.

Alternatives are listed simplest first, because Hypothesis shrinks towards the first: writes
before reads before RMWs, unordered before SeqCst, two threads before three, the aligned i32
fragment before mixed sizes, thread 0 before thread 1 in the interleaving, and for every read the
write an SC machine would read (the tot-latest earlier one) before any other. So a shrunk
counterexample is an SB/MP/LB-like shape with as few non-SC reads as the failure needs.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from properties.graphs import (
    SLOT,
    Access,
    Graph,
    Shape,
    build,
    candidates,
    event_ids,
    sources_of,
)
from semantics.memory.check import data_race
from semantics.memory.events import Kind, Ord
from semantics.memory.model import Model


@attrs.frozen
class Bounds:
    """How large generated graphs may be."""

    threads: tuple[int, int] = (2, 3)
    events: int = 4  # accesses per thread
    slots: int = 2  # named i32 locations x, y, ...
    mixed: bool = True  # allow widths 1, 2, 8 and misaligned plain accesses
    rmw: bool = True
    every_byte: bool = False  # write numbers into every byte even in the aligned fragment
    # draw tot as an interleaving; otherwise the graph has no tot (the theorems quantify over
    # every valid tot) and reads rank their writers by the threads-in-order interleaving
    with_tot: bool = False


SC_DRF_BOUNDS = Bounds(threads=(2, 3), events=3)
ONE_THREAD = Bounds(threads=(1, 1), events=4, slots=2, mixed=False)
STEPHEN = Bounds(threads=(2, 2), events=4, slots=3, mixed=False)


def _placements(slot: int, width: int, atomic: bool, mixed: bool) -> list[int]:
    """Offsets for an access of ``width`` bytes in (or from) ``slot``: aligned ones first, and
    for unordered accesses one misaligned offset (SeqCst misaligned accesses trap in [T])."""
    base = slot * SLOT
    if width == 8:
        aligned = [base - base % 8]
    else:
        aligned = list(range(base, base + SLOT, width))
    misaligned = [] if atomic or width == 1 or not mixed else [base + 1]
    return aligned + misaligned


@st.composite
def shapes(draw: st.DrawFn, bounds: Bounds = SC_DRF_BOUNDS) -> Shape:
    mixed = bounds.mixed and draw(st.integers(0, 3)) == 3
    n_threads = draw(st.integers(*bounds.threads))
    # RMWs a fifth of the time: the classic shapes need plain reads and writes
    kinds = [Kind.WR, Kind.RD, Kind.WR, Kind.RD, Kind.RMW] if bounds.rmw else [Kind.WR, Kind.RD]
    widths = [4, 8, 1, 2] if mixed else [4]
    threads = []
    n_writes = 0
    for _ in range(n_threads):
        accs = []
        for _ in range(draw(st.integers(1, bounds.events))):
            kind = draw(st.sampled_from(kinds))
            order = Ord.SEQCST if kind is Kind.RMW else draw(
                st.sampled_from([Ord.UNORD, Ord.SEQCST]))
            slot = draw(st.integers(0, bounds.slots - 1))
            width = draw(st.sampled_from(widths))
            offset = draw(st.sampled_from(_placements(slot, width, order is Ord.SEQCST, mixed)))
            value = 0
            if kind is not Kind.RD:
                n_writes += 1
                value = n_writes
            accs.append(Access(kind, order, offset, width, value,
                               every_byte=mixed or bounds.every_byte))
        threads.append(tuple(accs))
    return Shape(tuple(threads))


def program_order(shape: Shape) -> tuple[int, ...]:
    return (0, *(e for ids in event_ids(shape) for e in ids))


@st.composite
def interleavings(draw: st.DrawFn, shape: Shape) -> tuple[int, ...]:
    """A tot: the allocation, then the threads' events interleaved (program order kept)."""
    ids = event_ids(shape)
    next_ = [0] * len(ids)
    order = [0]
    while True:
        live = [t for t in range(len(ids)) if next_[t] < len(ids[t])]
        if not live:
            return tuple(order)
        t = live[draw(st.integers(0, len(live) - 1))] if len(live) > 1 else live[0]
        order.append(ids[t][next_[t]])
        next_[t] += 1


@st.composite
def graphs(draw: st.DrawFn, bounds: Bounds = SC_DRF_BOUNDS,
           race_free: Model | None = None) -> Graph:
    """Well-formed, value-consistent candidate executions with a tot.

    With ``race_free``, DRF holds by construction where it can: while two events race under
    that model's hb and have one range, their unordered accesses become SeqCst (hb only grows,
    so no new race appears). Races between different ranges are left as drawn."""
    shape = draw(shapes(bounds))
    tot = draw(interleavings(shape)) if bounds.with_tot else program_order(shape)
    ids = event_ids(shape)
    sources = []
    for t, accs in enumerate(shape.threads):
        for i, a in enumerate(accs):
            if not a.reads:
                continue
            eid = ids[t][i]
            # One choice for the whole access, among writers of its first cell: mostly what an
            # SC machine would read (index 0), sometimes another...
            first = candidates(shape, tot, eid, a.offset)
            base = first[draw(st.integers(0, len(first) - 1))]
            base_cells = _cells_written(shape, base)
            tear = a.every_byte and a.width > 1 and any(
                len(candidates(shape, tot, eid, k)) > 1 for k in a.cells) and draw(st.booleans())
            srcs = []
            for k in a.cells:
                cands = candidates(shape, tot, eid, k)
                if tear:
                    srcs.append(cands[draw(st.integers(0, len(cands) - 1))])
                elif k in base_cells:
                    srcs.append(base)
                else:  # ... and the SC choice for the cells that writer does not cover
                    srcs.append(cands[0])
            sources.append(tuple(srcs))
    g = build(shape, tot, sources, keep_tot=bounds.with_tot)
    return g if race_free is None else promote_races(g, race_free)


def promote_races(g: Graph, model: Model) -> Graph:
    for _ in range(g.shape.accesses):
        race = data_race(g.ex, model)
        if race is None:
            return g
        accs = [_access(g.shape, e) for e in race]
        plain = [a for a in accs if a is not None and a.ord is Ord.UNORD]
        if None in accs or not plain or accs[0].cells != accs[1].cells or not all(
                a.aligned for a in plain):
            return g  # a mixed-size, init or misaligned race: no SeqCst version is race-free
        shape = Shape(tuple(
            tuple(attrs.evolve(a, ord=Ord.SEQCST) if eid in race else a
                  for a, eid in zip(accs_, ids_, strict=True))
            for accs_, ids_ in zip(g.shape.threads, event_ids(g.shape), strict=True)))
        g = build(shape, g.ex.tot or program_order(shape), sources_of(g),
                  keep_tot=g.ex.tot is not None)
    return g


def _access(shape: Shape, eid: int) -> Access | None:
    for accs, ids in zip(shape.threads, event_ids(shape), strict=True):
        if eid in ids:
            return accs[ids.index(eid)]
    return None


def _cells_written(shape: Shape, eid: int) -> range:
    if eid == 0:
        return range(0, 1 << 16)
    ids = event_ids(shape)
    for t, accs in enumerate(shape.threads):
        if eid in ids[t]:
            return accs[ids[t].index(eid)].cells
    raise ValueError(f"no event #{eid}")
