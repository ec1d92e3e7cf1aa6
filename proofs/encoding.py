"""A model's axiom list encoded in SMT over a symbolic candidate execution.

The encoding reads the model's axioms by name (``ENCODERS``), so a mutant model (the same
axioms minus one) is encoded without code changes. Each axiom is guarded by a Boolean indicator
named after it: solving under the indicators as assumptions makes an unsat core name the axioms
that forbid an outcome.

happens-before is the *least* relation: the transitive closure of the model's generators (po,
same-range seqcst reads-from edges, the allocation's edges) and, with ``init-hb``, the INIT
edges, computed exactly by Floyd-Warshall over Boolean terms, so hb is never "any relation
containing po and sw". The same construction (``happens_before``, by source name) serves the
litmus encoding (``proofs.litmus``) over its slots. ``free_hb`` gives the other reading, [P]
Prop 6.1's: hb any order between the least one and tot (the ``sc_drf_free_hb`` obligation).
tot is given by integer clocks (one per event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import attrs
import z3

from proofs.space import NOTIFY, WAIT, WOKEN
from proofs.symbolic import FALSE, TRUE, LenView, Matrix, Num, SymExec, bits, or_, ult
from semantics.memory.model import GENERATORS, INIT_HB, Model


class UnknownAxiom(ValueError):
    """The model names an axiom (or hb generator) that the SMT encoding does not know."""


# --- happens-before ---------------------------------------------------------------------------

HB_SOURCES = (INIT_HB.name, *GENERATORS)
"""What hb is made of, by name, in the order a pair's edges are joined: the edges the
``init-hb`` axiom contributes, then the generators of ``semantics.memory.hb``."""

EdgeFn = Callable[[z3.BoolRef, int, int], z3.BoolRef | None]
"""``edge(on, a, b)``: when one source orders ``a`` before ``b``, given the source's switch
``on``; None when it never does."""
EdgeSources = Mapping[str, EdgeFn]  # per name of ``HB_SOURCES``


def require_encoding(model: Model) -> None:
    """Raises ``UnknownAxiom`` for an axiom or a generator of ``model`` without an SMT encoding
    (``weakwasm prove`` asks before it hands work to its workers)."""
    unknown = [f"axiom {a.name}" for a in model.axioms if a.name not in ENCODERS]
    unknown += [f"hb generator {g.name}" for g in model.hb_generators if g.name not in GENERATORS]
    if unknown:
        raise UnknownAxiom(
            f"model {model.name!r}: no SMT encoding for {', '.join(unknown)}; "
            f"known axioms: {', '.join(sorted(ENCODERS))}; "
            f"known hb generators: {', '.join(GENERATORS)}")


def hb_switches(model: Model, inds: Sequence[tuple[str, z3.BoolRef]]) -> dict[str, z3.BoolRef]:
    """When each source's edges count: init-hb's when its axiom's indicator holds (so that
    dropping the axiom drops them), a generator's when the model lists it. Raises
    ``UnknownAxiom`` for an axiom or a generator without an SMT encoding."""
    require_encoding(model)
    listed = {g.name for g in model.hb_generators}
    return {INIT_HB.name: dict(inds).get(INIT_HB.name, FALSE),
            **{g: z3.BoolVal(g in listed) for g in GENERATORS}}


SUSPENSIONS = "suspensions-consistent"
"""The axiom whose witness order adds hb edges in the waits space (``Space.waits``)."""


def happens_before(size: int, sources: EdgeSources, switches: Mapping[str, z3.BoolRef],
                   closed: bool = True) -> Matrix:
    """The least hb over events ``0 .. size-1``: per pair, the union of every source's edge
    under its switch, transitively closed (unless ``closed`` is false) by Floyd-Warshall, which
    is exact. The terms are built pair by pair, in one order: Z3's choice among models depends
    on them, and ``weakwasm prove`` prints the counterexample it chose."""
    m = [[FALSE] * size for _ in range(size)]
    for a in range(size):
        for b in range(size):
            if a == b:
                continue
            gs = [g for name, on in switches.items() if (g := sources[name](on, a, b)) is not None]
            if gs:
                m[a][b] = gs[0] if len(gs) == 1 else z3.Or(gs)
    if closed:
        for k in range(size):
            m = [[z3.Or(m[a][b], z3.And(m[a][k], m[k][b])) for b in range(size)]
                 for a in range(size)]
    return tuple(tuple(row) for row in m)


def free_hb(enc: Encoding, prefix: str = "") -> tuple[Encoding, list[z3.BoolRef]]:
    """[P] Prop 6.1's hb: not the least relation but *any* strict order over the events that
    contains the model's generators and the init-hb edges (``enc.hb``, the least one) and is
    contained in tot. Returns ``enc`` with a fresh Boolean matrix as its hb, and the
    constraints that make it such an order: containment of the least hb, transitivity (when
    the model closes hb at all), inclusion in tot (hence irreflexivity and acyclicity). Every
    axiom and ``data_race`` then read the free hb: a counterexample names one hb choice."""
    n = enc.sym.space.size
    h = tuple(tuple(FALSE if a == b else z3.Bool(f"{prefix}hb{a}_{b}") for b in range(n))
              for a in range(n))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    cons = [z3.Implies(enc.hb[a][b], h[a][b]) for a, b in pairs]
    cons += [z3.Implies(h[a][b], enc.lt(a, b)) for a, b in pairs]
    if enc.model.hb_transitive:
        cons += [z3.Implies(z3.And(h[a][b], h[b][c]), h[a][c])
                 for a, b in pairs for c in range(n) if c not in (a, b)]
    return attrs.evolve(enc, hb=h), cons


def space_edges(sym: SymExec) -> EdgeSources:
    """hb's sources over the bounded space. The data space has no spawn edges (no host,
    threads are ``SymExec.thread`` values), and event #0 writes every cell, so init-hb and
    alloc order it before every other event (init-hb, in the waits space, before those that
    access a cell: not ``woken`` or ``notify``); the waits space adds the witness's queue
    order (``SymExec.sq``) under the ``suspensions-consistent`` switch. In the length space,
    init-hb orders #0 before the events that overlap its INIT page, alloc before every event
    acting on the memory (all but fences), and spawn edges go from #0 to each thread's first
    event and wherever the solver put one (``SymExec.spawn``)."""
    views = sym.views()
    length = sym.space.length

    def po(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        return z3.And(on, sym.po(a, b)) if a and b else None

    def sync(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        if not (a and b):
            return None
        if not length:
            return z3.And(on, sym.sync(a, b), sym.reads_from(a, b))
        return z3.And(on, z3.Or([z3.And(v.sync(a, b), v.reads_from(a, b)) for v in views]))

    def from_alloc(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        return on if a == 0 else None

    def queue(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        return z3.And(on, sym.sq(a, b)) if a and b else None

    def init_data(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        # the waits space's woken and notify events access no cell (alloc still orders them)
        return (z3.And(on, sym.access(b)) if sym.space.waits else on) if a == 0 else None

    if not length:
        return {INIT_HB.name: init_data, "po": po, "spawn": lambda on, a, b: None,
                "sync": sync, "alloc": from_alloc, SUSPENSIONS: queue}

    def init(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        return z3.And(on, sym.overlap(0, b)) if a == 0 else None

    def alloc(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        return z3.And(on, LenView(sym).has(b)) if a == 0 else None

    def spawn(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
        if b == 0 or a >= b:
            return None
        return z3.And(on, sym.first(b) if a == 0 else sym.spawn[a][b])

    return {INIT_HB.name: init, "po": po, "spawn": spawn, "sync": sync, "alloc": alloc}


def indicators(model: Model, prefix: str = "", guarded: bool = True
               ) -> tuple[tuple[str, z3.BoolRef], ...]:
    """Per axiom, the Boolean that switches it on; unguarded, the constant true."""
    return tuple((a.name, z3.Bool(f"{prefix}{model.name}:{a.name}") if guarded else TRUE)
                 for a in model.axioms)


@attrs.frozen(eq=False)
class Encoding:
    """One model over one symbolic execution with one tot (``clk``)."""

    model: Model
    sym: SymExec
    clk: tuple[Num, ...]
    hb: Matrix
    indicators: tuple[tuple[str, z3.BoolRef], ...]
    others: tuple[LenView, ...] = ()  # the other regions of ``sym``'s events (length space)

    @property
    def regions(self) -> tuple[Encoding, ...]:
        """This encoding once per region, each presenting that region as ``sym``: the axioms,
        races and is-seqcst quantify per region ([P] ⊢_r)."""
        if not self.others:
            return (self,)
        return (attrs.evolve(self, others=()),
                *(attrs.evolve(self, sym=v, others=()) for v in self.others))

    def lt(self, a: int, b: int) -> z3.BoolRef:
        return ult(self.clk[a], self.clk[b])

    def tearfree(self, i: int) -> z3.BoolRef:
        return self.sym.predicate(i, self.model.tearfree)

    def indicator(self, name: str) -> z3.BoolRef:
        return dict(self.indicators)[name]

    def axioms(self) -> list[z3.BoolRef]:
        """``indicator => axiom`` (on every region) for every axiom of the model."""
        if not self.others:
            return [z3.Implies(ind, ENCODERS[name](self)) for name, ind in self.indicators]
        return [z3.Implies(ind, z3.And([ENCODERS[name](r) for r in self.regions]))
                for name, ind in self.indicators]

    def assumptions(self, only: Sequence[str] | None = None) -> list[z3.BoolRef]:
        """The indicators to assume; ``init-hb`` is part of hb's definition, so it stays."""
        keep = None if only is None else set(only) | {"init-hb"}
        return [ind for name, ind in self.indicators if keep is None or name in keep]

    def data_race(self) -> z3.BoolRef:
        """[P] Fig.17 with distinct events: hb-unordered and, on some region, one writing,
        overlapping, not sync."""
        hb, ids = self.hb, self.sym.ids
        views = [r.sym for r in self.regions]

        def on(s: SymExec | LenView, a: int, b: int) -> z3.BoolRef:
            return z3.And(z3.Or(s.writing(a), s.writing(b)), s.overlap(a, b),
                          z3.Not(s.sync(a, b)))

        if len(views) == 1:
            s = views[0]
            return z3.Or([z3.And(z3.Not(hb[a][b]), z3.Not(hb[b][a]),
                                 z3.Or(s.writing(a), s.writing(b)), s.overlap(a, b),
                                 z3.Not(s.sync(a, b)))
                          for a in ids for b in ids if a < b])
        return z3.Or([z3.And(z3.Not(hb[a][b]), z3.Not(hb[b][a]),
                             or_(on(s, a, b) for s in views))
                      for a in ids for b in ids if a < b])

    def is_seqcst(self) -> z3.BoolRef:
        """[P] Fig.17 as ``semantics.memory.check.is_seqcst`` reads it: every read cell (of
        every region) reads, with the value written, from the tot-latest write of that cell
        that is tot-before the read."""
        reads = []
        for s in (r.sym for r in self.regions):
            for r, c in ((r, c) for r in range(1, s.space.size) for c in s.cells):
                for w in s.ids:
                    later = [z3.And(s.writing(v), s.covers(v, c), self.lt(w, v),
                                    self.lt(v, r))
                             for v in s.ids if v not in (w, r)]
                    reads.append(z3.Implies(s.rf(w, r, c), z3.And(
                        self.lt(w, r), s.rb[r][c] == s.wb[w][c], z3.Not(z3.Or(later)))))
        return z3.And(reads)

    def not_seqcst_cases(self, cells: Sequence[int] | None = None) -> Iterator[Violating]:
        """``Not(is_seqcst())`` split by its witness: read ``r`` takes cell ``c`` from ``w``
        and either ``w`` is not tot-before ``r`` or the byte differs (``v`` None), or write
        ``v`` of cell ``c`` lies tot-between them. The disjunction of all cases (over every
        cell of every region) is equivalent to ``Not(is_seqcst())``; ``cells`` narrows the
        violating data cell (sound only under a symmetry, see ``Space.mirror_invariant``)."""
        for reg in self.regions:
            s = reg.sym
            length = isinstance(s, LenView)
            for r in range(1, s.space.size):
                for c in s.cells if cells is None or length else cells:
                    for w in s.ids:
                        if w == r:
                            continue
                        rf = s.rf(w, r, c)
                        yield Violating(r, c, w, None, z3.And(rf, z3.Or(
                            z3.Not(self.lt(w, r)), s.rb[r][c] != s.wb[w][c])), length)
                        for v in s.ids:
                            if v not in (w, r):
                                yield Violating(r, c, w, v, z3.And(
                                    rf, s.writing(v), s.covers(v, c), self.lt(w, v),
                                    self.lt(v, r)), length)


