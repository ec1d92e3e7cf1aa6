"""Actions, events and candidate executions of the relaxed memory model.

Transcribes [T] runtime.rst "Events" and the auxiliary definitions of [T] relaxed.rst / [P] Fig.15.
Naming conventions, declared once:

- an *action* is one access to a location ``reg[u32]`` (``rd``, ``wr``, ``rmw``, ...);
- an *event* is the set of actions one reduction step performs atomically;
- a *region* is ``addr.fld`` with ``fld`` in {len, data}; a ``len`` region has one cell (offset 0)
  that holds the memory's length in bytes, a ``data`` region one cell per byte;
- payloads (``read`` / ``write``) are sequences of store values: bytes for ``data``, the length for
  ``len``. ``Fill`` is a payload of ``n`` values given sparsely, so that an INIT write of a whole
  memory (n * 64Ki bytes) is one action and never 65,536 objects.

Errata of [T] fixed here (see docs/errata.md): ``overlap`` is an intersection (E1); the data-race
and read-from premises name two distinct events (E5).
"""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Iterator, Mapping, Sequence
from typing import Union

import attrs

PAGE = 65536


class Ord(enum.Enum):
    UNORD = "unord"
    SEQCST = "sc"
    INIT = "init"


class Kind(enum.Enum):
    RD = "rd"
    WR = "wr"
    RMW = "rmw"
    FENCE = "fence"
    SPAWN = "spawn"
    WAIT = "wait"
    WOKEN = "woken"
    TIMEOUT = "timeout"
    NOTIFY = "notify"


MEMORY_KINDS = frozenset({Kind.RD, Kind.WR, Kind.RMW})
# The same as a tuple: ``in`` on it compares by identity in C, where the frozenset would call
# ``Enum.__hash__`` (Python) on every test; ``is_memory`` is on every hot path.
_MEMORY_KINDS = tuple(MEMORY_KINDS)

LEN = "len"
DATA = "data"


@functools.total_ordering
@attrs.frozen
class Region:
    addr: int = 0
    fld: str = DATA

    def __lt__(self, other: object) -> bool:
        # attrs' generated order builds tuples through a generator; rf and facts sort by region
        # on every check
        if not isinstance(other, Region):
            return NotImplemented
        return (self.addr, self.fld) < (other.addr, other.fld)

    def __eq__(self, other: object) -> bool:
        # attrs' eq, with the identity test first: regions are mostly the shared MEM_DATA
        # and MEM_LEN, compared on every access lookup
        if self is other:
            return True
        if other.__class__ is not Region:
            return NotImplemented
        assert isinstance(other, Region)
        return self.addr == other.addr and self.fld == other.fld

    def __hash__(self) -> int:
        return hash((self.addr, self.fld))

    def __repr__(self) -> str:
        return f"m{self.addr}.{self.fld}"


MEM_LEN = Region(0, LEN)
MEM_DATA = Region(0, DATA)
_REGION_KEY = operator.attrgetter("addr", "fld")  # ``Region.__lt__``'s order, in C


@attrs.frozen(cache_hash=True)
class Fill:
    """``n`` store values, all zero except the sorted ``(index, value)`` patches."""

    n: int
    patches: tuple[tuple[int, int], ...] = ()

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        for j, v in self.patches:
            if j == i:
                return v
        return 0

    def __iter__(self) -> Iterator[int]:
        return (self[i] for i in range(self.n))

    def __repr__(self) -> str:
        inner = ", ".join(f"{j}:{v:#x}" for j, v in self.patches)
        return f"Fill({self.n}{'; ' + inner if inner else ''})"


Payload = Union[tuple[int, ...], Fill]


def fill(n: int, patches: Mapping[int, int] | None = None) -> Fill:
    items = tuple(sorted((i, v) for i, v in (patches or {}).items() if v != 0))
    return Fill(n, items)


@attrs.frozen(cache_hash=True)
class Action:
    """One action of an event. ``rmw`` actions are always SEQCST ([T] ``ord(rmw) = SEQCST``)."""

    kind: Kind
    region: Region | None = None
    offset: int = 0
    ord: Ord = Ord.UNORD
    read: Payload = ()
    write: Payload = ()
    notears: bool = False
    args: tuple[int, ...] = ()  # wait: its timeout (< 0: none); notify: woken, count

    def __repr__(self) -> str:
        return show_action(self)


