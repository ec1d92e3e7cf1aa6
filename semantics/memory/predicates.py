"""The axioms of ``semantics.memory.model``, decided on the ``Facts`` of one execution: each
function is the hook (``static``, ``order``, ``given`` or ``prune``) that a record of the model
names, and returns the first violation with its witness, or what the axiom asks of tot.

Sources: [P] Fig.16 and [T] relaxed.rst, with the errata of docs/errata.md fixed; [ES17]/[ES]
for the ECMAScript clauses (docs/model.md, "Decisions for es2017").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from semantics.memory.axioms import (
    Before,
    Cells,
    Constraint,
    Facts,
    NotBetween,
    PerReadFn,
    StaticFn,
)
from semantics.memory.events import (
    LEN,
    Action,
    Event,
    Ord,
    Region,
    Rf,
    access_range,
    same,
    sync,
    writing,
)
from semantics.memory.relations import find_cycle
from semantics.memory.suspension import run_queue, suspension_events
from semantics.memory.verdict import Violation


def cell(reg: Region, k: int) -> str:
    return "len" if reg.fld == LEN else f"byte {k}"


def covers(a: Action | None, k: int) -> bool:
    return a is not None and k in access_range(a)


def _show_cycle(cyc: Sequence[int]) -> str:
    return " -> ".join(f"#{e}" for e in (*cyc, cyc[0]))


def _reads_in_order(f: Facts) -> list[tuple[tuple[int, Region], Cells]]:
    """``f.reads`` sorted by (read, region), the region by its plain fields (its ``__lt__``'s
    order) so that sorting calls no Python-level comparison: this runs for every pick of
    every reading event the enumerator judges."""
    return sorted(f.reads.items(), key=_read_region)


def _read_region(item: tuple[tuple[int, Region], Cells]) -> tuple[int, int, str]:
    (r, reg), _ = item
    return r, reg.addr, reg.fld


# --- tot-independent axioms -------------------------------------------------------------------

def value_consistent(f: Facts) -> Violation | None:
    """Every read cell has exactly one writer (erratum E4), a different event that writes that
    cell, with the byte that was read."""
    return _value_consistent(f, f.ex.events)


def value_consistent_per_read(f: Facts, r: int) -> tuple[Violation | None, tuple[()]]:
    return _value_consistent(f, (f.ex.events[r],)), ()


def _value_consistent(f: Facts, readers: Iterable[Event]) -> Violation | None:
    for e in readers:
        for reg in e.regions:
            a = e.access(reg)
            if a is None or not a.read:
                continue
            cells = f.reads.get((e.eid, reg), {})
            for k in access_range(a):
                ws = cells.get(k, ())
                if len(ws) != 1:
                    what = "no writer" if not ws else "writers " + ", ".join(f"#{w}" for w in ws)
                    return Violation("value-consistent", (e.eid, *ws),
                                     f"#{e.eid} reads {cell(reg, k)} of {reg!r} from {what}, "
                                     "not exactly one write")
    for (r, reg), cells in _reads_in_order(f):
        ar = f.acc(r, reg)
        for k, ws in sorted(cells.items()):
            w = ws[0]
            aw = f.acc(w, reg)
            if not covers(ar, k) or ar is None:
                return Violation("value-consistent", (w, r),
                                 f"rf names {cell(reg, k)} of {reg!r}, which #{r} does not read")
            if w == r:
                return Violation("value-consistent", (r,), f"#{r} reads {cell(reg, k)} from itself")
            if aw is None or not writing(aw) or not covers(aw, k):
                return Violation("value-consistent", (w, r),
                                 f"#{r} reads {cell(reg, k)} from #{w}, which does not write it")
            got, put = ar.read[k - ar.offset], aw.write[k - aw.offset]
            if got != put:
                return Violation("value-consistent", (w, r),
                                 f"#{r} reads {got:#x} at {cell(reg, k)} but #{w} wrote {put:#x}")
    return None


def hb_acyclic(f: Facts) -> Violation | None:
    """The generators (po, spawn, sync, ...) have no cycle."""
    cyc = find_cycle(f.generated)
    if cyc is None:
        return None
    return Violation("hb-acyclic", cyc, f"hb cycle {_show_cycle(cyc)}")


def init_hb(f: Facts) -> Violation | None:
    """The INIT edges can be added to hb without a cycle (given the generators are acyclic,
    which hb-acyclic checks)."""
    edges = dict(f.contributed).get("init-hb", frozenset())
    if not edges or find_cycle(f.generated) is not None:
        return None
    cyc = find_cycle(f.generated | edges)
    if cyc is None:
        return None
    i = next((j for j in range(len(cyc)) if (cyc[j], cyc[(j + 1) % len(cyc)]) in edges), 0)
    init, ev = cyc[i], cyc[(i + 1) % len(cyc)]
    return Violation("init-hb", cyc,
                     f"INIT #{init} must happen before #{ev}, which happens before it: "
                     f"cycle {_show_cycle(cyc)}")


def suspensions_consistent(f: Facts) -> Violation | None:
    """[T] suspensionsconsistent: the witness orders each location's suspension events (all of
    them, nothing else), the order adds no hb cycle, and the location's queue run accepts it
    (``semantics.memory.suspension``)."""
    ex = f.ex
    n = len(ex.events)
    locs = suspension_events(ex.events)
    for loc, eids in locs.items():
        chain = next((c for c in ex.suspensions if set(c) == set(eids)), None)
        if chain is None or len(chain) != len(eids):
            return Violation("suspensions-consistent", tuple(eids),
                             f"the wait/notify events of {loc[0]!r}[{loc[1]}] are not ordered "
                             "(one order of all of them)")
        why = run_queue(ex.events, chain)
        if why is not None:
            return Violation("suspensions-consistent", why[1], why[0])
    known = {x for eids in locs.values() for x in eids}
    stray = sorted({e for c in ex.suspensions for e in c if not 0 <= e < n or e not in known})
    if stray:
        return Violation("suspensions-consistent", tuple(stray),
                         "the suspension order names events that are not wait/notify events")
    edges = dict(f.contributed).get("suspensions-consistent", frozenset())
    if not edges or find_cycle(f.generated) is not None:
        return None
    others = frozenset().union(*(e for name, e in f.contributed
                                 if name != "suspensions-consistent"))
    cyc = find_cycle(f.generated | others | edges)
    if cyc is None:
        return None
    return Violation("suspensions-consistent", cyc,
                     f"the wait queue's order makes an hb cycle {_show_cycle(cyc)}")


def _coherent(f: Facts, r: int, reg: Region, k: int, w: int,
              sync_in_hb: bool = True) -> Violation | None:
    """hb-consistent for the cell k of region reg that R reads from W: not R hb W; (if
    ``sync_in_hb``) sync(W, R) => W hb R; no W' writing k with W hb W' hb R."""
    if (r, w) in f.hb:
        return Violation("hb-consistent", (r, w),
                         f"#{r} reads {cell(reg, k)} from #{w} but #{r} hb #{w}")
    if sync_in_hb and (w, r) not in f.hb:
        aw, ar = f.acc(w, reg), f.acc(r, reg)
        if aw is not None and ar is not None and sync(aw, ar):
            return Violation("hb-consistent", (w, r),
                             f"#{w} and #{r} sync but #{w} is not hb-before #{r}")
    for w2 in f.writers.get(reg, ()):
        if w2 != w and (w, w2) in f.hb and (w2, r) in f.hb and covers(f.acc(w2, reg), k):
            return Violation("hb-consistent", (w, w2, r),
                             f"#{r} reads {cell(reg, k)} from #{w}, but #{w2} overwrites it in "
                             f"between (#{w} hb #{w2} hb #{r})")
    return None


def hb_consistent(f: Facts) -> Violation | None:
    """[P] HbCons, per cell k that R reads from W."""
    for (r, reg), cells in _reads_in_order(f):
        for k, ws in sorted(cells.items()):
            for w in ws:
                v = _coherent(f, r, reg, k, w)
                if v is not None:
                    return v
    return None


def _by_reads(static: StaticFn | None = None,
              order: Callable[[Facts], tuple[Constraint, ...]] | None = None) -> PerReadFn:
    """The ``per_read`` hook of an axiom whose ``static`` / ``order`` hook reads rf only
    through ``Facts.reads`` (or ``pairs``), one reading event at a time: on facts holding one
    event's reads it decides exactly that event's part."""
    def per_read(f: Facts, r: int) -> tuple[Violation | None, tuple[Constraint, ...]]:
        return (static(f) if static else None), (order(f) if order else ())
    return per_read


def hb_consistent_prune(f: Facts, rf: Iterable[Rf]) -> bool:
    """Can ``rf`` still be part of an execution satisfying hb-consistent, whose hb contains
    ``f.hb``? The clauses "not R hb W" and "no W hb W' hb R" only gain violations as hb grows;
    "sync(W, R) => W hb R" is left out: a larger hb may satisfy it."""
    return all(_coherent(f, r, reg, k, w, sync_in_hb=False) is None for w, r, reg, k in rf)


def _torn(f: Facts, r: int, reg: Region, writers: Iterable[int]) -> Violation | None:
    """no-tear for the read of region reg by R, from these writers."""
    ws = set(writers)
    if len(ws) < 2:
        return None
    ar = f.acc(r, reg)
    if ar is None or not f.tearfree(ar):
        return None
    tf = set()
    for w in ws:
        aw = f.acc(w, reg)
        if aw is not None and same(ar, aw) and f.tearfree(aw):
            tf.add(w)
    if len(tf) < 2:
        return None
    names = ", ".join(f"#{w}" for w in sorted(tf))
    return Violation("no-tear", (r, *sorted(tf)),
                     f"tear-free #{r} takes bytes from {len(tf)} same-range tear-free "
                     f"writes {names}")


def no_tear(f: Facts) -> Violation | None:
    """[P] NoTear: a tear-free read takes its bytes from at most one same-range tear-free
    write."""
    for (r, reg), cells in _reads_in_order(f):
        v = _torn(f, r, reg, (w for ws in cells.values() for w in ws))
        if v is not None:
            return v
    return None


def no_tear_prune(f: Facts, rf: Iterable[Rf]) -> bool:
    """Can ``rf`` still be part of an execution satisfying no-tear? no-tear reads only the
    writers of each read, and more rf only adds writers."""
    by_read: dict[tuple[int, Region], set[int]] = {}
    for w, r, reg, _k in rf:
        by_read.setdefault((r, reg), set()).add(w)
    return all(_torn(f, r, reg, ws) is None for (r, reg), ws in by_read.items())


# --- axioms that constrain tot ----------------------------------------------------------------

def tot_total(f: Facts, tot: Sequence[int]) -> Violation | None:
    n = len(f.ex.events)
    seen: set[int] = set()
    for e in tot:
        if not 0 <= e < n:
            return Violation("tot-total", (e,), f"tot names #{e}, which is not an event")
        if e in seen:
            return Violation("tot-total", (e,), f"tot lists #{e} twice")
        seen.add(e)
    missing = sorted(set(range(n)) - seen)
    if missing:
        return Violation("tot-total", tuple(missing),
                         "tot misses " + ", ".join(f"#{e}" for e in missing))
    return None


def hb_in_tot(f: Facts) -> tuple[Constraint, ...]:
    return tuple(Before(a, b, (a, b), f"#{a} hb #{b}, so #{a} must be tot-before #{b}")
                 for a, b in sorted(f.hb))


Visible = list[tuple[int, int, int, Action, Action, Action]]


def _visible(f: Facts) -> Visible:
    """[P] Fig.16 ScLastVisible's premise: ``(W, W', R, aw, aw', ar)`` for every R reading from
    W with W hb R, and every W' writing the region. Kept in ``f.memo``: the three clauses of
    ScLastVisible read it."""
    got = f.memo.get("visible")
    if got is not None:
        return got  # type: ignore[return-value]
    out: Visible = []
    for r, reg, w in f.pairs():
        if (w, r) not in f.hb:
            continue
        ar, aw = f.acc(r, reg), f.acc(w, reg)
        if ar is None or aw is None:
            continue
        for w2 in f.writers.get(reg, ()):
            a2 = f.acc(w2, reg)
            if a2 is not None:
                out.append((w, w2, r, aw, a2, ar))
    f.memo["visible"] = out
    return out


def sc_last_visible(f: Facts) -> tuple[Constraint, ...]:
    """(1): W tot W' tot R and sync(W, R) => not sync(W', R)."""
    return tuple(
        NotBetween(w, w2, r, (w, w2, r),
                   f"#{r} reads #{w}, #{w} and #{w2} sync with #{r}, so #{w2} must not be "
                   "tot-between them")
        for w, w2, r, aw, a2, ar in _visible(f)
        if w2 not in (w, r) and sync(aw, ar) and sync(a2, ar))


def sc_last_visible_dagger(f: Facts) -> tuple[Constraint, ...]:
    """(†): W hb W' tot R => not sync(W', R), i.e. R tot-before W'."""
    return tuple(
        Before(r, w2, (w, w2, r),
               f"#{r} reads #{w}, #{w} hb #{w2}, #{w2} syncs with #{r}, "
               f"so #{w2} must not be tot-before #{r}")
        for w, w2, r, _aw, a2, ar in _visible(f)
        if w2 != r and (w, w2) in f.hb and sync(a2, ar))


