"""Litmus-sized programs for the program-level theorems, and their outcomes.

A ``Prog`` is 2-4 threads of 1-4 operations each over a few named locations (``x``, ``y``,
``z`` 8 bytes apart; ``w`` one page up, in bounds only after a ``memory.grow``): plain and atomic
loads and stores of widths 8/16/32/64, ``rmw.add``/``rmw.xchg``, ``cmpxchg``, ``memory.grow``,
``memory.size``, a store of a loaded register (a data dependency) and an operation under
``if`` on a loaded register (a control dependency), and (with ``ProgramBounds.waits``)
``memory.atomic.wait32`` (no timeout, or timeout 0) and ``memory.atomic.notify``. Programs are
valid by construction: they
are printed as litmus text and parsed by ``semantics.litmus.format.parse_litmus``, which validates.

Alternatives are listed simplest first, so that Hypothesis shrinks towards SB/MP/LB shapes:
stores and loads before RMWs, unordered before atomic, 2 threads before 3, i32 before i64,
aligned before mixed-size, constants before registers, unguarded before ``if``, free draws
before the biased ones of ``DEPENDENT`` (``ProgramBounds.pair_odds`` and ``.conflicts``).

Outcomes are compared as final states: every register of every thread, each thread's trap flag
(and ``N:blocked=1`` for a thread waiting forever), and the final value of each location some
store writes (read by the SeqCst final observer).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from hypothesis import strategies as st

from semantics.litmus.engine import DEFAULT_BOUNDS, Bounds, Enumeration, ValidExecution
from semantics.litmus.format import LitmusTest, parse_litmus
from semantics.memory.events import PAGE

SLOT = 8  # bytes per named location: room for an aligned i64
NAMES = ("x", "y", "z")
FAR = "w"  # one page up: out of bounds until a memory.grow succeeds
FRESH = 42  # the value offered to reads besides the program's constants (thin air)

KINDS = ("store", "load", "rmw.add", "rmw.xchg", "cmpxchg", "size", "grow", "wait", "notify")
FinalState = tuple[tuple[str, int], ...]  # (observable, value), sorted


@attrs.frozen
class Op:
    """One instruction of a thread.

    ``loc`` indexes ``NAMES`` (``len(NAMES)`` is ``FAR``); ``sub`` is the byte offset inside the
    location (mixed-size programs); ``src`` names the register a store writes (else ``value``);
    ``guard`` names the register an enclosing ``if`` tests. Loads, RMWs, ``cmpxchg``, ``size``,
    ``grow``, ``wait`` and ``notify`` set the thread's next register. A ``wait`` expects
    ``expected`` with timeout ``value`` (-1: none); a ``notify``'s count is ``value``."""

    kind: str
    atomic: bool = False
    loc: int = 0
    width: int = 4  # bytes
    i64: bool = False
    sub: int = 0
    value: int = 0
    expected: int = 0
    src: int | None = None
    guard: int | None = None

    @property
    def sets_register(self) -> bool:
        return self.kind != "store"

    @property
    def accesses_memory(self) -> bool:
        return self.kind not in ("size", "grow")


@attrs.frozen
class Prog:
    """A generated program; ``repr`` is its litmus text, so failing examples read as tests."""

    threads: tuple[tuple[Op, ...], ...]

    @property
    def grows(self) -> bool:
        return any(op.kind == "grow" for t in self.threads for op in t)

    @property
    def constants(self) -> frozenset[int]:
        vals = {op.value for t in self.threads for op in t
                if op.kind not in ("load", "wait", "notify")}
        vals |= {op.expected for t in self.threads for op in t if op.kind == "cmpxchg"}
        return frozenset(vals)

    @property
    def seeds(self) -> frozenset[int]:
        """Values offered to every read besides what writes produce: the program's constants
        and one fresh value, so that self-justifying (thin-air) cycles are found."""
        return self.constants | {FRESH}

    @property
    def written_locations(self) -> tuple[tuple[str, int, int], ...]:
        """(name, address, width) of each in-bounds location a thread writes: the final
        observer reads the 4 bytes (8 in i64 programs) that accesses may touch."""
        locs = sorted({op.loc for t in self.threads for op in t
                       if op.kind not in ("load", "size", "grow", "wait", "notify")
                       and op.loc < len(NAMES)})
        width = 8 if any(op.i64 for t in self.threads for op in t) else 4
        return tuple((NAMES[i], i * SLOT, width) for i in locs)

    def litmus(self, condition: str = "exists (true)", name: str = "generated",
               comment: str = "") -> str:
        return program_text(self, condition, name, comment)

    @property
    def test(self) -> LitmusTest:
        return parse_litmus(self.litmus(), file="<generated>")

    def __repr__(self) -> str:
        return self.litmus()


