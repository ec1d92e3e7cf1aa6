"""The type system of the threads fragment: instr_ok, func_ok, module_ok, program_ok.

Follows the spec's validation algorithm (appendix "Validation Algorithm"): an operand stack of
value types, where ``None`` is the unknown type of a polymorphic stack, and a stack of control
frames. The threads proposal adds: atomic accesses (and wait/notify) need exactly natural
alignment; plain accesses need ``align <= natural``; shared memories need a maximum.

Reasons start with the spec interpreter's message (``type mismatch``, ``unknown memory``,
``atomic alignment must be natural``, ...) so that ``assert_invalid`` expectations can be matched.
"""

from __future__ import annotations

import attrs

from semantics.wasm.show import print_instr
from semantics.wasm.syntax import (
    CONST_OPS,
    I32,
    NUM_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    MemType,
    Module,
    Node,
    Program,
    ValType,
    mem_op,
)

MAX_PAGES = 65536

Operand = ValType | None  # None: unknown (below an unconditional branch)


class ValidationError(ValueError):
    """An ill-typed function or module: where (``where``, ``path``), which instruction, and why.

    ``path`` gives 1-based positions through nested bodies, e.g. ``(3, 2)`` is the second
    instruction in the body of the third; ``thread`` is the thread index (litmus programs).
    """

    def __init__(self, reason: str, *, where: str = "", path: tuple[int | str, ...] = (),
                 instr: str | None = None, thread: int | None = None) -> None:
        self.reason = reason
        self.where = where
        self.path = path
        self.instr = instr
        self.thread = thread
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [self.where] if self.where else []
        if self.instr is not None:
            pos = ".".join(str(p) for p in self.path)
            parts.append(f"instruction {pos} ({self.instr})" if pos else f"({self.instr})")
        return ", ".join(parts) + (": " if parts else "") + self.reason

    def located(self, where: str, thread: int | None = None) -> ValidationError:
        return ValidationError(self.reason, where=where, path=self.path, instr=self.instr,
                               thread=thread)

    def inside(self, index: int | str) -> ValidationError:
        return ValidationError(self.reason, where=self.where, path=(index, *self.path),
                               instr=self.instr, thread=self.thread)


def show(types: tuple[Operand, ...]) -> str:
    return "[" + " ".join("_" if t is None else t.value for t in types) + "]"


def _show_func_type(ft: FuncType) -> str:
    return f"{show(ft.params)} -> {show(ft.results)}"


@attrs.frozen
class Context:
    """What an instruction may refer to: locals, labels (innermost first), return, functions,
    memory."""

    locals: tuple[ValType, ...] = ()
    labels: tuple[tuple[ValType, ...], ...] = ()
    return_: tuple[ValType, ...] | None = None
    funcs: tuple[FuncType, ...] = ()
    memory: MemType | None = None


@attrs.frozen
class Frame:
    """A control frame: what a branch to it takes, what its end leaves, where its stack starts."""

    label_types: tuple[ValType, ...]
    end_types: tuple[ValType, ...]
    height: int
    unreachable: bool = False


@attrs.frozen
class Typing:
    """The state of the algorithm: operand stack and control frames (innermost last)."""

    vals: tuple[Operand, ...]
    frames: tuple[Frame, ...]

    @property
    def top(self) -> Frame:
        return self.frames[-1]

    def push(self, types: tuple[Operand, ...]) -> Typing:
        return attrs.evolve(self, vals=self.vals + types)

    def pop(self, expected: tuple[Operand, ...], who: str) -> tuple[Typing, tuple[Operand, ...]]:
        """Pop ``expected`` (None matches anything); the popped types, unknowns resolved."""
        frame = self.top
        visible = self.vals[frame.height :]
        n = len(expected)
        got = visible[max(0, len(visible) - n) :]
        if len(got) < n and frame.unreachable:
            got = (None,) * (n - len(got)) + got
        ok = len(got) == n and all(e is None or g is None or e == g
                                   for e, g in zip(expected, got, strict=True))
        if not ok:
            raise ValidationError(f"type mismatch: {who} expects {show(expected)} but the stack "
                                  f"has {show(visible[max(0, len(visible) - n):])}")
        resolved = tuple(g if g is not None else e for e, g in zip(expected, got, strict=True))
        kept = self.vals[: max(frame.height, len(self.vals) - n)]
        return attrs.evolve(self, vals=kept), resolved

    def unreachable(self) -> Typing:
        frame = attrs.evolve(self.top, unreachable=True)
        return Typing(self.vals[: frame.height], self.frames[:-1] + (frame,))


def _memory(instr: Instr, ctx: Context) -> None:
    if ctx.memory is None:
        raise ValidationError(f"unknown memory: {instr.op} needs a memory, but there is none")


