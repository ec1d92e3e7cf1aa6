"""Local and global reduction, labelled with the actions of [T] instructions.rst.

A step that reads shared memory does not pick the value itself: it returns a ``Read`` naming the
cells it reads (a ``Hole``) and a ``resume`` function to call with the values read. ``resume``
returns the next ``Transition`` (another ``Read`` when a step reads twice, e.g. the bounds check
and then the data), or ``None`` when the rule does not apply to that value (e.g. a successful
``memory.grow`` beyond the maximum). An ``Emit`` is a complete step: its rule name, the actions
of its event (reads filled in), and the thread (and store) after it.

A read may be answered with unknowns (``terms``): values then flow through the reduction as
terms, and a step that must know one (an address, a length, a branch condition, the comparison
of a cmpxchg or a wait) returns a ``Decide`` for the caller to choose it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

import attrs

from semantics.memory.events import (
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Event,
    Kind,
    Ord,
    Payload,
    Region,
    fill,
    rd,
    rmw,
    wr,
)
from semantics.wasm.numerics import (
    Bits,
    bytes_of,
    extend_s,
    from_bytes,
    num_op,
    relop,
    rmw_op,
    signed,
    wrap,
)
from semantics.wasm.runtime import (
    MAX_PAGES,
    Code,
    Config,
    Crash,
    Frame,
    HostAllocMem,
    HostCall,
    HostFunc,
    HostLoad,
    HostReturn,
    HostSpawn,
    HostTrap,
    Label,
    MemInst,
    Store,
    Thread,
    Trap,
    Value,
    WaitX,
    WasmFunc,
    alloc_mem,
    allocation_actions,
    const_value,
    is_const,
    start_func,
    thread_status,
)
from semantics.wasm.syntax import (
    I32,
    I64,
    NUM_OPS,
    Block,
    If,
    Instr,
    MemArg,
    MemOp,
    ValType,
    mem_op,
)
from semantics.wasm.terms import Term


@attrs.frozen
class Hole:
    """``width`` cells of ``region`` from ``offset``, read with ordering ``ord``."""

    region: Region
    offset: int
    width: int
    ord: Ord


@attrs.frozen
class Emit:
    rule: str
    actions: tuple[Action, ...]
    after: object  # the thread (or configuration) after the step
    spawned: tuple[object, ...] = ()  # threads created by this step ([T] spawn)


@attrs.frozen(eq=False)
class Read:
    rule: str
    hole: Hole
    resume: Callable[[Payload], Transition | None]


@attrs.frozen(eq=False)
class Decide:
    """The step needs the value of ``term``: ``resume(c)`` continues with ``term = c`` (when
    ``boolean``, only whether it is zero matters: ``c`` is 1 for "non-zero" or 0), giving the
    step's transitions for that choice."""

    rule: str
    term: Term
    boolean: bool
    resume: Callable[[int], tuple[Transition, ...]]


Transition = Union[Read, Emit, Decide]


# --- local reduction -------------------------------------------------------------------------
#
# A thread's code is reduced by finding the redex under its values, descending into labels and
# frames ([T] evaluation contexts).  Internally a step's ``Emit.after`` is an ``_After``: the
# code that replaces the context's hole, or a ``_Jump`` that the enclosing labels and frames
# consume within the same step.  That folds [T]'s context rules ``label_n{cont} B^l[val^n br l]``,
# ``frame_n{F} B^k[val^n return]``, ``label B[trap] ↪ trap`` and ``frame B[trap] ↪ trap`` into the
# step that branches or traps, so one instruction is one event.
#
# Rule names follow SpecTec's judgements: ``step_pure/R`` touches neither store nor memory,
# ``step_read/R`` only reads (the frame, the store, or memory: loads, bounds checks, memory.size,
# a failed grow or cmpxchg), ``step/R`` writes or suspends.  Trapping variants end in ``-oob``,
# ``-unaligned`` or ``-unshared``.  Shared-memory actions are per [T] instructions.rst; an
# unshared memory is read and written in the store with no actions.

MAX_WOKEN = 4
"""``notify`` may report waking any ``j <= count`` waiters ([T]); we offer ``j <= MAX_WOKEN``,
more than a litmus test has threads."""


@attrs.frozen
class _Jump:
    kind: str  # "br", "return" or "trap"
    depth: int = 0
    values: tuple[Value, ...] = ()


@attrs.frozen
class _After:
    store: Store
    locals: tuple[Value, ...]
    code: tuple[Code, ...]
    jump: _Jump | None = None


def _with_after(e: Emit, after: _After) -> Emit:
    """``e`` with ``after``: the constructor, not ``attrs.evolve`` (which reads the fields
    by name), since every step of every thread is plugged into its context this way."""
    return Emit(e.rule, e.actions, after, e.spawned)


def _map(t: Transition | None, f: Callable[[Emit], Emit]) -> Transition | None:
    """Apply ``f`` to the Emit that ``t`` leads to, through any number of Reads and Decides."""
    if t is None or isinstance(t, Emit):
        return None if t is None else f(t)
    if isinstance(t, Decide):
        decide = t.resume

        def decided(c: int) -> tuple[Transition, ...]:
            return _map_all(decide(c), f)

        return Decide(t.rule, t.term, t.boolean, decided)
    resume = t.resume

    def resumed(p: Payload) -> Transition | None:
        return _map(resume(p), f)

    return Read(t.rule, t.hole, resumed)


