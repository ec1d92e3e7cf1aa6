"""``no_tearing``: tear-free same-range accesses are single-copy atomic; the predicate, its
instances and the Hypothesis test factory."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given
from hypothesis import strategies as st

from properties.graphs import Graph
from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.pinned import TEAR
from properties.seqcst import invalid
from properties.strategies import TEARING, graphs
from semantics.memory.events import MEM_DATA, Event, same
from semantics.memory.model import Model


def _writers(g: Graph, read: int) -> tuple[Event, ...]:
    ws = sorted({w for (w, r, reg, _) in g.ex.rf if r == read and reg == MEM_DATA})
    return tuple(g.ex.events[w] for w in ws)


def no_tearing(g: Graph, model: Model) -> Outcome:
    """A tear-free read whose bytes all come from tear-free writes of its own range reads them
    all from one write (single-copy atomicity of tear-free accesses)."""
    bad = invalid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    seen = False
    for e in g.ex.events:
        r = e.access(MEM_DATA)
        if r is None or not r.read or not model.tearfree(r):
            continue
        ws = _writers(g, e.eid)
        acts = [w.access(MEM_DATA) for w in ws]
        if not all(a is not None and same(a, r) and model.tearfree(a) for a in acts):
            continue
        seen = True
        if len(ws) > 1:
            return Fails("single-copy", f"#{e.eid} reads bytes of "
                         + " and ".join(f"#{w.eid}" for w in ws))
    return Holds() if seen else Vacuous("TF", "no tear-free read of same-range tear-free writes")


def tearing_graphs(model: Model) -> st.SearchStrategy[Graph]:
    return graphs(TEARING)


def no_tearing_property(model: Model) -> Callable[[], None]:
    @example(TEAR)
    @given(tearing_graphs(model))
    def prop(g: Graph) -> None:
        out = no_tearing(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
