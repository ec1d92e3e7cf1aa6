"""``sc_machine_eq_seqcst``: the SC machine (``semantics.litmus.sc``) has exactly the outcomes
of the valid executions that are is-seqcst for some valid tot ([P] Fig.17).

For each execution the axiomatic enumeration finds, a tot that is both valid and SC is searched
with the model's own tot constraints plus, for each cell read, "the writer is tot-before the read
and no other writer of the cell is tot-between them"; a tot found is confirmed with the public
``check`` and ``is_seqcst``. The enumeration is offered no seed values: an SC
outcome never needs a self-justifying one.

Programs may wait and notify (``programs.WAITS``): the machine keeps wait queues, the
enumeration pairs waits with notifies by ``suspensions-consistent``; a thread waiting forever
ends with ``N:blocked=1`` on both sides.

Hypotheses: ``WF`` (valid program), ``VC`` (by construction), ``CNST``, ``FIN`` (complete).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import (
    WAITS,
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
from semantics.litmus.sc import sc_executions
from semantics.memory.axioms import Constraint
from semantics.memory.check import check, is_seqcst, seqcst_order
from semantics.memory.events import Execution
from semantics.memory.model import Model
from semantics.memory.totsearch import find_tot
from semantics.memory.verdict import Ok


def sc_constraints(ex: Execution) -> list[Constraint]:
    """What is-seqcst demands of tot, as constraints."""
    return [c for cs in seqcst_order(ex).values() for c in cs]


def seqcst_tot(ex: Execution, model: Model) -> tuple[int, ...] | None:
    """A tot under which ``ex`` is valid and is-seqcst, or None."""
    tot = find_tot(len(ex.events), [*tot_constraints(ex, model), *sc_constraints(ex)])
    if tot is None or not isinstance(check(ex, model, tot), Ok) or not is_seqcst(ex, tot):
        return None
    return tot


def sc_machine_eq_seqcst(p: Prog, model: Model) -> Outcome:
    program = p.test.program
    sc = sc_executions(program, observe=observe(p))
    # every valid execution, not one per class: is-seqcst depends on the writers of each byte
    ax = enumerate_executions(program, model, observe=observe(p), explicit=True)
    if not (sc.complete and ax.complete):
        return Vacuous("FIN", "; ".join(sc.bound_reports + ax.bound_reports))
    machine = outcomes(p, sc)
    seqcst: set[FinalState] = set()
    for v in ax.valid:  # one is-seqcst execution per outcome is enough: the tot search is the cost
        o = outcome(p, v)
        if o not in seqcst and seqcst_tot(v.execution, model):
            seqcst.add(o)
    if machine - seqcst:
        o = min(machine - seqcst)
        return Fails("machine-in-seqcst", "the SC machine reaches an outcome no valid is-seqcst "
                     f"execution has: {show_outcome(o)}", witness=o)
    if seqcst - machine:
        o = min(seqcst - machine)
        return Fails("seqcst-in-machine", "a valid is-seqcst execution ends in an outcome the SC "
                     f"machine never reaches: {show_outcome(o)}", witness=o)
    return Holds(f"{len(machine)} outcomes")


def sc_machine_property(model: Model, bounds: ProgramBounds = WAITS) -> Callable[[], None]:
    @given(programs(bounds))
    def prop(p: Prog) -> None:
        out = sc_machine_eq_seqcst(p, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
