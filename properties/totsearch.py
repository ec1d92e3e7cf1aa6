"""Quantifying over tot exactly: is there a tot under which an execution is valid and NOT
is-seqcst? ([P] Prop 6.1 is stated for every valid tot, not for one witness.)

The search asks the model's own tot constraints (the ``order`` hooks of its axioms, the ones
``model.consistent`` solves) for a linear order that also puts a read before its writer, or a
second writer of the cell between them. Whatever it finds is then confirmed through the public
API: ``model.check(ex, model, tot)`` is Ok and ``model.is_seqcst(ex, tot)`` is False.
"""

from __future__ import annotations

from semantics.memory.axioms import Before, Constraint
from semantics.memory.events import MEM_DATA, Execution, access_range, writing
from semantics.memory.model import Model, Ok, check, facts, is_seqcst
from semantics.memory.totsearch import find_tot


def tot_constraints(ex: Execution, model: Model) -> list[Constraint]:
    f = facts(ex, model)
    return [c for ax in model.axioms if ax.order is not None for c in ax.order(f)]


def _why(w: int, r: int) -> tuple[int, ...]:
    return (w, r)


def non_sc_tot(ex: Execution, model: Model) -> tuple[int, ...] | None:
    """A tot under which ``ex`` is valid but not is-seqcst, or None if every valid tot is SC.
    (``ex`` is assumed to pass the model's tot-independent axioms.)"""
    base = tot_constraints(ex, model)
    n = len(ex.events)
    tries: list[list[Constraint]] = []
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[3], t[0])):
        if reg != MEM_DATA:
            continue
        tries.append([Before(r, w, _why(r, w), "read before its writer")])
        for e in ex.events:
            a = e.access(MEM_DATA)
            if e.eid in (w, r) or a is None or not writing(a) or k not in access_range(a):
                continue
            tries.append([Before(w, e.eid, (w, e.eid), "overwritten"),
                          Before(e.eid, r, (e.eid, r), "before the read")])
    for extra in tries:
        tot = find_tot(n, [*base, *extra])
        if tot is not None and isinstance(check(ex, model, tot), Ok) and not is_seqcst(ex, tot):
            return tot
    return None
