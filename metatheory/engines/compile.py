"""A litmus test as a real module for a real engine (docs/engines.md, "How a test becomes a
module").

The module imports one shared memory and exports one function per Wasm litmus thread, ``t0`` ..
``tN-1`` (a JS thread is an agent of the node harness instead: ``js_agent``, docs/engines.md "JS
threads"), and ``observe``. Each takes a batch size ``K`` and runs the test's body K times;
before each iteration the threads meet at a barrier on an atomic counter, and iteration ``k``
works on its own stride of locations, whose base the host writes into a table (so a seed may
shuffle which stride an iteration gets). Every memory access of the test is relocated by that
base; traps are emulated by checks in front of each access (bounds of the test's own memory,
alignment of atomics) that set the thread's trap flag and leave the iteration, keeping the
locals as they were, as the semantics does ([T] "Traps"). After each iteration a thread stores
the locals the condition names into the iteration's record; after the join, ``observe`` runs the
final observer (a ``.wast`` script's check function) and reads the memory locations the
condition names, also into the record. The host only zeroes and initialises strides, writes the
table, launches, joins and counts records.

Memory layout (byte addresses)::

    0      barrier counter          64   barrier generation     128  abort flag
    192    barrier departures (the second, spinning phase)
    256    table: K x i32, the byte base of iteration k's stride
    LOC    K strides of ``stride`` bytes (the test's footprint rounded up to cache lines)
    REC    K records of ``record_size`` bytes (an 8-byte slot per observable)
"""

from __future__ import annotations

import os

import attrs

from metatheory.engines.js_agent import JsAgent, js_agent
from semantics.litmus import condition as cond
from semantics.litmus.format import LitmusTest
from semantics.text.wat import print_body
from semantics.wasm.syntax import (
    I32,
    I64,
    MEM_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    Node,
    ValType,
    mem_op,
)

PAGE = 65536
LINE = 64  # bytes of a cache line on x86-64 and most Arm cores: strides never share one
COUNTER, GENERATION, ABORT, DEPART, TABLE = 0, 64, 128, 192, 256
SPINS = 4096  # barrier: spins on the generation before waiting with a timeout
# second phase: spins before waiting; long when every thread can have a core (meeting while
# spinning is the point), short when there are more threads than cores (spinning threads then
# keep a descheduled one off the cores for whole time slices)
DEPART_SPINS, DEPART_SPINS_CROWDED = 1 << 20, 256
WAIT_NS = 1_000_000  # a waiter rechecks the abort flag at least every millisecond
JITTER = 255  # after the barrier each thread idles 0..JITTER loop turns (see _jitter)


class Unsupported(ValueError):
    """The test uses a construct the compiler cannot run on an engine: ``construct`` is its
    keyword (to find it in the source), ``str()`` says why."""

    def __init__(self, construct: str, message: str) -> None:
        super().__init__(message)
        self.construct = construct


@attrs.frozen
class Slot:
    """Where an observable's value lands in a record: byte offset and width in bytes."""

    observable: cond.Observable
    offset: int
    width: int


@attrs.frozen
class Layout:
    """Where things are in the shared memory for batches of ``batch`` iterations."""

    batch: int
    footprint: int  # bytes of the test's memory that iterations touch
    stride: int
    loc: int
    rec: int
    record_size: int
    pages: int

    def base(self, stride_index: int) -> int:
        return self.loc + stride_index * self.stride


@attrs.frozen
class Compiled:
    """A test ready to run: the module's text, how many litmus threads, its layout, the
    record slots, and the initial bytes of one stride (the test's data segments). The module
    exports ``tN`` for each Wasm thread; ``agents`` are the JS threads, which the node harness
    runs as JS agents (``js_agent``) meeting the others at the same barrier, after spinning
    at most ``depart_spins`` times in its second phase."""

    test: LitmusTest
    wat: str
    threads: int
    layout: Layout
    slots: tuple[Slot, ...]
    init: tuple[tuple[int, bytes], ...]
    agents: tuple[JsAgent, ...] = ()
    depart_spins: int = DEPART_SPINS

    def decode(self, record: bytes) -> tuple[tuple[cond.Observable, int], ...]:
        """A record's state, in the order ``weakwasm litmus`` prints it."""
        return tuple((s.observable, int.from_bytes(record[s.offset:s.offset + s.width],
                                                   "little")) for s in self.slots)


