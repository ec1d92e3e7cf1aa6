"""The records a model file (``semantics.memory.model``) is written in: ``Axiom``, hb
``Generator``, the ``Facts`` every axiom reads, and the constraints an axiom puts on tot.

An axiom is decided by up to five hooks, so that the checker (against a given tot), the tot
search (``semantics.memory.totsearch``), the litmus enumerator and the SMT encoder all read the
one list of axioms:

- ``static(facts)``: a check that does not mention tot (value-consistent, hb-consistent, ...);
- ``order(facts)``: what the axiom demands of tot, as constraints: ``Before(a, b)`` (a is
  tot-before b) and ``NotBetween(a, b, c)`` (not a < b < c in tot). The search places the
  mandatory ``Before`` edges first, so a tot is a linear extension of them;
- ``given(facts, tot)``: a check that only a given tot can fail (tot-total: the search builds
  total orders by construction);
- ``prune(facts, rf)``: can ``rf``, the writers chosen for (some of) the cells of one read,
  still be part of an execution that satisfies the axiom? ``facts`` are those of the events
  before any rf is chosen, except that hb may be any lower bound of the execution's hb. False
  only if no such execution exists (sound), judged from ``rf`` and that hb alone (local): the
  litmus enumerator drops such choices before it combines them;

- ``per_read(facts, r)``: the axiom's part for the one reading event ``r``, as (the first
  violation or None, the constraints on tot). ``facts`` are those of an execution with its
  whole hb, but ``facts.reads`` holds only r's reads; the hook reads the execution only through
  hb, ``facts.reads``, the events r and the writers of the regions r reads. An axiom with this
  hook holds on an execution and tot iff every reading event's part has no violation and tot
  meets every part's constraints (its other hooks decide the same conjunction);

and ``hb_edges``: edges the axiom adds to the least hb ([T]'s INIT axiom is a lower bound on
hb, so in the least-hb reading it generates edges).

An axiom is ``rf_blind`` when its hooks read rf only through hb (``Facts.hb``, ``generated``,
``contributed``): then any execution with the same hb decides it. With ``per_read`` or
``rf_blind`` on every axiom (and ``Generator.per_read`` on every generator) the litmus
enumerator counts the executions of an hb instead of listing them (docs/litmus.md, "How the
engine explores"); an axiom with neither makes it list them one by one, which is always sound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from semantics.memory.events import Action, Execution, Region, Rf
from semantics.memory.relations import Rel
from semantics.memory.verdict import Violation

Cells = Mapping[int, tuple[int, ...]]
EdgeFn = Callable[[Execution], Rel]


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
    # what hooks derive from these facts alone, computed once for all of them (three axioms
    # read ``visible``); not an init argument, so that ``attrs.evolve`` starts it afresh
    memo: dict[str, object] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    def acc(self, eid: int, reg: Region) -> Action | None:
        return self.ex.events[eid].access(reg)

    def pairs(self) -> list[tuple[int, Region, int]]:
        """Distinct ``(R, region, W)`` with R reading some cell of region from W."""
        got = self.memo.get("pairs")
        if got is None:
            out = {(r, reg, w) for (r, reg), cells in self.reads.items()
                   for ws in cells.values() for w in ws}
            # the tuples' order, by plain fields: no ``Region.__eq__`` / ``__lt__`` (Python)
            got = self.memo["pairs"] = sorted(out, key=_pair_key)
        return got  # type: ignore[return-value]


def _pair_key(t: tuple[int, Region, int]) -> tuple[int, int, str, int]:
    return t[0], t[1].addr, t[1].fld, t[2]


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
PruneFn = Callable[[Facts, Iterable[Rf]], bool]
PerReadFn = Callable[[Facts, int], tuple[Violation | None, tuple[Constraint, ...]]]


@attrs.frozen(repr=False)
class Axiom:
    """A named clause: ``source`` cites [T]/[P]/[ES], ``cat`` states it in one line of cat
    notation (the names are defined in ``semantics.memory.model``), ``witness`` says which
    events a ``Violation`` of it lists; the hooks decide it (module docstring)."""

    name: str
    source: str
    cat: str
    witness: str = ""
    static: StaticFn | None = None
    order: OrderFn | None = None
    given: GivenFn | None = None
    prune: PruneFn | None = None
    per_read: PerReadFn | None = None
    rf_blind: bool = False
    hb_edges: EdgeFn | None = None  # (of a per_read or rf_blind axiom: reads no rf)

    def __repr__(self) -> str:
        return f"<axiom {self.name}>"


@attrs.frozen
class Generator:
    """A generator of happens-before: the edges it forces in an execution. ``per_read``: its
    edges are those of the execution without rf together with, for each reading event R, the
    edges of the execution with only R's rf, which read only R and R's writers (true of an
    rf-independent generator, and of sync)."""

    name: str
    source: str
    cat: str
    edges: EdgeFn
    per_read: bool = False