def sc_last_visible_ddagger(f: Facts) -> tuple[Constraint, ...]:
    """(‡): W tot W' hb R => not sync(W, W'), i.e. W' tot-before W."""
    return tuple(
        Before(w2, w, (w, w2, r),
               f"#{r} reads #{w}, #{w2} hb #{r}, #{w} syncs with #{w2}, "
               f"so #{w2} must be tot-before #{w}")
        for w, w2, r, aw, a2, _ar in _visible(f)
        if w2 != w and (w2, r) in f.hb and sync(aw, a2))


def es2017_sw(f: Facts, w: int, r: int, reg: Region) -> bool:
    """ES2017 synchronizes-with for R reading from W: same-range seq-cst (= sync), or W is
    Init and every write R reads from (on this region) is Init ([ES17]; docs/model.md)."""
    aw, ar = f.acc(w, reg), f.acc(r, reg)
    if aw is None or ar is None:
        return False
    if sync(aw, ar):
        return True
    if ar.ord is not Ord.SEQCST or aw.ord is not Ord.INIT:
        return False
    for ws in f.reads.get((r, reg), {}).values():
        for v in ws:
            av = f.acc(v, reg)
            if av is None or av.ord is not Ord.INIT:
                return False
    return True


def es2017_memory_order(f: Facts) -> tuple[Constraint, ...]:
    """ES2017 "Sequentially Consistent Atomics": if W sw R, no write or RMW V of any order
    with range equal to R's lies tot-between W and R (the clause PR #1511 repaired)."""
    out: list[Constraint] = []
    for r, reg, w in f.pairs():
        if not es2017_sw(f, w, r, reg):
            continue
        ar = f.acc(r, reg)
        for v in f.writers.get(reg, ()):
            av = f.acc(v, reg)
            if v not in (w, r) and ar is not None and av is not None and same(av, ar):
                out.append(NotBetween(
                    w, v, r, (w, v, r),
                    f"#{w} synchronizes-with #{r}, so #{v} (same range as #{r}) must not be "
                    "tot-between them"))
    return tuple(out)


# ``per_read`` hooks of the axioms that decompose over reading events (axioms.py) ------------

hb_consistent_per_read = _by_reads(static=hb_consistent)
no_tear_per_read = _by_reads(static=no_tear)
sc_last_visible_per_read = _by_reads(order=sc_last_visible)
sc_last_visible_dagger_per_read = _by_reads(order=sc_last_visible_dagger)
sc_last_visible_ddagger_per_read = _by_reads(order=sc_last_visible_ddagger)
es2017_memory_order_per_read = _by_reads(order=es2017_memory_order)