def _map_all(ts: tuple[Transition, ...], f: Callable[[Emit], Emit]) -> tuple[Transition, ...]:
    out = []
    for t in ts:
        m = _map(t, f)
        if m is not None:
            out.append(m)
    return tuple(out)


def _cells(p: Payload, n: int, hole: str) -> tuple[int, ...]:
    if len(p) != n:
        raise Crash(f"{hole}: expected {n} value(s), got {len(p)}")
    return tuple(p)


@attrs.frozen
class _Redex:
    """``val* instr`` in store ``store`` and frame ``locals``."""

    store: Store
    locals: tuple[Value, ...]
    vals: tuple[Value, ...]
    node: Code

    def args(self, *types: ValType) -> tuple[int, ...]:
        n = len(types)
        got = self.vals[len(self.vals) - n:] if n else ()
        if len(got) != n or tuple(v.type for v in got) != types:
            raise Crash(f"{self.node!r} needs operands {list(types)}, the stack has "
                        f"{list(self.vals)}")
        # an operand is a term only in symbolic mode, and never one that ``_concrete_operands``
        # names (``_decided`` runs first): those rules compute with ints
        return tuple(v.bits for v in got)  # type: ignore[misc]

    def emit(self, rule: str, pop: int, push: tuple[Code, ...], actions: tuple[Action, ...] = (),
             store: Store | None = None, local_vals: tuple[Value, ...] | None = None,
             spawned: tuple[object, ...] = ()) -> Emit:
        base: tuple[Code, ...] = self.vals[:len(self.vals) - pop]
        after = _After(self.store if store is None else store,
                       self.locals if local_vals is None else local_vals, base + push)
        return Emit(rule, actions, after, spawned)

    def jump(self, rule: str, jump: _Jump, actions: tuple[Action, ...] = ()) -> Emit:
        return Emit(rule, actions, _After(self.store, self.locals, (), jump))

    def trap(self, rule: str, actions: tuple[Action, ...] = ()) -> Emit:
        return self.jump(rule, _Jump("trap"), actions)

    @property
    def mem(self) -> MemInst:
        if not self.store.mems:
            raise Crash(f"{self.node!r} needs a memory")
        return self.store.mems[0]


def _payload(b: tuple[Bits, ...]) -> tuple[int, ...]:
    """Bytes as an action's payload: in symbolic mode some are terms, which the events carry as
    opaque store values (the memory model reads them only through value-consistency)."""
    return b  # type: ignore[return-value]


def _i32(v: Bits) -> Value:
    return Value(I32, wrap(v, 32))


def _branch(rule: str, cond: Bits, yes: Callable[[], Transition | None],
            no: Callable[[], Transition | None]) -> Transition | None:
    """``yes()`` if ``cond`` is non-zero, else ``no()``; a ``Decide`` when ``cond`` is a term."""
    if not isinstance(cond, Term):
        return yes() if cond else no()

    def decided(c: int) -> tuple[Transition, ...]:
        t = yes() if c else no()
        return () if t is None else (t,)

    return Decide(rule, cond, True, decided)


def _concrete_operands(node: object) -> tuple[tuple[int, bool], ...]:
    """The operands (depth from the top of the stack, boolean?) whose value ``node``'s rules
    must know: addresses, lengths, counts, timeouts, branch conditions. Any other operand may
    stay a term."""
    if isinstance(node, If):
        return ((0, True),)
    if not isinstance(node, Instr):
        return ()
    op = node.op
    if op in ("select", "br_if"):
        return ((0, True),)
    if op == "br_table":
        return ((0, False),)
    if op == "memory.grow":
        return ((0, False),)
    if op == "memory.fill":
        return ((2, False), (0, False))
    if op == "memory.copy":
        return ((2, False), (1, False), (0, False))
    m = mem_op(op)
    if m is None or m.kind == "length":
        return ()
    depth = {"load": 0, "store": 1, "rmw": 1, "cmpxchg": 2, "wait": 2, "notify": 1}[m.kind]
    extra = ((0, False),) if m.kind in ("wait", "notify") else ()
    return ((depth, False), *extra)


def _decided(r: _Redex) -> Decide | None:
    """A ``Decide`` for the first operand of ``r.node`` that must be known and is a term."""
    n = len(r.vals)
    for depth, boolean in _concrete_operands(r.node):
        if depth >= n:
            continue
        v = r.vals[n - 1 - depth]
        if not isinstance(v.bits, Term):
            continue

        def resume(c: int, i: int = n - 1 - depth, v: Value = v) -> tuple[Transition, ...]:
            vals = r.vals[:i] + (Value(v.type, c),) + r.vals[i + 1:]
            return _step_node(attrs.evolve(r, vals=vals))

        return Decide(f"decide/{getattr(r.node, 'op', 'if')}", v.bits, boolean, resume)
    return None


def _write_data(store: Store, addr: int, offset: int, data: tuple[int, ...]) -> Store:
    mem = store.mems[addr]
    old = mem.data if mem.data is not None else b""
    new = attrs.evolve(mem, data=old[:offset] + bytes(data) + old[offset + len(data):])
    return attrs.evolve(store, mems=store.mems[:addr] + (new,) + store.mems[addr + 1:])