# --- printing --------------------------------------------------------------------------------


def _ty(op: Op) -> str:
    return "i64" if op.i64 else "i32"


def _mnemonic(op: Op) -> str:
    t = _ty(op)
    full = op.width == (8 if op.i64 else 4)
    narrow = "" if full else str(8 * op.width)
    atomic = ".atomic" if op.atomic or op.kind.startswith(("rmw", "cmpxchg")) else ""
    if op.kind == "load":
        return f"{t}{atomic}.load{narrow}" + ("" if full else "_u")
    if op.kind == "store":
        return f"{t}{atomic}.store{narrow}"
    rmw = op.kind.split(".", 1)[1] if op.kind.startswith("rmw") else "cmpxchg"
    return f"{t}.atomic.rmw{narrow}.{rmw}" + ("" if full else "_u")


def _num(v: int) -> str:
    return str(v) if v < 256 else hex(v)


def _addr(op: Op) -> str:
    name = NAMES[op.loc] if op.loc < len(NAMES) else FAR
    return (f"offset={op.sub} " if op.sub else "") + f"(i32.const {name})"


def _instr(op: Op, reg: int | None, types: dict[int, str]) -> str:
    t = _ty(op)
    if op.kind == "size":
        body = "(memory.size)"
    elif op.kind == "wait":
        body = (f"(memory.atomic.wait32 {_addr(op)} (i32.const {_num(op.expected)}) "
                f"(i64.const {op.value}))")
    elif op.kind == "notify":
        body = f"(memory.atomic.notify {_addr(op)} (i32.const {op.value}))"
    elif op.kind == "grow":
        body = "(memory.grow (i32.const 1))"
    elif op.kind == "load":
        body = f"({_mnemonic(op)} {_addr(op)})"
    else:
        val = (f"(local.get $r{op.src})" if op.src is not None
               else f"({t}.const {_num(op.value)})")
        if op.kind == "cmpxchg":
            val = f"({t}.const {_num(op.expected)}) " + val
        body = f"({_mnemonic(op)} {_addr(op)} {val})"
    text = body if reg is None else f"(local.set $r{reg} {body})"
    if op.guard is None:
        return text
    cond = f"(local.get $r{op.guard})"
    if types[op.guard] == "i64":
        cond = f"(i32.wrap_i64 {cond})"
    return f"(if {cond} (then {text}))"


def _register_type(op: Op) -> str:
    return "i32" if op.kind in ("size", "grow", "wait", "notify") else _ty(op)


def register_types(ops: Iterable[Op]) -> dict[int, str]:
    out: dict[int, str] = {}
    for op in ops:
        if op.sets_register:
            out[len(out)] = _register_type(op)
    return out


def program_text(p: Prog, condition: str, name: str, comment: str) -> str:
    locs = [f"{n} = {i * SLOT};" for i, n in enumerate(NAMES)]
    if p.grows or any(op.loc >= len(NAMES) for t in p.threads for op in t):
        locs.append(f"{FAR} = {PAGE};")
    memory = "memory 1 2 shared;" if p.grows else "memory 1 1 shared;"
    lines = [f"WASM {name}"]
    if comment:
        lines.append(f'"{comment}"')
    lines.append("{ " + " ".join([memory, *locs]) + " }")
    for i, ops in enumerate(p.threads):
        types = register_types(ops)
        lines.append(f"thread {i} {{")
        if types:
            lines.append("  " + " ".join(f"(local $r{r} {t})" for r, t in types.items()))
        reg = 0
        for op in ops:
            lines.append("  " + _instr(op, reg if op.sets_register else None, types))
            reg += op.sets_register
        lines.append("}")
    lines.append(condition)
    return "\n".join(lines) + "\n"


# --- generation ------------------------------------------------------------------------------


