"""``sc_single_thread``: one thread alone is sequentially consistent (the sequential semantics
embeds); the predicate, its instances and the Hypothesis test factory."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given
from hypothesis import strategies as st

from properties.graphs import Graph
from properties.outcome import Fails, Outcome, Vacuous
from properties.pinned import INIT_READ, OWN_STORE
from properties.seqcst import invalid, seqcst
from properties.strategies import ONE_THREAD, graphs
from semantics.memory.model import Model


def sc_single_thread(g: Graph, model: Model) -> Outcome:
    """One thread alone behaves as in the sequential semantics."""
    if len(g.shape.threads) != 1:
        return Vacuous("1T", "more than one thread")
    bad = invalid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    return seqcst(g, model)


def one_thread_graphs(model: Model) -> st.SearchStrategy[Graph]:
    return graphs(ONE_THREAD)


def single_thread_property(model: Model) -> Callable[[], None]:
    @example(INIT_READ)
    @example(OWN_STORE)
    @given(one_thread_graphs(model))
    def prop(g: Graph) -> None:
        out = sc_single_thread(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