Fault = Callable[[int], Union[str, None]]


def _access_fault(ea: int, nb: int, atomic: bool) -> Fault:
    # A misaligned atomic that is also out of bounds is reported as unaligned, as [T]'s prose,
    # the reference interpreter and engines do; the step's action is the same either way.
    def fault(n: int) -> str | None:
        if atomic and ea % nb:
            return "unaligned"
        if ea + nb > n:
            return "oob"
        return None

    return fault


def _checked(r: _Redex, family: str, fault: Fault,
             ok: Callable[[tuple[Action, ...]], Transition | None]) -> Transition:
    """The bounds check of [T]: a shared memory's length is read (``rd len``, unordered) and the
    step traps with just that action on a fault; an unshared one is checked without actions.
    ``ok`` gets the actions so far and continues the step."""
    data = r.mem.data
    if data is not None:
        bad = fault(len(data))
        if bad:
            return r.trap(f"step_read/{family}-{bad}")
        t = ok(())
        if t is None:
            raise Crash(f"{r.node!r}: no rule applies")
        return t

    def after_len(p: Payload) -> Transition | None:
        (n,) = _cells(p, 1, "len")
        la = rd(MEM_LEN, 0, (n,))
        bad = fault(n)
        if bad:
            return r.trap(f"step_read/{family}-{bad}", (la,))
        return ok((la,))

    return Read(f"step_read/{family}", Hole(MEM_LEN, 0, 1, Ord.UNORD), after_len)


