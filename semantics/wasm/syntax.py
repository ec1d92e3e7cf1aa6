"""Abstract syntax of the Wasm threads fragment.

Conventions, declared once (as in the reference interpreter's ast.ml):

- an instruction is ``Instr(op, args)`` where ``op`` is its WAT keyword
  (``"i32.atomic.rmw8.add_u"``) and ``args`` its immediates: a constant's value (an unsigned
  int of the type's width; floats as their bit pattern), a local, label or function index, or
  a ``MemArg``;
- structured control is ``Block`` (``block``/``loop``) and ``If``; their bodies are tuples;
- the catalogues ``NUM_OPS`` and ``MEM_OPS`` say, per keyword, what validation and reduction need,
  so that both read one table.
"""

from __future__ import annotations

import enum
from typing import Union

import attrs


class ValType(enum.Enum):
    I32 = "i32"
    I64 = "i64"
    F32 = "f32"
    F64 = "f64"

    @property
    def bits(self) -> int:
        return 32 if self in (ValType.I32, ValType.F32) else 64

    @property
    def is_int(self) -> bool:
        return self in (ValType.I32, ValType.I64)

    def __repr__(self) -> str:
        return self.value


I32, I64, F32, F64 = ValType.I32, ValType.I64, ValType.F32, ValType.F64
VALTYPES = {t.value: t for t in ValType}


@attrs.frozen
class MemArg:
    offset: int = 0
    align: int | None = None  # log2 of the alignment in bytes; None = natural


@attrs.frozen
class Instr:
    op: str
    args: tuple[int | MemArg, ...] = ()

    def __repr__(self) -> str:
        return " ".join([self.op, *(repr(a) for a in self.args)])


@attrs.frozen
class Block:
    """``block`` or ``loop`` (``kind``) with result types ``results``."""

    kind: str
    results: tuple[ValType, ...]
    body: tuple[Node, ...]
    label: str | None = None


@attrs.frozen
class If:
    results: tuple[ValType, ...]
    then: tuple[Node, ...]
    else_: tuple[Node, ...] = ()
    label: str | None = None


Node = Union[Instr, Block, If]


@attrs.frozen
class FuncType:
    params: tuple[ValType, ...] = ()
    results: tuple[ValType, ...] = ()


@attrs.frozen
class Func:
    type: FuncType
    locals: tuple[ValType, ...]
    body: tuple[Node, ...]
    # names of params then locals, ``None`` where unnamed (kept so that printing round-trips)
    local_names: tuple[str | None, ...] = ()
    name: str | None = None


@attrs.frozen
class MemType:
    min: int = 1
    max: int | None = 1
    shared: bool = True


@attrs.frozen
class Program:
    """One memory, functions, and the threads (function indices) that run at start.

    ``data`` gives the memory's initial contents as (address, bytes); they are part of the
    allocation's INIT write.
    """

    memory: MemType
    funcs: tuple[Func, ...]
    threads: tuple[int, ...]
    data: tuple[tuple[int, tuple[int, ...]], ...] = ()


# --- catalogues ----------------------------------------------------------------------------


@attrs.frozen
class NumOp:
    params: tuple[ValType, ...]
    results: tuple[ValType, ...]


def _num_ops() -> dict[str, NumOp]:
    ops: dict[str, NumOp] = {}
    for t in (I32, I64):
        for b in ("add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s"):
            ops[f"{t.value}.{b}"] = NumOp((t, t), (t,))
        for r in ("eq", "ne", "lt_u", "lt_s", "gt_u", "gt_s", "le_u", "le_s", "ge_u", "ge_s"):
            ops[f"{t.value}.{r}"] = NumOp((t, t), (I32,))
        ops[f"{t.value}.eqz"] = NumOp((t,), (I32,))
    ops["i32.wrap_i64"] = NumOp((I64,), (I32,))
    ops["i64.extend_i32_u"] = NumOp((I32,), (I64,))
    ops["i64.extend_i32_s"] = NumOp((I32,), (I64,))
    ops["i32.reinterpret_f32"] = NumOp((F32,), (I32,))
    ops["i64.reinterpret_f64"] = NumOp((F64,), (I64,))
    ops["f32.reinterpret_i32"] = NumOp((I32,), (F32,))
    ops["f64.reinterpret_i64"] = NumOp((I64,), (F64,))
    return ops


NUM_OPS: dict[str, NumOp] = _num_ops()

CONST_OPS = {f"{t.value}.const": t for t in ValType}


