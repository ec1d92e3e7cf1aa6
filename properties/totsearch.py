"""Quantifying over tot exactly: is there a tot under which an execution is valid and NOT
is-seqcst? ([P] Prop 6.1 is stated for every valid tot, not for one witness.)

The search asks the model's own tot constraints (the ``order`` hooks of its axioms, the ones
``consistent`` solves) for a linear order that breaks a constraint of ``seqcst_order``: a
read before its writer, or a second writer of the cell between them. Whatever it finds is
then confirmed: ``check(ex, model, tot)`` is Ok and ``is_seqcst(ex, tot)`` is False.
"""

from __future__ import annotations

from semantics.memory.axioms import Before, Constraint
from semantics.memory.check import check, facts, is_seqcst, seqcst_order
from semantics.memory.events import MEM_DATA, Execution
from semantics.memory.model import Model
from semantics.memory.totsearch import find_tot
from semantics.memory.verdict import Ok


def tot_constraints(ex: Execution, model: Model) -> list[Constraint]:
    f = facts(ex, model)
    return [c for ax in model.axioms if ax.order is not None for c in ax.order(f)]


def _breaking(c: Constraint) -> list[Constraint]:
    """Constraints that a tot meets exactly when it breaks ``c``."""
    if isinstance(c, Before):
        return [Before(c.then, c.first, (c.then, c.first), "not " + c.detail)]
    return [Before(c.low, c.mid, (c.low, c.mid), "not " + c.detail),
            Before(c.mid, c.high, (c.mid, c.high), "not " + c.detail)]


def non_sc_tot(ex: Execution, model: Model) -> tuple[int, ...] | None:
    """A tot under which ``ex`` is valid but not is-seqcst, or None if every valid tot is SC.
    (``ex`` is assumed to pass the model's tot-independent axioms.) Tries to break each
    constraint of ``seqcst_order`` on the data, in its order."""
    base = tot_constraints(ex, model)
    n = len(ex.events)
    tries = [_breaking(c) for (_, _, reg, _), cs in seqcst_order(ex).items() if reg == MEM_DATA
             for c in cs]
    for extra in tries:
        tot = find_tot(n, [*base, *extra])
        if tot is not None and isinstance(check(ex, model, tot), Ok) and not is_seqcst(ex, tot):
            return tot
    return None
