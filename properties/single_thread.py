"""``sc_single_thread``: one thread alone is sequentially consistent."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given

from metatheory.theorems import SC_SINGLE_THREAD, Fails
from properties.graphs import Graph
from properties.pinned import INIT_READ, OWN_STORE
from semantics.memory.model import Model


def single_thread_property(model: Model) -> Callable[[], None]:
    @example(INIT_READ)
    @example(OWN_STORE)
    @given(SC_SINGLE_THREAD.instances(model))
    def prop(g: Graph) -> None:
        out = SC_SINGLE_THREAD.predicate(g, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
