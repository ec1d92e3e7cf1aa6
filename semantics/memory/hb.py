"""The edges of happens-before's generators: each function maps an execution to the edges a
generator record of ``semantics.memory.model`` forces. hb is the least relation containing the
model's generators (transitively closed unless a mutant says otherwise).

``init_edges`` and ``suspension_edges`` are the edges of the axioms ``init-hb`` and
``suspensions-consistent`` ([T]), not of a generator, so that dropping the axiom drops the
edges."""

from __future__ import annotations

from semantics.memory.events import LEN, Event, Execution, Kind, Ord, overlap, po, sync
from semantics.memory.relations import Rel
from semantics.memory.suspension import chain_edges


def po_edges(ex: Execution) -> Rel:
    return po(ex)


def spawn_edges(ex: Execution) -> Rel:
    return ex.spawn


def sync_edges(ex: Execution) -> Rel:
    """``W -> R`` when R reads (some cell) from W and sync_r(W, R): [P] inlines synchronises-with
    as ``sync_r(evW, evR) => evW hb evR``; the least hb therefore contains exactly these."""
    out = set()
    for w, r, reg in {(w, r, reg) for w, r, reg, _k in ex.rf}:  # once per read, not per byte
        if w == r or not (0 <= w < len(ex.events) and 0 <= r < len(ex.events)):
            continue
        aw, ar = ex.events[w].access(reg), ex.events[r].access(reg)
        if aw is not None and ar is not None and sync(aw, ar):
            out.add((w, r))
    return frozenset(out)


def init_edges(ex: Execution) -> Rel:
    """[T] ConsistentWith: an event with an INIT action on a region happens before every other
    event with an overlapping action on that region."""
    out = set()
    for i in ex.events:
        for a in i.actions:
            if a.ord is not Ord.INIT or a.region is None:
                continue
            for e in ex.events:
                b = e.access(a.region)
                if e.eid != i.eid and b is not None and overlap(a, b):
                    out.add((i.eid, e.eid))
    return frozenset(out)


def allocated(e: Event) -> frozenset[int]:
    """Addresses whose memory the event allocates: it writes their length with a plain ``wr``
    (a grow is an ``rmw``) or initialises their data (INIT)."""
    return frozenset(
        a.region.addr for a in e.actions
        if a.region is not None and ((a.kind is Kind.WR and a.region.fld == LEN)
                                     or a.ord is Ord.INIT))


def alloc_edges(ex: Execution) -> Rel:
    """[P] Fig.11's side condition ``(s_time(addr(act)) hb h')*``: an object's allocation
    happens before every event with an action on it."""
    out = set()
    for alloc in ex.events:
        addrs = allocated(alloc)
        if not addrs:
            continue
        for e in ex.events:
            if e.eid != alloc.eid and any(a.region is not None and a.region.addr in addrs
                                          for a in e.actions):
                out.add((alloc.eid, e.eid))
    return frozenset(out)


def suspension_edges(ex: Execution) -> Rel:
    """[T] suspensionsconsistent: the events changing a location's wait queue are totally
    ordered by hb, in the order the execution's witness ``suspensions`` gives."""
    n = len(ex.events)
    return frozenset((a, b) for a, b in chain_edges(ex.suspensions) if 0 <= a < n and 0 <= b < n)
