"""The consistency axioms of [P] Fig.16 / [T] relaxed.rst as named records.

An axiom has up to three hooks, so that the checker (against a given tot), the tot search
(``semantics.memory.totsearch``) and the SMT encoder can all read the one list:

- ``static(facts)``: a check that does not mention tot (value-consistent, hb-consistent, ...);
- ``order(facts)``: what the axiom demands of tot, as constraints: ``Before(a, b)`` (a is
  tot-before b) and ``NotBetween(a, b, c)`` (not a < b < c in tot). The search adds the
  mandatory ``Before`` edges up front, as memory-model.md §3.4 step 5 suggests;
- ``given(facts, tot)``: a check that only a given tot can fail (tot-total: the search builds
  total orders by construction);

and ``hb_edges``: edges the axiom adds to the least hb ([T]'s INIT axiom is a lower bound on
hb, so in the least-hb reading it generates edges).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from semantics.memory.events import (
    LEN,
    Action,
    Execution,
    Ord,
    Region,
    access_range,
    same,
    sync,
    writing,
)
from semantics.memory.hb import EdgeFn, init_edges
from semantics.memory.relations import Rel, find_cycle
from semantics.memory.verdict import Violation

Cells = Mapping[int, tuple[int, ...]]


@attrs.frozen(eq=False)
class Facts:
    """What every axiom reads, computed once per execution and model: hb, and indexes of rf
    and of the writers per region (a derived cache: plain dicts behind read-only types)."""

    ex: Execution
    hb: Rel
    generated: Rel  # the model's generators, before axioms add edges
    contributed: tuple[tuple[str, Rel], ...]  # (axiom name, the hb edges it adds)
    tearfree: Callable[[Action], bool]
    reads: Mapping[tuple[int, Region], Cells]  # (read event, region) -> cell -> writers
    writers: Mapping[Region, tuple[int, ...]]

    def acc(self, eid: int, reg: Region) -> Action | None:
        return self.ex.events[eid].access(reg)

    def pairs(self) -> list[tuple[int, Region, int]]:
        """Distinct ``(R, region, W)`` with R reading some cell of region from W."""
        out = {(r, reg, w) for (r, reg), cells in self.reads.items()
               for ws in cells.values() for w in ws}
        return sorted(out)


def make_facts(ex: Execution, hb: Rel, generated: Rel,
               contributed: tuple[tuple[str, Rel], ...],
               tearfree: Callable[[Action], bool]) -> Facts:
    n = len(ex.events)
    reads: dict[tuple[int, Region], dict[int, tuple[int, ...]]] = {}
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[2], t[3], t[0])):
        if not (0 <= w < n and 0 <= r < n):
            raise ValueError(f"rf edge {(w, r, reg, k)} names an event that is not in the "
                             f"execution (events #0..#{n - 1})")
        cells = reads.setdefault((r, reg), {})
        cells[k] = (*cells.get(k, ()), w)
    writers: dict[Region, list[int]] = {}
    for e in ex.events:
        for reg in e.regions:
            a = e.access(reg)
            if a is not None and writing(a):
                writers.setdefault(reg, []).append(e.eid)
    return Facts(ex, hb, generated, contributed, tearfree, reads,
                 {reg: tuple(ws) for reg, ws in writers.items()})


# --- constraints on tot -----------------------------------------------------------------------

@attrs.frozen
class Before:
    """tot must order ``first`` before ``then``."""

    first: int
    then: int
    witness: tuple[int, ...]
    detail: str  # why, phrased for a tot that breaks it

    def holds(self, pos: Mapping[int, int]) -> bool:
        return self.first in pos and self.then in pos and pos[self.first] < pos[self.then]


@attrs.frozen
class NotBetween:
    """tot must not order ``low < mid < high``."""

    low: int
    mid: int
    high: int
    witness: tuple[int, ...]
    detail: str

    def holds(self, pos: Mapping[int, int]) -> bool:
        if not (self.low in pos and self.mid in pos and self.high in pos):
            return True
        return not pos[self.low] < pos[self.mid] < pos[self.high]


Constraint = Before | NotBetween
StaticFn = Callable[[Facts], Violation | None]
OrderFn = Callable[[Facts], tuple[Constraint, ...]]
GivenFn = Callable[[Facts, Sequence[int]], Violation | None]


@attrs.frozen(repr=False)
class Axiom:
    """A named check. ``source`` cites [P]/[T]/[ES]; ``doc`` says it in words."""

    name: str
    source: str
    doc: str
    static: StaticFn | None = None
    order: OrderFn | None = None
    given: GivenFn | None = None
    hb_edges: EdgeFn | None = None

    def __repr__(self) -> str:
        return f"<axiom {self.name}>"


def cell(reg: Region, k: int) -> str:
    return "len" if reg.fld == LEN else f"byte {k}"


def covers(a: Action | None, k: int) -> bool:
    return a is not None and k in access_range(a)


# --- tot-independent axioms -------------------------------------------------------------------

def value_consistent(f: Facts) -> Violation | None:
    """[P] ReadsEachFrom + ReadsFrom + ValueCons: every read cell has exactly one writer,
    a different event that writes that cell, with the byte that was read (erratum E4: one
    write per cell)."""
    for e in f.ex.events:
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
    for (r, reg), cells in sorted(f.reads.items()):
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


def _show_cycle(cyc: Sequence[int]) -> str:
    return " -> ".join(f"#{e}" for e in (*cyc, cyc[0]))


def hb_acyclic(f: Facts) -> Violation | None:
    """hb is a strict partial order: its generators (po, spawn, sync, ...) have no cycle."""
    cyc = find_cycle(f.generated)
    if cyc is None:
        return None
    return Violation("hb-acyclic", cyc, f"hb cycle {_show_cycle(cyc)}")


def _init_hb_static(f: Facts) -> Violation | None:
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


def hb_consistent(f: Facts) -> Violation | None:
    """[P] HbCons, per cell k that R reads from W: not R hb W; sync(W, R) => W hb R; no W'
    writing k with W hb W' hb R."""
    for (r, reg), cells in sorted(f.reads.items()):
        ar = f.acc(r, reg)
        for k, ws in sorted(cells.items()):
            for w in ws:
                aw = f.acc(w, reg)
                if (r, w) in f.hb:
                    return Violation("hb-consistent", (r, w),
                                     f"#{r} reads {cell(reg, k)} from #{w} but #{r} hb #{w}")
                if aw is not None and ar is not None and sync(aw, ar) and (w, r) not in f.hb:
                    return Violation("hb-consistent", (w, r),
                                     f"#{w} and #{r} sync but #{w} is not hb-before #{r}")
                for w2 in f.writers.get(reg, ()):
                    if (w2 != w and covers(f.acc(w2, reg), k)
                            and (w, w2) in f.hb and (w2, r) in f.hb):
                        return Violation(
                            "hb-consistent", (w, w2, r),
                            f"#{r} reads {cell(reg, k)} from #{w}, but #{w2} overwrites it in "
                            f"between (#{w} hb #{w2} hb #{r})")
    return None