def rd(region: Region, offset: int, values: Payload, ord: Ord = Ord.UNORD,
       notears: bool = False) -> Action:
    return Action(Kind.RD, region, offset, ord, read=values, notears=notears)


def wr(region: Region, offset: int, values: Payload, ord: Ord = Ord.UNORD,
       notears: bool = False) -> Action:
    return Action(Kind.WR, region, offset, ord, write=values, notears=notears)


def rmw(region: Region, offset: int, old: Payload, new: Payload) -> Action:
    return Action(Kind.RMW, region, offset, Ord.SEQCST, read=old, write=new)


def is_memory(a: Action) -> bool:
    return a.kind in _MEMORY_KINDS


def size(a: Action) -> int:
    r, w = len(a.read), len(a.write)
    return r if r > w else w


def access_range(a: Action) -> range:
    """[T] ``range(act)``: the cells ``offset .. offset + size - 1``."""
    r, w = len(a.read), len(a.write)
    return range(a.offset, a.offset + (r if r > w else w))


def reading(a: Action) -> bool:
    return len(a.read) > 0


def writing(a: Action) -> bool:
    return len(a.write) > 0


def aligned(a: Action) -> bool:
    n = size(a)
    return n > 0 and a.offset % n == 0


def same(a1: Action, a2: Action) -> bool:
    n = size(a1)  # equal ranges: equal sizes and starts, or both empty
    return n == size(a2) and (a1.offset == a2.offset or n == 0) and a1.region == a2.region


def overlap(a1: Action, a2: Action) -> bool:
    """Intersection, not [T]'s printed union (erratum E1)."""
    if a1.region != a2.region:
        return False
    r1, r2 = access_range(a1), access_range(a2)
    return r1.start < r2.stop and r2.start < r1.stop


def sync(a1: Action, a2: Action) -> bool:
    return same(a1, a2) and a1.ord is Ord.SEQCST and a2.ord is Ord.SEQCST


def tearfree_spec(a: Action) -> bool:
    """[T]: SEQCST accesses, rmw, and accesses carrying NOTEARS are tear-free."""
    return a.ord is Ord.SEQCST or a.kind is Kind.RMW or a.notears


def tearfree_paper(a: Action) -> bool:
    """[P] Fig.15: ``ord = seqcst or (aligned and size <= 4)``."""
    return a.ord is Ord.SEQCST or a.kind is Kind.RMW or (aligned(a) and size(a) <= 4)


def value(p: Payload) -> int:
    """Little-endian value of a payload of bytes."""
    return int.from_bytes(bytes(p), "little")


def le_bytes(v: int, n: int) -> tuple[int, ...]:
    return tuple((v % (1 << (8 * n))).to_bytes(n, "little"))


INIT_THREAD = -1


@attrs.frozen(cache_hash=True)
class Event:
    """The actions of one step, with its thread and its position in that thread.

    The allocation of the memory is an event of thread ``INIT_THREAD``.
    """

    eid: int
    thread: int
    index: int
    actions: tuple[Action, ...]
    rule: str = ""

    def access(self, region: Region) -> Action | None:
        """[P] ``access_r``: the memory action of this event on ``region`` (at most one)."""
        # Identity first, in C: regions are mostly the shared MEM_DATA / MEM_LEN, and a
        # load's event holds a len read beside its data action, whose region would otherwise
        # go through ``Region.__eq__`` (Python) on every lookup of the other.
        for a in self.actions:
            if a.region is region and a.kind in _MEMORY_KINDS:
                return a
        for a in self.actions:
            r = a.region
            if r is not None and r == region and a.kind in _MEMORY_KINDS:
                return a
        return None

    @property
    def regions(self) -> tuple[Region, ...]:
        # sorted by plain fields (the order of ``Region.__lt__``), compared in C
        return tuple(sorted({a.region for a in self.actions if a.region and is_memory(a)},
                            key=_REGION_KEY))

    def __repr__(self) -> str:
        return show_event(self)


_EID = operator.attrgetter("eid")

Rf = tuple[int, int, Region, int]
"""A reads-from edge ``(write, read, region, k)``: the read takes cell ``k`` of ``region``
from the write."""


