"""The hypothesis CNST and the conclusion is-seqcst that the execution-level theorems share."""

from __future__ import annotations

from properties.graphs import Graph
from properties.outcome import Fails, Holds, Outcome
from properties.totsearch import non_sc_tot
from semantics.memory.events import MEM_DATA, access_range, writing
from semantics.memory.model import Model, Violation, check, consistent, is_seqcst


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
    """A read cell that does not take the tot-latest earlier write of it ([P] Fig.17), or None.
    (Only for explanations: the verdict comes from ``model.is_seqcst``.)"""
    if g.tot is None:
        return None
    tot = g.tot
    pos = {e: i for i, e in enumerate(tot)}
    evs = g.ex.events
    for w, r, reg, k in sorted(g.ex.rf, key=lambda t: (pos[t[1]], t[3])):
        if reg != MEM_DATA:
            continue
        if pos[w] > pos[r]:
            return f"#{r} reads cell {k} from #{w}, which is later in tot"
        for e in tot[pos[w] + 1:pos[r]]:
            a = evs[e].access(MEM_DATA)
            if a is not None and writing(a) and k in access_range(a):
                return (f"#{r} reads cell {k} from #{w}, but #{e} writes it in between in tot "
                        f"(#{w} < #{e} < #{r})")
    return None