@attrs.frozen
class ProgramBounds:
    threads: tuple[int, int] = (2, 3)
    ops: int = 3  # operations per thread, at most
    min_ops: int = 1
    slots: int = 2  # named locations x, y, ...
    atomic: bool = True
    # i64 accesses are supported but off by default: every zero byte of a 64-bit read may come
    # from any writer of that byte, so one i64 read has up to 2^7 executions per value
    i64: bool = False
    mixed: bool = True  # narrow and misaligned accesses, one program in four
    rmw: bool = True
    grow: bool = True  # memory.grow / memory.size, and the location one page up
    dependencies: bool = True  # stores of registers and ``if`` on registers
    guard_odds: int = 3  # an operation after a load is put under ``if`` one time in this many
    max_events: int = 5  # events of all threads together (interleavings grow fast)
    waits: bool = False  # memory.atomic.wait32 and memory.atomic.notify (i32, aligned)
    # a thread of two or more operations starts, one time in this many, with a load and a
    # store that depends on it (0: never); see ``programs``
    pair_odds: int = 0
    # later threads' accesses go, three times in four, to the location of an earlier thread's
    # latest conflicting access: loads where it stores, stores where it loads; see ``programs``
    conflicts: bool = False


DEFAULT = ProgramBounds()
# load buffering with control dependencies: plain accesses (sc_drf_program's strategy makes
# the racing ones atomic), two operations per thread, guards every other time, half the threads
# a load and a store depending on it, locations chosen to conflict (docs/metatheory.md)
DEPENDENT = attrs.evolve(DEFAULT, threads=(2, 3), ops=2, min_ops=2, guard_odds=2, atomic=False,
                         rmw=False, grow=False, mixed=False, max_events=6, pair_odds=2,
                         conflicts=True)
IN_BOUNDS = attrs.evolve(DEFAULT, grow=False)
# wait/notify programs for the SC machine theorem (and the mutant without
# suspensions-consistent); i32 only, no grow
WAITS = attrs.evolve(DEFAULT, waits=True, grow=False)


def _widths(i64: bool, mixed: bool) -> list[int]:
    if i64:
        return [8]
    return [4, 1, 2] if mixed else [4]


def _placements(width: int, atomic: bool, mixed: bool) -> list[int]:
    """Inside the location's first 4 bytes: aligned offsets first, then (plain accesses) one
    misaligned offset."""
    aligned = list(range(0, 4, width)) if mixed else [0]
    misaligned = [1] if mixed and not atomic and width > 1 else []
    return aligned + misaligned


@attrs.define
class _Draft:
    """What the operations drawn so far leave to the next: the registers of the current
    thread, the value counter, and the locations earlier threads read and write (latest last,
    for ``ProgramBounds.conflicts``)."""

    regs: dict[int, str] = attrs.Factory(dict)
    counter: int = 0
    reads: list[int] = attrs.Factory(list)
    writes: list[int] = attrs.Factory(list)


def _location(draw: st.DrawFn, b: ProgramBounds, kind: str, d: _Draft) -> int:
    """A named location; with ``b.conflicts``, by preference where an earlier thread's latest
    access conflicts with this one (a load where it stores, a store where it loads), so that
    threads communicate as in LB, MP or SB rather than each keeping to its own location."""
    other = d.writes if kind == "load" else d.reads
    if b.conflicts and other and draw(st.integers(0, 3)):
        return other[-1]
    return draw(st.integers(0, b.slots - 1))


@st.composite
def ops(draw: st.DrawFn, b: ProgramBounds, mixed: bool, i64: bool, d: _Draft,
        kind: str | None = None, dependent: bool = False) -> Op:
    """One operation; ``kind`` forces its kind, ``dependent`` makes it (a store) depend on the
    thread's latest register: under ``if`` on it, or (one time in three) storing it."""
    kinds = ["store", "load"]
    if b.rmw:
        kinds += ["rmw.add", "rmw.xchg", "cmpxchg"]
    if b.grow:
        kinds += ["size", "grow"]
    if b.waits:
        kinds += ["wait", "notify"]
    regs = d.regs
    if kind is None:
        # the classic shapes need plain loads and stores: RMWs and memory ops one draw in four
        kind = draw(st.sampled_from(kinds[:2])) if draw(st.integers(0, 3)) else draw(
            st.sampled_from(kinds))
    latest = max(regs) if dependent and regs else None
    data = latest is not None and draw(st.integers(0, 2)) == 2
    guard = latest if latest is not None and not data else None
    if (latest is None and b.dependencies and regs
            and draw(st.integers(1, b.guard_odds)) == b.guard_odds):
        guard = draw(st.sampled_from(sorted(regs)))
    if kind in ("size", "grow"):
        return Op(kind, atomic=True, guard=guard)
    if kind in ("wait", "notify"):
        loc = draw(st.integers(0, b.slots - 1))
        if kind == "notify":
            return Op(kind, True, loc, value=draw(st.sampled_from([1, 2])), guard=guard)
        return Op(kind, True, loc, value=draw(st.sampled_from([-1, 0])),
                  expected=draw(st.sampled_from([0, *range(1, d.counter + 1)])), guard=guard)
    atomic = kind not in ("store", "load") or (b.atomic and draw(st.booleans()))
    width = draw(st.sampled_from(_widths(i64, mixed)))
    far = b.grow and draw(st.integers(0, 7)) == 7
    loc = len(NAMES) if far else _location(draw, b, kind, d)
    sub = 0 if far else draw(st.sampled_from(_placements(width, atomic, mixed)))
    op = Op(kind, atomic, loc, width, i64, sub, guard=guard)
    if kind == "load":
        return op
    d.counter += 1
    src = None
    same_type = [r for r, t in regs.items() if t == _ty(op)]
    if data:  # one type per program: the register's is the store's
        src = latest
    elif b.dependencies and kind == "store" and same_type and draw(st.integers(0, 2)) == 2:
        src = draw(st.sampled_from(same_type))
    expected = 0
    if kind == "cmpxchg":
        expected = draw(st.sampled_from([0, *range(1, d.counter)]))
    return attrs.evolve(op, value=d.counter, src=src, expected=expected)


