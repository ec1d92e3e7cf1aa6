"""Runtime structure of [T] runtime.rst: values, store, administrative instructions, threads,
configurations; instantiation; and the typing of runtime objects ([T] appendix/properties.rst).

Conventions, declared once:

- a ``Value`` standing in code is the instruction ``t.const c``; code is a tuple of syntax nodes,
  values and the administrative instructions ``Trap``, ``Label``, ``Frame``, ``HostCall``,
  ``WaitX``;
- a ``Thread`` is [T]'s ``F; instr*``: ``locals`` are its outermost frame (kept after a trap so
  that litmus observables can read them), ``code`` the instructions in that frame;
- a ``Config`` is ``S; P*`` with each thread's time stamp (``times``) and its number of events
  so far (``counts``); stamps are ints drawn from ``clock``; stamp 0 is the allocation's;
- shared memories are ``MemInst(type, None)``: their contents live in events; unshared ones keep
  ``data`` (bytes) and are accessed without actions, as in [T];
- host functions run a fixed script of [T]'s legal host effects, one effect per step.

``Crash`` is a bug in the metatheory or a stuck, ill-typed term (never a Wasm trap);
``IllTyped`` is raised by the runtime typing judgements.
"""

from __future__ import annotations

from typing import Union

import attrs

from semantics import validation
from semantics.events import DATA, LEN, PAGE, Action, Ord, Region, fill, wr
from semantics.syntax import (
    CONST_OPS,
    I32,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemType,
    Node,
    Program,
    ValType,
)

MAX_PAGES = validation.MAX_PAGES


class Crash(Exception):
    """Reduction met a term no rule applies to: the term is ill-typed or the semantics is wrong."""


class IllTyped(ValueError):
    """A runtime object (store, thread, configuration) does not type-check."""


@attrs.frozen
class Value:
    type: ValType
    bits: int

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.bits < (1 << self.type.bits):
            raise ValueError(f"{self.bits} is not a {self.type.value} bit pattern")

    def __repr__(self) -> str:
        return f"{self.type.value}.const {self.bits}"


def default_value(t: ValType) -> Value:
    return Value(t, 0)


def const_value(node: object) -> Value | None:
    """The value of a ``Value`` or of a ``t.const`` instruction, else None."""
    if isinstance(node, Value):
        return node
    if isinstance(node, Instr) and node.op in CONST_OPS:
        arg = node.args[0] if node.args else None
        if not isinstance(arg, int):
            raise Crash(f"{node!r}: a constant needs an integer immediate")
        return Value(CONST_OPS[node.op], arg)
    return None


# --- host functions: [T]'s legal host effects ------------------------------------------------


@attrs.frozen
class HostReturn:
    values: tuple[Value, ...] = ()


@attrs.frozen
class HostTrap:
    pass


@attrs.frozen
class HostSpawn:
    """Start a thread running function ``func`` (a Wasm function of the store) on ``args``."""

    func: int
    args: tuple[Value, ...] = ()


@attrs.frozen
class HostLoad:
    """A host read of ``width`` bytes of memory 0 (bounds-checked like an atomic load)."""

    offset: int
    width: int
    ord: Ord = Ord.SEQCST


@attrs.frozen
class HostStore:
    offset: int
    data: tuple[int, ...]
    ord: Ord = Ord.SEQCST


@attrs.frozen
class HostAllocMem:
    """Extend the store with a new memory (shared ones are allocated with INIT actions)."""

    type: MemType


HostEffect = Union[HostReturn, HostTrap, HostSpawn, HostLoad, HostStore, HostAllocMem]


@attrs.frozen
class HostFunc:
    type: FuncType
    effects: tuple[HostEffect, ...] = ()
    name: str | None = None


@attrs.frozen
class WasmFunc:
    type: FuncType
    func: Func


FuncInst = Union[WasmFunc, HostFunc]


@attrs.frozen
class MemInst:
    type: MemType
    data: bytes | None = None  # None for a shared memory


@attrs.frozen(cache_hash=True)
class Store:
    mems: tuple[MemInst, ...]
    funcs: tuple[FuncInst, ...]


# --- administrative instructions ---------------------------------------------------------------


@attrs.frozen
class Trap:
    def __repr__(self) -> str:
        return "trap"


@attrs.frozen
class Label:
    """``label_n{cont} body end``; ``types`` are what a branch to it carries (n = len(types)),
    ``results`` what it leaves when its body ends."""

    types: tuple[ValType, ...]
    results: tuple[ValType, ...]
    cont: tuple[Node, ...]
    body: tuple[Code, ...]


