"""The bounded space of candidate executions that the SMT encoding quantifies over.

Scope (see docs/proofs.md): one shared memory, data region only (no ``len`` region, so no
bounds checks, no grow and no traps); ``cells`` data bytes that accesses may touch; one
allocation event (#0, INIT, thread ``INIT_THREAD``) writing zero to the whole page; ``events``
further memory events (read, write or rmw; unord or seqcst) of up to ``events`` threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs

from semantics.memory.events import (
    MEM_DATA,
    PAGE,
    Action,
    Kind,
    Ord,
    fill,
    rd,
    rmw,
    wr,
)

FULL_BOUND = 7
"""The bound ``weakwasm prove`` and ``weakwasm check`` go up to by default (a minute or two
per model for ``sc_drf``; ``bench/prove_bounds.py`` finds how far ten minutes reach)."""

KINDS = (Kind.RD, Kind.WR, Kind.RMW)
"""Symbolic kind ``k`` stands for ``KINDS[k]``."""


@attrs.frozen
class Space:
    """Bounds: ``events`` non-init events over data cells ``0 .. cells-1`` holding bytes
    ``0 .. values-1``, access widths from ``widths``, at most ``threads`` threads."""

    events: int
    cells: int = 4
    values: int = 4
    widths: tuple[int, ...] = (1, 2, 4)
    threads: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.events < 1:
            raise ValueError(f"a bound needs at least one event, got {self.events}")
        if any(w < 1 or w > self.cells for w in self.widths):
            raise ValueError(f"widths {self.widths} must lie in 1..{self.cells}")
        if self.values < 1 or self.values > 256:
            raise ValueError(f"values must lie in 1..256, got {self.values}")

    @property
    def n_threads(self) -> int:
        return self.events if self.threads is None else min(self.threads, self.events)

    @property
    def size(self) -> int:
        """Number of events including the allocation event #0."""
        return self.events + 1

    def describe(self) -> str:
        """The scope of a result over this space, for reports."""
        threads = "any number of threads" if self.threads is None else \
            f"up to {self.threads} threads"
        return (f"{self.cells} cells, widths {'/'.join(map(str, self.widths))}, {threads}, "
                f"data region only (no bounds checks, traps, grow, memory.size, fences, spawn, "
                f"wait/notify)")

    def shapes(self) -> Iterator[tuple[Kind, bool, int, int]]:
        """Every (kind, seqcst, offset, width) an event may take: atomics are naturally
        aligned (misaligned atomics trap in [T]), rmw is always seqcst."""
        for kind in KINDS:
            for sc in (False, True):
                if kind is Kind.RMW and not sc:
                    continue
                for w in self.widths:
                    for off in range(self.cells - w + 1):
                        if sc and off % w:
                            continue
                        yield kind, sc, off, w

    def mirror(self, off: int, width: int) -> int:
        """The offset of the access (off, width) once cells are reversed (c -> cells-1-c)."""
        return self.cells - off - width

    def mirror_invariant(self, pred: Callable[[Action], bool]) -> bool:
        """Reversing the cells maps the space onto itself and keeps ``pred``: every shape's
        mirror image is a shape with the same ``pred``. Every other constraint reads cells only
        through covers, same range, overlap and per-cell reads-from, which any permutation of
        cells keeps; so then a counterexample whose violating cell is ``c`` has a mirror image,
        also a counterexample, whose violating cell is ``cells-1-c``."""
        shapes = set(self.shapes())
        for kind, sc, off, w in shapes:
            image = (kind, sc, self.mirror(off, w), w)
            if image not in shapes or pred(zero_action(kind, sc, off, w)) != pred(
                    zero_action(*image)):
                return False
        return True

    def violating_cells(self, pred: Callable[[Action], bool]) -> tuple[int, ...]:
        """Cells a violation needs to be sought in: half of them when ``mirror_invariant``."""
        if self.mirror_invariant(pred):
            return tuple(range((self.cells + 1) // 2))
        return tuple(range(self.cells))


def zero_action(kind: Kind, sc: bool, off: int, width: int) -> Action:
    """The action of this shape with zero bytes: predicates on shapes ignore the bytes."""
    zeros = (0,) * width
    return concrete_action(kind, sc, off, zeros if kind is not Kind.WR else (),
                           zeros if kind is not Kind.RD else ())


def concrete_action(kind: Kind, sc: bool, off: int, read: tuple[int, ...],
                    write: tuple[int, ...]) -> Action:
    """The action a Wasm integer access with these choices emits ([T] ``tearing``: NOTEARS
    iff aligned and at most 4 bytes)."""
    width = max(len(read), len(write))
    notears = off % width == 0 and width <= 4
    order = Ord.SEQCST if sc else Ord.UNORD
    if kind is Kind.RD:
        return rd(MEM_DATA, off, read, order, notears=notears)
    if kind is Kind.WR:
        return wr(MEM_DATA, off, write, order, notears=notears)
    return rmw(MEM_DATA, off, read, write)


INIT_ACTION = wr(MEM_DATA, 0, fill(PAGE), Ord.INIT)
"""The allocation's INIT write of one zeroed page ([T] modules.rst, erratum: n * 64Ki)."""
