"""``wasm_eq_js_program``: [P] Prop 6.2 over programs. Wasm without (†)(‡) and ECMAScript 2017
give the same outcomes to programs without out-of-bounds accesses (no ``memory.grow``, no
access beyond the first page). The ARMv8 "Stephen" test (table/Stephen) is expected
to separate them: ES2017's memory-order clause also forbids a *plain* write between a SeqCst
write and the SeqCst read it synchronises with.

Hypotheses: ``WF``, ``VC``, ``CNST``, ``IB`` (in bounds, by construction), ``FIN``.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import (
    IN_BOUNDS,
    Op,
    Prog,
    ProgramBounds,
    observe,
    outcomes,
    programs,
    show_outcome,
)
from properties.wasm_eq_js import wasm_without_daggers
from semantics.litmus.engine import enumerate_executions
from semantics.memory.model import Model

X, Y, Z = 0, 1, 2

# the ARMv8 'Stephen' test (tests/litmus/table/Stephen.litmus; ecma262 PR #1511)
STEPHEN = Prog((
    (Op("store", True, X, value=1), Op("store", True, X, value=2), Op("store", False, Y, value=1),
     Op("store", True, Z, value=1)),
    (Op("store", True, Y, value=2), Op("load", True, X), Op("load", True, Z),
     Op("load", True, Y)),
))


# found by hunt (seed 0): without (†) an SC rmw may read INIT past an SC store of its range;
# ES2017 forbids it, because there INIT synchronizes-with the rmw and the store has its range
INIT_RMW = Prog(((Op("store", True, X, value=1),), (Op("rmw.add", True, X, value=2),)))


def wasm_eq_js_program(p: Prog, model: Model) -> Outcome:
    program = p.test.program
    ours = enumerate_executions(program, wasm_without_daggers(), observe=observe(p),
                                seeds=p.seeds)
    theirs = enumerate_executions(program, model, observe=observe(p), seeds=p.seeds)
    if not (ours.complete and theirs.complete):
        return Vacuous("FIN", "; ".join(ours.bound_reports + theirs.bound_reports))
    a, b = outcomes(p, ours), outcomes(p, theirs)
    if a != b:
        o = min(a ^ b)
        side = "wasm-no-daggers" if o in a else model.name
        return Fails("same-outcomes", f"only {side} allows {show_outcome(o)}", witness=o)
    return Holds(f"{len(a)} outcomes")


def wasm_eq_js_property(model: Model, bounds: ProgramBounds = IN_BOUNDS) -> Callable[[], None]:
    @example(STEPHEN)
    @example(INIT_RMW)
    @given(programs(bounds))
    def prop(p: Prog) -> None:
        out = wasm_eq_js_program(p, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