@attrs.frozen
class Frame:
    """``frame_n{F} body end`` for a call: the callee's locals and result types."""

    locals: tuple[Value, ...]
    results: tuple[ValType, ...]
    body: tuple[Code, ...]


@attrs.frozen
class HostCall:
    """[T] ``host [t*]``: host function ``func`` about to perform ``effects[pc]``."""

    func: int
    pc: int = 0


@attrs.frozen
class WaitX:
    """[T] ``waitx loc n``: suspended on ``region[offset]`` with signed timeout ``timeout``."""

    region: Region
    offset: int
    timeout: int


Code = Union[Node, Value, Trap, Label, Frame, HostCall, WaitX]


@attrs.frozen(cache_hash=True)
class Thread:
    locals: tuple[Value, ...]
    results: tuple[ValType, ...]
    code: tuple[Code, ...]


@attrs.frozen(cache_hash=True)
class Config:
    store: Store
    threads: tuple[Thread, ...]
    times: tuple[int, ...]
    counts: tuple[int, ...]
    clock: int


ALLOC_TIME = 0


# --- instantiation ------------------------------------------------------------------------------


Segments = tuple[tuple[int, tuple[int, ...]], ...]


def _data_patches(memtype: MemType, data: Segments) -> dict[int, int]:
    size = memtype.min * PAGE
    patches: dict[int, int] = {}
    for addr, segment in data:
        if addr < 0 or addr + len(segment) > size:
            raise ValueError(f"data segment at {addr} of {len(segment)} bytes does not fit in "
                             f"{memtype.min} page(s) ({size} bytes)")
        for i, b in enumerate(segment):
            if not 0 <= b < 256:
                raise ValueError(f"data segment at {addr}: {b} is not a byte")
            patches[addr + i] = b
    return patches


def allocation_actions(memtype: MemType, data: Segments = (), addr: int = 0) -> tuple[Action, ...]:
    """[T] modules.rst allocation of a shared memory: ``(wr.sc len n*64Ki)`` and the INIT write of
    its ``n*64Ki`` bytes (erratum E6: [T] prints ``n*64``), data segments included."""
    n = memtype.min * PAGE
    return (wr(Region(addr, LEN), 0, (n,), Ord.SEQCST),
            wr(Region(addr, DATA), 0, fill(n, _data_patches(memtype, data)), Ord.INIT))


def alloc_mem(memtype: MemType, data: Segments = ()) -> MemInst:
    if memtype.shared:
        _data_patches(memtype, data)
        return MemInst(memtype, None)
    buf = bytearray(memtype.min * PAGE)
    for i, b in _data_patches(memtype, data).items():
        buf[i] = b
    return MemInst(memtype, bytes(buf))


def start_func(func: Func, args: tuple[Value, ...] = ()) -> Thread:
    """A thread whose outermost frame runs ``func`` on ``args`` ([T] invoke, already entered)."""
    if tuple(v.type for v in args) != func.type.params:
        raise ValueError(f"function {func.name or ''} expects arguments "
                         f"{list(func.type.params)}, got {list(args)}")
    res = func.type.results
    return Thread(args + tuple(default_value(t) for t in func.locals), res,
                  (Label(res, res, (), func.body),))


def thread_start(program: Program, func_index: int, args: tuple[Value, ...] = ()) -> Thread:
    if not 0 <= func_index < len(program.funcs):
        raise ValueError(f"no function {func_index} (the program has {len(program.funcs)})")
    return start_func(program.funcs[func_index], args)


def instantiate(program: Program, hosts: tuple[HostFunc, ...] = ()) -> Config:
    """The configuration after instantiation: the program's threads ready to run, each at its
    own start stamp (1, 2, ...); the allocation event is ``allocation_actions`` at stamp 0."""
    funcs: tuple[FuncInst, ...] = tuple(WasmFunc(f.type, f) for f in program.funcs) + hosts
    store = Store((alloc_mem(program.memory, program.data),), funcs)
    threads = tuple(thread_start(program, i) for i in program.threads)
    k = len(threads)
    return Config(store, threads, tuple(range(1, k + 1)), (0,) * k, k)


# --- thread observation ------------------------------------------------------------------------


def thread_locals(thread: Thread) -> tuple[Value, ...]:
    return thread.locals


