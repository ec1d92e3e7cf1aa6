"""The bounded space of candidate executions that the SMT encoding quantifies over.

Scope (see docs/proofs.md): one shared memory; ``cells`` data bytes that accesses may touch;
one allocation event (#0, thread ``INIT_THREAD``) writing zero to the whole first page (INIT);
``events`` further events of up to ``events`` threads.

- The *data* space (``length=False``): every event is one data access (read, write or rmw;
  unord or seqcst), cell ``c`` is byte ``c``; no ``len`` region, so no bounds checks, traps or
  grow, and no fences or spawn edges.
- The *length* space (``length=True``): the events a shared memory's steps emit
  (``semantics/wasm/step.py``, docs/model.md): #0 also writes the length (``wr.sc len``, one
  page); an access is its bounds check (``rd len``, unord) and its data access; a trap is the
  bounds check alone, and ends its thread; ``memory.size`` and a failed ``memory.grow`` are
  ``rd.sc len``; a successful ``memory.grow`` is ``rmw len l l+k`` (k = 0 or 1 page, at most
  ``MAX_PAGES``) and, for k = 1, the plain write of the new page's zeros; ``atomic.fence`` is an
  event with a ``fence`` action and no memory action (it constrains nothing, E7). The cells
  straddle the end of the first page: the lower ``initial_cells`` are its last bytes, the others
  the first bytes of the page a grow adds, so that an access to them is in bounds only when its
  bounds check reads two pages. hb has spawn edges from #0 to every thread's first event (the
  host allocates the memory, then starts the threads, as ``engine.assemble``) and, chosen by
  the solver, from an event of a thread to the first event of a later thread (that thread
  spawned it, or the host started it after that event).
- The *waits* space (``waits=k``, a data space): besides the data accesses, the events of
  ``memory.atomic.wait32`` and ``memory.atomic.notify`` on one location, byte 0
  (``semantics/wasm/step.py``): a suspending wait is ``rd.sc`` of cells 0..3 and a ``wait``
  action with no timeout; its thread's next event, if any, is the ``woken`` event that ends
  it; a notify is one ``notify n count`` action (``n`` woken). At most ``k`` waits and one
  notify; no timeouts. A mismatching wait is a plain ``rd.sc`` of 4 bytes, already a data
  access. The wait queue's order (``Execution.suspensions``) is a solver-chosen witness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs

from semantics.memory.events import (
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Kind,
    Ord,
    fill,
    rd,
    rmw,
    wr,
)
from semantics.wasm.runtime import allocation_actions
from semantics.wasm.syntax import MemType

FULL_BOUND = 7
"""The bound ``weakwasm prove`` and ``weakwasm check`` go up to by default (a minute or two
per model for ``sc_drf``; ``bench/prove_bounds.py`` finds how far ten minutes reach)."""

KINDS = (Kind.RD, Kind.WR, Kind.RMW)
"""Symbolic kind ``k`` stands for ``KINDS[k]`` (a data access); in the length space the kinds
``STEPS`` follow."""

TRAP, SIZE, GROW, FENCE = 3, 4, 5, 6
STEPS = {TRAP: "trap", SIZE: "memory.size", GROW: "memory.grow", FENCE: "atomic.fence"}
"""The length space's other events, by symbolic kind: a trapped access (its bounds check), a
``memory.size`` or failed grow (``rd.sc len``), a successful grow, a fence."""

WAIT, WOKEN, NOTIFY = 3, 4, 5
SUSPENDS = {WAIT: "wait", WOKEN: "woken", NOTIFY: "notify"}
"""The waits space's other events, by symbolic kind: a suspending ``memory.atomic.wait32``
(its ``rd.sc`` and its ``wait``), the ``woken`` event that ends it, a ``notify``."""

WAIT_WIDTH = 4
"""wait32 reads 4 bytes at the wait location, byte 0."""

WAITS_CELLS = 5
"""``weakwasm prove --waits``'s cells: the wait's 4 and one more (``space_shape``)."""

MAX_PAGES = 2
"""The length space's memory: one page, growing to at most two."""


