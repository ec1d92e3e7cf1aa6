"""``sc_drf_program``: the "ideal" SC-DRF (docs/metatheory.md), over programs.

Hypotheses: ``WF`` (valid program, by construction), ``DRF`` (no SC execution of the program has
a data race under the model's hb: every execution of the SC machine, ``semantics.litmus.sc``, is
checked with ``model.data_race``), ``FIN`` (both enumerations complete within their bounds).
Conclusion: every outcome the model allows is an outcome of the SC machine.

The model's enumeration is offered the program's constants and one fresh value (``FRESH``) as
seeds: the enumerator finds self-justifying values only when they are offered, and the
counterexample this theorem is known for (WebAssembly/threads PR #169, Watt's "technically false
because of a corner to do with thin air") is exactly such a cycle: load buffering whose stores
are under ``if`` on the loaded values never stores in an SC run, so it is race-free there, yet
the model lets each load read the other thread's store.

DRF by construction where it can: the strategy promotes plain accesses that race in some SC
execution to atomic ones, until no SC execution races (only accesses that race in *some SC run*
are touched, so the thin-air shape, whose stores never run under SC, stays plain).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import (
    DEPENDENT,
    Op,
    Prog,
    ProgramBounds,
    observe,
    outcomes,
    programs,
    show_outcome,
)
from semantics.litmus.engine import Enumeration, ThreadPath, enumerate_executions
from semantics.litmus.sc import sc_executions
from semantics.memory.check import data_race
from semantics.memory.model import Model

PROMOTIONS = 6


def executed_ops(ops: tuple[Op, ...], path: ThreadPath) -> list[int]:
    """Indices of the operations that emitted the path's events, in order: an op under ``if``
    runs iff its guard register is non-zero (registers are set once), and a trap ends the run."""
    final = path.final_map
    ran = [i for i, op in enumerate(ops) if op.guard is None or final.get(f"r{op.guard}", 0)]
    return ran[:len(path.events)]


def sc_race(p: Prog, model: Model, sc: Enumeration) -> tuple[int, int, int, int] | None:
    """(thread, op, thread, op) of a data race in some SC execution, or None."""
    for v in sc.valid:
        race = data_race(v.execution, model)
        if race is None:
            continue
        where = []
        for eid in race:
            e = v.execution.events[eid]
            if not 0 <= e.thread < len(p.threads):
                return (-1, -1, -1, -1)  # the allocation or the observer: no op to promote
            ran = executed_ops(p.threads[e.thread], v.paths[e.thread])
            where += [e.thread, ran[e.index]]
        return (where[0], where[1], where[2], where[3])
    return None


def promote_races(p: Prog, model: Model) -> Prog:
    """Make the plain loads and stores that race in some SC execution atomic, until none does
    (or a race involves something that promotion cannot fix: a grow, a misaligned access)."""
    for _ in range(PROMOTIONS):
        race = sc_race(p, model, sc_executions(p.test.program, observe=observe(p)))
        if race is None:
            return p
        t1, i1, t2, i2 = race
        if t1 < 0:
            return p
        plain = [(t, i) for t, i in ((t1, i1), (t2, i2))
                 if p.threads[t][i].kind in ("load", "store") and not p.threads[t][i].atomic
                 and p.threads[t][i].sub % p.threads[t][i].width == 0]
        if not plain:
            return p
        threads = [list(t) for t in p.threads]
        for t, i in plain:
            threads[t][i] = attrs.evolve(threads[t][i], atomic=True)
        p = Prog(tuple(tuple(t) for t in threads))
    return p


def drf_programs(model: Model, bounds: ProgramBounds = DEPENDENT) -> st.SearchStrategy[Prog]:
    return programs(bounds).map(lambda p: promote_races(p, model))


def sc_drf_program(p: Prog, model: Model) -> Outcome:
    test = p.test
    sc = sc_executions(test.program, observe=observe(p))
    if not sc.complete:
        return Vacuous("FIN", "; ".join(sc.bound_reports))
    race = sc_race(p, model, sc)
    if race is not None:
        return Vacuous("DRF", "an SC execution has a data race (threads {0} and {2})"
                       .format(*race))
    en = enumerate_executions(test.program, model, observe=observe(p), seeds=p.seeds)
    if not en.complete:
        return Vacuous("FIN", "; ".join(en.bound_reports))
    extra = outcomes(p, en) - outcomes(p, sc)
    if extra:
        worst = min(extra)
        return Fails("sc-outcome", f"allowed under {model.name}, reached by no SC run: "
                     f"{show_outcome(worst)}", witness=worst)
    return Holds()


# load buffering with control dependencies, the thin-air shape ([P] §5; WebAssembly/threads PR #169)
LB_CTRL = Prog((
    (Op("load", loc=0), Op("store", loc=1, value=1, guard=0)),
    (Op("load", loc=1), Op("store", loc=0, value=2, guard=0)),
))


def sc_drf_program_property(model: Model) -> Callable[[], None]:
    """The property: no generated DRF program has a non-SC outcome. It is expected to fail
    (thin air) for every variant; the tests assert that it does."""

    @example(LB_CTRL)
    @given(drf_programs(model))
    def prop(p: Prog) -> None:
        out = sc_drf_program(p, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
