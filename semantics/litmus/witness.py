"""States and counts of symbolic executions (docs/litmus.md, "Thin air").

A symbolic execution stands for every assignment of its unknowns its constraints allow.
It counts as positive if one of them satisfies the condition's proposition, as negative if
one does not: with values fixed by the writes (every execution without a value cycle) that
is herd's count of executions. Its states are listed when its constraints fix them; else it
is *loose* and adds a witness each way, one already listed if it can, else one whose bytes
are bytes of values already seen, else any.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from semantics.litmus import values
from semantics.litmus.condition import Observable, Prop, atoms, evaluate, observable_key
from semantics.wasm.terms import Term

Bits = Term | int
SymState = tuple[tuple[Observable, Bits], ...]
State = tuple[tuple[Observable, int], ...]


@attrs.frozen
class Decided:
    states: tuple[State, ...]
    positive: int
    negative: int
    free: int  # loose executions
    loose: tuple[Observable, ...]  # observables some loose execution does not fix
    filtered: int = 0  # executions of which some assignment fails the test's filter


@attrs.frozen
class _Loose:
    positive: bool
    negative: bool
    filtered: bool
    fixed: State | None  # the residual fixes the state after all
    loose: frozenset[Observable] = frozenset()


def decide(prop: Prop, shapes: Sequence[tuple[tuple[Bits, ...], SymState]],
           shown: Sequence[Observable], filter: Prop | None = None) -> Decided:
    """``shapes``: per symbolic execution, its residual constraints and its state
    (``ValidExecution.constraints`` and the state of its finals and observed values, over
    the observables ``prop``, ``filter`` and ``shown`` name); states list the ``shown`` ones.
    An assignment that fails ``filter`` counts as filtered, in neither count."""
    states: dict[State, None] = {}
    pos = neg = free = filtered = 0
    loose: set[Observable] = set()
    known = {0, 1} | {a.value for a in atoms(prop)}
    plain, rest = [], []
    for residual, st in shapes:
        if not residual and all(isinstance(x, int) for _, x in st):
            plain.append({o: x for o, x in st if isinstance(x, int)})
        else:
            rest.append((residual, st))
    for full in plain:  # first, so that a witness can be one of them
        if filter is not None and not evaluate(filter, full):
            filtered += 1
            continue
        states[tuple((o, full[o]) for o in shown)] = None
        if evaluate(prop, full):
            pos += 1
        else:
            neg += 1
    memo: dict[tuple[tuple[Bits, ...], SymState], _Loose | None] = {}
    for key in rest:
        if key not in memo:
            memo[key] = _judge(prop, filter, *key, tuple(shown), states, known)
        got = memo[key]
        if got is None:
            continue
        if got.fixed is not None:
            states[got.fixed] = None
        elif got.positive or got.negative:
            free += 1
            loose |= got.loose
        pos += got.positive
        neg += got.negative
        filtered += got.filtered
    return Decided(tuple(states), pos, neg, free,
                   tuple(sorted(loose, key=observable_key)), filtered)


def _judge(prop: Prop, filter: Prop | None, residual: tuple[Bits, ...], full: SymState,
           shown: tuple[Observable, ...], states: dict[State, None],
           known: set[int]) -> _Loose | None:
    """None if the residual has no solution."""
    s = values.solver(residual)
    m = s.model()
    if m is None:
        return None
    by = dict(full)
    st = tuple((o, by[o]) for o in shown)
    ts = [x for _, x in full if isinstance(x, Term)]
    free = frozenset(o for o, x in full if not values.fixed(s, m, [x]))
    if not free:
        concrete = dict(_concrete(s, m, full))
        kept = filter is None or evaluate(filter, concrete)
        holds = kept and evaluate(prop, concrete)
        return _Loose(holds, kept and not holds, not kept,
                      tuple((o, concrete[o]) for o in shown) if kept else None)
    p = values.prop_expr(prop, by)
    f = values.prop_expr(filter, by) if filter is not None else None
    ways = []
    for want, truth in ((p, True), (values.negate(p), False)):
        if f is not None:
            want = values.both(f, want)
        seen = [x for x in states if evaluate(prop, dict(x)) == truth]
        if seen and s.model(want, values.one_of_states(st, seen)) is not None:
            ways.append(True)
            continue
        w = s.model(want, *values.prefer(ts, known)) or s.model(want)
        ways.append(w is not None)
        if w is not None:
            states[_concrete(s, w, st)] = None
    dropped = f is not None and s.model(values.negate(f)) is not None
    return _Loose(ways[0], ways[1], dropped, None, frozenset(o for o in free if o in shown))


def _concrete(s: values.Solver, model: object, st: SymState) -> State:
    return tuple((o, s.value(model, x, x.bits) if isinstance(x, Term) else x) for o, x in st)
