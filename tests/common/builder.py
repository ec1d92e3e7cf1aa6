"""A small builder of candidate executions for the model tests, in litmus vocabulary: every
memory access is one event ``(rd len n)(rd/wr data ...)``, a grow is
``(rmw len l l+k)(wr data[l] zeros)``; the allocation is event #0 of the INIT thread."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    fill,
    le_bytes,
    rd,
    rmw,
    wr,
)

X, Y, Z = 0, 4, 8
NAMES = {X: "x", Y: "y", Z: "z"}


class Exe:
    """Build an execution event by event. Reads name their writers: one event id for all
    bytes, or one per byte."""

    def __init__(self, pages: int = 1, init: dict[int, int] | None = None,
                 paper: bool = False) -> None:
        n = pages * PAGE
        patches = {a + i: b for a, v in (init or {}).items() for i, b in enumerate(le_bytes(v, 4))}
        # [T] allocates with (wr.sc len)(wr.init data); [P] with plain unord writes.
        len_ord, data_ord = (Ord.UNORD, Ord.UNORD) if paper else (Ord.SEQCST, Ord.INIT)
        alloc = (wr(MEM_LEN, 0, (n,), len_ord), wr(MEM_DATA, 0, fill(n, patches), data_ord))
        self.events: list[Event] = [Event(0, INIT_THREAD, 0, alloc, "alloc")]
        self.rf: set[tuple[int, int, object, int]] = set()
        self.spawn: set[tuple[int, int]] = set()

    def _add(self, t: int, actions: Iterable[Action], rule: str) -> int:
        eid = len(self.events)
        index = sum(1 for e in self.events if e.thread == t)
        self.events.append(Event(eid, t, index, tuple(actions), rule))
        return eid

    def _len(self, frm: int) -> int:
        a = self.events[frm].access(MEM_LEN)
        if a is None or not a.write:
            raise ValueError(f"#{frm} does not write the memory length")
        return a.write[0]

    def _reads(self, eid: int, region: object, addr: int, size: int,
               frm: int | Sequence[int]) -> None:
        srcs = [frm] * size if isinstance(frm, int) else list(frm)
        if len(srcs) != size:
            raise ValueError(f"{size} bytes need {size} writers, got {srcs}")
        for i, w in enumerate(srcs):
            self.rf.add((w, eid, region, addr + i))

    def store(self, t: int, addr: int, val: int, size: int = 4, sc: bool = False,
              is_float: bool = False, len_from: int = 0) -> int:
        notears = not is_float and addr % size == 0 and size <= 4
        eid = self._add(t, (rd(MEM_LEN, 0, (self._len(len_from),)),
                            wr(MEM_DATA, addr, le_bytes(val, size),
                               Ord.SEQCST if sc else Ord.UNORD, notears)),
                        "store.sc" if sc else "store")
        self.rf.add((len_from, eid, MEM_LEN, 0))
        return eid

    def load(self, t: int, addr: int, val: int, frm: int | Sequence[int], size: int = 4,
             sc: bool = False, is_float: bool = False, len_from: int = 0) -> int:
        notears = not is_float and addr % size == 0 and size <= 4
        eid = self._add(t, (rd(MEM_LEN, 0, (self._len(len_from),)),
                            rd(MEM_DATA, addr, le_bytes(val, size),
                               Ord.SEQCST if sc else Ord.UNORD, notears)),
                        "load.sc" if sc else "load")
        self.rf.add((len_from, eid, MEM_LEN, 0))
        self._reads(eid, MEM_DATA, addr, size, frm)
        return eid

    def rmw(self, t: int, addr: int, old: int, new: int, frm: int | Sequence[int],
            size: int = 4, len_from: int = 0) -> int:
        eid = self._add(t, (rd(MEM_LEN, 0, (self._len(len_from),)),
                            rmw(MEM_DATA, addr, le_bytes(old, size), le_bytes(new, size))),
                        "rmw")
        self.rf.add((len_from, eid, MEM_LEN, 0))
        self._reads(eid, MEM_DATA, addr, size, frm)
        return eid

    def grow(self, t: int, pages: int, frm: int) -> int:
        """A successful ``memory.grow``: an rmw of len plus unordered zero writes."""
        old = self._len(frm)
        eid = self._add(t, (rmw(MEM_LEN, 0, (old,), (old + pages * PAGE,)),
                            wr(MEM_DATA, old, fill(pages * PAGE))), "grow")
        self.rf.add((frm, eid, MEM_LEN, 0))
        return eid

    def size(self, t: int, frm: int) -> int:
        """``memory.size``: a SEQCST read of len."""
        eid = self._add(t, (rd(MEM_LEN, 0, (self._len(frm),), Ord.SEQCST),), "size")
        self.rf.add((frm, eid, MEM_LEN, 0))
        return eid

    def trap(self, t: int, len_from: int = 0) -> int:
        """An out-of-bounds access: only its bounds check."""
        eid = self._add(t, (rd(MEM_LEN, 0, (self._len(len_from),)),), "trap")
        self.rf.add((len_from, eid, MEM_LEN, 0))
        return eid

    def raw(self, t: int, *actions: Action) -> int:
        """An event with exactly these actions (no bounds check): e.g. a host's write."""
        return self._add(t, actions, "raw")

    def fence(self, t: int) -> int:
        return self._add(t, (Action(Kind.FENCE, ord=Ord.SEQCST),), "fence")

    def build(self) -> Execution:
        return Execution(tuple(self.events), frozenset(self.rf),  # type: ignore[arg-type]
                         frozenset(self.spawn))