@attrs.frozen
class Space:
    """Bounds: ``events`` non-init events over data cells ``0 .. cells-1`` holding bytes
    ``0 .. values-1``, access widths from ``widths``, at most ``threads`` threads."""

    events: int
    cells: int = 4
    values: int = 4
    widths: tuple[int, ...] = (1, 2, 4)
    threads: int | None = None
    length: bool = False
    waits: int = 0  # > 0: the waits space, with at most this many waits and one notify

    def __attrs_post_init__(self) -> None:
        if self.waits and (self.length or self.cells < WAIT_WIDTH):
            raise ValueError("the waits space is a data space of at least "
                             f"{WAIT_WIDTH} cells")
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
    def initial_cells(self) -> int:
        """The cells in the first page (all of them in the data space)."""
        return self.cells - self.cells // 2 if self.length else self.cells

    def addr(self, c: int) -> int:
        """The byte address of cell ``c``: the length space's cells straddle the end of the
        first page."""
        return PAGE - self.initial_cells + c if self.length else c

    @property
    def init_actions(self) -> tuple[Action, ...]:
        """Event #0's actions: the allocation of [T] modules.rst (``wr.sc len`` and the INIT
        page), or just the INIT page in the data space."""
        if not self.length:
            return (INIT_ACTION,)
        return allocation_actions(MemType(1, MAX_PAGES, shared=True))

    @property
    def size(self) -> int:
        """Number of events including the allocation event #0."""
        return self.events + 1

    def describe(self) -> str:
        """The scope of a result over this space, for reports."""
        threads = "any number of threads" if self.threads is None else \
            f"up to {self.threads} threads"
        shape = f"widths {'/'.join(map(str, self.widths))}, {threads}"
        if self.waits:
            return (f"{self.cells} cells, {shape}, data region with wait/notify (up to "
                    f"{self.waits} wait32 and one notify on byte 0, no timeouts; no bounds "
                    f"checks, traps, grow, memory.size, fences, spawn)")
        if not self.length:
            return (f"{self.cells} cells, {shape}, data region only (no bounds checks, traps, "
                    f"grow, memory.size, fences, spawn, wait/notify)")
        return (f"{self.cells} cells ({self.initial_cells} in the first page, "
                f"{self.cells - self.initial_cells} in the grown one), {shape}, data and length "
                f"regions (bounds checks, traps, memory.size, memory.grow up to {MAX_PAGES} "
                f"pages with its zero writes or failing, fences, spawn edges; no wait/notify)")

    def shapes(self) -> Iterator[tuple[Kind, bool, int, int]]:
        """Every (kind, seqcst, offset, width) an event may take: atomics are naturally
        aligned (misaligned atomics trap in [T]), rmw is always seqcst."""
        for kind in KINDS:
            for sc in (False, True):
                if kind is Kind.RMW and not sc:
                    continue
                for w in self.widths:
                    for off in range(self.cells - w + 1):
                        if sc and self.addr(off) % w:
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
        also a counterexample, whose violating cell is ``cells-1-c``. Not in the length
        space, whose bounds checks tell the first page's cells from the grown ones, nor in the
        waits space, whose wait location is byte 0."""
        if self.length or self.waits:
            return False
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

FENCE_ACTION = Action(Kind.FENCE, ord=Ord.SEQCST)
"""``atomic.fence``'s action ([T] instructions.rst; no region, no axiom: E7)."""


def len_action(kind: int, read: int = PAGE, write: int = PAGE) -> Action | None:
    """The length action of a length-space event of symbolic kind ``kind`` (lengths in bytes):
    the bounds check of an access or a trap, ``memory.size`` / a failed grow, a grow."""
    if kind == FENCE:
        return None
    if kind == SIZE:
        return rd(MEM_LEN, 0, (read,), Ord.SEQCST)
    if kind == GROW:
        return rmw(MEM_LEN, 0, (read,), (write,))
    return rd(MEM_LEN, 0, (read,))


def grow_zeros(old: int) -> Action:
    """A grow's write of one new page of zeros at the old length ``old`` (bytes)."""
    return wr(MEM_DATA, old, fill(PAGE))


def wait_actions(read: tuple[int, ...]) -> tuple[Action, ...]:
    """A suspending ``memory.atomic.wait32`` on byte 0 with no timeout: its seqcst read and
    its ``wait`` (``semantics/wasm/step.py`` ``_step_wait``)."""
    return (rd(MEM_DATA, 0, read, Ord.SEQCST, notears=True),
            Action(Kind.WAIT, MEM_DATA, 0, args=(-1,)))


WOKEN_ACTION = Action(Kind.WOKEN, MEM_DATA, 0)


def notify_action(woken: int, count: int) -> Action:
    return Action(Kind.NOTIFY, MEM_DATA, 0, args=(woken, count))