@attrs.frozen(eq=False)
class Violating:
    """One case of "not is-seqcst": read ``r`` takes cell ``c`` from ``w``, and ``v`` is the
    write tot-between them (None: ``w`` is not tot-before ``r``, or the byte differs)."""

    r: int
    c: int
    w: int
    v: int | None
    formula: z3.BoolRef
    length: bool = False  # the cell is the length, not data cell ``c``

    def describe(self) -> str:
        why = ("the writer is not tot-before the read, or the byte differs" if self.v is None
               else f"write #{self.v} of that cell lies tot-between them")
        cell = "the length" if self.length else f"cell {self.c}"
        return f"read #{self.r} takes {cell} from #{self.w}; {why}"


def encode(model: Model, sym: SymExec, clk: Sequence[Num] | None = None,
           prefix: str = "", guarded: bool = True) -> Encoding:
    """Encode ``model`` over ``sym``; ``clk`` defaults to fresh bit-vector clocks. Unguarded,
    the indicators are the constant true (for use under a negation, where a free indicator
    would let the solver switch an axiom off). Besides its axioms, the encoding reads the
    model's hb generators and whether hb is transitively closed."""
    inds = indicators(model, prefix, guarded)
    switches = hb_switches(model, inds)
    if sym.space.waits:  # the witness's queue order is in hb when the model has the axiom
        switches[SUSPENSIONS] = dict(inds).get(SUSPENSIONS, FALSE)
    # The guard of #0's edges is made before the clocks, as the encoding has always made it:
    # Z3's choice among models depends on the order in which terms are made, and ``weakwasm
    # prove`` prints the counterexample it chose. (``happens_before`` makes the same term
    # again, which Z3 shares.)
    _first = z3.Or(switches[INIT_HB.name], switches["alloc"])
    if clk is None:
        clk = tuple(z3.BitVec(f"{prefix}clk{i}", bits(sym.space.size)) for i in sym.ids)
    hb = happens_before(sym.space.size, space_edges(sym), switches, model.hb_transitive)
    return Encoding(model, sym, tuple(clk), hb, inds, sym.views()[1:])  # type: ignore[arg-type]


