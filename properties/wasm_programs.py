"""Random valid single-thread Wasm programs, and their WAT text, for differential testing.

A program is one memory and one exported function ``run`` (no parameters, 0-3 i32/i64
results). Its body is statements then one expression per result, over the fragment: constants,
locals, integer operators, plain and atomic loads/stores of every width, rmw and cmpxchg,
memory.size/grow/fill/copy, atomic.fence, traps (out of bounds, misaligned atomics,
unreachable) and block/loop/if/br_if/select/return. Programs are valid and end by construction:
every loop counts a dedicated local down from at most 3, and a branch never targets a loop.

Alternatives are listed simplest first so that shrinking lands on short programs made of
constants, aligned small addresses, unshared one-page memories and no control flow.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from semantics.memory.events import PAGE
from semantics.text.wat import print_body
from semantics.wasm.syntax import (
    I32,
    I64,
    MEM_OPS,
    Block,
    Export,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    MemOp,
    MemType,
    Module,
    Node,
    ValType,
)

RUN = "run"
MEMORY = "mem"


@attrs.frozen
class Bounds:
    depth: int = 3  # nesting of expressions and blocks
    statements: int = 5  # per block
    loops: int = 2  # nesting of loops
    locals: int = 3  # general locals of each type


SMALL = Bounds()


# --- the module printer ---------------------------------------------------------------------


def _memory_text(t: MemType) -> str:
    limits = " ".join(str(x) for x in (t.min, t.max) if x is not None)
    return limits + (" shared" if t.shared else "")


def _data_text(data: tuple[int, ...]) -> str:
    return '"' + "".join(f"\\{b:02x}" for b in data) + '"'


def module_wat(module: Module) -> str:
    """WAT text of a module with defined memories and functions (no imports), its exports and
    data segments; function bodies are printed folded by ``text.print_body``."""
    if module.imports:
        raise ValueError("module_wat prints modules without imports")
    lines = ["(module"]
    for i, mem in enumerate(module.memories):
        exports = "".join(f' (export "{e.name}")' for e in module.exports
                          if e.kind == "memory" and e.index == i)
        lines.append(f"  (memory{exports} {_memory_text(mem)})")
    for i, f in enumerate(module.funcs):
        head = ["func"] + [f'(export "{e.name}")' for e in module.exports
                           if e.kind == "func" and e.index == i]
        names = f.local_names + (None,) * (len(f.type.params) - len(f.local_names))
        head += [f"(param {n} {t.value})" if n is not None else f"(param {t.value})"
                 for n, t in zip(names, f.type.params, strict=False)]
        if f.type.results:
            head.append("(result " + " ".join(t.value for t in f.type.results) + ")")
        body = print_body(f, folded=True)
        lines.append("  (" + " ".join(head))
        lines += ["    " + s for s in body.splitlines()]
        lines[-1] += ")"
    for addr, data in module.data:
        lines.append(f"  (data (i32.const {addr}) {_data_text(data)})")
    lines[-1] += ")"
    return "\n".join(lines)


@attrs.frozen
class WasmProgram:
    memory: MemType
    func: Func
    data: tuple[tuple[int, tuple[int, ...]], ...] = ()

    @property
    def module(self) -> Module:
        return Module(funcs=(self.func,), memories=(self.memory,),
                      exports=(Export(MEMORY, "memory", 0), Export(RUN, "func", 0)),
                      data=self.data)

    @property
    def wat(self) -> str:
        return module_wat(self.module)


# --- the generator --------------------------------------------------------------------------


@attrs.frozen
class _Ctx:
    """What generated code may refer to: general locals by type, labels (innermost first; True
    when a branch may target it), loop counters still free, and the function's results."""

    locals: tuple[ValType, ...]
    labels: tuple[bool, ...]
    counters: tuple[int, ...]
    results: tuple[ValType, ...]
    depth: int
    loops: int

    def deeper(self) -> _Ctx:
        return attrs.evolve(self, depth=self.depth - 1)

    def inside(self, branchable: bool) -> _Ctx:
        return attrs.evolve(self, labels=(branchable, *self.labels), depth=self.depth - 1)


def _i(op: str, *args: int | MemArg) -> Instr:
    return Instr(op, args)


def _const(t: ValType, v: int) -> Instr:
    return _i(f"{t.value}.const", v % (1 << t.bits))


INTERESTING = (0, 1, 2, 0xFF, 0x80, 0x7FFF, 0xFFFF, 0x8000_0000, 0xFFFF_FFFF, 0x0102_0304)


@st.composite
def constants(draw: st.DrawFn, t: ValType) -> Instr:
    v = draw(st.one_of(st.sampled_from(INTERESTING),
                       st.integers(0, (1 << t.bits) - 1)))
    return _const(t, v)