def no_tear(f: Facts) -> Violation | None:
    """[P] NoTear: a tear-free read takes its bytes from at most one same-range tear-free
    write."""
    for (r, reg), cells in sorted(f.reads.items()):
        ar = f.acc(r, reg)
        if ar is None or not f.tearfree(ar):
            continue
        ws = set()
        for w in {w for wl in cells.values() for w in wl}:
            aw = f.acc(w, reg)
            if aw is not None and same(ar, aw) and f.tearfree(aw):
                ws.add(w)
        if len(ws) > 1:
            names = ", ".join(f"#{w}" for w in sorted(ws))
            return Violation("no-tear", (r, *sorted(ws)),
                             f"tear-free #{r} takes bytes from {len(ws)} same-range tear-free "
                             f"writes {names}")
    return None


# --- axioms that constrain tot ----------------------------------------------------------------

def _hb_in_tot(f: Facts) -> tuple[Constraint, ...]:
    return tuple(Before(a, b, (a, b), f"#{a} hb #{b}, so #{a} must be tot-before #{b}")
                 for a, b in sorted(f.hb))


def _last_visible(f: Facts, which: str) -> tuple[Constraint, ...]:
    """[P] Fig.16 ScLastVisible, one clause, for every R reading from W with W hb R:
    (1) W tot W' tot R and sync(W, R) => not sync(W', R);
    (†) W hb W' tot R => not sync(W', R), i.e. R tot-before W';
    (‡) W tot W' hb R => not sync(W, W'), i.e. W' tot-before W."""
    out: list[Constraint] = []
    for r, reg, w in f.pairs():
        if (w, r) not in f.hb:
            continue
        ar, aw = f.acc(r, reg), f.acc(w, reg)
        if ar is None or aw is None:
            continue
        for w2 in f.writers.get(reg, ()):
            a2 = f.acc(w2, reg)
            if a2 is None:
                continue
            if which == "1" and w2 not in (w, r) and sync(aw, ar) and sync(a2, ar):
                out.append(NotBetween(
                    w, w2, r, (w, w2, r),
                    f"#{r} reads #{w}, #{w} and #{w2} sync with #{r}, so #{w2} must not be "
                    "tot-between them"))
            elif which == "dagger" and w2 != r and (w, w2) in f.hb and sync(a2, ar):
                out.append(Before(
                    r, w2, (w, w2, r),
                    f"#{r} reads #{w}, #{w} hb #{w2}, #{w2} syncs with #{r}, "
                    f"so #{w2} must not be tot-before #{r}"))
            elif which == "ddagger" and w2 != w and (w2, r) in f.hb and sync(aw, a2):
                out.append(Before(
                    w2, w, (w, w2, r),
                    f"#{r} reads #{w}, #{w2} hb #{r}, #{w} syncs with #{w2}, "
                    f"so #{w2} must be tot-before #{w}"))
    return tuple(out)


