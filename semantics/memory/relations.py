"""Finite binary relations over event ids (a relation is a frozenset of pairs): the few
operations hb and the tot search need, named as in herd's cat (``|`` is ``union``, ``r+`` is
``plus``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Rel = frozenset[tuple[int, int]]


def union(*rs: Rel) -> Rel:
    return frozenset().union(*rs)


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


def _acyclic(r: Rel) -> bool:
    """Kahn's algorithm: cheaper than ``find_cycle``'s ordered search when there is no cycle,
    the usual answer."""
    succ = _successors(r)
    indeg: dict[int, int] = {}
    for _, b in r:
        indeg[b] = indeg.get(b, 0) + 1
    ready = [a for a in succ if a not in indeg]
    left = len(indeg)
    while ready:
        for b in succ.get(ready.pop(), ()):
            d = indeg[b] - 1
            indeg[b] = d
            if not d:
                left -= 1
                ready.append(b)
    return not left


def find_cycle(r: Rel) -> tuple[int, ...] | None:
    """A cycle of ``r`` as a tuple of nodes (first node not repeated), or None if acyclic."""
    if _acyclic(r):
        return None
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


def linear(order: Sequence[int]) -> Rel:
    """The strict total order given by a sequence (a tot as a relation)."""
    return frozenset((a, b) for i, a in enumerate(order) for b in order[i + 1:])
