"""Finite binary relations over event ids, with herd's cat combinators.

Sets are UpperCase in callers (``R``, ``W``, ``SC``, ``Init``), relations lowercase (``po``,
``rf``, ``hb``, ``tot``). A relation is a frozenset of pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Rel = frozenset[tuple[int, int]]
Set = frozenset[int]

EMPTY: Rel = frozenset()


def rel(pairs: Iterable[tuple[int, int]]) -> Rel:
    return frozenset(pairs)


def union(*rs: Rel) -> Rel:
    return frozenset().union(*rs)


def inter(r1: Rel, r2: Rel) -> Rel:
    return r1 & r2


def diff(r1: Rel, r2: Rel) -> Rel:
    return r1 - r2


def inv(r: Rel) -> Rel:
    return frozenset((b, a) for a, b in r)


def seq(*rs: Rel) -> Rel:
    """Relational composition ``r1 ; r2 ; ...``."""
    out = rs[0]
    for r in rs[1:]:
        succ = _successors(r)
        out = frozenset((a, c) for a, b in out for c in succ.get(b, ()))
    return out


def ident(s: Iterable[int]) -> Rel:
    """``[S]``: the identity on a set."""
    return frozenset((x, x) for x in s)


def cross(s1: Iterable[int], s2: Iterable[int]) -> Rel:
    s2 = tuple(s2)
    return frozenset((a, b) for a in s1 for b in s2)


def restrict(r: Rel, dom: Set | None = None, ran: Set | None = None) -> Rel:
    """``[dom] ; r ; [ran]``."""
    return frozenset((a, b) for a, b in r
                     if (dom is None or a in dom) and (ran is None or b in ran))


def where(r: Rel, pred: Callable[[int, int], bool]) -> Rel:
    return frozenset(p for p in r if pred(*p))


def _successors(r: Rel) -> dict[int, list[int]]:
    succ: dict[int, list[int]] = {}
    for a, b in r:
        succ.setdefault(a, []).append(b)
    return succ


def plus(r: Rel) -> Rel:
    """Transitive closure ``r+``."""
    succ = _successors(r)
    out: set[tuple[int, int]] = set()
    for start in succ:
        stack = list(succ[start])
        seen: set[int] = set()
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            stack.extend(succ.get(x, ()))
        out.update((start, x) for x in seen)
    return frozenset(out)


def star(r: Rel, universe: Iterable[int]) -> Rel:
    """Reflexive-transitive closure ``r*`` over ``universe``."""
    return plus(r) | ident(universe)


def irreflexive(r: Rel) -> bool:
    return all(a != b for a, b in r)


def empty(r: Rel) -> bool:
    return not r


def find_cycle(r: Rel) -> tuple[int, ...] | None:
    """A cycle of ``r`` as a tuple of nodes (first node not repeated), or None if acyclic."""
    succ = _successors(r)
    colour: dict[int, int] = {}  # 1 = on stack, 2 = done
    for root in sorted(succ):
        if root in colour:
            continue
        path: list[int] = []
        stack: list[tuple[int, Iterable[int]]] = [(root, iter(sorted(succ.get(root, ()))))]
        colour[root] = 1
        path.append(root)
        while stack:
            node, it = stack[-1]
            for nxt in it:
                c = colour.get(nxt)
                if c == 1:
                    return tuple(path[path.index(nxt):])
                if c is None:
                    colour[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(sorted(succ.get(nxt, ())))))
                    break
            else:
                colour[node] = 2
                path.pop()
                stack.pop()
    return None


def acyclic(r: Rel) -> bool:
    return find_cycle(r) is None


def linear(order: Sequence[int]) -> Rel:
    """The strict total order given by a sequence."""
    return frozenset((a, b) for i, a in enumerate(order) for b in order[i + 1:])
