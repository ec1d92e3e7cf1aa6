"""Symbolic candidate executions: one Z3 variable per choice of a bounded execution.

Event #0 is the allocation (INIT write of a zero page, covering every cell, never the same
range as a small access, never seqcst). Events 1..N are sorted by thread, then by program order,
which breaks the symmetry between event numberings without losing executions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs
import z3

from proofs.space import INIT_ACTION, KINDS, Space, zero_action
from semantics.memory.events import Action, Kind

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

    @property
    def ids(self) -> range:
        return range(self.space.size)

    @property
    def cells(self) -> range:
        return range(self.space.cells)

    def reading(self, i: int) -> z3.BoolRef:
        return z3.BoolVal(False) if i == 0 else z3.Or(self.kind[i] == RD, self.kind[i] == RMW)

    def writing(self, i: int) -> z3.BoolRef:
        return z3.BoolVal(True) if i == 0 else z3.Or(self.kind[i] == WR, self.kind[i] == RMW)

    def seqcst(self, i: int) -> z3.BoolRef:
        return z3.BoolVal(False) if i == 0 else self.sc[i]

    def covers(self, i: int, c: int) -> z3.BoolRef:
        if i == 0:
            return z3.BoolVal(True)
        return z3.And(ule(self.off[i], c), ult(c, self.off[i] + self.width[i]))

    def same(self, i: int, j: int) -> z3.BoolRef:
        if i == 0 or j == 0:
            return z3.BoolVal(i == j)
        return z3.And(self.off[i] == self.off[j], self.width[i] == self.width[j])

    def overlap(self, i: int, j: int) -> z3.BoolRef:
        if i == 0 or j == 0:
            return z3.BoolVal(True)
        return z3.And(ult(self.off[i], self.off[j] + self.width[j]),
                      ult(self.off[j], self.off[i] + self.width[i]))

    def sync(self, i: int, j: int) -> z3.BoolRef:
        return z3.And(self.seqcst(i), self.seqcst(j), self.same(i, j))

    def po(self, i: int, j: int) -> z3.BoolRef:
        """Events are numbered in program order within a thread; #0 is in no thread."""
        if i == 0 or j == 0 or i >= j:
            return z3.BoolVal(False)
        return self.thread[i] == self.thread[j]

    def rf(self, w: int, r: int, c: int) -> z3.BoolRef:
        """``r`` reads cell ``c`` from ``w``."""
        if r == 0 or w == r:
            return z3.BoolVal(False)
        return z3.And(self.reading(r), self.covers(r, c), self.src[r][c] == w)

    def reads_from(self, w: int, r: int) -> z3.BoolRef:
        return z3.Or([self.rf(w, r, c) for c in self.cells])

    def shape_is(self, i: int, kind: Kind, sc: bool, off: int, width: int) -> z3.BoolRef:
        return z3.And(self.kind[i] == KINDS.index(kind), self.sc[i] == sc,
                      self.off[i] == off, self.width[i] == width)

    def predicate(self, i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        """Lift a predicate on concrete actions (e.g. a model's ``tearfree``) to event ``i`` by
        evaluating it on every shape the space allows; payload values do not matter to it."""
        if i == 0:
            return z3.BoolVal(pred(INIT_ACTION))
        cases = []
        for kind, sc, off, w in self.space.shapes():
            if pred(zero_action(kind, sc, off, w)):
                cases.append(self.shape_is(i, kind, sc, off, w))
        return z3.Or(cases) if cases else z3.BoolVal(False)

    def well_formed(self) -> list[z3.BoolRef]:
        """Structure of a candidate execution: shapes in the space, canonical thread numbering,
        each read cell reads from one distinct writing event covering it (the bytes' equality is
        the axiom ``value-consistent``), unused bytes zero."""
        sp = self.space
        out: list[z3.BoolRef] = []
        for i in range(1, sp.size):
            out.append(z3.Or([self.shape_is(i, *shape) for shape in sp.shapes()]))
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
        return out


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

    return SymExec(
        space=space,
        thread=nums("t", b_ev), kind=nums("k", 2, RD),
        sc=(z3.BoolVal(False),) + tuple(z3.Bool(f"{prefix}sc{i}") for i in range(1, n)),
        off=nums("off", b_cell), width=nums("w", b_cell, space.cells),
        rb=grid("rb", b_val), wb=grid("wb", b_val), src=grid("src", b_ev),
    )