@st.composite
def addresses(draw: st.DrawFn, ctx: _Ctx, width: int) -> tuple[Node, ...]:
    """An address operand: mostly small and aligned to ``width`` bytes."""
    kind = draw(st.sampled_from(("aligned", "small", "end", "huge", "computed")))
    if kind == "aligned":
        return (_const(I32, width * draw(st.integers(0, 48 // width))),)
    if kind == "small":
        return (_const(I32, draw(st.integers(0, 60))),)
    if kind == "end":  # straddling the end of page 1, 2 or 3
        page = draw(st.integers(1, 3))
        return (_const(I32, page * PAGE - draw(st.integers(0, 16))),)
    if kind == "huge":
        return (_const(I32, 0xFFFF_FFFF - draw(st.integers(0, 16))),)
    return (*draw(expressions(ctx.deeper(), I32)), _const(I32, 0x38 & -width), _i("i32.and"))


@st.composite
def memargs(draw: st.DrawFn) -> MemArg:
    offset = draw(st.sampled_from((0, 0, 0, 1, 2, 4, 8, 16, PAGE - 4)))
    return MemArg(offset)


def _ops(t: ValType, kind: str, atomic: bool) -> list[str]:
    return sorted(op for op, m in MEM_OPS.items()
                  if m.type is t and m.kind == kind and m.atomic is atomic)


def _mem_access(draw: st.DrawFn, ctx: _Ctx, op: str, m: MemOp,
                operands: tuple[tuple[Node, ...], ...]) -> tuple[Node, ...]:
    addr = draw(addresses(ctx, m.width // 8))
    arg = draw(memargs())
    return (*addr, *(n for o in operands for n in o), _i(op, arg))


@st.composite
def loads(draw: st.DrawFn, ctx: _Ctx, t: ValType) -> tuple[Node, ...]:
    atomic = draw(st.booleans())
    op = draw(st.sampled_from(_ops(t, "load", atomic)))
    return _mem_access(draw, ctx, op, MEM_OPS[op], ())


@st.composite
def rmws(draw: st.DrawFn, ctx: _Ctx, t: ValType) -> tuple[Node, ...]:
    kind = draw(st.sampled_from(("rmw", "cmpxchg")))
    op = draw(st.sampled_from(_ops(t, kind, True)))
    m = MEM_OPS[op]
    n = 1 if kind == "rmw" else 2
    operands = tuple(draw(expressions(ctx.deeper(), t)) for _ in range(n))
    return _mem_access(draw, ctx, op, m, operands)


_BINOPS = ("add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s")
_RELOPS = ("eq", "ne", "lt_u", "lt_s", "gt_u", "gt_s", "le_u", "le_s", "ge_u", "ge_s")


@st.composite
def expressions(draw: st.DrawFn, ctx: _Ctx, t: ValType) -> tuple[Node, ...]:
    """Code that pushes one value of type ``t``."""
    mine = [i for i, lt in enumerate(ctx.locals) if lt is t]
    leaves = ["const"] + (["get"] if mine else [])
    if ctx.depth <= 0:
        kind = draw(st.sampled_from(leaves))
    else:
        kinds = leaves + ["binop", "load", "compare", "convert", "rmw", "select", "if",
                          "block"] + (["tee"] if mine else [])
        if t is I32:
            kinds += ["size", "grow"]
        kind = draw(st.sampled_from(kinds))
    sub = ctx.deeper()
    if kind == "const":
        return (draw(constants(t)),)
    if kind == "get":
        return (_i("local.get", draw(st.sampled_from(mine))),)
    if kind == "tee":
        return (*draw(expressions(sub, t)), _i("local.tee", draw(st.sampled_from(mine))))
    if kind == "binop":
        op = f"{t.value}.{draw(st.sampled_from(_BINOPS))}"
        return (*draw(expressions(sub, t)), *draw(expressions(sub, t)), _i(op))
    if kind == "load":
        return draw(loads(ctx, t))
    if kind == "rmw":
        return draw(rmws(ctx, t))
    if kind == "compare":  # an i32 from either type; an i64 from an extended i32 comparison
        u = draw(st.sampled_from((I32, I64)))
        if draw(st.booleans()):
            code: tuple[Node, ...] = (*draw(expressions(sub, u)), _i(f"{u.value}.eqz"))
        else:
            op = f"{u.value}.{draw(st.sampled_from(_RELOPS))}"
            code = (*draw(expressions(sub, u)), *draw(expressions(sub, u)), _i(op))
        return code if t is I32 else (*code, _i("i64.extend_i32_u"))
    if kind == "convert":
        if t is I32:
            return (*draw(expressions(sub, I64)), _i("i32.wrap_i64"))
        op = draw(st.sampled_from(("i64.extend_i32_u", "i64.extend_i32_s")))
        return (*draw(expressions(sub, I32)), _i(op))
    if kind == "select":
        return (*draw(expressions(sub, t)), *draw(expressions(sub, t)),
                *draw(expressions(sub, I32)), _i("select"))
    if kind == "if":
        cond = draw(expressions(sub, I32))
        inner = ctx.inside(False)
        then = (*draw(statements(inner, 2)), *draw(expressions(inner, t)))
        else_ = (*draw(statements(inner, 2)), *draw(expressions(inner, t)))
        return (*cond, If((t,), then, else_))
    if kind == "block":
        inner = ctx.inside(False)
        return (Block("block", (t,), (*draw(statements(inner, 2)),
                                      *draw(expressions(inner, t)))),)
    if kind == "size":
        return (_i("memory.size"),)
    delta = draw(st.sampled_from((0, 1, 2, 3, 0xFFFF_FFFF)))
    return (_const(I32, delta), _i("memory.grow"))


@st.composite
def statements(draw: st.DrawFn, ctx: _Ctx, most: int) -> tuple[Node, ...]:
    """Code that leaves the stack as it found it."""
    n = draw(st.integers(0, most))
    out: list[Node] = []
    for _ in range(n):
        out += draw(statement(ctx))
    return tuple(out)


@st.composite
def statement(draw: st.DrawFn, ctx: _Ctx) -> tuple[Node, ...]:
    t = draw(st.sampled_from((I32, I64)))
    kinds = ["store", "set", "drop", "fence"]
    if ctx.depth > 0:
        kinds += ["fill", "copy", "block", "if", "unreachable", "return"]
        if ctx.loops > 0 and ctx.counters:
            kinds.append("loop")
        if any(ctx.labels):
            kinds.append("br_if")
    kind = draw(st.sampled_from(kinds))
    sub = ctx.deeper()
    if kind == "store":
        atomic = draw(st.booleans())
        op = draw(st.sampled_from(_ops(t, "store", atomic)))
        return _mem_access(draw, ctx, op, MEM_OPS[op], (draw(expressions(sub, t)),))
    if kind == "set":
        mine = [i for i, lt in enumerate(ctx.locals) if lt is t]
        if not mine:
            return (*draw(expressions(sub, t)), _i("drop"))
        return (*draw(expressions(sub, t)), _i("local.set", draw(st.sampled_from(mine))))
    if kind == "drop":
        return (*draw(expressions(sub, t)), _i("drop"))
    if kind == "fence":
        return (_i("atomic.fence"),)
    if kind in ("fill", "copy"):
        size = draw(st.sampled_from((0, 1, 2, 3, 4, 8, 16, 0xFFFF_FFFF)))
        second = (_const(I32, draw(st.integers(0, 255))),) if kind == "fill" else draw(
            addresses(ctx, 1))
        return (*draw(addresses(ctx, 1)), *second, _const(I32, size), _i(f"memory.{kind}"))
    if kind == "block":
        return (Block("block", (), draw(statements(ctx.inside(True), 3))),)
    if kind == "if":
        inner = ctx.inside(True)
        cond = draw(expressions(sub, I32))
        return (*cond, If((), draw(statements(inner, 3)), draw(statements(inner, 2))))
    if kind == "unreachable":
        return (_i("unreachable"),)
    if kind == "return":
        values = tuple(n for r in ctx.results for n in draw(expressions(sub, r)))
        return (*values, _i("return"))
    if kind == "br_if":
        depth = draw(st.sampled_from([d for d, ok in enumerate(ctx.labels) if ok]))
        return (*draw(expressions(sub, I32)), _i("br_if", depth))
    # a loop counting its own local down from 1..3: the only branch to a loop label
    counter, rest = ctx.counters[0], ctx.counters[1:]
    inner = attrs.evolve(ctx.inside(False), counters=rest, loops=ctx.loops - 1)
    body = draw(statements(inner, 3))
    step = (_i("local.get", counter), _const(I32, 1), _i("i32.sub"), _i("local.tee", counter),
            _i("br_if", 0))
    times = draw(st.integers(1, 3))
    return (_const(I32, times), _i("local.set", counter), Block("loop", (), body + step))


@st.composite
def memory_types(draw: st.DrawFn) -> MemType:
    shared = draw(st.booleans())
    lo = draw(st.integers(1, 2))
    hi = draw(st.sampled_from((lo, lo + 1, lo + 2) if shared else (lo, lo + 1, None)))
    return MemType(lo, hi, shared)


@st.composite
def programs(draw: st.DrawFn, bounds: Bounds = SMALL) -> WasmProgram:
    """A valid module: ``(memory (export "mem") ...)`` and ``(func (export "run") ...)``."""
    memory = draw(memory_types())
    general = tuple(draw(st.lists(st.sampled_from((I32, I64)), max_size=2 * bounds.locals)))
    counters = tuple(range(len(general), len(general) + bounds.loops))
    results = tuple(draw(st.lists(st.sampled_from((I32, I64)), max_size=3)))
    ctx = _Ctx(general, (not results,), counters, results, bounds.depth, bounds.loops)
    body = (*draw(statements(ctx, bounds.statements)),
            *(n for r in results for n in draw(expressions(ctx, r))))
    func = Func(FuncType((), results), general + (I32,) * bounds.loops, body, name=None)
    data = draw(st.lists(st.tuples(st.integers(0, 48), st.lists(st.integers(0, 255), min_size=1,
                                                                max_size=8).map(tuple)),
                         max_size=2))
    return WasmProgram(memory, func, tuple(data))
