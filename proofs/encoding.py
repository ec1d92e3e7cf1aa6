"""A model's axiom list encoded in SMT over a symbolic candidate execution.

The encoding reads the model's axioms by name (``ENCODERS``), so a mutant model (the same
axioms minus one) is encoded without code changes. Each axiom is guarded by a Boolean indicator
named after it: solving under the indicators as assumptions makes an unsat core name the axioms
that forbid an outcome.

happens-before is the *least* relation: the transitive closure of po, same-range seqcst
reads-from edges and (with ``init-hb``) the allocation's edges, computed exactly by
Floyd-Warshall over Boolean terms, so hb is never "any relation containing po and sw".
tot is given by integer clocks (one per event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import attrs
import z3

from proofs.symbolic import Num, SymExec, bits, ult
from semantics.memory.events import Action


class AxiomLike(Protocol):
    @property
    def name(self) -> str: ...


class ModelLike(Protocol):
    """What the encoder needs of ``semantics.model.Model``."""

    @property
    def name(self) -> str: ...

    @property
    def axioms(self) -> Sequence[AxiomLike]: ...

    def tearfree(self, action: Action) -> bool: ...


class GeneratorLike(Protocol):
    @property
    def name(self) -> str: ...


class UnknownAxiom(ValueError):
    """The model names an axiom (or hb generator) that the SMT encoding does not know."""


GENERATORS = ("po", "spawn", "sync", "alloc")
"""hb generators of ``semantics.memory.hb`` the encoding knows. The space has no spawn edges;
``alloc`` ([P]'s allocation-time hb) orders event #0 before every event, as ``init-hb``
does here."""
DEFAULT_GENERATORS = ("po", "spawn", "sync")


Matrix = tuple[tuple[z3.BoolRef, ...], ...]


@attrs.frozen(eq=False)
class Encoding:
    """One model over one symbolic execution with one tot (``clk``)."""

    model: ModelLike
    sym: SymExec
    clk: tuple[Num, ...]
    hb: Matrix
    indicators: tuple[tuple[str, z3.BoolRef], ...]

    def lt(self, a: int, b: int) -> z3.BoolRef:
        return ult(self.clk[a], self.clk[b])

    def tearfree(self, i: int) -> z3.BoolRef:
        return self.sym.predicate(i, self.model.tearfree)

    def indicator(self, name: str) -> z3.BoolRef:
        return dict(self.indicators)[name]

    def axioms(self) -> list[z3.BoolRef]:
        """``indicator => axiom`` for every axiom of the model."""
        return [z3.Implies(ind, ENCODERS[name](self)) for name, ind in self.indicators]

    def assumptions(self, only: Sequence[str] | None = None) -> list[z3.BoolRef]:
        """The indicators to assume; ``init-hb`` is part of hb's definition, so it stays."""
        keep = None if only is None else set(only) | {"init-hb"}
        return [ind for name, ind in self.indicators if keep is None or name in keep]

    def data_race(self) -> z3.BoolRef:
        """[P] Fig.17 with distinct events: hb-unordered, one writing, overlapping, not sync."""
        s, hb = self.sym, self.hb
        pairs = [z3.And(z3.Not(hb[a][b]), z3.Not(hb[b][a]),
                        z3.Or(s.writing(a), s.writing(b)), s.overlap(a, b),
                        z3.Not(s.sync(a, b)))
                 for a in s.ids for b in s.ids if a < b]
        return z3.Or(pairs)

    def is_seqcst(self) -> z3.BoolRef:
        """[P] Fig.17 as ``semantics.model.is_seqcst`` reads it: every read cell reads, with the
        value written, from the tot-latest write of that cell that is tot-before the read."""
        s = self.sym
        reads = []
        for r, c in ((r, c) for r in range(1, s.space.size) for c in s.cells):
            for w in s.ids:
                later = [z3.And(s.writing(v), s.covers(v, c), self.lt(w, v), self.lt(v, r))
                         for v in s.ids if v not in (w, r)]
                reads.append(z3.Implies(s.rf(w, r, c), z3.And(
                    self.lt(w, r), s.rb[r][c] == s.wb[w][c], z3.Not(z3.Or(later)))))
        return z3.And(reads)

    def not_seqcst_cases(self, cells: Sequence[int] | None = None) -> Iterator[Violating]:
        """``Not(is_seqcst())`` split by its witness: read ``r`` takes cell ``c`` from ``w``
        and either ``w`` is not tot-before ``r`` or the byte differs (``v`` None), or write
        ``v`` of cell ``c`` lies tot-between them. The disjunction of all cases (over every
        cell) is equivalent to ``Not(is_seqcst())``; ``cells`` narrows the violating cell
        (sound only under a symmetry, see ``Space.mirror_invariant``)."""
        s = self.sym
        for r in range(1, s.space.size):
            for c in s.cells if cells is None else cells:
                for w in s.ids:
                    if w == r:
                        continue
                    rf = s.rf(w, r, c)
                    yield Violating(r, c, w, None, z3.And(rf, z3.Or(
                        z3.Not(self.lt(w, r)), s.rb[r][c] != s.wb[w][c])))
                    for v in s.ids:
                        if v not in (w, r):
                            yield Violating(r, c, w, v, z3.And(
                                rf, s.writing(v), s.covers(v, c), self.lt(w, v),
                                self.lt(v, r)))


@attrs.frozen(eq=False)
class Violating:
    """One case of "not is-seqcst": read ``r`` takes cell ``c`` from ``w``, and ``v`` is the
    write tot-between them (None: ``w`` is not tot-before ``r``, or the byte differs)."""

    r: int
    c: int
    w: int
    v: int | None
    formula: z3.BoolRef

    def describe(self) -> str:
        why = ("the writer is not tot-before the read, or the byte differs" if self.v is None
               else f"write #{self.v} of that cell lies tot-between them")
        return f"read #{self.r} takes cell {self.c} from #{self.w}; {why}"


def encode(model: ModelLike, sym: SymExec, clk: Sequence[Num] | None = None,
           prefix: str = "", guarded: bool = True) -> Encoding:
    """Encode ``model`` over ``sym``; ``clk`` defaults to fresh bit-vector clocks. Unguarded,
    the indicators are the constant true (for use under a negation, where a free indicator
    would let the solver switch an axiom off).

    Besides its axioms, the encoding reads the model's hb generators (``hb_generators``, by
    name) and whether hb is transitively closed (``hb_transitive``), when the model has them."""
    names = tuple(a.name for a in model.axioms)
    gens: Sequence[GeneratorLike] | None = getattr(model, "hb_generators", None)
    gen_names = DEFAULT_GENERATORS if gens is None else tuple(g.name for g in gens)
    unknown = [f"axiom {n}" for n in names if n not in ENCODERS]
    unknown += [f"hb generator {g}" for g in gen_names if g not in GENERATORS]
    if unknown:
        raise UnknownAxiom(
            f"model {model.name!r}: no SMT encoding for {', '.join(unknown)}; "
            f"known axioms: {', '.join(sorted(ENCODERS))}; "
            f"known hb generators: {', '.join(GENERATORS)}")
    indicators = tuple((n, z3.Bool(f"{prefix}{model.name}:{n}") if guarded else z3.BoolVal(True))
                       for n in names)
    init_edges = z3.Or(dict(indicators).get("init-hb", z3.BoolVal(False)),
                       z3.BoolVal("alloc" in gen_names))
    if clk is None:
        clk = tuple(z3.BitVec(f"{prefix}clk{i}", bits(sym.space.size)) for i in sym.ids)
    hb = happens_before(sym, init_edges, po="po" in gen_names, sync="sync" in gen_names,
                        closed=bool(getattr(model, "hb_transitive", True)))
    return Encoding(model, sym, tuple(clk), hb, indicators)


def happens_before(sym: SymExec, init_edges: z3.BoolRef, po: bool = True, sync: bool = True,
                   closed: bool = True) -> Matrix:
    """The least hb: (po | sync & rf^-1 | init edges)+, closed by Floyd-Warshall (exact)."""
    ids = sym.ids
    m = [[z3.BoolVal(False) for _ in ids] for _ in ids]
    for a in ids:
        for b in ids:
            if a == b or b == 0:
                continue
            if a == 0:
                m[a][b] = init_edges
            else:
                m[a][b] = z3.Or(z3.And(z3.BoolVal(po), sym.po(a, b)),
                                z3.And(z3.BoolVal(sync), sym.sync(a, b), sym.reads_from(a, b)))
    if closed:
        for k in ids:
            m = [[z3.Or(m[a][b], z3.And(m[a][k], m[k][b])) for b in ids] for a in ids]
    return tuple(tuple(row) for row in m)


# --- the axioms, by the names of semantics/model.py ------------------------------------------

def _rf_pairs(e: Encoding) -> list[tuple[int, int]]:
    return [(w, r) for r in range(1, e.sym.space.size) for w in e.sym.ids if w != r]


def value_consistent(e: Encoding) -> z3.BoolRef:
    s = e.sym
    return z3.And([z3.Implies(s.rf(w, r, c), s.rb[r][c] == s.wb[w][c])
                   for w, r in _rf_pairs(e) for c in s.cells])


def hb_consistent(e: Encoding) -> z3.BoolRef:
    s, hb = e.sym, e.hb
    out = []
    for w, r in _rf_pairs(e):
        out.append(z3.Implies(s.reads_from(w, r), z3.And(
            z3.Not(hb[r][w]), z3.Implies(s.sync(w, r), hb[w][r]))))
        for c in s.cells:
            between = [z3.And(s.writing(v), s.covers(v, c), hb[w][v], hb[v][r])
                       for v in s.ids if v != w]
            out.append(z3.Implies(s.rf(w, r, c), z3.Not(z3.Or(between))))
    return z3.And(out)


def _last_visible(clause: Callable[[Encoding, int, int, int], z3.BoolRef]
                  ) -> Callable[[Encoding], z3.BoolRef]:
    """[P] Fig.16: for evR reading evW with evW hb evR, no writing evW' matches ``clause``."""
    def axiom(e: Encoding) -> z3.BoolRef:
        s = e.sym
        return z3.And([z3.Implies(z3.And(s.reads_from(w, r), e.hb[w][r], s.writing(v)),
                                  z3.Not(clause(e, w, v, r)))
                       for w, r in _rf_pairs(e) for v in s.ids])
    return axiom


def _one(e: Encoding, w: int, v: int, r: int) -> z3.BoolRef:
    return z3.And(e.lt(w, v), e.lt(v, r), e.sym.sync(w, r), e.sym.sync(v, r))


def _dagger(e: Encoding, w: int, v: int, r: int) -> z3.BoolRef:
    return z3.And(e.hb[w][v], e.lt(v, r), e.sym.sync(v, r))


def _ddagger(e: Encoding, w: int, v: int, r: int) -> z3.BoolRef:
    return z3.And(e.lt(w, v), e.hb[v][r], e.sym.sync(w, v))


def es2017_memory_order(e: Encoding) -> z3.BoolRef:
    """[ES17]: if W synchronizes-with R (seqcst, equal ranges; or W is Init and R is a seqcst
    read of Init bytes only) no write V != W with R's range lies between them in tot."""
    s = e.sym
    out = []
    for w, r in _rf_pairs(e):
        if w == 0:
            only_init = z3.And([z3.Implies(z3.And(s.reading(r), s.covers(r, c)),
                                           s.src[r][c] == 0) for c in s.cells])
            sw = z3.And(s.seqcst(r), s.reads_from(w, r), only_init)
        else:
            sw = z3.And(s.reads_from(w, r), s.sync(w, r))
        between = [z3.And(s.writing(v), s.same(v, r), e.lt(w, v), e.lt(v, r))
                   for v in s.ids if v not in (w, r)]
        out.append(z3.Implies(sw, z3.Not(z3.Or(between))))
    return z3.And(out)


def no_tear(e: Encoding) -> z3.BoolRef:
    s = e.sym
    out = []
    for r in range(1, s.space.size):
        tf_r = e.tearfree(r)
        cands = [(w, z3.And(s.reads_from(w, r), s.same(w, r), e.tearfree(w)))
                 for w in s.ids if w != r]
        for i, (_, a) in enumerate(cands):
            for _, b in cands[i + 1:]:
                out.append(z3.Not(z3.And(tf_r, a, b)))
    return z3.And(out)


def init_hb(e: Encoding) -> z3.BoolRef:
    """The allocation's hb edges are part of hb's definition (its indicator switches them on)."""
    return z3.BoolVal(True)


def hb_acyclic(e: Encoding) -> z3.BoolRef:
    return z3.And([z3.Not(e.hb[a][a]) for a in e.sym.ids])


def hb_in_tot(e: Encoding) -> z3.BoolRef:
    ids = e.sym.ids
    return z3.And([z3.Implies(e.hb[a][b], e.lt(a, b)) for a in ids for b in ids if a != b])


def tot_total(e: Encoding) -> z3.BoolRef:
    return z3.Distinct(*e.clk)


ENCODERS: dict[str, Callable[[Encoding], z3.BoolRef]] = {
    "value-consistent": value_consistent,
    "hb-consistent": hb_consistent,
    "sc-last-visible": _last_visible(_one),
    "sc-last-visible-dagger": _last_visible(_dagger),
    "sc-last-visible-ddagger": _last_visible(_ddagger),
    "es2017-memory-order": es2017_memory_order,
    "no-tear": no_tear,
    "init-hb": init_hb,
    "hb-acyclic": hb_acyclic,
    "hb-in-tot": hb_in_tot,
    "tot-total": tot_total,
}
