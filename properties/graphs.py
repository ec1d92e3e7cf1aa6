"""Candidate execution graphs built from a *shape* (the accesses of each thread), an
interleaving (``tot``, the reduction order, erratum E2) and a reads-from choice per read.

Well-formedness (WF) and value-consistency (VC) hold by construction: every read cell takes its
byte from a write that covers the cell, is not the read itself, and wrote that very byte. The
allocation event (``#0``, thread ``INIT_THREAD``) writes the length and INIT-zeroes one page, as
``runtime.allocation_actions`` does; every access event carries its bounds-check ``rd len``.

Written values are the write's number (1, 2, ...) in every byte, so a read's value names its
writers; in the aligned fragment only the low byte carries the number, so that rendered litmus
tests read ``1`` and ``2`` rather than ``0x1010101``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    Rf,
    fill,
    rd,
    rmw,
    wr,
)

SLOT = 4  # bytes per named location x, y, z, ...


@attrs.frozen
class Access:
    """One memory access of a thread: ``kind`` RD/WR/RMW at byte ``offset``, ``width`` bytes.

    ``value`` is the write's number (0 for a read); ``signature`` is whether the write puts the
    number in every byte (mixed-size graphs) or only in the low byte (aligned graphs)."""

    kind: Kind
    ord: Ord
    offset: int
    width: int
    value: int = 0
    every_byte: bool = False

    @property
    def writes(self) -> bool:
        return self.kind is not Kind.RD

    @property
    def reads(self) -> bool:
        return self.kind is not Kind.WR

    @property
    def cells(self) -> range:
        return range(self.offset, self.offset + self.width)

    @property
    def aligned(self) -> bool:
        return self.offset % self.width == 0

    def payload(self) -> tuple[int, ...]:
        if self.every_byte:
            return (self.value,) * self.width
        return (self.value,) + (0,) * (self.width - 1)


@attrs.frozen
class Shape:
    """The program side of a graph: per thread, its accesses in program order."""

    threads: tuple[tuple[Access, ...], ...]

    @property
    def accesses(self) -> int:
        return sum(len(t) for t in self.threads)


@attrs.frozen(cache_hash=True)
class Graph:
    """A generated candidate execution (with ``tot``) and the shape it was built from."""

    shape: Shape
    ex: Execution

    @property
    def tot(self) -> tuple[int, ...] | None:
        return self.ex.tot

    def with_tot(self, tot: tuple[int, ...]) -> Graph:
        return attrs.evolve(self, ex=attrs.evolve(self.ex, tot=tuple(tot)))

    def __repr__(self) -> str:
        # Hypothesis prints failing examples with repr: make it the litmus test plus the graph.
        # (Imported here because properties.render builds on this module.)
        from properties.render import render_graph

        return render_graph(self)


def notears(a: Access) -> bool:
    """[T] ``tearing``: integer accesses, aligned, at most 32 bits."""
    return a.aligned and a.width <= 4


def _data_action(a: Access, read: tuple[int, ...]) -> Action:
    if a.kind is Kind.RMW:
        return rmw(MEM_DATA, a.offset, read, a.payload())
    if a.kind is Kind.RD:
        return rd(MEM_DATA, a.offset, read, a.ord, notears=notears(a))
    return wr(MEM_DATA, a.offset, a.payload(), a.ord, notears=notears(a))


def allocation_event() -> Event:
    return Event(0, INIT_THREAD, 0,
                 (wr(MEM_LEN, 0, (PAGE,), Ord.SEQCST), wr(MEM_DATA, 0, fill(PAGE), Ord.INIT)),
                 rule="alloc")


def event_ids(shape: Shape) -> tuple[tuple[int, ...], ...]:
    """Event ids per thread: threads in order, then program order; ``#0`` is the allocation."""
    out, n = [], 1
    for t in shape.threads:
        out.append(tuple(range(n, n + len(t))))
        n += len(t)
    return tuple(out)


def writers_of(shape: Shape, cell: int) -> tuple[int, ...]:
    """Events writing ``cell``, the allocation first."""
    ids = event_ids(shape)
    found = [0]
    for t, accs in enumerate(shape.threads):
        for i, a in enumerate(accs):
            if a.writes and cell in a.cells:
                found.append(ids[t][i])
    return tuple(found)


def candidates(shape: Shape, tot: Sequence[int], reader: int, cell: int) -> tuple[int, ...]:
    """Writers ``reader`` may take ``cell`` from, simplest first: the tot-latest earlier writer
    (what an SC machine reads), then earlier ones latest first, then tot-later ones."""
    pos = {e: i for i, e in enumerate(tot)}
    ws = [w for w in writers_of(shape, cell) if w != reader]
    before = sorted((w for w in ws if pos[w] < pos[reader]), key=lambda w: -pos[w])
    after = sorted((w for w in ws if pos[w] > pos[reader]), key=lambda w: pos[w])
    return tuple(before + after)


def build(shape: Shape, tot: Sequence[int], sources: Sequence[Sequence[int]],
          keep_tot: bool = True) -> Graph:
    """The graph of ``shape`` with total order ``tot`` (allocation first) where the ``j``-th
    reading access (in event-id order) takes cell ``offset + i`` from ``sources[j][i]``.
    ``tot`` also ranks the candidates; with ``keep_tot`` false the graph has no tot."""
    ids = event_ids(shape)
    flat = [(ids[t][i], t, i, a) for t, accs in enumerate(shape.threads)
            for i, a in enumerate(accs)]
    by_id = {eid: a for eid, _, _, a in flat}
    events = [allocation_event()]
    rf: set[Rf] = set()
    j = 0
    for eid, t, i, a in flat:
        read: tuple[int, ...] = ()
        if a.reads:
            if j >= len(sources) or len(sources[j]) != a.width:
                raise ValueError(f"reads-from of event #{eid}: expected {a.width} writers")
            bytes_ = []
            for k, w in zip(a.cells, sources[j], strict=True):
                if w == eid:
                    raise ValueError(f"event #{eid} cannot read from itself")
                if w == 0:
                    bytes_.append(0)
                else:
                    src = by_id[w]
                    if k not in src.cells or not src.writes:
                        raise ValueError(f"event #{w} does not write cell {k}")
                    bytes_.append(src.payload()[k - src.offset])
                rf.add((w, eid, MEM_DATA, k))
            read = tuple(bytes_)
            j += 1
        rf.add((0, eid, MEM_LEN, 0))
        events.append(Event(eid, t, i, (rd(MEM_LEN, 0, (PAGE,)), _data_action(a, read)),
                            rule=_rule(a)))
    if sorted(tot) != list(range(len(events))) or tot[0] != 0:
        raise ValueError("tot must order every event once, the allocation first")
    return Graph(shape, Execution(tuple(events), frozenset(rf),
                                  tot=tuple(tot) if keep_tot else None))


def _rule(a: Access) -> str:
    return {Kind.RD: "load", Kind.WR: "store", Kind.RMW: "rmw"}[a.kind] + (
        "-atomic" if a.ord is Ord.SEQCST and a.kind is not Kind.RMW else "")


def sources_of(g: Graph) -> tuple[tuple[int, ...], ...]:
    """The inverse of ``build``: per reading access, its writer per cell."""
    by_read: dict[tuple[int, int], int] = {(r, k): w for (w, r, reg, k) in g.ex.rf
                                           if reg == MEM_DATA}
    out = []
    for e in g.ex.events[1:]:
        a = e.access(MEM_DATA)
        if a is not None and a.read:
            out.append(tuple(by_read[(e.eid, k)] for k in range(a.offset, a.offset + len(a.read))))
    return tuple(out)