# --- the axioms, by the names of semantics/memory/model.py -----------------------------------

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


def suspensions_consistent(e: Encoding) -> z3.BoolRef:
    """[T] suspensionsconsistent over the waits space (``Space.waits``), its witness order
    ``SymExec.sq``: the order adds no hb cycle (its edges are in ``e.hb``, so this is hb's
    acyclicity, which the checker charges to this axiom when the generators alone are acyclic
    and to ``hb-acyclic`` otherwise), and the queue run accepts it (``queue_accepts``).

    True in the other spaces, which have no wait/notify events (every queue is empty); the
    litmus encoding refuses such events (``proofs.litmus.OutOfScope``)."""
    s = e.sym
    if not isinstance(s, SymExec) or not s.space.waits:
        return z3.BoolVal(True)
    return z3.And(queue_accepts(s), *[z3.Not(e.hb[a][a]) for a in s.ids])


def queue_accepts(s: SymExec) -> z3.BoolRef:
    """The queue of byte 0 accepts the witness order ``s.sq`` (``semantics.memory.suspension``
    ``run_queue``), in the waits space: waits, woken events, at most one notify, no timeouts.
    With one notify x (``notify n k``) and no timeouts nothing leaves the queue before x, so
    the queue at x is the waits sq-before x, oldest first: at least n of them, exactly n if
    n < k; the n oldest (rank below n) are woken, and only they; their woken events follow x
    at once in sq (only woken events between), the youngest wait's first."""
    n, k = s.space.size, s.kind
    wait, woken, notify = (lambda i, c=c: k[i] == c for c in (WAIT, WOKEN, NOTIFY))

    def rank(p: int) -> Num:  # the waits sq-before p (all still queued before the notify)
        return s.count((w for w in range(1, n) if w != p), lambda w: z3.And(wait(w), s.sq(w, p)))

    def below(a: Num, b: Num) -> z3.BoolRef:
        m = max(a.size(), b.size())
        return ult(z3.ZeroExt(m - a.size(), a), z3.ZeroExt(m - b.size(), b))

    out = []
    for x in range(1, n):
        nw, nc = s.nwoken[x], s.ncount[x]
        queued = s.count(range(1, n), lambda w, x=x: z3.And(wait(w), s.sq(w, x)))
        out.append(z3.Implies(notify(x), z3.And(
            z3.Not(below(queued, nw)), z3.Implies(ult(nw, nc), z3.Not(below(nw, queued))))))
        for p in range(1, n):
            if p == x:
                continue
            next_woken = z3.And(s.thread[p + 1] == s.thread[p], woken(p + 1)) \
                if p + 1 < n else FALSE
            out.append(z3.Implies(z3.And(notify(x), wait(p), s.sq(p, x), below(rank(p), nw)),
                                  next_woken))
    for u in range(2, n):
        p = u - 1
        by = [z3.And(notify(x), s.sq(p, x), s.sq(x, u), below(rank(p), s.nwoken[x]),
                     *[z3.Implies(z3.And(s.sq(x, v), s.sq(v, u)), woken(v))
                       for v in range(1, n) if v not in (x, u)])
              for x in range(1, n) if x not in (p, u)]
        out.append(z3.Implies(woken(u), or_(by)))
        for u2 in range(2, n):
            if u2 != u:
                out.append(z3.Implies(z3.And(woken(u), woken(u2), s.sq(p, u2 - 1)),
                                      s.sq(u2, u)))
    return z3.And(out)


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
    "suspensions-consistent": suspensions_consistent,
}
