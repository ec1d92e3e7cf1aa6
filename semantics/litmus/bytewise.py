"""A plain read's choices of writers, counted byte by byte (docs/litmus.md, "How executions
are enumerated", item 4).

Each byte a read reads may come from any write of that byte: a plain i32 read of a location
that INIT and one store write has 2^4 choices, 16 of which give it the same value. The engine's
options (``engine._options``) list those choices and judge each with every axiom's ``per_read``
hook. For a read that is not SeqCst, the hooks of the standard models decompose over its cells:

- value-consistent holds by construction (every candidate writes the byte read, and is another
  event);
- hb-consistent is a condition on each cell and its writer (``predicates._coherent``);
- sc-last-visible (1), (†), (‡) and es2017-memory-order put constraints on tot for each pair
  (read, writer), whichever of the read's cells it gives;
- no-tear allows a tear-free read at most one same-range tear-free writer per region, a
  condition on the set of writers that ``groups`` enumerates by cases (no such writer, or
  exactly the writer t);
- and no hb generator adds an edge for it (only sync reads rf, and only SeqCst pairs).

So the choices of one option are the product of each cell's candidates, and those that pass
form groups by their constraints: per cell, the candidates with equal constraints are
interchangeable. ``groups`` gives each group's size without listing its members. A model with
any other hook (a mutant's, a user's) is judged pick by pick, as before.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import attrs

from semantics.memory import hb as hb_generators
from semantics.memory import predicates as P
from semantics.memory.axioms import Constraint, Facts
from semantics.memory.events import Event, Ord, Region, Rf, is_memory, reading, same, sync
from semantics.memory.model import Model

# the per_read hooks this module decides byte by byte, and how
_CHECKED = frozenset({P.value_consistent_per_read, P.hb_consistent_per_read, P.no_tear_per_read})
_PAIRWISE = frozenset({P.sc_last_visible_per_read, P.sc_last_visible_dagger_per_read,
                       P.sc_last_visible_ddagger_per_read, P.es2017_memory_order_per_read})
_PRUNES = frozenset({P.hb_consistent_prune, P.no_tear_prune})
_GENERATORS = frozenset({hb_generators.po_edges, hb_generators.spawn_edges,
                         hb_generators.alloc_edges, hb_generators.sync_edges})


def applies(model: Model) -> bool:
    """Are ``model``'s hooks all ones this module decides byte by byte (no-tear's prune and
    per_read hooks together)?"""
    return (all(g.edges in _GENERATORS for g in model.hb_generators)
            and all(ax.per_read is None or ax.per_read in _CHECKED | _PAIRWISE
                    for ax in model.axioms)
            and all(ax.prune is None or ax.prune in _PRUNES for ax in model.axioms)
            and all((ax.prune is P.no_tear_prune) == (ax.per_read is P.no_tear_per_read)
                    for ax in model.axioms))


def tear_limited(model: Model) -> bool:
    return any(ax.prune is P.no_tear_prune for ax in model.axioms)


@attrs.frozen
class Cells:
    """One option's choices of writers for a reading event, byte by byte: per cell it reads
    (in the event's order), the rf edges that give it the option's byte and pass the prune
    hooks alone. At most one region, ``torn``, has candidates that no-tear limits, ``tf`` (the
    same-range tear-free writers: a choice takes at most one of them); the option holds the
    choices of its ``branches``: None, those taking none of ``tf``; t, those taking t at least
    once. ``count``: how many choices (one writer per cell) the option holds; ``first``: one of
    them (``cells`` computes both)."""

    edges: tuple[tuple[Rf, ...], ...]
    torn: Region | None
    tf: frozenset[int]
    branches: tuple[int | None, ...]
    count: int
    first: frozenset[Rf] | None


def _admits(torn: Region | None, tf: frozenset[int], t: int | None, edge: Rf) -> bool:
    """May a choice of the no-tear case ``t`` (the one writer of ``tf`` it takes in ``torn``;
    None: none of them) take ``edge``?"""
    return edge[2] is not torn or edge[0] not in tf or edge[0] == t


def _allowed(edges: Sequence[Sequence[Rf]], torn: Region | None, tf: frozenset[int],
             t: int | None) -> list[list[Rf]]:
    """Each cell's candidates in the no-tear case ``t``."""
    return [[x for x in c if _admits(torn, tf, t, x)] for c in edges]


def cells(edges: Sequence[Sequence[Rf]], torn: Region | None, tf: frozenset[int],
          branches: Sequence[int | None]) -> Cells:
    """The ``Cells`` of one option (``torn_of`` gives ``torn`` and ``tf``)."""
    per_cell = tuple(tuple(c) for c in edges)
    none = _allowed(per_cell, torn, tf, None)
    n_none = math.prod(len(c) for c in none)
    count, first = 0, None
    for b in branches:
        if b is None:
            count += n_none
            if first is None and n_none:
                first = frozenset(c[0] for c in none)
            continue
        allowed = _allowed(per_cell, torn, tf, b)
        n = math.prod(len(c) for c in allowed) - n_none
        count += n
        if first is None and n:
            at = next(i for i, c in enumerate(allowed) if any(x[0] == b for x in c))
            first = frozenset(next(x for x in c if x[0] == b) if i == at else c[0]
                              for i, c in enumerate(allowed))
    return Cells(per_cell, torn, tf, tuple(branches), count, first)


def syncs(f: Facts, w: int, r: int, reg: Region) -> bool:
    aw, ar = f.acc(w, reg), f.acc(r, reg)
    return aw is not None and ar is not None and sync(aw, ar)


def torn_of(eid: int, f: Facts, candidates: Sequence[Sequence[Rf]], no_tear: bool,
            seqcst: bool) -> tuple[Region | None, frozenset[int]] | None:
    """The region whose candidates no-tear limits (``Cells``), and those candidates: for a read
    that is not SeqCst (``seqcst`` False), a region where it is tear-free with two or more
    same-range tear-free candidates; for a SeqCst read, also one where a single such
    candidate syncs with it (its edge tells the options apart). None if two regions are such
    (the caller then judges pick by pick); (None, {}) if none is."""
    torn: Region | None = None
    tf: frozenset[int] = frozenset()
    if not no_tear:
        return (None, tf) if not seqcst else None
    by_region: dict[Region, set[int]] = {}
    for c in candidates:
        for w, _r, reg, _k in c:
            by_region.setdefault(reg, set()).add(w)
    for reg, ws in by_region.items():
        ar = f.acc(eid, reg)
        if ar is None or not f.tearfree(ar):
            continue
        found = frozenset(w for w in ws if (aw := f.acc(w, reg)) is not None
                          and same(ar, aw) and f.tearfree(aw))
        if len(found) < 2 and not (seqcst and any(syncs(f, w, eid, reg) for w in found)):
            continue
        if torn is not None:
            return None
        torn, tf = reg, found
    return torn, tf


def seqcst_read(e: Event) -> bool:
    """Does a reading access of ``e`` synchronise (SeqCst), so that its rf may add a sync
    edge?"""
    return any(a.ord is Ord.SEQCST for a in e.actions
               if a.region is not None and is_memory(a) and reading(a))


def seqcst_applies(model: Model) -> bool:
    """May this module count SeqCst reads under ``model``: its hooks are ones ``applies``
    names, es2017-memory-order's excepted (its synchronizes-with of a SeqCst read of INIT
    reads all the read's writers at once), and no-tear limits the writers (so that a choice
    adds at most one sync edge per region)."""
    return (applies(model) and tear_limited(model)
            and all(ax.per_read is not P.es2017_memory_order_per_read for ax in model.axioms))


Group = tuple[frozenset[Constraint], frozenset[Rf], int]


def groups(f: Facts, eid: int, cells: Cells, model: Model) -> tuple[Group, ...]:
    """The choices of ``cells`` that satisfy every axiom's part for the event ``eid`` under the
    hb of ``f``, as (the constraints on tot they add, one of them, how many)."""
    hooks = [ax.per_read for ax in model.axioms if ax.per_read is not None]
    coherent = P.hb_consistent_per_read in hooks
    pairwise = [h for h in hooks if h in _PAIRWISE]
    pair_memo: dict[tuple[Region, int], frozenset[Constraint]] = {}

    def constraints(w: int, reg: Region, k: int) -> frozenset[Constraint]:
        got = pair_memo.get((reg, w))
        if got is None:
            fr = Facts(f.ex, f.hb, f.generated, f.contributed, f.tearfree,
                       {(eid, reg): {k: (w,)}}, f.writers)
            cs: list[Constraint] = []
            for h in pairwise:
                v, c = h(fr, eid)
                assert v is None, "a pairwise hook decides only constraints"
                cs += c
            got = pair_memo[(reg, w)] = frozenset(cs)
        return got

    # per cell: its passing candidates, grouped by the constraints they add
    classes: list[dict[frozenset[Constraint], list[Rf]]] = []
    for c in cells.edges:
        by: dict[frozenset[Constraint], list[Rf]] = {}
        for edge in c:
            w, r, reg, k = edge
            if coherent and P._coherent(f, r, reg, k, w) is not None:
                continue
            by.setdefault(constraints(w, reg, k), []).append(edge)
        if not by:
            return ()
        classes.append(by)

    out: dict[frozenset[Constraint], tuple[frozenset[Rf], int]] = {}
    torn, tf = cells.torn, cells.tf

    def keep(t: int | None) -> Callable[[Rf], bool]:
        return lambda edge: _admits(torn, tf, t, edge)

    none: dict[frozenset[Constraint], tuple[frozenset[Rf], int]] = {}
    for key, rep, n in _combine(classes, keep(None)):
        assert rep is not None
        _add(none, key, rep, n)
    for b in cells.branches:
        if b is None:
            for key, (rep, n) in none.items():
                _add(out, key, rep, n)
            continue
        with_t: dict[frozenset[Constraint], tuple[frozenset[Rf] | None, int]] = {}
        for key, rep, n in _combine(classes, keep(b), b):
            old_rep, old_n = with_t.get(key, (None, 0))
            with_t[key] = (old_rep if old_rep is not None else rep, old_n + n)
        for key, (rep, n) in with_t.items():
            extra = n - none.get(key, (frozenset(), 0))[1]  # the choices that take b somewhere
            if extra > 0:
                assert rep is not None
                _add(out, key, rep, extra)
    return tuple((k, rep, n) for k, (rep, n) in out.items())


def _add(out: dict[frozenset[Constraint], tuple[frozenset[Rf], int]],
         key: frozenset[Constraint], rep: frozenset[Rf], n: int) -> None:
    old = out.get(key)
    out[key] = (rep, n) if old is None else (old[0], old[1] + n)


def _combine(classes: Sequence[dict[frozenset[Constraint], list[Rf]]],
             keep: Callable[[Rf], bool], t: int | None = None,
             ) -> list[tuple[frozenset[Constraint], frozenset[Rf] | None, int]]:
    """Each choice of one class per cell (members filtered by ``keep``): the union of their
    constraints, a representative choice, and the number of choices. With ``t``, the
    representative takes ``t`` at the first cell whose class holds it (None if none does)."""
    per_cell = []
    for by in classes:
        kept = [(key, [x for x in members if keep(x)]) for key, members in by.items()]
        kept = [(key, members) for key, members in kept if members]
        if not kept:
            return []
        per_cell.append(kept)
    out: list[tuple[frozenset[Constraint], frozenset[Rf] | None, int]] = []
    for combo in itertools.product(*per_cell):
        key = frozenset().union(*(k for k, _ in combo))
        n = math.prod(len(m) for _, m in combo)
        if t is None:
            rep: frozenset[Rf] | None = frozenset(m[0] for _, m in combo)
        else:
            at = next((i for i, (_, m) in enumerate(combo) if any(x[0] == t for x in m)), None)
            rep = None if at is None else frozenset(
                next(x for x in m if x[0] == t) if i == at else m[0]
                for i, (_, m) in enumerate(combo))
        out.append((key, rep, n))
    return out