def _alignment(instr: Instr) -> None:
    mem = mem_op(instr.op)
    if mem is None:
        raise ValidationError(f"unknown instruction: {instr.op}")
    arg = instr.args[0] if instr.args else MemArg()
    if not isinstance(arg, MemArg):
        raise ValidationError(f"malformed instruction: {instr.op} takes a memarg")
    if arg.align is None:
        return
    if mem.atomic and arg.align != mem.natural_align:
        raise ValidationError(f"atomic alignment must be natural: align={1 << arg.align} but "
                              f"{instr.op} accesses {1 << mem.natural_align} bytes")
    if arg.align > mem.natural_align:
        raise ValidationError(f"alignment must not be larger than natural: align={1 << arg.align}"
                              f" but {instr.op} accesses {1 << mem.natural_align} bytes")


_HOW_MANY = {"local": "the function has {} locals", "label": "{} labels are in scope",
             "function": "there are {} functions"}


def _index(instr: Instr, bound: int, what: str) -> int:
    if len(instr.args) != 1 or not isinstance(instr.args[0], int):
        raise ValidationError(f"malformed instruction: {instr.op} takes one index")
    i = instr.args[0]
    if not 0 <= i < bound:
        raise ValidationError(f"unknown {what}: {what} {i}, but " + _HOW_MANY[what].format(bound))
    return i


_MEMORY_TYPES: dict[str, FuncType] = {
    "memory.size": FuncType((), (I32,)),
    "memory.grow": FuncType((I32,), (I32,)),
    "memory.fill": FuncType((I32, I32, I32), ()),
    "memory.copy": FuncType((I32, I32, I32), ()),
}


def instr_type(instr: Instr, ctx: Context) -> FuncType | None:
    """``C ⊢ instr : [t1*] -> [t2*]`` for instructions with one type; ``None`` for those whose
    type depends on the stack (drop, select) or that make it polymorphic (unreachable, br,
    br_if, return), which ``instr_ok`` handles."""
    op = instr.op
    if op in CONST_OPS:
        return FuncType((), (CONST_OPS[op],))
    if op in NUM_OPS:
        return FuncType(NUM_OPS[op].params, NUM_OPS[op].results)
    m = mem_op(op)
    if m is not None:
        _memory(instr, ctx)
        _alignment(instr)
        return FuncType(m.params, m.results)
    if op in _MEMORY_TYPES:
        _memory(instr, ctx)
        return _MEMORY_TYPES[op]
    if op in ("nop", "atomic.fence"):
        return FuncType()
    if op in ("local.get", "local.set", "local.tee"):
        t = ctx.locals[_index(instr, len(ctx.locals), "local")]
        return {"local.get": FuncType((), (t,)), "local.set": FuncType((t,), ()),
                "local.tee": FuncType((t,), (t,))}[op]
    if op == "call":
        return ctx.funcs[_index(instr, len(ctx.funcs), "function")]
    if op in ("drop", "select", "unreachable", "br", "br_if", "return"):
        return None
    raise ValidationError(f"unknown instruction: {op}")


def instr_ok(node: Node, ctx: Context, state: Typing) -> Typing:
    """One step of the algorithm: the typing after ``node``, or a ``ValidationError``."""
    if isinstance(node, (Block, If)):
        return _structured(node, ctx, state)
    ft = instr_type(node, ctx)
    who = node.op
    if ft is not None:
        state, _ = state.pop(ft.params, who)
        return state.push(ft.results)
    if node.op == "drop":
        return state.pop((None,), who)[0]
    if node.op == "select":
        before = state
        state, (t1, t2, _) = state.pop((None, None, I32), who)
        if t1 is not None and t2 is not None and t1 != t2:
            got = before.vals[-3:]
            raise ValidationError(f"type mismatch: select expects [t t i32] but the stack has "
                                  f"{show(got)}")
        return state.push((t1 if t1 is not None else t2,))
    if node.op == "unreachable":
        return state.unreachable()
    if node.op == "return":
        if ctx.return_ is None:
            raise ValidationError("return outside a function")
        return state.pop(ctx.return_, who)[0].unreachable()
    labels = ctx.labels[_index(node, len(ctx.labels), "label")]
    if node.op == "br":
        return state.pop(labels, f"br {node.args[0]}")[0].unreachable()
    state, _ = state.pop((*labels, I32), f"br_if {node.args[0]}")
    return state.push(labels)


def _structured(node: Block | If, ctx: Context, state: Typing) -> Typing:
    results = node.results
    if isinstance(node, If):
        state, _ = state.pop((I32,), "if")
    label_types = () if isinstance(node, Block) and node.kind == "loop" else results
    inner = attrs.evolve(ctx, labels=(label_types, *ctx.labels))
    arms: tuple[tuple[int | str, tuple[Node, ...]], ...]
    if isinstance(node, Block):
        arms = ((0, node.body),)
    else:
        arms = (("then", node.then), ("else", node.else_))
    for arm, body in arms:
        frame = Frame(label_types, results, len(state.vals))
        seq_ok(body, inner, Typing(state.vals, state.frames + (frame,)),
               end=f"end of {_head(node)}" + (f" ({arm})" if isinstance(node, If) else ""),
               prefix=() if arm == 0 else (arm,))
    return state.push(results)