def redex(code: tuple[Code, ...]) -> Code | None:
    """The innermost instruction that reduces next (descending into labels and frames)."""
    for c in code:
        if const_value(c) is not None:
            continue
        if isinstance(c, (Label, Frame)) and any(const_value(b) is None for b in c.body):
            return redex(c.body)
        return c
    return None


def thread_status(thread: Thread) -> str:
    """``done`` (only values left), ``trapped``, ``blocked`` (suspended in ``waitx``) or
    ``running``."""
    if all(const_value(c) is not None for c in thread.code):
        return "done"
    if thread.code == (Trap(),):
        return "trapped"
    if isinstance(redex(thread.code), WaitX):
        return "blocked"
    return "running"


def thread_results(thread: Thread) -> tuple[Value, ...]:
    """The values a finished thread returned; () if it has not finished."""
    if thread_status(thread) != "done":
        return ()
    return tuple(v for v in (const_value(c) for c in thread.code) if v is not None)


# --- typing of runtime objects ([T] appendix/properties.rst) -----------------------------------


@attrs.frozen
class _Ctx:
    store: Store
    plain: validation.Context  # what plain instructions may refer to


def _context(store: Store, local_types: tuple[ValType, ...],
             labels: tuple[tuple[ValType, ...], ...], ret: tuple[ValType, ...] | None) -> _Ctx:
    mem = store.mems[0].type if store.mems else None
    return _Ctx(store, validation.Context(local_types, labels, ret,
                                          tuple(f.type for f in store.funcs), mem))


def _code_ok(ctx: _Ctx, state: validation.Typing, node: Code) -> validation.Typing:
    """One instruction of a runtime sequence: plain ones by ``validation.instr_ok``, values and
    administrative instructions by the rules of [T] appendix/properties.rst."""
    if isinstance(node, (Instr, Block, If)):
        try:
            return validation.instr_ok(node, ctx.plain, state)
        except validation.ValidationError as e:
            raise IllTyped(f"{node!r}: {e}") from None
    if isinstance(node, Value):
        return state.push((node.type,))
    if isinstance(node, Trap):
        return state.unreachable()
    if isinstance(node, Label):
        inner = attrs.evolve(ctx, plain=attrs.evolve(
            ctx.plain, labels=(node.types,) + ctx.plain.labels))
        check_seq(inner, node.body, (), node.results)
        check_seq(ctx, node.cont, node.types, node.results)
        return state.push(node.results)
    if isinstance(node, Frame):
        inner = _context(ctx.store, tuple(v.type for v in node.locals), (), node.results)
        check_seq(inner, node.body, (), node.results)
        return state.push(node.results)
    if isinstance(node, HostCall):
        f = ctx.store.funcs[node.func] if 0 <= node.func < len(ctx.store.funcs) else None
        # A host call past its last effect can only be typed if it returns nothing: one with
        # results would be stuck there (progress found it).
        ends = len(f.effects) if isinstance(f, HostFunc) and not f.type.results else None
        if not isinstance(f, HostFunc) or not (0 <= node.pc < len(f.effects)
                                               or node.pc == ends):
            raise IllTyped(f"{node!r}: not a host function at a valid effect")
        return state.push(f.type.results)
    if isinstance(node, WaitX):
        mems = ctx.store.mems
        ok = (0 <= node.region.addr < len(mems) and mems[node.region.addr].type.shared
              and node.region.fld == DATA)
        if not ok:
            raise IllTyped(f"{node!r}: waitx needs the data of a shared memory")
        return state.push((I32,))  # [T] prints [] -> [], but waitx reduces to an i32
    raise IllTyped(f"{node!r} is not an instruction")


def check_seq(ctx: _Ctx, code: tuple[Code, ...], start: tuple[ValType, ...],
              out: tuple[ValType, ...]) -> None:
    """``C ⊢ code : [start] → [out]`` (raises IllTyped)."""
    state = validation.Typing(start, (validation.Frame(out, out, 0),))
    for node in code:
        state = _code_ok(ctx, state, node)
    try:
        validation.seq_ok((), ctx.plain, state, end="end")
    except validation.ValidationError as e:
        raise IllTyped(str(e)) from None


def mem_ok(mem: MemInst) -> None:
    t = mem.type
    try:
        validation.memtype_ok(t)
    except validation.ValidationError as e:
        raise IllTyped(str(e)) from None
    if t.shared and mem.data is not None:
        raise IllTyped("a shared memory keeps its contents in events, not in the store")
    if not t.shared and (mem.data is None or len(mem.data) != t.min * PAGE):
        raise IllTyped(f"an unshared memory of {t.min} page(s) needs {t.min * PAGE} bytes")