def _tearing(t: ValType, width: int, ea: int) -> bool:
    """[T] ``tearing``: NOTEARS for aligned integer accesses of at most 32 bits."""
    return t.is_int and ea % (width // 8) == 0 and width <= 32


def _memarg_offset(node: Instr) -> int:
    arg = node.args[0] if node.args else MemArg()
    if not isinstance(arg, MemArg):
        raise Crash(f"{node!r}: expected a memarg")
    return arg.offset


def _step_memop(r: _Redex, node: Instr, m: MemOp) -> tuple[Transition, ...]:
    t, nb, off = m.type, m.width // 8, _memarg_offset(node)
    order = Ord.SEQCST if m.atomic else Ord.UNORD
    shared = r.mem.data is None
    data = r.mem.data or b""
    if m.kind == "load":
        (i,) = r.args(I32)
        ea = i + off

        def loaded(b: tuple[int, ...], pre: tuple[Action, ...]) -> Emit:
            c = from_bytes(b)
            c = extend_s(c, m.width, t.bits) if m.sign == "s" else wrap(c, t.bits)
            acts = pre + ((rd(MEM_DATA, ea, b, order, _tearing(t, m.width, ea)),) if shared else ())
            return r.emit("step_read/load", 1, (Value(t, c),), acts)

        def load_ok(pre: tuple[Action, ...]) -> Transition:
            if not shared:
                return loaded(tuple(data[ea:ea + nb]), pre)
            return Read("step_read/load", Hole(MEM_DATA, ea, nb, order),
                        lambda p: loaded(_cells(p, nb, "load"), pre))

        return (_checked(r, "load", _access_fault(ea, nb, m.atomic), load_ok),)
    if m.kind == "store":
        i, c = r.args(I32, t)
        ea = i + off
        b = _payload(bytes_of(c, nb))

        def store_ok(pre: tuple[Action, ...]) -> Transition:
            if not shared:
                return r.emit("step/store", 2, (), pre, store=_write_data(r.store, 0, ea, b))
            return r.emit("step/store", 2, (),
                          pre + (wr(MEM_DATA, ea, b, order, _tearing(t, m.width, ea)),))

        return (_checked(r, "store", _access_fault(ea, nb, m.atomic), store_ok),)
    if m.kind in ("rmw", "cmpxchg"):
        return (_step_rmw(r, m, off, shared, data),)
    if m.kind == "wait":
        return (_step_wait(r, m, off, shared),)
    return _step_notify(r, off, shared, data)


def _step_js(r: _Redex, node: Instr, m: MemOp) -> tuple[Transition, ...]:
    """A JS thread's typed-array element get/set or ``Atomics`` call (docs/js.md): its event
    is ECMA-262's. The thread's code checked the index against its view (for a length-tracking
    view, against a ``js.byteLength.unordered`` read of the length before it), so the access
    reads no length; the tear-free flag is ``m.notears`` (IsNoTearConfiguration); and a
    compareExchange is always a read-modify-write (GetModifySetValueInBuffer): on failure it
    writes back the bytes it read, where a failed Wasm cmpxchg only reads."""
    if r.mem.data is not None:
        raise Crash(f"{node!r}: a JS view needs a shared memory")
    t, nb = m.type, m.width // 8
    order = Ord.SEQCST if m.atomic else Ord.UNORD
    notears = bool(m.notears)

    def element(b: tuple[int, ...]) -> Value:  # RawBytesToNumeric
        c = from_bytes(b)
        return Value(t, extend_s(c, m.width, t.bits) if m.sign == "s" else wrap(c, t.bits))

    if m.kind == "length":  # the growable buffer's [[ArrayBufferByteLengthData]] is len
        def length(p: Payload) -> Emit:
            (n,) = _cells(p, 1, "len")
            return r.emit("js/byteLength", 0, (Value(I64, n),), (rd(MEM_LEN, 0, (n,), order),))

        return (Read("js/byteLength", Hole(MEM_LEN, 0, 1, order), length),)
    if m.kind == "load":
        (ea,) = r.args(I32)
        return (Read("js/load", Hole(MEM_DATA, ea, nb, order), lambda p: r.emit(
            "js/load", 1, (element(_cells(p, nb, "load")),),
            (rd(MEM_DATA, ea, _cells(p, nb, "load"), order, notears),))),)
    if m.kind == "store":
        ea, c = r.args(I32, t)
        return (r.emit("js/store", 2, (), (wr(MEM_DATA, ea, _payload(bytes_of(c, nb)), order,
                                              notears),)),)
    if m.kind == "wait":  # Atomics.wait: the SeqCst read, then suspend as memory.atomic.wait
        ea, expected, timeout_bits = r.args(I32, t, I64)
        timeout = signed(timeout_bits, 64)

        def compared(p: Payload) -> Transition | None:
            b = _cells(p, nb, "wait")
            read = rd(MEM_DATA, ea, b, Ord.SEQCST, notears)
            suspend = Action(Kind.WAIT, MEM_DATA, ea, args=(timeout,))
            return _branch("decide/wait", relop("ne", m.width, from_bytes(b),
                                                wrap(expected, m.width)),
                           lambda: r.emit("js/wait-not-equal", 3, (_i32(1),), (read,)),
                           lambda: r.emit("js/wait-suspend", 3, (WaitX(MEM_DATA, ea, timeout),),
                                          (read, suspend)))

        return (Read("js/wait", Hole(MEM_DATA, ea, nb, Ord.SEQCST), compared),)
    if m.kind == "notify":
        ea, count = r.args(I32, I32)
        return tuple(r.emit("js/notify", 2, (_i32(j),),
                            (Action(Kind.NOTIFY, MEM_DATA, ea, args=(j, count)),))
                     for j in range(min(count, MAX_WOKEN) + 1))
    if m.kind == "rmw":
        ea, c2 = r.args(I32, t)
        c3, pop = 0, 2
    else:
        ea, c2, c3 = r.args(I32, t, t)
        pop = 3

    def written(b: tuple[int, ...], new: tuple[int, ...], rule: str) -> Emit:
        return r.emit(rule, pop, (element(b),), (rmw(MEM_DATA, ea, b, new),))

    def modified(p: Payload) -> Transition | None:
        b = _cells(p, nb, m.kind)
        if m.kind == "rmw":
            return written(b, _payload(bytes_of(rmw_op(m.rmw or "", m.width, from_bytes(b), c2),
                                                nb)), "js/rmw")
        return _branch("decide/compareExchange",
                       relop("eq", m.width, from_bytes(b), wrap(c2, m.width)),
                       lambda: written(b, _payload(bytes_of(c3, nb)), "js/compareExchange"),
                       lambda: written(b, b, "js/compareExchange-fail"))

    return (Read(f"js/{m.kind}", Hole(MEM_DATA, ea, nb, Ord.SEQCST), modified),)


def _step_rmw(r: _Redex, m: MemOp, off: int, shared: bool, data: bytes) -> Transition:
    t, nb = m.type, m.width // 8
    if m.kind == "rmw":
        i, c2 = r.args(I32, t)
        c3 = 0
    else:
        i, c2, c3 = r.args(I32, t, t)
    ea = i + off
    pop = 2 if m.kind == "rmw" else 3

    def modified(b: tuple[int, ...], pre: tuple[Action, ...]) -> Transition | None:
        old = from_bytes(b)
        if m.kind == "rmw":
            return written(b, pre, rmw_op(m.rmw or "", m.width, old, c2), "step/rmw")
        return _branch("decide/cmpxchg", relop("eq", m.width, old, wrap(c2, m.width)),
                       lambda: written(b, pre, wrap(c3, m.width), "step/cmpxchg"),
                       lambda: written(b, pre, None, "step_read/cmpxchg-fail"))

    def written(b: tuple[int, ...], pre: tuple[Action, ...], new: Bits | None,
                rule: str) -> Emit:
        res = (Value(t, wrap(from_bytes(b), t.bits)),)
        if new is None:  # a failed cmpxchg is a SeqCst read ([T])
            acts = pre + ((rd(MEM_DATA, ea, b, Ord.SEQCST),) if shared else ())
            return r.emit(rule, pop, res, acts)
        nbytes = _payload(bytes_of(new, nb))
        if not shared:
            return r.emit(rule, pop, res, pre, store=_write_data(r.store, 0, ea, nbytes))
        return r.emit(rule, pop, res, pre + (rmw(MEM_DATA, ea, b, nbytes),))

    def rmw_ok(pre: tuple[Action, ...]) -> Transition | None:
        if not shared:
            return modified(tuple(data[ea:ea + nb]), pre)
        return Read(f"step/{m.kind}", Hole(MEM_DATA, ea, nb, Ord.SEQCST),
                    lambda p: modified(_cells(p, nb, m.kind), pre))

    return _checked(r, m.kind, _access_fault(ea, nb, True), rmw_ok)


def _step_wait(r: _Redex, m: MemOp, off: int, shared: bool) -> Transition:
    t, nb = m.type, m.width // 8
    i, expected, timeout_bits = r.args(I32, t, I64)
    ea, timeout = i + off, signed(timeout_bits, 64)
    if not shared:
        return r.trap("step_read/wait-unshared")

    def compared(b: tuple[int, ...], pre: tuple[Action, ...]) -> Transition | None:
        read = rd(MEM_DATA, ea, b, Ord.SEQCST)
        suspend = Action(Kind.WAIT, MEM_DATA, ea, args=(timeout,))
        return _branch("decide/wait", relop("ne", m.width, from_bytes(b), wrap(expected, m.width)),
                       lambda: r.emit("step_read/wait-mismatch", 3, (_i32(1),), pre + (read,)),
                       lambda: r.emit("step/wait-suspend", 3, (WaitX(MEM_DATA, ea, timeout),),
                                      pre + (read, suspend)))

    def wait_ok(pre: tuple[Action, ...]) -> Transition:
        return Read("step_read/wait", Hole(MEM_DATA, ea, nb, Ord.SEQCST),
                    lambda p: compared(_cells(p, nb, "wait"), pre))

    return _checked(r, "wait", _access_fault(ea, nb, True), wait_ok)


def _step_notify(r: _Redex, off: int, shared: bool, data: bytes) -> tuple[Transition, ...]:
    i, count = r.args(I32, I32)
    ea = i + off
    fault = _access_fault(ea, 4, True)
    if not shared:  # nobody can wait on an unshared memory
        return (_checked(r, "notify", fault, lambda pre: r.emit("step_read/notify-unshared", 2,
                                                                 (_i32(0),))),)
    def offer(j: int) -> Transition:
        def notified(pre: tuple[Action, ...]) -> Emit:
            act = Action(Kind.NOTIFY, MEM_DATA, ea, args=(j, count))
            return r.emit("step/notify", 2, (_i32(j),), pre + (act,))

        if j == 0:
            return _checked(r, "notify", fault, notified)

        def after_len(p: Payload) -> Transition | None:  # the trap is offered once, by j = 0
            (n,) = _cells(p, 1, "len")
            return None if fault(n) else notified((rd(MEM_LEN, 0, (n,)),))

        return Read("step_read/notify", Hole(MEM_LEN, 0, 1, Ord.UNORD), after_len)

    return tuple(offer(j) for j in range(min(count, MAX_WOKEN) + 1))


def _step_memory(r: _Redex, op: str) -> tuple[Transition, ...]:
    if op == "atomic.fence":  # needs no memory
        return (r.emit("step/atomic.fence", 0, (), (Action(Kind.FENCE, ord=Ord.SEQCST),)),)
    mem = r.mem
    shared = mem.data is None
    size = len(mem.data) if mem.data is not None else 0
    if op == "memory.size":
        if not shared:
            return (r.emit("step_read/memory.size", 0, (_i32(size // PAGE),)),)

        def sized(p: Payload) -> Emit:
            (n,) = _cells(p, 1, "len")
            return r.emit("step_read/memory.size", 0, (_i32(n // PAGE),),
                          (rd(MEM_LEN, 0, (n,), Ord.SEQCST),))

        return (Read("step_read/memory.size", Hole(MEM_LEN, 0, 1, Ord.SEQCST), sized),)
    if op == "memory.grow":
        return _step_grow(r, mem, size)
    d, x, n = r.args(I32, I32, I32)
    store8 = Instr("i32.store8", (MemArg(),))
    if op == "memory.fill":
        def fill_fault(ln: int) -> str | None:
            return "oob" if d + n > ln else None

        def fill_ok(pre: tuple[Action, ...]) -> Emit:
            if n == 0:
                return r.emit("step_read/memory.fill-zero", 3, (), pre)
            val = _i32(x)
            return r.emit("step_read/memory.fill", 3, (
                _i32(d), val, store8, _i32(d + 1), val, _i32(n - 1), Instr("memory.fill")), pre)

        return (_checked(r, "memory.fill", fill_fault, fill_ok),)

    def copy_fault(ln: int) -> str | None:  # memory.copy: d = destination, x = source
        return "oob" if x + n > ln or d + n > ln else None

    def copy_ok(pre: tuple[Action, ...]) -> Emit:
        if n == 0:
            return r.emit("step_read/memory.copy-zero", 3, (), pre)
        load8 = Instr("i32.load8_u", (MemArg(),))
        copy = Instr("memory.copy")
        if d <= x:
            return r.emit("step_read/memory.copy-le", 3, (
                _i32(d), _i32(x), load8, store8, _i32(d + 1), _i32(x + 1), _i32(n - 1), copy), pre)
        return r.emit("step_read/memory.copy-gt", 3, (
            _i32(d + n - 1), _i32(x + n - 1), load8, store8, _i32(d), _i32(x), _i32(n - 1), copy),
            pre)

    return (_checked(r, "memory.copy", copy_fault, copy_ok),)


def _step_grow(r: _Redex, mem: MemInst, size: int) -> tuple[Transition, ...]:
    """Both outcomes are always offered ([T]: memory.grow is non-deterministic)."""
    (k,) = r.args(I32)
    limit = mem.type.max if mem.type.max is not None else MAX_PAGES
    fail = _i32(0xFFFFFFFF)
    if mem.data is not None:
        out = []
        if size // PAGE + k <= limit:
            grown = attrs.evolve(mem, type=attrs.evolve(mem.type, min=size // PAGE + k),
                                 data=mem.data + bytes(k * PAGE))
            store = attrs.evolve(r.store, mems=(grown,) + r.store.mems[1:])
            out.append(r.emit("step/memory.grow", 1, (_i32(size // PAGE),), store=store))
        out.append(r.emit("step_read/memory.grow-fail", 1, (fail,)))
        return tuple(out)

    def grown_shared(p: Payload) -> Emit | None:
        (ln,) = _cells(p, 1, "len")
        if ln // PAGE + k > limit:
            return None
        acts: tuple[Action, ...] = (rmw(MEM_LEN, 0, (ln,), (ln + k * PAGE,)),)
        if k:
            acts += (wr(MEM_DATA, ln, fill(k * PAGE)),)
        return r.emit("step/memory.grow", 1, (_i32(ln // PAGE),), acts)

    def failed(p: Payload) -> Emit:
        (ln,) = _cells(p, 1, "len")
        return r.emit("step_read/memory.grow-fail", 1, (fail,),
                      (rd(MEM_LEN, 0, (ln,), Ord.SEQCST),))

    return (Read("step/memory.grow", Hole(MEM_LEN, 0, 1, Ord.SEQCST), grown_shared),
            Read("step_read/memory.grow-fail", Hole(MEM_LEN, 0, 1, Ord.SEQCST), failed))


def _step_host(r: _Redex, node: HostCall) -> tuple[Transition, ...]:
    f = r.store.funcs[node.func] if 0 <= node.func < len(r.store.funcs) else None
    if not isinstance(f, HostFunc):
        raise Crash(f"{node!r}: not a host function")
    if node.pc >= len(f.effects):
        if f.type.results:
            raise Crash(f"host function {node.func} ended without returning {f.type.results}")
        return (r.emit("step/host-return", 0, ()),)
    eff = f.effects[node.pc]
    nxt = (HostCall(node.func, node.pc + 1),)
    if isinstance(eff, HostReturn):
        return (r.emit("step/host-return", 0, eff.values),)
    if isinstance(eff, HostTrap):
        return (r.trap("step/host-trap"),)
    if isinstance(eff, HostSpawn):
        g = r.store.funcs[eff.func]
        if not isinstance(g, WasmFunc):
            raise Crash(f"{eff!r}: not a Wasm function")
        return (r.emit("step/host-spawn", 0, nxt, spawned=(start_func(g.func, eff.args),)),)
    if isinstance(eff, HostAllocMem):
        addr = len(r.store.mems)
        store = attrs.evolve(r.store, mems=r.store.mems + (alloc_mem(eff.type),))
        acts = allocation_actions(eff.type, (), addr) if eff.type.shared else ()
        return (r.emit("step/host-alloc", 0, nxt, acts, store=store),)
    data = r.mem.data
    if isinstance(eff, HostLoad):
        ea, nb, order = eff.offset, eff.width, eff.ord

        def host_loaded(pre: tuple[Action, ...]) -> Transition:
            if data is not None:
                return r.emit("step_read/host-load", 0, nxt, pre)
            return Read("step_read/host-load", Hole(MEM_DATA, ea, nb, order), lambda p: r.emit(
                "step_read/host-load", 0, nxt, pre + (rd(MEM_DATA, ea, _cells(p, nb, "load"),
                                                         order),)))

        return (_checked(r, "host-load", _access_fault(ea, nb, False), host_loaded),)
    ea, b, order = eff.offset, eff.data, eff.ord

    def host_stored(pre: tuple[Action, ...]) -> Transition:
        if data is not None:
            return r.emit("step/host-store", 0, nxt, pre, store=_write_data(r.store, 0, ea, b))
        return r.emit("step/host-store", 0, nxt, pre + (wr(MEM_DATA, ea, b, order),))

    return (_checked(r, "host-store", _access_fault(ea, len(b), False), host_stored),)


def _step_instr(r: _Redex, node: Instr) -> tuple[Transition, ...]:
    op = node.op
    if op in NUM_OPS:
        spec = NUM_OPS[op]
        args = r.args(*spec.params)
        kind = ("testop" if op.endswith("eqz") else "binop" if spec.params[:1] * 2 == spec.params
                and spec.results == spec.params[:1] else "relop" if len(spec.params) == 2
                else "cvtop")
        return (r.emit(f"step_pure/{kind}", len(args), (Value(spec.results[0],
                                                              num_op(op, args)),)),)
    m = mem_op(op)
    if m is not None:
        return _step_js(r, node, m) if m.lang == "js" else _step_memop(r, node, m)
    if op in ("memory.size", "memory.grow", "memory.fill", "memory.copy", "atomic.fence"):
        return _step_memory(r, op)
    imm = node.args[0] if node.args and isinstance(node.args[0], int) else 0
    if op == "nop":
        return (r.emit("step_pure/nop", 0, ()),)
    if op == "unreachable":
        return (r.trap("step_pure/unreachable"),)
    if op == "drop":
        if not r.vals:
            raise Crash("drop on an empty stack")
        return (r.emit("step_pure/drop", 1, ()),)
    if op == "select":
        (c,) = r.args(I32)
        if len(r.vals) < 3:
            raise Crash("select needs three operands")
        v1, v2 = r.vals[-3], r.vals[-2]
        return (r.emit(f"step_pure/select-{'true' if c else 'false'}", 3, (v1 if c else v2,)),)
    if op == "br":
        return (r.jump("step_pure/br", _Jump("br", imm, r.vals)),)
    if op == "br_if":
        (c,) = r.args(I32)
        if c:
            return (r.jump("step_pure/br_if-true", _Jump("br", imm, r.vals[:-1])),)
        return (r.emit("step_pure/br_if-false", 1, ()),)
    if op == "return":
        return (r.jump("step_pure/return", _Jump("return", 0, r.vals)),)
    if op == "call":
        return (_step_call(r, imm),)
    if op in ("local.get", "local.set", "local.tee"):
        if not 0 <= imm < len(r.locals):
            raise Crash(f"{node!r}: no local {imm}")
        if op == "local.get":
            return (r.emit("step_read/local.get", 0, (r.locals[imm],)),)
        if not r.vals or r.vals[-1].type != r.locals[imm].type:
            raise Crash(f"{node!r} needs a {r.locals[imm].type.value} operand")
        v = r.vals[-1]
        new = r.locals[:imm] + (v,) + r.locals[imm + 1:]
        keep = (v,) if op == "local.tee" else ()
        return (r.emit(f"step/{op}", 1, keep, local_vals=new),)
    raise Crash(f"no reduction rule for {node!r}")


def _step_call(r: _Redex, x: int) -> Transition:
    if not 0 <= x < len(r.store.funcs):
        raise Crash(f"call {x}: no such function")
    f = r.store.funcs[x]
    n = len(f.type.params)
    args = r.args(*f.type.params)
    vals = tuple(Value(t, a) for t, a in zip(f.type.params, args, strict=True))
    if isinstance(f, HostFunc):
        return r.emit("step_read/call-host", n, (HostCall(x, 0),))
    res = f.type.results
    frame = Frame(vals + tuple(Value(t, 0) for t in f.func.locals), res,
                  (Label(res, res, (), f.func.body),))
    return r.emit("step_read/call", n, (frame,))


def _step_node(r: _Redex) -> tuple[Transition, ...]:
    decide = _decided(r)
    if decide is not None:
        return (decide,)
    node = r.node
    if isinstance(node, Instr):
        return _step_instr(r, node)
    if isinstance(node, Block):
        if node.kind == "loop":
            lab = Label((), node.results, (node,), node.body)
        else:
            lab = Label(node.results, node.results, (), node.body)
        return (r.emit(f"step_pure/{node.kind}", 0, (lab,)),)
    if isinstance(node, If):
        (c,) = r.args(I32)
        body = node.then if c else node.else_
        lab = Label(node.results, node.results, (), body)
        return (r.emit(f"step_pure/if-{'true' if c else 'false'}", 1, (lab,)),)
    if isinstance(node, Trap):
        return (r.trap("step_pure/trap"),)
    if isinstance(node, HostCall):
        return _step_host(r, node)
    if isinstance(node, WaitX):
        woken = r.emit("step/waitx-woken", 0, (_i32(0),),
                       (Action(Kind.WOKEN, node.region, node.offset),))
        if node.timeout < 0:
            return (woken,)
        return (woken, r.emit("step/waitx-timeout", 0, (_i32(2),),
                              (Action(Kind.TIMEOUT, node.region, node.offset),)))
    raise Crash(f"no reduction rule for {node!r}")


def _values(code: tuple[Code, ...]) -> tuple[Value, ...] | None:
    vals = tuple(const_value(c) for c in code)
    return None if any(v is None for v in vals) else tuple(v for v in vals if v is not None)


def _last(vals: tuple[Value, ...], n: int) -> tuple[Value, ...]:
    return vals[len(vals) - n:] if n else ()


def _step_seq(store: Store, local_vals: tuple[Value, ...],
              code: tuple[Code, ...]) -> tuple[Transition, ...]:
    i = next((k for k, c in enumerate(code) if not is_const(c)), None)
    if i is None:
        return ()
    node, before, rest = code[i], code[:i], code[i + 1:]
    if isinstance(node, Label):
        inner = _values(node.body)
        if inner is not None:
            return (Emit("step_pure/label-vals", (),
                         _After(store, local_vals, before + inner + rest)),)

        def plug_label(e: Emit) -> Emit:
            a: _After = e.after  # type: ignore[assignment]
            j = a.jump
            if j is None:
                code2 = before + (attrs.evolve(node, body=a.code),) + rest
                return _with_after(e, _After(a.store, a.locals, code2, a.jump))
            if j.kind == "br" and j.depth == 0:
                code2 = before + _last(j.values, len(node.types)) + node.cont + rest
                return _with_after(e, _After(a.store, a.locals, code2))
            if j.kind == "br":
                outer = attrs.evolve(j, depth=j.depth - 1)
                return _with_after(e, _After(a.store, a.locals, a.code, outer))
            return e

        return _map_all(_step_seq(store, local_vals, node.body), plug_label)
    if isinstance(node, Frame):
        inner = _values(node.body)
        if inner is not None:
            return (Emit("step_pure/frame-vals", (),
                         _After(store, local_vals, before + inner + rest)),)

        def plug_frame(e: Emit) -> Emit:
            a: _After = e.after  # type: ignore[assignment]
            j = a.jump
            if j is None:
                code2 = before + (Frame(a.locals, node.results, a.code),) + rest
                return _with_after(e, _After(a.store, local_vals, code2))
            if j.kind == "return":
                code2 = before + _last(j.values, len(node.results)) + rest
                return _with_after(e, _After(a.store, local_vals, code2))
            if j.kind == "br":
                raise Crash(f"branch to label {j.depth} escapes its function")
            return _with_after(e, _After(a.store, local_vals, (), j))

        return _map_all(_step_seq(store, node.locals, node.body), plug_frame)
    vals = tuple(v for v in (const_value(c) for c in before) if v is not None)

    def plug(e: Emit) -> Emit:
        a: _After = e.after  # type: ignore[assignment]
        if a.jump is not None:
            return e
        return _with_after(e, _After(a.store, a.locals, a.code + rest, a.jump))

    return _map_all(_step_node(_Redex(store, local_vals, vals, node)), plug)


def thread_steps(store: Store, thread: Thread) -> tuple[Transition, ...]:
    """Every step ``thread`` can take; ``Emit.after = (store', thread')`` and ``Emit.spawned``
    holds the threads a step creates.  Empty iff the thread is done or trapped."""
    if thread_status(thread) in ("done", "trapped"):
        return ()

    def top(e: Emit) -> Emit:
        a: _After = e.after  # type: ignore[assignment]
        j = a.jump
        if j is None:
            code = a.code
        elif j.kind == "trap":
            code = (Trap(),)
        elif j.kind == "return":
            code = _last(j.values, len(thread.results))
        else:
            raise Crash(f"branch to label {j.depth} escapes the thread's function")
        return Emit(e.rule, e.actions, (a.store, Thread(a.locals, thread.results, code)),
                    e.spawned)

    return _map_all(_step_seq(store, thread.locals, thread.code), top)


def settle(t: Transition, read: Callable[[Hole], Payload]) -> Emit | None:
    """Follow ``t`` to its Emit, answering every Read with ``read(hole)``; None if the rule
    does not apply to the values read."""
    cur: Transition | None = t
    while isinstance(cur, Read):
        cur = cur.resume(read(cur.hole))
    if isinstance(cur, Decide):
        raise Crash(f"{cur.rule}: bytes read gave the unknown {cur.term!r}")
    return cur


# --- global reduction ------------------------------------------------------------------------


@attrs.frozen
class GlobalStep:
    """What a global step did: thread ``thread`` took its event number ``index``, stamped
    ``time`` with predecessor stamp ``time_p`` (``time_p ≺hb time``); ``spawned`` are the new
    threads' ids, whose first events have ``time_p == time`` (the parent's step happens before
    them, [T] spawn).  Stamps are allocated in reduction order, so they also give ≺tot."""

    thread: int
    index: int
    time_p: int
    time: int
    spawned: tuple[int, ...]
    config: Config


def _globalize(config: Config, i: int, e: Emit) -> Emit:
    if not isinstance(e.after, tuple):
        raise Crash("a thread step must give (store, thread)")
    store, th = e.after
    h = config.clock + 1
    children = tuple(t for t in e.spawned if isinstance(t, Thread))
    k = len(config.threads)
    ids = tuple(range(k, k + len(children)))
    cfg = Config(store,
                 config.threads[:i] + (th,) + config.threads[i + 1:] + children,
                 config.times[:i] + (h,) + config.times[i + 1:] + (h,) * len(children),
                 config.counts[:i] + (config.counts[i] + 1,) + config.counts[i + 1:]
                 + (0,) * len(children),
                 h)
    return Emit(e.rule, e.actions, GlobalStep(i, config.counts[i], config.times[i], h, ids, cfg),
                ids)


def global_steps(config: Config) -> tuple[Transition, ...]:
    """[T]'s global reduction of ``S; P*``: every step of every thread, with fresh stamps.
    ``Emit.after`` is a ``GlobalStep`` (holding the next configuration)."""
    out: list[Transition] = []
    for i, th in enumerate(config.threads):
        out.extend(_map_all(thread_steps(config.store, th),
                            lambda e, i=i: _globalize(config, i, e)))  # type: ignore[misc]
    return tuple(out)


def event_of(emit: Emit, eid: int) -> Event:
    """The ``events.Event`` of a completed global step."""
    g = emit.after
    if not isinstance(g, GlobalStep):
        raise TypeError("event_of needs an Emit of global_steps")
    return Event(eid, g.thread, g.index, emit.actions, emit.rule)


def config_terminal(config: Config) -> bool:
    return all(thread_status(t) in ("done", "trapped") for t in config.threads)
