"""The records a model file (``semantics.memory.model``) is written in: ``Axiom``, hb
``Generator``, the ``Facts`` every axiom reads, and the constraints an axiom puts on tot.

An axiom is decided by up to four hooks, so that the checker (against a given tot), the tot
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

and ``hb_edges``: edges the axiom adds to the least hb ([T]'s INIT axiom is a lower bound on
hb, so in the least-hb reading it generates edges).
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

    def acc(self, eid: int, reg: Region) -> Action | None:
        return self.ex.events[eid].access(reg)

    def pairs(self) -> list[tuple[int, Region, int]]:
        """Distinct ``(R, region, W)`` with R reading some cell of region from W."""
        out = {(r, reg, w) for (r, reg), cells in self.reads.items()
               for ws in cells.values() for w in ws}
        return sorted(out)


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
    hb_edges: EdgeFn | None = None

    def __repr__(self) -> str:
        return f"<axiom {self.name}>"


@attrs.frozen
class Generator:
    """A generator of happens-before: the edges it forces in an execution."""

    name: str
    source: str
    cat: str
    edges: EdgeFn
