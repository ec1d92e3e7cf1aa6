"""``operational_eq_axiomatic``: [T]'s reduction order against the axiomatic enumeration.

[T] builds an execution by reduction: each step of a thread is an event, stamped in the order
the steps happen, so tot is an *interleaving* of the threads' steps; the read values are
guessed and the whole trace must then be consistent. The axiomatic enumeration instead asks
for *some* tot (``model.consistent`` searches one, a linear extension of hb). Here both are
computed independently and their outcomes compared:

- operational: the candidate executions (thread paths with the enumerator's offered values,
  reads-from chosen, filtered only by the tot-independent axioms: a model with the ``order``
  and ``given`` axioms removed) and, for each, the interleavings of its threads' events
  (allocation first, the final observer last), each checked with ``model.check(ex, model,
  tot=interleaving)``. An interleaving is tried with ``check`` only if it meets the model's own
  tot constraints, the very constraints ``check`` evaluates, so nothing is skipped that
  ``check`` would accept;
- axiomatic: ``enumerate_executions`` under the model.

Hypotheses: ``WF`` (valid program), ``VC`` (value-consistent reads-from, by construction),
``CNST`` (only consistent executions give outcomes), ``FIN`` (both enumerations complete).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import attrs
from hypothesis import given

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import (
    DEFAULT,
    FinalState,
    Prog,
    ProgramBounds,
    observe,
    outcome,
    outcomes,
    programs,
    show_outcome,
)
from properties.totsearch import tot_constraints
from semantics.litmus.engine import enumerate_executions
from semantics.memory.check import check
from semantics.memory.events import INIT_THREAD, Execution
from semantics.memory.model import Model
from semantics.memory.verdict import Ok

OPERATIONAL = attrs.evolve(DEFAULT, threads=(2, 3), ops=3, max_events=5)


def tot_free(model: Model) -> Model:
    """``model`` without the axioms that mention tot: the candidates the reduction builds."""
    return attrs.evolve(model, name=f"{model.name}-tot-free", axioms=tuple(
        a for a in model.axioms if a.order is None and a.given is None))


def interleavings(ex: Execution, threads: int) -> Iterator[tuple[int, ...]]:
    """Every reduction order: the allocation, the threads' events merged (program order kept),
    then the final observer's events."""
    per: dict[int, list[int]] = {}
    for e in ex.events:
        if e.thread != INIT_THREAD:
            per.setdefault(e.thread, []).append(e.eid)
    seqs = [per[t] for t in sorted(per) if t < threads]
    tail = tuple(e for t in sorted(per) if t >= threads for e in per[t])
    alloc = tuple(e.eid for e in ex.events if e.thread == INIT_THREAD)
    for merged in _merges(seqs):
        yield alloc + merged + tail


def _merges(seqs: Sequence[Sequence[int]]) -> Iterator[tuple[int, ...]]:
    live = [s for s in seqs if s]
    if not live:
        yield ()
        return
    for i, s in enumerate(live):
        rest = live[:i] + [s[1:]] + live[i + 1:]
        for tail in _merges(rest):
            yield (s[0], *tail)


@attrs.frozen
class Operational:
    outcomes: frozenset[FinalState]
    complete: bool
    candidates: int
    orders: int  # interleavings considered
    checked: int  # interleavings handed to model.check


def operational(p: Prog, model: Model, seeds: frozenset[int]) -> Operational:
    # every candidate, not one per class: each is reduced on its own
    en = enumerate_executions(p.test.program, tot_free(model), observe=observe(p), seeds=seeds,
                              explicit=True)
    found: set[FinalState] = set()
    orders = checked = 0
    n = len(p.threads)
    for v in en.valid:
        ex = attrs.evolve(v.execution, tot=None)
        cons = tot_constraints(ex, model)
        for tot in interleavings(ex, n):
            orders += 1
            pos = {e: i for i, e in enumerate(tot)}
            if not all(c.holds(pos) for c in cons):
                continue
            checked += 1
            if isinstance(check(ex, model, tot), Ok):
                found.add(outcome(p, v))
                break
    return Operational(frozenset(found), en.complete, len(en.valid), orders, checked)


def operational_eq_axiomatic(p: Prog, model: Model) -> Outcome:
    seeds = p.seeds
    op = operational(p, model, seeds)
    ax = enumerate_executions(p.test.program, model, observe=observe(p), seeds=seeds)
    if not (op.complete and ax.complete):
        return Vacuous("FIN", "; ".join(ax.bound_reports) or "bounds hit")
    ax_out = outcomes(p, ax)
    if op.outcomes - ax_out:
        o = min(op.outcomes - ax_out)
        return Fails("operational-in-axiomatic", "an interleaving is consistent but the "
                     f"axiomatic enumeration misses {show_outcome(o)}", witness=o)
    if ax_out - op.outcomes:
        o = min(ax_out - op.outcomes)
        return Fails("axiomatic-in-operational", "consistent for some tot but for no "
                     f"interleaving: {show_outcome(o)}", witness=o)
    return Holds(f"{len(ax_out)} outcomes, {op.orders} interleavings, {op.checked} checked")


def operational_property(model: Model,
                         bounds: ProgramBounds = OPERATIONAL) -> Callable[[], None]:
    @given(programs(bounds))
    def prop(p: Prog) -> None:
        out = operational_eq_axiomatic(p, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
