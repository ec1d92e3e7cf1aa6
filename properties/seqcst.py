"""The hypothesis CNST and the conclusion is-seqcst that the execution-level theorems share."""

from __future__ import annotations

from properties.graphs import Graph
from properties.outcome import Fails, Holds, Outcome
from properties.totsearch import non_sc_tot
from semantics.memory.axioms import NotBetween
from semantics.memory.check import check, consistent, is_seqcst, seqcst_order
from semantics.memory.events import MEM_DATA
from semantics.memory.model import Model
from semantics.memory.verdict import Violation


def invalid(g: Graph, model: Model) -> Violation | None:
    """CNST fails: the violation with the graph's tot if it has one, else for every tot."""
    v = consistent(g.ex, model) if g.tot is None else check(g.ex, model, g.tot)
    return v if isinstance(v, Violation) else None


def seqcst(g: Graph, model: Model) -> Outcome:
    """The conclusion is-seqcst, for the graph's tot or else for every valid tot."""
    if g.tot is not None:
        if is_seqcst(g.ex, g.tot):
            return Holds()
        return Fails("is-seqcst", not_seqcst_witness(g) or "not is-seqcst", g.tot)
    tot = non_sc_tot(g.ex, model)
    if tot is None:
        return Holds("is-seqcst under every valid tot")
    return Fails("is-seqcst", not_seqcst_witness(g.with_tot(tot)) or "not is-seqcst", tot)


def not_seqcst_witness(g: Graph) -> str | None:
    """A read cell that does not take the tot-latest earlier write of it ([P] Fig.17), or None:
    the first constraint of ``seqcst_order`` on the data that tot breaks, by the read's place
    in tot, then the cell, then the place of the write in between.
    (Only for explanations: the verdict comes from ``is_seqcst``.)"""
    if g.tot is None:
        return None
    pos = {e: i for i, e in enumerate(g.tot)}
    order = seqcst_order(g.ex)
    for w, r, reg, k in sorted((e for e in order if e[2] == MEM_DATA),
                               key=lambda e: (pos[e[1]], e[3])):
        broken = [c for c in order[(w, r, reg, k)] if not c.holds(pos)]
        if broken:
            return min(broken, key=lambda c: pos[c.mid] if isinstance(c, NotBetween) else -1).detail
    return None