@attrs.frozen
class MemOp:
    """A memory access instruction.

    ``kind`` is load, store, rmw, cmpxchg, wait or notify; ``width`` the access width in bits;
    ``sign`` is ``"s"``/``"u"`` for narrow loads (``None`` otherwise); ``rmw`` the operator of an
    ``rmw`` (add sub and or xor xchg). ``lang`` is ``"js"`` for the typed-array and ``Atomics``
    accesses of a JS thread (``JS_MEM_OPS``, docs/js.md); ``notears`` is then the event's
    tear-free flag, fixed by ECMA-262 per element type and order, where Wasm's is [T]
    ``tearing`` of the address (``None``).
    """

    type: ValType
    width: int
    kind: str
    atomic: bool
    sign: str | None = None
    rmw: str | None = None
    lang: str = "wasm"
    notears: bool | None = None

    @property
    def natural_align(self) -> int:
        return (self.width // 8).bit_length() - 1

    @property
    def params(self) -> tuple[ValType, ...]:
        t = self.type
        return {"load": (I32,), "store": (I32, t), "rmw": (I32, t), "cmpxchg": (I32, t, t),
                "wait": (I32, t, I64), "notify": (I32, I32), "length": ()}[self.kind]

    @property
    def results(self) -> tuple[ValType, ...]:
        return {"load": (self.type,), "store": (), "rmw": (self.type,),
                "cmpxchg": (self.type,), "wait": (I32,), "notify": (I32,),
                "length": (self.type,)}[self.kind]


RMW_OPS = ("add", "sub", "and", "or", "xor", "xchg")


def _mem_ops() -> dict[str, MemOp]:
    ops: dict[str, MemOp] = {}
    for t in ValType:
        ops[f"{t.value}.load"] = MemOp(t, t.bits, "load", False)
        ops[f"{t.value}.store"] = MemOp(t, t.bits, "store", False)
    for t in (I32, I64):
        narrow = (8, 16) if t is I32 else (8, 16, 32)
        for w in narrow:
            for s in ("s", "u"):
                ops[f"{t.value}.load{w}_{s}"] = MemOp(t, w, "load", False, s)
            ops[f"{t.value}.store{w}"] = MemOp(t, w, "store", False)
            ops[f"{t.value}.atomic.load{w}_u"] = MemOp(t, w, "load", True, "u")
            ops[f"{t.value}.atomic.store{w}"] = MemOp(t, w, "store", True)
            for r in RMW_OPS:
                ops[f"{t.value}.atomic.rmw{w}.{r}_u"] = MemOp(t, w, "rmw", True, "u", r)
            ops[f"{t.value}.atomic.rmw{w}.cmpxchg_u"] = MemOp(t, w, "cmpxchg", True, "u")
        ops[f"{t.value}.atomic.load"] = MemOp(t, t.bits, "load", True)
        ops[f"{t.value}.atomic.store"] = MemOp(t, t.bits, "store", True)
        for r in RMW_OPS:
            ops[f"{t.value}.atomic.rmw.{r}"] = MemOp(t, t.bits, "rmw", True, None, r)
        ops[f"{t.value}.atomic.rmw.cmpxchg"] = MemOp(t, t.bits, "cmpxchg", True)
    ops["memory.atomic.wait32"] = MemOp(I32, 32, "wait", True)
    ops["memory.atomic.wait64"] = MemOp(I64, 64, "wait", True)
    ops["memory.atomic.notify"] = MemOp(I32, 32, "notify", True)
    return ops


MEM_OPS: dict[str, MemOp] = _mem_ops()

# ECMA-262 TypedArray element types: (element type, local type, width in bits, sign); a JS
# Number is held as an i64 (an integer; docs/js.md), a BigInt as its 64 bits
JS_ELEMENT_TYPES: dict[str, tuple[ValType, int, str | None]] = {
    "Int8": (I64, 8, "s"), "Uint8": (I64, 8, "u"), "Int16": (I64, 16, "s"),
    "Uint16": (I64, 16, "u"), "Int32": (I64, 32, "s"), "Uint32": (I64, 32, "u"),
    "BigInt64": (I64, 64, "s"), "BigUint64": (I64, 64, "u"),
    "Float32": (F32, 32, None), "Float64": (F64, 64, None)}
JS_ATOMIC_OPS = ("add", "sub", "and", "or", "xor", "exchange")


def js_no_tear(element: str, atomic: bool) -> bool:
    """ECMA-262 IsNoTearConfiguration(type, order) (ES2020 and later): unclamped integer
    element types always; BigInt element types unless the order is Unordered; floats never."""
    if element in ("Int8", "Uint8", "Int16", "Uint16", "Int32", "Uint32"):
        return True
    return element.startswith("Big") and atomic


def _js_mem_ops() -> dict[str, MemOp]:
    """``js.E.load``/``store`` (an element get or set), ``js.E.atomic.load``/``store``,
    ``js.E.atomic.OP`` and ``js.E.atomic.compareExchange``: the address operand is the byte
    address, which the JS thread's code computed and checked against its view."""
    ops: dict[str, MemOp] = {}
    for e, (t, w, sign) in JS_ELEMENT_TYPES.items():
        def op(kind: str, atomic: bool, rmw: str | None = None, e: str = e, t: ValType = t,
               w: int = w, sign: str | None = sign) -> MemOp:
            return MemOp(t, w, kind, atomic, sign, rmw, "js", js_no_tear(e, atomic))

        ops[f"js.{e}.load"] = op("load", False)
        ops[f"js.{e}.store"] = op("store", False)
        if t is F32 or t is F64:  # Atomics on a float view is a TypeError
            continue
        ops[f"js.{e}.atomic.load"] = op("load", True)
        ops[f"js.{e}.atomic.store"] = op("store", True)
        for r in JS_ATOMIC_OPS:
            ops[f"js.{e}.atomic.{r}"] = op("rmw", True, "xchg" if r == "exchange" else r)
        ops[f"js.{e}.atomic.compareExchange"] = op("cmpxchg", True)
        if e in ("Int32", "BigInt64"):  # ValidateIntegerTypedArray(ta, waitable = true)
            ops[f"js.{e}.atomic.wait"] = op("wait", True)
            ops[f"js.{e}.atomic.notify"] = op("notify", True)
    # ArrayBufferByteLength(buffer, order) of the growable buffer (docs/js.md#growth): a read of
    # the memory's length, SeqCst for buffer.byteLength, Unordered for a length-tracking view's
    # bounds check (IsValidIntegerIndex, ValidateIntegerTypedArray)
    ops["js.byteLength"] = MemOp(I64, 64, "length", True, lang="js", notears=True)
    ops["js.byteLength.unordered"] = MemOp(I64, 64, "length", False, lang="js", notears=True)
    return ops


JS_MEM_OPS: dict[str, MemOp] = _js_mem_ops()


def mem_op(op: str) -> MemOp | None:
    """The catalogue entry of a memory access, Wasm's or a JS thread's."""
    return MEM_OPS.get(op) or JS_MEM_OPS.get(op)

# Other plain instructions and their immediates (validation gives their types).
CONTROL_OPS = frozenset({"nop", "unreachable", "drop", "select", "br", "br_if", "return", "call"})
VARIABLE_OPS = frozenset({"local.get", "local.set", "local.tee"})
MEMORY_OPS = frozenset({"memory.size", "memory.grow", "memory.fill", "memory.copy",
                        "atomic.fence"})


# --- modules (the .wast scripts' modules) --------------------------------------------------


@attrs.frozen
class Import:
    """``(import "module" "name" desc)``: a memory, or a (host) function of type ``desc``."""

    module: str
    name: str
    desc: Union[MemType, FuncType]


@attrs.frozen
class Export:
    name: str
    kind: str  # "func" or "memory"
    index: int


@attrs.frozen
class Module:
    """A text module of a script. Index spaces put imports first, as in the spec.

    ``memories`` are the defined memories; validation allows at most one memory in all.
    ``data`` are active segments (address, bytes) of memory 0.
    """

    types: tuple[FuncType, ...] = ()
    imports: tuple[Import, ...] = ()
    funcs: tuple[Func, ...] = ()
    memories: tuple[MemType, ...] = ()
    exports: tuple[Export, ...] = ()
    data: tuple[tuple[int, tuple[int, ...]], ...] = ()
    name: str | None = None

    @property
    def func_types(self) -> tuple[FuncType, ...]:
        imported = tuple(i.desc for i in self.imports if isinstance(i.desc, FuncType))
        return imported + tuple(f.type for f in self.funcs)

    @property
    def memory_types(self) -> tuple[MemType, ...]:
        imported = tuple(i.desc for i in self.imports if isinstance(i.desc, MemType))
        return imported + self.memories

    @property
    def memory(self) -> MemType | None:
        """The module's memory (imported or defined), if any."""
        return self.memory_types[0] if self.memory_types else None

    @property
    def memory_import(self) -> tuple[str, str] | None:
        for i in self.imports:
            if isinstance(i.desc, MemType):
                return (i.module, i.name)
        return None

    @property
    def func_imports(self) -> tuple[Import, ...]:
        return tuple(i for i in self.imports if isinstance(i.desc, FuncType))

    def export(self, name: str) -> Export | None:
        return next((e for e in self.exports if e.name == name), None)

    def func(self, index: int) -> Func | None:
        """The defined function at function index ``index`` (``None`` for an imported one)."""
        k = index - len(self.func_imports)
        return self.funcs[k] if 0 <= k < len(self.funcs) else None
