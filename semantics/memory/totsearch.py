"""Search for a total order of events under ``Before`` / ``NotBetween`` constraints.

The search places events one at a time (a linear extension of the mandatory ``Before`` edges).
A ``NotBetween(a, b, c)`` is decided the moment b is placed: it fails iff a is already placed
and c is not. So whether the rest can be completed depends only on the *set* of placed events,
and failed sets are memoised: the search visits each down-set at most once.
"""

from __future__ import annotations

from collections.abc import Sequence

from semantics.memory.axioms import Before, Constraint
from semantics.memory.relations import find_cycle


def find_tot(n: int, constraints: Sequence[Constraint]) -> tuple[int, ...] | None:
    """A permutation of ``range(n)`` satisfying every constraint (smallest event ids first
    where free), or None."""
    pred = [0] * n
    mids: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for c in constraints:
        if isinstance(c, Before):
            pred[c.then] |= 1 << c.first
        else:
            mids[c.mid].append((1 << c.low, 1 << c.high))
    full = (1 << n) - 1
    dead: set[int] = set()
    out: list[int] = []

    def go(placed: int) -> bool:
        if placed == full:
            return True
        if placed in dead:
            return False
        for e in range(n):
            bit = 1 << e
            if placed & bit or pred[e] & ~placed:
                continue
            if any(placed & lo and not placed & hi for lo, hi in mids[e]):
                continue
            out.append(e)
            if go(placed | bit):
                return True
            out.pop()
        dead.add(placed)
        return False

    return tuple(out) if go(0) else None


def minimal_core(n: int, kept: Sequence[Constraint],
                 suspects: Sequence[Constraint]) -> tuple[Constraint, ...]:
    """A subset of ``suspects``, minimal under removal, that is still unsatisfiable together
    with ``kept`` (which is satisfiable on its own)."""
    core = list(suspects)
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1:]
        if find_tot(n, [*kept, *trial]) is None:
            core = trial
        else:
            i += 1
    return tuple(core)


def core_witness(kept: Sequence[Constraint], core: Sequence[Constraint]) -> tuple[int, ...]:
    """The core's events; a cycle through the mandatory edges, when there is one, comes first
    and in cycle order."""
    edges = frozenset((c.first, c.then) for c in (*kept, *core) if isinstance(c, Before))
    cyc = find_cycle(edges) or ()
    return (*cyc, *sorted({e for c in core for e in c.witness} - set(cyc)))


def describe(core: Sequence[Constraint]) -> str:
    these = "this" if len(core) == 1 else "these"
    return "; ".join(c.detail for c in core) + f"; no tot satisfies {these} and the axioms before"
