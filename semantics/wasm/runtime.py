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

from semantics.memory.events import DATA, LEN, PAGE, Action, Ord, Region, fill, wr
from semantics.wasm import validation
from semantics.wasm.syntax import (
    CONST_OPS,
    Func,
    FuncType,
    Instr,
    MemType,
    Node,
    Program,
    ValType,
)
from semantics.wasm.terms import Term

MAX_PAGES = validation.MAX_PAGES


class Crash(Exception):
    """Reduction met a term no rule applies to: the term is ill-typed or the semantics is wrong."""


class IllTyped(ValueError):
    """A runtime object (store, thread, configuration) does not type-check."""


@attrs.frozen
class Value:
    type: ValType
    bits: int | Term  # a term: a value the litmus engine has not chosen (``terms``)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.bits, Term):
            if self.bits.bits != self.type.bits:
                raise ValueError(f"{self.bits!r} is not a {self.type.value} term")
        elif not 0 <= self.bits < (1 << self.type.bits):
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


def is_const(node: object) -> bool:
    """``const_value(node) is not None``, without building the value: the reduction asks
    it of every instruction before the redex at every step."""
    if isinstance(node, Value):
        return True
    if isinstance(node, Instr) and node.op in CONST_OPS:
        if not node.args or not isinstance(node.args[0], int):
            const_value(node)  # its Crash
        return True
    return False


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
        if is_const(c):
            continue
        if isinstance(c, (Label, Frame)) and not all(map(is_const, c.body)):
            return redex(c.body)
        return c
    return None


def thread_status(thread: Thread) -> str:
    """``done`` (only values left), ``trapped``, ``blocked`` (suspended in ``waitx``) or
    ``running``."""
    if all(map(is_const, thread.code)):
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