@attrs.frozen(cache_hash=True)
class Execution:
    """A candidate execution: events, reads-each-from per cell, host/spawn edges, optionally a
    total order ``tot`` (a sequence of event ids), and ``suspensions``: per location with
    wait/notify events, those events in their order (``semantics.memory.suspension``)."""

    events: tuple[Event, ...]
    rf: frozenset[Rf]
    spawn: frozenset[tuple[int, int]] = frozenset()
    tot: tuple[int, ...] | None = None
    suspensions: tuple[tuple[int, ...], ...] = ()

    def __attrs_post_init__(self) -> None:
        # the common case in C: every execution the enumerators build passes here
        if list(map(_EID, self.events)) == list(range(len(self.events))):
            return
        for i, e in enumerate(self.events):
            if e.eid != i:
                raise ValueError(f"event #{e.eid} stored at position {i}")

    def __repr__(self) -> str:
        return show_execution(self)


def po(ex: Execution) -> frozenset[tuple[int, int]]:
    """Program order: earlier to later events of the same (non-init) thread."""
    by_thread: dict[int, list[Event]] = {}
    for e in ex.events:
        if e.thread != INIT_THREAD:
            by_thread.setdefault(e.thread, []).append(e)
    pairs = set()
    for evs in by_thread.values():
        evs.sort(key=lambda e: e.index)
        for i, a in enumerate(evs):
            for b in evs[i + 1:]:
                pairs.add((a.eid, b.eid))
    return frozenset(pairs)


def rf_writers(ex: Execution) -> dict[tuple[int, Region, int], int]:
    """``(read, region, k) -> write``."""
    return {(r, reg, k): w for (w, r, reg, k) in ex.rf}


def read_value(ex: Execution, eid: int, region: Region = MEM_DATA) -> int | None:
    a = ex.events[eid].access(region)
    if a is None or not reading(a):
        return None
    return value(a.read)


# --- printing: one line per event, in litmus vocabulary -------------------------------------

def _loc(a: Action, names: Mapping[int, str] | None) -> str:
    if a.region is None:
        return ""
    if a.region.fld == LEN:
        return "len"
    n = size(a)
    if isinstance(a.write, Fill) or isinstance(a.read, Fill):
        return f"[{a.offset}..{a.offset + n})"
    name = (names or {}).get(a.offset, f"[{a.offset}]")
    return name if n == 4 else f"{name}:{n}"


def _val(p: Payload, region: Region | None) -> str:
    if isinstance(p, Fill):
        return repr(p)
    if region is not None and region.fld == LEN:
        return str(p[0])
    v = value(p)
    return str(v) if v < 256 else hex(v)


def show_action(a: Action, names: Mapping[int, str] | None = None) -> str:
    suffix = {Ord.UNORD: "", Ord.SEQCST: ".sc", Ord.INIT: ".init"}[a.ord]
    loc = _loc(a, names)
    nt = "!" if a.notears and a.ord is Ord.UNORD else ""
    if a.kind is Kind.RD:
        return f"R{suffix}{nt} {loc}={_val(a.read, a.region)}"
    if a.kind is Kind.WR:
        return f"W{suffix}{nt} {loc}={_val(a.write, a.region)}"
    if a.kind is Kind.RMW:
        return f"RMW {loc}={_val(a.read, a.region)}->{_val(a.write, a.region)}"
    args = " ".join(str(x) for x in a.args)
    return f"{a.kind.value} {loc} {args}".strip()


def show_event(e: Event, names: Mapping[int, str] | None = None,
               rf: Sequence[tuple[Region, int, int]] = ()) -> str:
    who = "init" if e.thread == INIT_THREAD else f"T{e.thread}"
    body = " & ".join(show_action(a, names) for a in e.actions) or "(no action)"
    srcs = sorted({w for (_, _, w) in rf})
    tail = f" (rf: {', '.join(f'#{w}' for w in srcs)})" if srcs else ""
    return f"#{e.eid} {who}: {body}{tail}"


def show_execution(ex: Execution, names: Mapping[int, str] | None = None,
                   hide_len: bool = False) -> str:
    by_read: dict[int, list[tuple[Region, int, int]]] = {}
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[2], t[3])):
        if hide_len and reg.fld == LEN:
            continue
        by_read.setdefault(r, []).append((reg, k, w))
    lines = [show_event(e, names, by_read.get(e.eid, ())) for e in ex.events]
    for chain in ex.suspensions:
        lines.append("queue: " + " < ".join(f"#{i}" for i in chain))
    if ex.tot is not None:
        lines.append("tot: " + " < ".join(f"#{i}" for i in ex.tot))
    return "\n".join(lines)
