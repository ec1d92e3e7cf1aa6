"""The ``sc_drf`` property ([P] Prop 6.1) as a Hypothesis test factory."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given

from metatheory.theorems import SC_DRF, Fails
from properties.graphs import Graph
from properties.pinned import CLAUSE1, DAGGER, DDAGGER, ISSUE_1354
from semantics.memory.model import Model


def sc_drf_property(model: Model) -> Callable[[], None]:
    @example(DDAGGER)
    @example(DAGGER)
    @example(CLAUSE1)
    @example(ISSUE_1354)
    @given(SC_DRF.instances(model))
    def prop(g: Graph) -> None:
        out = SC_DRF.predicate(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
