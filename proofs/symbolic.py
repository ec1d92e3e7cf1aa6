"""Symbolic candidate executions: one Z3 variable per choice of a bounded execution.

Event #0 is the allocation (INIT write of a zero page, covering every cell of the first page,
never the same range as a small access, never seqcst on the data region). Events 1..N are
sorted by thread, then by program order, which breaks the symmetry between event numberings
without losing executions. ``SymExec`` presents the data region to the axiom encoders; in the
length space (``Space.length``) ``LenView`` presents the ``len`` region of the same events, in
the same vocabulary (as ``proofs.regions.RegionView`` presents a litmus test's regions).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs
import z3

from proofs.space import (
    FENCE,
    GROW,
    INIT_ACTION,
    KINDS,
    MAX_PAGES,
    NOTIFY,
    SIZE,
    STEPS,
    TRAP,
    WAIT,
    WAIT_WIDTH,
    WOKEN,
    Space,
    grow_zeros,
    len_action,
    wait_actions,
    zero_action,
)
from semantics.memory.events import PAGE, Action, Kind

RD, WR, RMW = 0, 1, 2

Num = z3.BitVecRef
"""Every choice is a small unsigned bit-vector, so that the whole query bit-blasts to SAT."""


Matrix = tuple[tuple[z3.BoolRef, ...], ...]

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)


def or_(xs: Iterable[z3.BoolRef]) -> z3.BoolRef:
    """Or, folding constants: most pairs of litmus slots are statically unrelated."""
    kept = []
    for x in xs:
        if z3.is_true(x):
            return TRUE
        if not z3.is_false(x):
            kept.append(x)
    return FALSE if not kept else kept[0] if len(kept) == 1 else z3.Or(kept)


def and_(xs: Iterable[z3.BoolRef]) -> z3.BoolRef:
    kept = []
    for x in xs:
        if z3.is_false(x):
            return FALSE
        if not z3.is_true(x):
            kept.append(x)
    return TRUE if not kept else kept[0] if len(kept) == 1 else z3.And(kept)


def bits(n: int) -> int:
    """Bits for the unsigned numbers 0..n, plus one so that sums of two never overflow."""
    return max(1, n.bit_length()) + 1


def ult(a: Num | int, b: Num | int) -> z3.BoolRef:
    return z3.ULT(a, b)  # type: ignore[arg-type]


def ule(a: Num | int, b: Num | int) -> z3.BoolRef:
    return z3.ULE(a, b)  # type: ignore[arg-type]


F = TypeVar("F", bound=Callable[..., Any])


def memo(fn: F) -> F:
    """Once per execution and arguments: the axioms ask for the same terms again and again,
    and building Z3 terms in Python is most of what encoding costs (3.3 s at 7 events
    without this, 0.6-0.9 s with it)."""
    @functools.wraps(fn)
    def once(self: Any, *args: Any) -> Any:
        key = (fn.__name__, args)
        terms = self._terms
        if key not in terms:
            terms[key] = fn(self, *args)
        return terms[key]
    return once  # type: ignore[return-value]


@attrs.frozen(eq=False)
class SymExec:
    """The choices of one candidate execution (structure, bytes, reads-from), without tot."""

    space: Space
    thread: tuple[Num, ...]
    kind: tuple[Num, ...]
    sc: tuple[z3.BoolRef, ...]
    off: tuple[Num, ...]
    width: tuple[Num, ...]
    rb: tuple[tuple[Num, ...], ...]
    wb: tuple[tuple[Num, ...], ...]
    src: tuple[tuple[Num, ...], ...]
    # the length space only (empty otherwise): per event the length read and written, in
    # pages (0 when the event has no such action), the writer of the length it reads, and
    # the solver's spawn edges (``spawn[a][b]``: the first event of b's thread after a)
    lrb: tuple[Num, ...] = ()
    lwb: tuple[Num, ...] = ()
    lsrc: tuple[Num, ...] = ()
    spawn: Matrix = ()
    # the waits space only: per event a notify's woken and count (0 otherwise), and the
    # witness's order of the suspension events (``sq``: by these clocks)
    nwoken: tuple[Num, ...] = ()
    ncount: tuple[Num, ...] = ()
    qclk: tuple[Num, ...] = ()
    _terms: dict[Any, Any] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def ids(self) -> range:
        return range(self.space.size)

    @property
    def cells(self) -> range:
        return range(self.space.cells)

    def views(self) -> tuple[SymExec | LenView, ...]:
        """The regions the events access: data, and in the length space ``len``."""
        return (self, LenView(self)) if self.space.length else (self,)

    @memo
    def access(self, i: int) -> z3.BoolRef:
        """Event ``i`` is a data access (with its bounds check in the length space)."""
        if i == 0:
            return FALSE
        if self.space.waits:
            return ule(self.kind[i], WAIT)
        return ule(self.kind[i], RMW) if self.space.length else TRUE

    def suspends(self, i: int) -> z3.BoolRef:
        """Event ``i`` changes the wait queue of byte 0 (a wait, woken or notify)."""
        if i == 0 or not self.space.waits:
            return FALSE
        return z3.And(ule(WAIT, self.kind[i]), ule(self.kind[i], NOTIFY))

    def sq(self, a: int, b: int) -> z3.BoolRef:
        """The witness orders suspension event ``a`` before ``b``."""
        if a == b or a == 0 or b == 0 or not self.space.waits:
            return FALSE
        return z3.And(self.suspends(a), self.suspends(b), ult(self.qclk[a], self.qclk[b]))

    @memo
    def grows(self, i: int) -> z3.BoolRef:
        """Event ``i`` is a grow by one page, so it writes the new page's zeros."""
        if i == 0 or not self.space.length:
            return FALSE
        return z3.And(self.kind[i] == GROW, self.lwb[i] != self.lrb[i])

    def beyond(self, i: int) -> z3.BoolRef:
        """Access ``i`` touches a cell of the grown page."""
        return ult(self.space.initial_cells, self.off[i] + self.width[i])

    @memo
    def reading(self, i: int) -> z3.BoolRef:
        if i == 0:
            return FALSE
        if self.space.waits:
            return z3.Or(self.kind[i] == RD, self.kind[i] == RMW, self.kind[i] == WAIT)
        return z3.Or(self.kind[i] == RD, self.kind[i] == RMW)

    @memo
    def writing(self, i: int) -> z3.BoolRef:
        if i == 0:
            return z3.BoolVal(True)
        if self.space.length:
            return z3.Or(self.kind[i] == WR, self.kind[i] == RMW, self.grows(i))
        return z3.Or(self.kind[i] == WR, self.kind[i] == RMW)

    def seqcst(self, i: int) -> z3.BoolRef:
        return z3.BoolVal(False) if i == 0 else self.sc[i]

    @memo
    def covers(self, i: int, c: int) -> z3.BoolRef:
        if i == 0:
            return z3.BoolVal(c < self.space.initial_cells)
        small = z3.And(ule(self.off[i], c), ult(c, self.off[i] + self.width[i]))
        if self.space.length and c >= self.space.initial_cells:
            return z3.Or(small, self.grows(i))
        return small

    @memo
    def same(self, i: int, j: int) -> z3.BoolRef:
        if i == 0 or j == 0:
            return z3.BoolVal(i == j)
        small = z3.And(self.off[i] == self.off[j], self.width[i] == self.width[j])
        if self.space.waits:  # woken and notify have no access, and width 0
            return z3.And(self.access(i), self.access(j), small)
        if self.space.length:  # a grow writes a whole page: never a small access's range
            return z3.Or(z3.And(self.access(i), self.access(j), small),
                         z3.And(self.grows(i), self.grows(j)))
        return small

    @memo
    def overlap(self, i: int, j: int) -> z3.BoolRef:
        if not self.space.length:
            if i == 0 or j == 0:  # woken and notify events access no cell
                return self.access(i or j) if self.space.waits and i != j else TRUE
            return z3.And(ult(self.off[i], self.off[j] + self.width[j]),
                          ult(self.off[j], self.off[i] + self.width[i]))
        if i == 0 or j == 0:  # the first page: small accesses that start in it
            k = j or i
            return z3.BoolVal(i == j) if k == 0 else z3.And(
                self.access(k), ult(self.off[k], self.space.initial_cells))
        small = z3.And(self.access(i), self.access(j),
                       ult(self.off[i], self.off[j] + self.width[j]),
                       ult(self.off[j], self.off[i] + self.width[i]))

        def grown(k: int) -> z3.BoolRef:  # writes or accesses the grown page
            return z3.Or(self.grows(k), z3.And(self.access(k), self.beyond(k)))

        return z3.Or(small, z3.And(self.grows(i), grown(j)), z3.And(self.grows(j), grown(i)))

    @memo
    def sync(self, i: int, j: int) -> z3.BoolRef:
        return z3.And(self.seqcst(i), self.seqcst(j), self.same(i, j))

    def po(self, i: int, j: int) -> z3.BoolRef:
        """Events are numbered in program order within a thread; #0 is in no thread."""
        if i == 0 or j == 0 or i >= j:
            return z3.BoolVal(False)
        return self.thread[i] == self.thread[j]

    @memo
    def rf(self, w: int, r: int, c: int) -> z3.BoolRef:
        """``r`` reads cell ``c`` from ``w``."""
        if r == 0 or w == r:
            return z3.BoolVal(False)
        return z3.And(self.reading(r), self.covers(r, c), self.src[r][c] == w)

    @memo
    def reads_from(self, w: int, r: int) -> z3.BoolRef:
        return z3.Or([self.rf(w, r, c) for c in self.cells])

    def shape_is(self, i: int, kind: Kind, sc: bool, off: int, width: int) -> z3.BoolRef:
        return z3.And(self.kind[i] == KINDS.index(kind), self.sc[i] == sc,
                      self.off[i] == off, self.width[i] == width)

    @memo
    def predicate(self, i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        """Lift a predicate on concrete actions (e.g. a model's ``tearfree``) to event ``i`` by
        evaluating it on every shape the space allows; payload values do not matter to it."""
        if i == 0:
            return z3.BoolVal(pred(INIT_ACTION))
        cases = []
        for kind, sc, off, w in self.space.shapes():
            if pred(zero_action(kind, sc, self.space.addr(off), w)):
                cases.append(self.shape_is(i, kind, sc, off, w))
        if self.space.length and pred(grow_zeros(PAGE)):
            cases.append(self.grows(i))
        if self.space.waits and pred(wait_actions((0,) * WAIT_WIDTH)[0]):
            cases.append(self.kind[i] == WAIT)
        return z3.Or(cases) if cases else z3.BoolVal(False)

    def well_formed(self) -> list[z3.BoolRef]:
        """Structure of a candidate execution: shapes in the space, canonical thread numbering,
        each read cell reads from one distinct writing event covering it (the bytes' equality is
        the axiom ``value-consistent``), unused bytes zero."""
        sp = self.space
        out: list[z3.BoolRef] = []
        for i in range(1, sp.size):
            shapes = [self.shape_is(i, *shape) for shape in sp.shapes()]
            if sp.length:  # the other steps have no small data access
                shapes.append(z3.And(ult(RMW, self.kind[i]), ule(self.kind[i], FENCE),
                                     z3.Not(self.sc[i]), self.off[i] == 0, self.width[i] == 0))
            if sp.waits:
                shapes.append(z3.And(self.kind[i] == WAIT, self.sc[i], self.off[i] == 0,
                                     self.width[i] == WAIT_WIDTH))
                shapes.append(z3.And(z3.Or(self.kind[i] == WOKEN, self.kind[i] == NOTIFY),
                                     z3.Not(self.sc[i]), self.off[i] == 0, self.width[i] == 0))
            out.append(z3.Or(shapes))
            out.append(ult(self.thread[i], sp.n_threads))
            if i == 1:
                out.append(self.thread[i] == 0)
            else:
                prev = self.thread[i - 1]
                out.append(z3.Or(self.thread[i] == prev, self.thread[i] == prev + 1))
            for c in self.cells:
                used_r = z3.And(self.reading(i), self.covers(i, c))
                used_w = z3.And(self.writing(i), self.covers(i, c))
                out.append(z3.If(used_r, ult(self.rb[i][c], sp.values),
                                 self.rb[i][c] == 0))
                out.append(z3.If(used_w, ult(self.wb[i][c], sp.values),
                                 self.wb[i][c] == 0))
                writers = [z3.And(self.src[i][c] == w, self.writing(w), self.covers(w, c))
                           for w in self.ids if w != i]
                out.append(z3.If(used_r, z3.Or(writers), self.src[i][c] == 0))
                if sp.length:
                    out.append(z3.Implies(self.grows(i), self.wb[i][c] == 0))
        if sp.length:
            out += self._steps()
        if sp.waits:
            out += self._suspensions()
        return out

    def _suspensions(self) -> list[z3.BoolRef]:
        """The waits space's shapes: a woken event right after its thread's wait, a wait's
        next event in its thread (if any) its woken, at most ``waits`` waits and one notify
        (``n <= count``, both small), distinct witness clocks on the suspension events."""
        sp, n, out = self.space, self.space.size, []
        for i in range(1, n):
            k = self.kind[i]
            if i == 1:
                out.append(k != WOKEN)
            else:
                out.append(z3.Implies(k == WOKEN, z3.And(self.kind[i - 1] == WAIT,
                                                         self.thread[i - 1] == self.thread[i])))
            if i + 1 < n:
                out.append(z3.Implies(z3.And(k == WAIT, self.thread[i + 1] == self.thread[i]),
                                      self.kind[i + 1] == WOKEN))
            out.append(z3.If(k == NOTIFY, z3.And(ule(self.nwoken[i], self.ncount[i]),
                                                 ule(self.ncount[i], sp.waits + 1)),
                             z3.And(self.nwoken[i] == 0, self.ncount[i] == 0)))
            out.append(z3.Implies(z3.Not(self.suspends(i)), self.qclk[i] == 0))
            for j in range(i + 1, n):
                out.append(z3.Implies(z3.And(self.suspends(i), self.suspends(j)),
                                      self.qclk[i] != self.qclk[j]))
                out.append(z3.Not(z3.And(k == NOTIFY, self.kind[j] == NOTIFY)))
        out.append(ule(self.count(range(1, n), lambda i: self.kind[i] == WAIT), sp.waits))
        return out

    def count(self, ids: Iterable[int], pred: Callable[[int], z3.BoolRef]) -> Num:
        """How many of ``ids`` meet ``pred`` (a bit-vector sum: the query stays QF_BV)."""
        b = bits(self.space.size)
        one, zero = z3.BitVecVal(1, b), z3.BitVecVal(0, b)
        total: Num = zero
        for i in ids:
            total = total + z3.If(pred(i), one, zero)
        return total

    def _steps(self) -> list[z3.BoolRef]:
        """The length space's step shapes (``semantics/wasm/step.py``): the lengths read and
        written, an access beyond the first page only when its bounds check reads two pages,
        a trap last in its thread, each length read from one writer of it, spawn edges only to
        a thread's first event from an earlier thread."""
        n, out = self.space.size, []
        pages = z3.BitVecVal(MAX_PAGES, self.lrb[0].size())
        for i in range(1, n):
            k, rb, wb = self.kind[i], self.lrb[i], self.lwb[i]
            out.append(z3.If(k == FENCE, rb == 0, z3.And(ult(0, rb), ule(rb, pages))))
            out.append(z3.If(k == GROW, z3.Or(wb == rb, z3.And(wb == rb + 1, ule(wb, pages))),
                             wb == 0))
            out.append(z3.Implies(z3.And(self.access(i), self.beyond(i)), rb == MAX_PAGES))
            if i + 1 < n:
                out.append(z3.Implies(k == TRAP, self.thread[i + 1] != self.thread[i]))
            writers = [z3.And(self.lsrc[i] == w, LenView(self).writing(w))
                       for w in self.ids if w != i]
            out.append(z3.If(k == FENCE, self.lsrc[i] == 0, z3.Or(writers)))
        for a in range(1, n):
            for b in range(a + 1, n):
                out.append(z3.Implies(self.spawn[a][b], z3.And(
                    self.thread[b - 1] != self.thread[b], self.thread[a] != self.thread[b])))
        return out

    def first(self, b: int) -> z3.BoolRef:
        """Event ``b`` is the first of its thread."""
        return TRUE if b == 1 else self.thread[b - 1] != self.thread[b]


@attrs.frozen(eq=False)
class LenView:
    """The ``len`` region of a length-space ``SymExec``, in its vocabulary: one cell (the
    length), which #0 writes (``wr.sc``), every access and trap reads (unord, the bounds check),
    ``memory.size`` and a failed grow read seqcst, and a successful grow reads and writes
    (``rmw``); a fence has no action on it."""

    sym: SymExec

    @property
    def space(self) -> Space:
        return self.sym.space

    @property
    def ids(self) -> range:
        return self.sym.ids

    @property
    def cells(self) -> range:
        return range(1)

    @property
    def src(self) -> tuple[tuple[Num, ...], ...]:
        return tuple((x,) for x in self.sym.lsrc)

    @property
    def rb(self) -> tuple[tuple[Num, ...], ...]:
        return tuple((x,) for x in self.sym.lrb)

    @property
    def wb(self) -> tuple[tuple[Num, ...], ...]:
        return tuple((x,) for x in self.sym.lwb)

    def has(self, i: int) -> z3.BoolRef:
        return TRUE if i == 0 else self.sym.kind[i] != FENCE

    def reading(self, i: int) -> z3.BoolRef:
        return FALSE if i == 0 else self.has(i)

    def writing(self, i: int) -> z3.BoolRef:
        return TRUE if i == 0 else self.sym.kind[i] == GROW

    def seqcst(self, i: int) -> z3.BoolRef:
        return TRUE if i == 0 else z3.Or(self.sym.kind[i] == SIZE, self.sym.kind[i] == GROW)

    def covers(self, i: int, c: int) -> z3.BoolRef:
        return self.has(i)

    def same(self, i: int, j: int) -> z3.BoolRef:
        return z3.And(self.has(i), self.has(j))

    overlap = same

    def sync(self, i: int, j: int) -> z3.BoolRef:
        return z3.And(self.seqcst(i), self.seqcst(j), self.same(i, j))

    def rf(self, w: int, r: int, c: int = 0) -> z3.BoolRef:
        if r == 0 or w == r:
            return FALSE
        return z3.And(self.reading(r), self.sym.lsrc[r] == w)

    def reads_from(self, w: int, r: int) -> z3.BoolRef:
        return self.rf(w, r)

    def predicate(self, i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        """As ``SymExec.predicate``, on the length action of each kind of event."""
        if i == 0:
            return z3.BoolVal(pred(self.space.init_actions[0]))
        kinds = [k for k in (RD, WR, RMW, *STEPS) if (a := len_action(k)) is not None
                 and pred(a)]
        return z3.Or([self.sym.kind[i] == k for k in kinds]) if kinds else FALSE


def fresh(space: Space, prefix: str = "") -> SymExec:
    n, cells = space.size, range(space.cells)
    b_ev = bits(n)
    b_cell = bits(space.cells)
    b_val = bits(space.values)

    def nums(name: str, width: int, first: int = 0) -> tuple[Num, ...]:
        return (z3.BitVecVal(first, width),) + tuple(
            z3.BitVec(f"{prefix}{name}{i}", width) for i in range(1, n))

    def grid(name: str, width: int) -> tuple[tuple[Num, ...], ...]:
        row0 = tuple(z3.BitVecVal(0, width) for _ in cells)
        return (row0,) + tuple(tuple(z3.BitVec(f"{prefix}{name}{i}_{c}", width) for c in cells)
                               for i in range(1, n))

    extra = {}
    if space.length:
        b_len = bits(MAX_PAGES)
        extra = dict(
            lrb=nums("lrb", b_len), lwb=nums("lwb", b_len, 1), lsrc=nums("lsrc", b_ev),
            spawn=tuple(tuple(z3.Bool(f"{prefix}spawn{a}_{b}") if 0 < a < b else FALSE
                              for b in range(n)) for a in range(n)))
    if space.waits:
        b_cnt = bits(space.waits + 1)
        extra = dict(nwoken=nums("nw", b_cnt), ncount=nums("nc", b_cnt),
                     qclk=nums("q", b_ev))
    return SymExec(
        space=space,
        thread=nums("t", b_ev), kind=nums("k", 3 if space.length or space.waits else 2, RD),
        sc=(z3.BoolVal(False),) + tuple(z3.Bool(f"{prefix}sc{i}") for i in range(1, n)),
        off=nums("off", b_cell), width=nums("w", b_cell, space.cells),
        rb=grid("rb", b_val), wb=grid("wb", b_val), src=grid("src", b_ev), **extra,
    )
