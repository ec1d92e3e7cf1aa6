"""``operational_eq_axiomatic``: the time-stamped machine against the axiomatic enumerator.

[T] relaxed.rst *Traces* defines the allowed behaviours operationally: those of a consistent
pre-execution, the trace of the global reduction with tot = the order of its time stamps, the
reduction order. The litmus engine (``semantics.litmus.engine``) computes them axiomatically:
per-thread paths with offered values, reads-from chosen per cell, and *some* tot searched
(``model.consistent``) or counted. Two independent computations of one set:

- operational: ``semantics.litmus.timestamped`` reduces the threads step by step, chooses what
  each read returns (values then flow through the reduction), takes tot to be the step order
  and judges the trace with ``check``; a read may take its bytes from a write reduced later;
- axiomatic: ``enumerate_executions`` under the same model.

They share the reduction (``semantics.wasm.step``), the axioms (``semantics.memory.model`` and
``check``) and the seed values; they share neither the path enumeration, nor the offered-value
fixed point, nor the choice of writers, nor the tot search. Both directions are checked:
``operational-in-axiomatic`` (an outcome of a consistent trace that the engine misses) and
``axiomatic-in-operational`` (an engine outcome that no trace reaches: e.g. a tot the step
order cannot be, or a missing thin-air value).

Hypotheses: ``WF`` (valid program, by construction), ``VC`` (value-consistent reads-from, by
construction on both sides), ``CNST`` (outcomes only from consistent executions), ``FIN``
(neither side cut by a bound; the machine's bound is its check budget).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from hypothesis import given

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import (
    DEFAULT,
    FinalState,
    Prog,
    ProgramBounds,
    observe,
    outcomes,
    programs,
    show_outcome,
)
from semantics.litmus.engine import enumerate_executions
from semantics.litmus.timestamped import timestamped_executions
from semantics.memory.model import Model

# 2-3 threads, at most 4 events: grow/size, mixed sizes (one program in four), RMWs, data and
# control dependencies (LB with a data dependency is thin air), as ``programs.DEFAULT`` draws them
OPERATIONAL = attrs.evolve(DEFAULT, threads=(2, 3), ops=2, max_events=4)
MAX_CHECKS = 20_000  # the machine's budget of ``check`` calls per program (FIN beyond it)

# the engine side, replaceable by a broken one (the mutation tests)
Axiomatic = Callable[[Prog, Model], tuple[frozenset[FinalState], tuple[str, ...]]]


def axiomatic(p: Prog, model: Model) -> tuple[frozenset[FinalState], tuple[str, ...]]:
    en = enumerate_executions(p.test.program, model, observe=observe(p), seeds=p.seeds)
    return outcomes(p, en), en.bound_reports


def operational(p: Prog, model: Model) -> tuple[frozenset[FinalState], tuple[str, ...], int]:
    """The machine's outcomes, what cut it, and the complete traces it reduced."""
    op = timestamped_executions(p.test.program, model, observe=observe(p), seeds=p.seeds,
                                max_checks=MAX_CHECKS)
    return outcomes(p, op), op.bound_reports, op.candidates


def operational_eq_axiomatic(p: Prog, model: Model,
                             engine: Axiomatic = axiomatic) -> Outcome:
    op, op_cut, traces = operational(p, model)
    ax, ax_cut = engine(p, model)
    if op_cut or ax_cut:
        return Vacuous("FIN", "; ".join((*op_cut, *ax_cut)))
    if op - ax:
        o = min(op - ax)
        return Fails("operational-in-axiomatic", "a trace with tot = the step order is "
                     f"consistent but the axiomatic enumeration misses {show_outcome(o)}",
                     witness=o)
    if ax - op:
        o = min(ax - op)
        return Fails("axiomatic-in-operational", "the axiomatic enumeration allows "
                     f"{show_outcome(o)} but no consistent trace of the reduction reaches it",
                     witness=o)
    return Holds(f"{len(ax)} outcomes, {traces} complete traces")


def operational_property(model: Model, bounds: ProgramBounds = OPERATIONAL,
                         engine: Axiomatic = axiomatic) -> Callable[[], None]:
    @given(programs(bounds))
    def prop(p: Prog) -> None:
        out = operational_eq_axiomatic(p, model, engine)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