@st.composite
def programs(draw: st.DrawFn, b: ProgramBounds = DEFAULT) -> Prog:
    """A program. With ``b.pair_odds`` a thread may start with a load and a store depending on
    it (the LB shape's threads; a free draw finds them one time in twelve); with
    ``b.conflicts`` later threads access by preference the locations earlier ones use in the
    other direction. Together they make the load buffering of ``sc_drf_program`` a common draw
    rather than a rare one; every such choice shrinks to the free draw."""
    mixed = b.mixed and draw(st.integers(0, 3)) == 3
    # one type per program: mixing i64 and i32 accesses of one location multiplies the
    # writers of each byte (and the enumeration's cost) without a new shape
    i64 = b.i64 and not mixed and draw(st.integers(0, 3)) == 3
    n = draw(st.integers(*b.threads))
    budget = max(b.max_events, n)
    d = _Draft()
    threads = []
    for i in range(n):
        room = budget - (n - i - 1)  # leave one event for each later thread
        k = draw(st.integers(min(b.min_ops, room), max(1, min(b.ops, room))))
        budget -= k
        d.regs = {}
        pair = (b.pair_odds > 0 and b.dependencies and k >= 2
                and draw(st.integers(1, b.pair_odds)) == b.pair_odds)
        shapes: list[tuple[str | None, bool]] = [("load", False), ("store", True)] if pair else []
        shapes += [(None, False)] * (k - len(shapes))
        out = []
        for kind, dependent in shapes:
            op = draw(ops(b, mixed, i64, d, kind, dependent))
            out.append(op)
            if op.sets_register:
                d.regs[len(d.regs)] = _register_type(op)
        for op in out:
            if op.accesses_memory and op.kind != "store":
                d.reads.append(op.loc)
            if op.kind not in ("load", "size", "grow", "wait", "notify"):
                d.writes.append(op.loc)
        threads.append(tuple(out))
    return Prog(tuple(threads))


# --- running ---------------------------------------------------------------------------------


def observe(p: Prog) -> tuple[tuple[int, int], ...]:
    return tuple((a, w) for _, a, w in p.written_locations)


def outcome(p: Prog, v: ValidExecution) -> FinalState:
    """The final state of one execution: ``N:r`` for each register, ``N:trap``, ``[x]``."""
    out: list[tuple[str, int]] = []
    for t, path in enumerate(v.paths[:len(p.threads)]):
        for name, val in path.final:
            # a thread blocked in a wait: only then is N:blocked part of the outcome
            if name.startswith("r") or name == "trap" or (name == "blocked" and val):
                out.append((f"{t}:{name}", val))
    names = {a: n for n, a, _ in p.written_locations}
    out += [(f"[{names[a]}]", val) for a, _, val in v.observed]
    return tuple(out)


def outcomes(p: Prog, en: Enumeration) -> frozenset[FinalState]:
    return frozenset(outcome(p, v) for v in en.valid)


def show_outcome(o: FinalState) -> str:
    """The outcome as a condition; ``N:trap=0`` atoms are left out (they only add noise)."""
    return " /\\ ".join(f"{k}={_num(v)}" for k, v in o
                         if not (k.endswith(":trap") and v == 0)) or "true"


def exists(o: FinalState) -> str:
    return f"exists ({show_outcome(o)})"


ENUM_BOUNDS: Bounds = DEFAULT_BOUNDS
