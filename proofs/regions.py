"""One region's accesses in the vocabulary of ``SymExec`` (``RegionView``, ``region_view``).

The axioms of ``semantics.memory.axioms`` quantify over the accesses of one region at a time, so the
litmus encoding presents each region (``data`` and ``len``) to the axiom encoders on its own.
Reads-from is symbolic: per read cell one writer slot that writes that cell with the byte read;
an observer load takes whichever byte its writer wrote (as ``combine`` offers them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import z3

from proofs.layout import Layout
from proofs.symbolic import FALSE, Matrix, Num, and_, bits, or_
from semantics.memory.events import (
    Action,
    Ord,
    Region,
    access_range,
    overlap,
    reading,
    same,
    size,
    writing,
)

VALUE_BITS = 64  # store values: bytes, and lengths up to 65536 pages of 64 KiB


def _shape(a: Action) -> tuple[object, ...]:
    """Everything a predicate on an access reads except its bytes (tear-freedom reads the
    order, kind, NOTEARS, alignment and size)."""
    return (a.kind, a.ord, a.offset, size(a), a.notears)


def _select(options: Sequence[tuple[z3.BoolRef, int]]) -> Num:
    """The value whose (mutually exclusive) guard holds; 0 when none does."""
    by_value: dict[int, list[z3.BoolRef]] = {}
    for g, v in options:
        by_value.setdefault(v, []).append(g)
    term: Num = z3.BitVecVal(0, VALUE_BITS)
    for v, gs in sorted(by_value.items(), reverse=True):
        guard = or_(gs)
        if z3.is_true(guard):
            return z3.BitVecVal(v, VALUE_BITS)
        if not z3.is_false(guard):
            term = z3.If(guard, z3.BitVecVal(v, VALUE_BITS), term)
    return term


@attrs.frozen
class _Size:
    size: int


Guarded = tuple[tuple[z3.BoolRef, Action], ...]


@attrs.frozen(eq=False)
class RegionView:
    """The accesses of one region as ``proofs.symbolic.SymExec`` presents a bounded execution
    to the axiom encoders: event ids are slots, cells are the cells of this region that some
    event reads (local cell ``c`` is cell ``cell_keys[c]``), and every predicate implies that
    its slots are present."""

    region: Region
    space: _Size
    cell_keys: tuple[int, ...]
    accesses: tuple[Guarded, ...]  # per slot: (guard, its access to this region)
    shapes: tuple[Guarded, ...]  # the same, one representative per _shape
    read_m: tuple[z3.BoolRef, ...]
    write_m: tuple[z3.BoolRef, ...]
    sc_m: tuple[z3.BoolRef, ...]
    cover_m: Matrix  # [slot][cell]
    read_cell_m: Matrix
    write_cell_m: Matrix
    same_m: Matrix  # [slot][slot]
    overlap_m: Matrix
    has_src: tuple[tuple[bool, ...], ...]  # some alternative of the slot reads the cell
    src: tuple[tuple[Num, ...], ...]
    rb: tuple[tuple[Num, ...], ...]
    wb: tuple[tuple[Num, ...], ...]

    @property
    def ids(self) -> range:
        return range(self.space.size)

    @property
    def cells(self) -> range:
        return range(len(self.cell_keys))

    def reading(self, i: int) -> z3.BoolRef:
        return self.read_m[i]

    def writing(self, i: int) -> z3.BoolRef:
        return self.write_m[i]

    def seqcst(self, i: int) -> z3.BoolRef:
        return self.sc_m[i]

    def covers(self, i: int, c: int) -> z3.BoolRef:
        return self.cover_m[i][c]

    def same(self, i: int, j: int) -> z3.BoolRef:
        return self.same_m[i][j]

    def overlap(self, i: int, j: int) -> z3.BoolRef:
        return self.overlap_m[i][j]

    def sync(self, i: int, j: int) -> z3.BoolRef:
        return and_((self.sc_m[i], self.sc_m[j], self.same_m[i][j]))

    def read_cell(self, r: int, c: int) -> z3.BoolRef:
        """``reading(r) & covers(r, c)``."""
        return self.read_cell_m[r][c]

    def write_cell(self, w: int, c: int) -> z3.BoolRef:
        return self.write_cell_m[w][c]

    def rf(self, w: int, r: int, c: int) -> z3.BoolRef:
        if w == r or not self.has_src[r][c]:
            return FALSE
        return and_((self.read_cell_m[r][c], self.src[r][c] == w))

    def reads_from(self, w: int, r: int) -> z3.BoolRef:
        return or_(self.rf(w, r, c) for c in self.cells)

    def predicate(self, i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        return or_(g for g, a in self.shapes[i] if pred(a))

    def well_formed(self) -> list[z3.BoolRef]:
        """Each read cell of a present slot reads from one other present slot that writes the
        cell with the byte read: the writers ``combine`` offers (an observer load's byte is
        its writer's, since its ``rb`` is free)."""
        out: list[z3.BoolRef] = []
        for r in self.ids:
            for c in self.cells:
                if not self.has_src[r][c]:
                    continue
                writers = [and_((self.src[r][c] == w, self.write_cell_m[w][c],
                                 self.rb[r][c] == self.wb[w][c]))
                           for w in self.ids if w != r]
                out.append(z3.Implies(self.read_cell_m[r][c], or_(writers)))
        return out


def region_view(lay: Layout, region: Region, guards: Sequence[Sequence[z3.BoolRef]],
                prefix: str = "") -> RegionView:
    """``guards[i][x]`` holds when alternative ``x`` of slot ``i`` is the selected one."""
    n = len(lay.slots)
    accesses: list[Guarded] = []
    for i, s in enumerate(lay.slots):
        acc = [(g, e.access(region)) for g, e in zip(guards[i], s.events(), strict=True)]
        accesses.append(tuple((g, a) for g, a in acc if a is not None))
    shapes: list[Guarded] = []
    for acc in accesses:
        grouped: dict[tuple[object, ...], tuple[list[z3.BoolRef], Action]] = {}
        for g, a in acc:
            grouped.setdefault(_shape(a), ([], a))[0].append(g)
        shapes.append(tuple((or_(gs), a) for gs, a in grouped.values()))
    keys = sorted({k for acc in accesses for _, a in acc if reading(a) for k in access_range(a)})

    def any_of(i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        return or_(g for g, a in shapes[i] if pred(a))

    def pairwise(rel: Callable[[Action, Action], bool]) -> Matrix:
        return tuple(tuple(or_(and_((g1, g2)) for g1, a1 in shapes[i] for g2, a2 in shapes[j]
                               if rel(a1, a2)) for j in range(n)) for i in range(n))

    def per_cell(i: int, k: int, pred: Callable[[Action], bool]) -> Guarded:
        return tuple((g, a) for g, a in accesses[i] if pred(a) and k in access_range(a))

    src, rb, wb, has, rc, wc = [], [], [], [], [], []
    for i in range(n):
        reads = [per_cell(i, k, reading) for k in keys]
        writes = [per_cell(i, k, writing) for k in keys]
        has.append(tuple(bool(r) for r in reads))
        rc.append(tuple(or_(g for g, _ in r) for r in reads))
        wc.append(tuple(or_(g for g, _ in w) for w in writes))
        src.append(tuple(z3.BitVec(f"{prefix}src{i}_{region}_{k}", bits(n)) if r
                         else z3.BitVecVal(0, bits(n)) for k, r in zip(keys, reads, strict=True)))
        rb.append(tuple(z3.BitVec(f"{prefix}obs{i}_{k}", VALUE_BITS) if i in lay.loads and r
                        else _select([(g, a.read[k - a.offset]) for g, a in r])
                        for k, r in zip(keys, reads, strict=True)))
        wb.append(tuple(_select([(g, a.write[k - a.offset]) for g, a in w])
                        for k, w in zip(keys, writes, strict=True)))
    return RegionView(
        region=region, space=_Size(n), cell_keys=tuple(keys), accesses=tuple(accesses),
        shapes=tuple(shapes),
        read_m=tuple(any_of(i, reading) for i in range(n)),
        write_m=tuple(any_of(i, writing) for i in range(n)),
        sc_m=tuple(any_of(i, lambda a: a.ord is Ord.SEQCST) for i in range(n)),
        cover_m=tuple(tuple(any_of(i, lambda a, k=k: k in access_range(a)) for k in keys)
                      for i in range(n)),
        read_cell_m=tuple(rc), write_cell_m=tuple(wc),
        same_m=pairwise(same), overlap_m=pairwise(overlap),
        has_src=tuple(has), src=tuple(src), rb=tuple(rb), wb=tuple(wb))
