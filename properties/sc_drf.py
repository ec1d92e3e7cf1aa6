"""``sc_drf`` ([P] Prop 6.1): a valid, data-race-free execution is is-seqcst with its tot; the
predicate, its instances and the Hypothesis test factory."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given
from hypothesis import strategies as st

from properties.graphs import Graph
from properties.outcome import Fails, Outcome, Vacuous
from properties.pinned import CLAUSE1, DAGGER, DDAGGER, ISSUE_1354
from properties.seqcst import invalid, seqcst
from properties.strategies import SC_DRF_BOUNDS, graphs
from semantics.memory.check import data_race
from semantics.memory.model import Model


def sc_drf(g: Graph, model: Model) -> Outcome:
    """[P] Prop 6.1: valid and data-race-free implies is-seqcst with the valid execution's tot."""
    bad = invalid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    race = data_race(g.ex, model)
    if race is not None:
        return Vacuous("DRF", f"#{race[0]} and #{race[1]} race")
    return seqcst(g, model)


def sc_drf_graphs(model: Model) -> st.SearchStrategy[Graph]:
    return graphs(SC_DRF_BOUNDS, race_free=model)


def sc_drf_property(model: Model) -> Callable[[], None]:
    @example(DDAGGER)
    @example(DAGGER)
    @example(CLAUSE1)
    @example(ISSUE_1354)
    @given(sc_drf_graphs(model))
    def prop(g: Graph) -> None:
        out = sc_drf(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