def _up(n: int, to: int) -> int:
    return -(-n // to) * to


# --- what the compiler refuses ----------------------------------------------------------------

_REFUSED = {
    "memory.grow": "memory.grow (every iteration's locations are a stride of one memory, so its "
                   "size is not the test's)",
    "memory.size": "memory.size (every iteration's locations are a stride of one memory, so its "
                   "size is not the test's)",
    "js.byteLength": "buffer.byteLength (every iteration's locations are a stride of one memory, "
                     "so its size is not the test's)",
    "memory.fill": "memory.fill (bulk memory is not relocated)",
    "memory.copy": "memory.copy (bulk memory is not relocated)",
    "call": "call (thread functions are compiled without their callees)",
}


def _index_arg(i: Instr) -> int:
    """The immediate of a constant or a local instruction."""
    a = i.args[0]
    assert isinstance(a, int)
    return a


def _walk(nodes: tuple[Node, ...]) -> list[Instr]:
    out: list[Instr] = []
    for n in nodes:
        if isinstance(n, Instr):
            out.append(n)
        elif isinstance(n, Block):
            out += _walk(n.body)
        else:
            out += _walk(n.then) + _walk(n.else_)
    return out


def _check_supported(func: Func, who: str) -> None:
    if func.type.params:
        raise Unsupported("param", f"{who}: parameters (a litmus thread takes none)")
    for i in _walk(func.body):
        if i.op in _REFUSED:
            raise Unsupported(i.op, f"{who}: {_REFUSED[i.op]}")
        m = mem_op(i.op)
        if m is not None and m.kind in ("wait", "notify"):
            raise Unsupported(i.op, f"{who}: {i.op} (a waiting thread would stall the "
                              "barrier)")


def _footprint(test: LitmusTest, funcs: tuple[Func, ...], views: int = 0) -> int:
    """An upper bound on the bytes an iteration touches: the largest i32 constant below the
    memory's size plus the largest offset plus 8, every data segment and observed location,
    and ``views``, the end of the JS threads' typed-array views. A Wasm access beyond it still
    traps (``unreachable``), and the host says so; a JS access stays inside its view."""
    size = test.program.memory.min * PAGE
    instrs = [i for f in funcs for i in _walk(f.body)]
    consts = [c for i in instrs if i.op == "i32.const" and (c := _index_arg(i)) < size]
    offsets = [a.offset for i in instrs for a in i.args if isinstance(a, MemArg)]
    ends = [max(consts, default=0) + max(offsets, default=0) + 8]
    ends += [a + len(bs) for a, bs in test.program.data]
    ends += [m.addr + m.width for m in test.memory_observables]
    return min(size, max(ends + [views]))


# --- relocating a body --------------------------------------------------------------------------


@attrs.frozen
class _Locals:
    """Indices of the wrapper function's locals: the batch size (param 0), then the test's
    locals shifted by ``shift``, then the harness's."""

    shift: int
    k: int
    base: int
    addr: int
    trap: int
    scratch: dict[ValType, tuple[int, int]]
    tmp64: int


def _zero(t: ValType) -> Instr:
    return Instr(f"{t.value}.const", (0,))


def _i32(v: int) -> Instr:
    return Instr("i32.const", (v & 0xFFFFFFFF,))


def _i64(v: int) -> Instr:
    return Instr("i64.const", (v & 0xFFFFFFFFFFFFFFFF,))


def _get(i: int) -> Instr:
    return Instr("local.get", (i,))


def _set(i: int) -> Instr:
    return Instr("local.set", (i,))


class _Relocator:
    def __init__(self, loc: _Locals, size: int, footprint: int) -> None:
        self.loc = loc
        self.size = size
        self.footprint = footprint

    def _trap(self, depth: int) -> tuple[Node, ...]:
        """Inside an ``if`` at ``depth`` labels below the body block: record the trap and
        leave the iteration (``br`` drops whatever the operand stack holds)."""
        return (_i32(1), _set(self.loc.trap), Instr("br", (depth + 2,)))

    def _checked(self, i: Instr, depth: int) -> list[Node]:
        m = MEM_OPS[i.op]
        arg = i.args[0] if i.args else MemArg()
        assert isinstance(arg, MemArg)
        width = m.width // 8
        a = self.loc.addr
        out: list[Node] = []
        operands = m.params[1:]
        held: list[int] = []
        for n, t in enumerate(reversed(operands)):
            idx = self.loc.scratch[t][n]
            out.append(_set(idx))
            held.insert(0, idx)
        out.append(_set(a))

        def beyond(limit: int) -> list[Node]:
            return [_get(a), Instr("i64.extend_i32_u"), _i64(arg.offset + width),
                    Instr("i64.add"), _i64(limit), Instr("i64.gt_u")]

        out += beyond(self.size) + [If((), self._trap(depth))]
        if m.atomic and width > 1:
            out += [_get(a), _i32(arg.offset % width), Instr("i32.add"), _i32(width - 1),
                    Instr("i32.and"), If((), self._trap(depth))]
        out += beyond(self.footprint) + [If((), (Instr("unreachable"),))]
        out += [_get(a), _get(self.loc.base), Instr("i32.add"), *(_get(h) for h in held), i]
        return out

    def body(self, nodes: tuple[Node, ...], depth: int = 0) -> tuple[Node, ...]:
        """``depth``: labels between these nodes and the body block (the function's label)."""
        out: list[Node] = []
        for n in nodes:
            if isinstance(n, Block):
                out.append(attrs.evolve(n, body=self.body(n.body, depth + 1)))
            elif isinstance(n, If):
                out.append(attrs.evolve(n, then=self.body(n.then, depth + 1),
                                        else_=self.body(n.else_, depth + 1)))
            elif n.op in ("local.get", "local.set", "local.tee"):
                out.append(Instr(n.op, (_index_arg(n) + self.loc.shift,)))
            elif n.op == "return":
                out.append(Instr("br", (depth,)))
            elif n.op == "unreachable":
                out += [_i32(1), _set(self.loc.trap), Instr("br", (depth + 1,))]
            elif n.op in MEM_OPS:
                out += self._checked(n, depth)
            else:
                out.append(n)
        return tuple(out)


# --- the module --------------------------------------------------------------------------------


def _local_index(func: Func, name: str) -> int:
    for i, n in enumerate(func.local_names):
        if n is not None and n.removeprefix("$") == name:
            return i
    return int(name)


_STORE = {1: "i32.store8", 2: "i32.store16", 4: "i32.store", 8: "i64.store"}
_ATOMIC_LOAD = {1: "i32.atomic.load8_u", 2: "i32.atomic.load16_u", 4: "i32.atomic.load",
                8: "i64.atomic.load"}
_PLAIN_LOAD = {1: "i32.load8_u", 2: "i32.load16_u", 4: "i32.load", 8: "i64.load"}


def _record_addr(loc: _Locals, layout_rec: int, record_size: int, offset: int) -> list[Node]:
    return [_get(loc.k), _i32(record_size), Instr("i32.mul"), _i32(layout_rec + offset),
            Instr("i32.add")]


def _barrier(loc: _Locals, threads: int, depart_spins: int) -> list[Node]:
    """Two phases. First a sense-reversing barrier: read the generation, count in; the last
    one resets the counter and bumps the generation; the others spin, then wait with a timeout
    (returning when the host raised the abort flag: a thread died). A woken waiter starts
    microseconds after the last arrival, so then every thread counts its departure and spins
    until all have departed: when all are running they leave that phase within a cache-line
    transfer of each other, which the futex wake-up alone would never give. Both phases wait
    after spinning a while: on a loaded machine a descheduled thread would otherwise cost the
    spinning ones whole time slices per iteration."""
    g = loc.addr
    n = loc.tmp64 + 1  # an i32 spare: spin count
    spin = (
        Block("block", (), (
            Block("loop", (), (
                _i32(GENERATION), Instr("i32.atomic.load"), _get(g), Instr("i32.ne"),
                Instr("br_if", (1,)),
                _get(n), _i32(1), Instr("i32.add"), Instr("local.tee", (n,)), _i32(SPINS),
                Instr("i32.lt_u"), Instr("br_if", (0,)),
                _i32(ABORT), Instr("i32.atomic.load"), If((), (Instr("return"),)),
                _i32(GENERATION), _get(g), _i64(WAIT_NS), Instr("memory.atomic.wait32"),
                Instr("drop"), _i32(0), _set(n), Instr("br", (0,)),
            )),
        )),
    )
    target: list[Node] = [_get(g), _i32(1), Instr("i32.add"), _i32(threads), Instr("i32.mul")]
    last_out = (_i32(DEPART), _i32(threads), Instr("memory.atomic.notify"), Instr("drop"))
    seen = loc.base  # an i32 spare until the table is read: the departures last seen
    wait_out = (Block("block", (), (Block("loop", (), (
        _i32(DEPART), Instr("i32.atomic.load"), Instr("local.tee", (seen,)), *target,
        Instr("i32.ge_u"), Instr("br_if", (1,)),
        _get(n), _i32(1), Instr("i32.add"), Instr("local.tee", (n,)), _i32(depart_spins),
        Instr("i32.lt_u"), Instr("br_if", (0,)),
        _i32(DEPART), _get(seen), _i64(WAIT_NS), Instr("memory.atomic.wait32"), Instr("drop"),
        _i32(0), _set(n), Instr("br", (0,)))),)),)
    depart: list[Node] = [
        _i32(0), _set(n),
        _i32(DEPART), _i32(1), Instr("i32.atomic.rmw.add"), _i32(1), Instr("i32.add"), *target,
        Instr("i32.eq"), If((), last_out, wait_out),
    ]
    return [
        _i32(GENERATION), Instr("i32.atomic.load"), _set(g), _i32(0), _set(n),
        _i32(COUNTER), _i32(1), Instr("i32.atomic.rmw.add"), _i32(threads - 1), Instr("i32.eq"),
        If((), (
            _i32(COUNTER), _i32(0), Instr("i32.atomic.store"),
            _i32(GENERATION), _i32(1), Instr("i32.atomic.rmw.add"), Instr("drop"),
            _i32(GENERATION), _i32(threads), Instr("memory.atomic.notify"), Instr("drop"),
        ), spin),
        *depart,
    ]


def _jitter(loc: _Locals, who: int) -> list[Node]:
    """The thread that arrives last at the barrier leaves it first, before the others have
    seen the generation change; an idle loop of a pseudo-random length (from the iteration
    and the thread) spreads the threads' start times so that their bodies overlap in some
    iterations, which is what a weak outcome needs."""
    n = loc.tmp64 + 1
    return [
        _get(loc.k), _i32(0x9E3779B1), Instr("i32.mul"), _i32(0x85EBCA77 * (who + 1)),
        Instr("i32.xor"), _i32(0xC2B2AE3D), Instr("i32.mul"), _i32(16), Instr("i32.shr_u"),
        _i32(JITTER), Instr("i32.and"), _set(n),
        Block("block", (), (Block("loop", (), (
            _get(n), Instr("i32.eqz"), Instr("br_if", (1,)),
            _get(n), _i32(1), Instr("i32.sub"), _set(n), Instr("br", (0,)))),)),
    ]


def _wrapper(func: Func | None, who: int, layout: Layout,
             slots: tuple[Slot, ...], barrier_threads: int | None, size: int,
             depart_spins: int) -> str:
    """The exported function running ``func``'s body K times (``func`` None: only the
    observer's memory loads)."""
    body_locals = (func.type.params + func.locals) if func is not None else ()
    shift = 1
    first = shift + len(body_locals)
    scratch = {t: (first + 4 + 2 * j, first + 5 + 2 * j) for j, t in enumerate(ValType)}
    loc = _Locals(shift=shift, k=first, base=first + 1, addr=first + 2, trap=first + 3,
                  scratch=scratch, tmp64=first + 4 + 2 * len(ValType))
    harness_locals = (I32, I32, I32, I32) + tuple(t for t in ValType for _ in (0, 1)) + (I64, I32)
    results = func.type.results if func is not None else ()
    result_local = None
    if results:
        result_local = first + len(harness_locals)
        harness_locals += (results[0],)
    it: list[Node] = []
    if barrier_threads is not None:
        it += _barrier(loc, barrier_threads, depart_spins)
    if barrier_threads is not None:
        it += _jitter(loc, who)
    it += [_get(loc.k), _i32(4), Instr("i32.mul"), Instr("i32.load", (MemArg(TABLE),)),
           _set(loc.base), _i32(0), _set(loc.trap)]
    it += [x for i, t in enumerate(body_locals) for x in (_zero(t), _set(i + shift))]
    if func is not None:
        rel = _Relocator(loc, size, layout.footprint).body(func.body)
        keep: list[Node] = [Instr("drop")] * (len(results) - 1)
        keep += [_set(result_local)] if result_local is not None else []
        it.append(Block("block", (), (Block("block", results, rel), *keep)))
    for s in slots:
        o = s.observable
        if isinstance(o, cond.Mem) and barrier_threads is None:
            op = _ATOMIC_LOAD[o.width] if o.addr % o.width == 0 else _PLAIN_LOAD[o.width]
            it += _record_addr(loc, layout.rec, layout.record_size, s.offset)
            it += [_get(loc.base), Instr(op, (MemArg(o.addr),)), Instr(_STORE[8 if o.width == 8
                                                                             else 4])]
            continue
        if isinstance(o, cond.Mem) or o.thread != who:
            continue
        it += _record_addr(loc, layout.rec, layout.record_size, s.offset)
        if isinstance(o, cond.Trap):
            it += [_get(loc.trap), Instr("i32.store")]
            continue
        assert func is not None
        if o.name == "result" and result_local is not None:
            idx, t = result_local, results[0]
        else:
            i = _local_index(func, o.name)
            idx, t = i + shift, body_locals[i]
        get: list[Node] = [_get(idx)]
        if t is ValType.F32:
            get.append(Instr("i32.reinterpret_f32"))
        if t is ValType.F64:
            get.append(Instr("i64.reinterpret_f64"))
        it += get + [Instr("i64.store" if t.bits == 64 else "i32.store")]
    it += [_get(loc.k), _i32(1), Instr("i32.add"), _set(loc.k), Instr("br", (0,))]
    loop = Block("block", (), (Block("loop", (), (
        _get(loc.k), _get(0), Instr("i32.ge_u"), Instr("br_if", (1,)), *it)),))
    wrapper = Func(FuncType((I32,), ()), body_locals + harness_locals, (loop,))
    text = print_body(wrapper, folded=False)
    name = "observe" if barrier_threads is None else f"t{who}"
    inner = "\n".join("    " + ln for ln in text.splitlines())
    return f'  (func (export "{name}") (param i32)\n{inner}\n  )'


def _slots(test: LitmusTest) -> tuple[Slot, ...]:
    out = []
    for n, o in enumerate(test.observables):
        width = o.width if isinstance(o, cond.Mem) else 4
        if isinstance(o, cond.Reg):
            func = test.program.funcs[_func_index(test, o.thread)]
            if o.name == "result":
                width = func.type.results[0].bits // 8 if func.type.results else 4
            else:
                i = _local_index(func, o.name)
                width = (func.type.params + func.locals)[i].bits // 8
        out.append(Slot(o, 8 * n, width))
    return tuple(out)


def _func_index(test: LitmusTest, thread: int) -> int:
    threads = test.program.threads
    if thread < len(threads):
        return threads[thread]
    assert test.observer is not None and thread == len(threads)
    return test.observer


def compile_test(test: LitmusTest, batch: int, cores: int | None = None) -> Compiled:
    """The module running ``test`` in batches of ``batch`` iterations on a machine with
    ``cores`` cores (default: this one's), and its JS threads as agents. Raises
    ``Unsupported`` naming the construct for a test it cannot run."""
    p = test.program
    n = len(p.threads)
    funcs = tuple(p.funcs[i] for i in p.threads)
    js = test.js_threads
    observer = p.funcs[test.observer] if test.observer is not None else None
    for i, f in enumerate(funcs):
        _check_supported(f, f"thread {i}")
    if observer is not None:
        _check_supported(observer, "the final observer")
    for o in test.observables:
        if isinstance(o, cond.Blocked):
            raise Unsupported("blocked", f"{o} (a thread that spins forever would stall the "
                              "barrier)")
    slots = _slots(test)
    agents = tuple(js_agent(test, i, tuple((s.observable, s.offset) for s in slots))
                   for i in js)
    footprint = _footprint(test, funcs + ((observer,) if observer else ()),
                           max((a.extent for a in agents), default=0))
    stride = _up(max(footprint, 1), LINE)
    record_size = _up(max(8 * len(slots), 8), 8)
    loc0 = _up(TABLE + 4 * batch, LINE)
    rec = _up(loc0 + batch * stride, LINE)
    pages = max(1, _up(rec + batch * record_size, PAGE) // PAGE)
    if pages > 65536:
        raise Unsupported("memory", f"a footprint of {footprint} bytes: {batch} iterations do "
                          "not fit in 4 GiB")
    layout = Layout(batch, footprint, stride, loc0, rec, record_size, pages)
    size = p.memory.min * PAGE
    parts = [f'(module\n  (memory (import "weakwasm" "mem") {pages} {pages} shared)']
    crowded = n > (cores or os.cpu_count() or 1)
    spins = DEPART_SPINS_CROWDED if crowded else DEPART_SPINS
    parts += [_wrapper(f, i, layout, slots, n, size, spins) for i, f in enumerate(funcs)
              if i not in js]
    parts.append(_wrapper(observer, n, layout, slots, None, size, spins))
    wat = "\n".join(parts) + "\n)\n"
    init = tuple((a, bytes(bs)) for a, bs in p.data if a < footprint)
    return Compiled(test, wat, n, layout, slots, init, agents, spins)


# --- which stride each iteration gets ---------------------------------------------------------


def _mulberry32(state: int) -> tuple[int, int]:
    """One step of mulberry32 (harness.mjs has the same lines): (next state, 32-bit output)."""
    state = (state + 0x6D2B79F5) & 0xFFFFFFFF
    z = state
    z = ((z ^ (z >> 15)) * (z | 1)) & 0xFFFFFFFF
    z ^= (z + (((z ^ (z >> 7)) * (z | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
    return state, (z ^ (z >> 14)) & 0xFFFFFFFF


def stride_order(seed: int, batch_no: int, k: int) -> list[int]:
    """The stride each of a batch's ``k`` iterations works on: a Fisher-Yates shuffle seeded by
    (seed, batch number), so that neighbouring iterations do not always sit on neighbouring
    lines; the same seed gives the same placement on every engine and every run."""
    order = list(range(k))
    state = (seed * 0x9E3779B1 + batch_no) & 0xFFFFFFFF
    for i in range(k - 1, 0, -1):
        state, r = _mulberry32(state)
        j = r % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order
