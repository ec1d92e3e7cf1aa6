"""``no_tearing``: tear-free same-range accesses are single-copy atomic."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given

from metatheory.theorems import NO_TEARING, Fails
from properties.graphs import Graph
from properties.pinned import TEAR
from semantics.memory.model import Model


def no_tearing_property(model: Model) -> Callable[[], None]:
    @example(TEAR)
    @given(NO_TEARING.instances(model))
    def prop(g: Graph) -> None:
        out = NO_TEARING.predicate(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