def host_ok(store: Store, f: HostFunc) -> None:
    results = f.type.results
    for i, eff in enumerate(f.effects):
        last = i == len(f.effects) - 1
        if isinstance(eff, (HostReturn, HostTrap)) and not last:
            raise IllTyped(f"host effect {i} ({eff!r}) ends the call but is not the last")
        if isinstance(eff, HostReturn) and tuple(v.type for v in eff.values) != results:
            raise IllTyped(f"host function returns {list(eff.values)}, its type says "
                           f"{list(results)}")
        if isinstance(eff, HostSpawn):
            if not 0 <= eff.func < len(store.funcs) or not isinstance(store.funcs[eff.func],
                                                                      WasmFunc):
                raise IllTyped(f"{eff!r}: no Wasm function {eff.func} to spawn")
            if store.funcs[eff.func].type.params != tuple(v.type for v in eff.args):
                raise IllTyped(f"{eff!r}: arguments do not match the function's parameters")
        if isinstance(eff, (HostLoad, HostStore)):
            width = eff.width if isinstance(eff, HostLoad) else len(eff.data)
            if not store.mems or width not in (1, 2, 4, 8) or eff.offset < 0:
                raise IllTyped(f"{eff!r}: needs memory 0 and a width of 1, 2, 4 or 8 bytes")
            if isinstance(eff, HostStore) and not all(0 <= b < 256 for b in eff.data):
                raise IllTyped(f"{eff!r}: data must be bytes")
        if isinstance(eff, HostAllocMem):
            mem_ok(alloc_mem(eff.type))
    ends = bool(f.effects) and isinstance(f.effects[-1], (HostReturn, HostTrap))
    if not ends and results:
        raise IllTyped(f"host function must return {list(results)} but its script ends first")


def func_inst_ok(store: Store, f: FuncInst) -> None:
    if isinstance(f, HostFunc):
        host_ok(store, f)
        return
    if f.type != f.func.type:
        raise IllTyped(f"function instance type {f.type} differs from its code's type")
    res = f.type.results
    check_seq(_context(store, f.type.params + f.func.locals, (res,), res), f.func.body, (), res)


def store_ok(store: Store) -> None:
    """``⊢ S ok`` (raises IllTyped naming the offending instance)."""
    for i, m in enumerate(store.mems):
        try:
            mem_ok(m)
        except IllTyped as e:
            raise IllTyped(f"memory {i}: {e}") from None
    for i, f in enumerate(store.funcs):
        try:
            func_inst_ok(store, f)
        except IllTyped as e:
            raise IllTyped(f"function {i}: {e}") from None


def thread_ok(store: Store, thread: Thread) -> tuple[ValType, ...]:
    """``S ⊢ thread : [t*]``: the thread's code in its outermost frame yields ``results``."""
    ctx = _context(store, tuple(v.type for v in thread.locals), (), thread.results)
    check_seq(ctx, thread.code, (), thread.results)
    return thread.results


def config_ok(config: Config) -> tuple[tuple[ValType, ...], ...]:
    """``⊢ S; P* : [t*]*``: the result types of the threads (raises IllTyped)."""
    store_ok(config.store)
    n = len(config.threads)
    if len(config.times) != n or len(config.counts) != n:
        raise IllTyped("every thread needs a time stamp and an event count")
    out = []
    for i, th in enumerate(config.threads):
        try:
            out.append(thread_ok(config.store, th))
        except IllTyped as e:
            raise IllTyped(f"thread {i}: {e}") from None
    return tuple(out)


def _mem_extends(m1: MemInst, m2: MemInst) -> bool:
    t1, t2 = m1.type, m2.type
    if t1.shared != t2.shared or t1.max != t2.max:
        return False
    if t1.shared:
        return t1 == t2
    return t1.min <= t2.min and m1.data is not None and m2.data is not None \
        and len(m1.data) <= len(m2.data)


def extend_store(s1: Store, s2: Store) -> bool:
    """``S ⊑ S'``: instances are only added; functions unchanged; memories keep their type
    (unshared ones may grow)."""
    if len(s2.funcs) < len(s1.funcs) or len(s2.mems) < len(s1.mems):
        return False
    if s2.funcs[:len(s1.funcs)] != s1.funcs:
        return False
    return all(_mem_extends(a, b) for a, b in zip(s1.mems, s2.mems, strict=False))