def _es2017_sw(f: Facts, w: int, r: int, reg: Region) -> bool:
    """ES2017 synchronizes-with for R reading from W: same-range seq-cst (= sync), or W is
    Init and every write R reads from (on this region) is Init ([ES17], memory-model.md §6.1)."""
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


def _es2017_memory_order(f: Facts) -> tuple[Constraint, ...]:
    """ES2017 "Sequentially Consistent Atomics": if W sw R, no write or RMW V of any order
    with range equal to R's lies tot-between W and R (the clause PR #1511 repaired)."""
    out: list[Constraint] = []
    for r, reg, w in f.pairs():
        if not _es2017_sw(f, w, r, reg):
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


def _tot_total(f: Facts, tot: Sequence[int]) -> Violation | None:
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


VALUE_CONSISTENT = Axiom(
    "value-consistent", "[P] Fig.16 ReadsEachFrom/ReadsFrom/ValueCons; [T] readseachfrom",
    "each read cell has exactly one writer, another event writing that cell with the byte read",
    static=value_consistent)
HB_ACYCLIC = Axiom(
    "hb-acyclic", "[P] §5 (hb a partial order); [T] runtime.rst time stamps",
    "the least hb (of the generators) is a strict partial order", static=hb_acyclic)
INIT_HB = Axiom(
    "init-hb", "[T] relaxed.rst ConsistentWith; [ES] happens-before (init clause)",
    "an INIT action happens before every other overlapping action on its region "
    "(generates those hb edges; fails if they close a cycle)",
    static=_init_hb_static, hb_edges=init_edges)
HB_CONSISTENT = Axiom(
    "hb-consistent", "[P] Fig.16 HbCons; [T] hbconsistent; [ES] Coherent Reads",
    "not R hb W; sync(W,R) => W hb R; no W' writing the cell with W hb W' hb R",
    static=hb_consistent)
NO_TEAR = Axiom(
    "no-tear", "[P] Fig.16 NoTear; [T] notear; [ES] Tear Free Reads",
    "a tear-free read reads from at most one same-range tear-free write", static=no_tear)
TOT_TOTAL = Axiom(
    "tot-total", "[P] §5; [T] pre-execution (erratum E2)",
    "tot is a strict total order of all events", given=_tot_total)
HB_IN_TOT = Axiom(
    "hb-in-tot", "[P] §5 p.16 'hb ⊆ tot' (erratum E3); [ES] memory-order",
    "tot extends hb", order=_hb_in_tot)
SC_LAST_VISIBLE = Axiom(
    "sc-last-visible", "[P] Fig.16 ScLastVisible (1); [ES2020] (a)",
    "W hb R: not (W tot W' tot R with sync(W,R) and sync(W',R))",
    order=lambda f: _last_visible(f, "1"))
SC_LAST_VISIBLE_DAGGER = Axiom(
    "sc-last-visible-dagger", "[P] Fig.16 ScLastVisible (†); [ES2020] (c)",
    "W hb R: not (W hb W' tot R with sync(W',R))",
    order=lambda f: _last_visible(f, "dagger"))
SC_LAST_VISIBLE_DDAGGER = Axiom(
    "sc-last-visible-ddagger", "[P] Fig.16 ScLastVisible (‡); [ES2020] (b)",
    "W hb R: not (W tot W' hb R with sync(W,W'))",
    order=lambda f: _last_visible(f, "ddagger"))
ES2017_MEMORY_ORDER = Axiom(
    "es2017-memory-order", "[ES17] Sequentially Consistent Atomics; memory-model.md §6.1",
    "W sw R (incl. sw from Init): no same-range write of any order tot-between W and R",
    order=_es2017_memory_order)

AXIOMS: dict[str, Axiom] = {a.name: a for a in (
    VALUE_CONSISTENT, HB_ACYCLIC, INIT_HB, HB_CONSISTENT, NO_TEAR, TOT_TOTAL, HB_IN_TOT,
    SC_LAST_VISIBLE, SC_LAST_VISIBLE_DAGGER, SC_LAST_VISIBLE_DDAGGER, ES2017_MEMORY_ORDER)}