def _head(node: Block | If) -> str:
    return node.kind if isinstance(node, Block) else "if"


def seq_ok(body: tuple[Node, ...], ctx: Context, state: Typing, *, end: str,
           prefix: tuple[int | str, ...] = ()) -> None:
    """Check ``body`` in the frame on top of ``state``; at its end the stack must be the frame's
    end types exactly."""
    for i, node in enumerate(body, start=1):
        try:
            state = instr_ok(node, ctx, state)
        except ValidationError as e:
            if e.instr is None:
                raise ValidationError(e.reason, path=(*prefix, i),
                                      instr=print_instr(node)) from None
            raise e.inside(i) if not prefix else _prefixed(e.inside(i), prefix) from None
    frame = state.top
    visible = state.vals[frame.height :]
    want = frame.end_types
    fits = len(visible) == len(want) or (frame.unreachable and len(visible) < len(want))
    if not (fits and all(g is None or g == w for g, w in zip(reversed(visible), reversed(want),
                                                              strict=False))):
        raise ValidationError(f"type mismatch: {end} expects {show(want)} but the stack has "
                              f"{show(visible)}")


def _prefixed(e: ValidationError, prefix: tuple[int | str, ...]) -> ValidationError:
    return ValidationError(e.reason, where=e.where, path=(*prefix, *e.path), instr=e.instr,
                           thread=e.thread)


def func_ok(func: Func, ctx: Context, where: str = "function") -> None:
    """``C ⊢ func : ft``: the body, in a frame for the function's results, is well typed."""
    results = func.type.results
    inner = attrs.evolve(ctx, locals=func.type.params + func.locals, labels=(results,),
                         return_=results)
    try:
        seq_ok(func.body, inner, Typing((), (Frame(results, results, 0),)),
               end="end of function")
    except ValidationError as e:
        raise e.located(where) from None


def memtype_ok(mem: MemType) -> None:
    if mem.min > MAX_PAGES or (mem.max is not None and mem.max > MAX_PAGES):
        raise ValidationError(f"memory size must be at most {MAX_PAGES} pages (4GiB)")
    if mem.max is not None and mem.min > mem.max:
        raise ValidationError("size minimum must not be greater than maximum: "
                              f"{mem.min} > {mem.max}")
    if mem.shared and mem.max is None:
        raise ValidationError("shared memory must have maximum")


def _data_ok(data: tuple[tuple[int, tuple[int, ...]], ...], mem: MemType | None) -> None:
    if data and mem is None:
        raise ValidationError("unknown memory: a data segment needs a memory")


def module_ok(module: Module) -> None:
    """``⊢ module ok``: at most one memory, well-formed limits, exports, functions."""
    mems = module.memory_types
    if len(mems) > 1:
        raise ValidationError(f"multiple memories: the module has {len(mems)}")
    for mem in mems:
        memtype_ok(mem)
    funcs = module.func_types
    seen: set[str] = set()
    for e in module.exports:
        if e.name in seen:
            raise ValidationError(f"duplicate export name: {e.name!r}")
        seen.add(e.name)
        bound = len(funcs) if e.kind == "func" else len(mems)
        if not 0 <= e.index < bound:
            raise ValidationError(f"unknown {'function' if e.kind == 'func' else 'memory'}: "
                                  f"export {e.name!r} refers to {e.kind} {e.index}")
    _data_ok(module.data, module.memory)
    ctx = Context(funcs=funcs, memory=module.memory)
    first = len(module.func_imports)
    for k, func in enumerate(module.funcs):
        label = f"function {first + k}" + (f" ({func.name})" if func.name else "")
        func_ok(func, ctx, label)


def program_ok(program: Program) -> None:
    """A litmus program: its memory, every function, and threads that are ``[] -> []``."""
    memtype_ok(program.memory)
    size = program.memory.min * 65536
    for addr, data in program.data:
        if not 0 <= addr <= addr + len(data) <= size:
            raise ValidationError(f"data segment out of bounds: {len(data)} bytes at {addr} in "
                                  f"a memory of {size} bytes")
    funcs = tuple(f.type for f in program.funcs)
    ctx = Context(funcs=funcs, memory=program.memory)
    for n, k in enumerate(program.threads):
        if not 0 <= k < len(funcs):
            raise ValidationError(f"unknown function: thread {n} runs function {k} but there "
                                  f"are {len(funcs)}", where=f"thread {n}", thread=n)
        if funcs[k] != FuncType():
            raise ValidationError("a thread's function must take no parameters and return "
                                  f"nothing, but it has type {_show_func_type(funcs[k])}",
                                  where=f"thread {n}", thread=n)
    runs = {k: n for n, k in reversed(list(enumerate(program.threads)))}
    for k, func in enumerate(program.funcs):
        thread = runs.get(k)
        try:
            func_ok(func, ctx, f"thread {thread}" if thread is not None else f"function {k}")
        except ValidationError as e:
            raise e.located(e.where, thread) from None
