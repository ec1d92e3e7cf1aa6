"""``wasm_eq_js`` ([P] Prop 6.2) over execution graphs: Wasm without (†)(‡) and ES2017 allow the
same executions of in-bounds programs; the predicate and its instances."""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from properties.graphs import Graph
from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.strategies import STEPHEN, graphs
from semantics.memory.check import consistent
from semantics.memory.model import Model, get_model
from semantics.memory.verdict import Violation

WITHOUT_DAGGERS = ("sc-last-visible-dagger", "sc-last-visible-ddagger")


def wasm_without_daggers() -> Model:
    wasm = get_model("wasm")
    return attrs.evolve(wasm, name="wasm-no-daggers",
                        axioms=tuple(a for a in wasm.axioms if a.name not in WITHOUT_DAGGERS))


def wasm_eq_js(g: Graph, model: Model) -> Outcome:
    """[P] Prop 6.2: Wasm without (dagger)(ddagger) and ``model`` (ES2017) allow the same
    executions of in-bounds programs (each with a tot of its own)."""
    ours = consistent(g.ex, wasm_without_daggers())
    theirs = consistent(g.ex, model)
    if isinstance(ours, Violation) and isinstance(theirs, Violation):
        return Vacuous("CNST", "invalid under both")
    if isinstance(ours, Violation) != isinstance(theirs, Violation):
        which = (f"valid under {model.name} only; wasm-no-daggers: {ours}"
                 if isinstance(ours, Violation) else
                 f"valid under wasm-no-daggers only; {model.name}: {theirs}")
        return Fails("same-executions", which)
    return Holds()


def stephen_graphs(model: Model) -> st.SearchStrategy[Graph]:
    return graphs(STEPHEN)
