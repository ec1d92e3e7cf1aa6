"""Well-typed runtime configurations and walks through the global reduction, for ``preservation``
and ``progress`` ([T] appendix/properties.rst).

A generated configuration has one memory (shared or not; unshared ones possibly already grown),
two Wasm functions, a host function running a script of [T]'s host effects (load, store, spawn,
allocating a memory, trap, return), and 1-2 threads whose code mixes plain instructions (loads,
stores, RMWs, ``memory.grow``/``size``/``fill``, calls, blocks, ``if``, ``br_if``,
``unreachable``) with administrative ones (values, ``trap``, labels, frames, host calls,
``waitx``). Code is well-typed by construction: it is generated from the type it must have.

A ``Walk`` is a configuration and a list of choices: the properties check every successor of
every configuration along the walk (each global step, each read answered with each offered
value) and follow the chosen one, so spawned threads, grown and allocated memories, traps and
returns from calls are reached by reduction, not only written down.

The typing table is a parameter (``Retype``: an instruction typed as another one), so that a
deliberately broken typing rule generates configurations that are well-typed *under it* and
checks them with the same broken rule (``config_typing``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from hypothesis import strategies as st

from semantics.memory.events import LEN, PAGE, Region
from semantics.wasm.runtime import (
    Code,
    Config,
    Frame,
    FuncInst,
    HostAllocMem,
    HostCall,
    HostEffect,
    HostFunc,
    HostLoad,
    HostReturn,
    HostSpawn,
    HostStore,
    HostTrap,
    Label,
    MemInst,
    Store,
    Thread,
    Trap,
    Value,
    WaitX,
    WasmFunc,
)
from semantics.wasm.soundness import config_ok
from semantics.wasm.step import Emit, GlobalStep, Hole, Transition, global_steps
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
    MemType,
    Node,
    ValType,
)

Retype = Mapping[str, str]  # instruction -> the instruction whose type it is given
SOUND: Retype = {}
# the broken rule of the typing mutant: i32.atomic.load typed as producing an i64
I32_LOAD_AS_I64: Retype = {"i32.atomic.load": "i64.atomic.load"}

F_VOID, F_I32, F_HOST = 0, 1, 2  # function indices in every generated store
ADDRS = (0, 4, 8, 3, PAGE - 4, PAGE)  # aligned, misaligned (atomics trap), last word, OOB
LOADS = ("i32.load", "i32.atomic.load", "i32.load8_u", "i64.load", "i64.atomic.load",
         "i64.load32_u")
STORES = ("i32.store", "i32.atomic.store", "i32.store8", "i64.store", "i64.atomic.store")
RMWS = ("i32.atomic.rmw.add", "i32.atomic.rmw.xchg", "i64.atomic.rmw.add",
        "i32.atomic.rmw.cmpxchg")


def _mem_type(op: str, retype: Retype) -> tuple[tuple[ValType, ...], tuple[ValType, ...]]:
    m = MEM_OPS[retype.get(op, op)]
    return m.params, m.results


# --- code of a given type ----------------------------------------------------------------------


@attrs.frozen
class Scope:
    """What generated code may use: locals, enclosing labels, the memory, the typing table."""

    locals: tuple[ValType, ...]
    labels: tuple[tuple[ValType, ...], ...]  # what a branch to each label takes, innermost first
    shared: bool
    retype: Retype = SOUND
    host_results: tuple[ValType, ...] = ()
    host_effects: int = 0
    plain: bool = False  # syntax only (block bodies, functions): no administrative instructions


def _value(draw: st.DrawFn, t: ValType) -> Value:
    return Value(t, draw(st.sampled_from([0, 1, 7, (1 << t.bits) - 1])))


def _const(draw: st.DrawFn, s: Scope, t: ValType) -> Code:
    v = _value(draw, t)
    return Instr(f"{t.value}.const", (v.bits,)) if s.plain else v


def _i32(s: Scope, n: int) -> Code:
    return Instr("i32.const", (n,)) if s.plain else Value(I32, n)


@st.composite
def expr(draw: st.DrawFn, s: Scope, t: ValType, depth: int = 2) -> tuple[Code, ...]:
    """Code of type [] -> [t]."""
    simple: list[Callable[[], tuple[Code, ...]]] = [lambda: (_const(draw, s, t),)]
    locs = [i for i, lt in enumerate(s.locals) if lt == t]
    if locs:
        simple.append(lambda: (Instr("local.get", (draw(st.sampled_from(locs)),)),))
    if depth <= 0:
        return draw(st.sampled_from(simple))()
    rich = list(simple)
    loads = [op for op in LOADS if _mem_type(op, s.retype)[1] == (t,)]
    rmws = [op for op in RMWS if _mem_type(op, s.retype)[1] == (t,)]

    def load() -> tuple[Code, ...]:
        op = draw(st.sampled_from(loads))
        return (*_addr(draw, s), Instr(op, (MemArg(),)))

    def rmw() -> tuple[Code, ...]:
        op = draw(st.sampled_from(rmws))
        params = _mem_type(op, s.retype)[0]
        return (*_addr(draw, s), *(c for p in params[1:] for c in draw(expr(s, p, 0))),
                Instr(op, (MemArg(),)))

    def binop() -> tuple[Code, ...]:
        return (*draw(expr(s, t, depth - 1)), *draw(expr(s, t, depth - 1)),
                Instr(f"{t.value}.{draw(st.sampled_from(['add', 'xor', 'shl']))}"))

    def label() -> tuple[Code, ...]:
        inner = attrs.evolve(s, labels=((t,), *s.labels))
        body = draw(stmts(inner, depth - 1)) + draw(expr(inner, t, depth - 1))
        return (Label((t,), (t,), (), body),)

    def frame() -> tuple[Code, ...]:
        inner = Scope((I32, t), ((t,),), s.shared, s.retype, s.host_results, s.host_effects)
        body = draw(stmts(inner, depth - 1)) + draw(expr(inner, t, depth - 1))
        locals_ = (_value(draw, I32), _value(draw, t))
        return (Frame(locals_, (t,), (Label((t,), (t,), (), body),)),)

    def block() -> tuple[Code, ...]:
        inner = attrs.evolve(s, labels=((t,), *s.labels), plain=True)
        body = draw(stmts(inner, depth - 1)) + draw(expr(inner, t, depth - 1))
        if draw(st.booleans()):
            other = draw(expr(inner, t, depth - 1))
            return (*draw(expr(s, I32, 0)), If((t,), tuple(_plain(body)), tuple(_plain(other))))
        return (Block("block", (t,), tuple(_plain(body))),)

    rich += [load, binop, block]
    if not s.plain:
        rich += [label, frame]
    if rmws:
        rich.append(rmw)
    if t is I32:
        rich += [lambda: (Instr("memory.size"),),
                 lambda: (*draw(expr(s, I32, 0)), Instr("memory.grow")),
                 lambda: (*draw(expr(s, I32, 0)), Instr("call", (F_I32,)))]
        if not s.plain:
            rich.append(lambda: (Trap(),))
        if s.shared and not s.plain:
            rich.append(lambda: (WaitX(Region(0, "data"), draw(st.sampled_from([0, 4])),
                                       draw(st.sampled_from([0, -1]))),))
    if s.host_results == (t,):
        rich.append(lambda: (Instr("call", (F_HOST,)),))
        if not s.plain:
            rich.append(lambda: (HostCall(F_HOST, draw(_host_pcs(s))),))
    if t is I64:
        rich.append(lambda: (*draw(expr(s, I32, depth - 1)), Instr("i64.extend_i32_u")))
    return draw(st.sampled_from(rich if draw(st.integers(0, 2)) else simple))()


def _host_pcs(s: Scope) -> st.SearchStrategy[int]:
    """Effects a host call may be about to run: one still to run, or (no results) the end.
    ``runtime``'s rule also admits ``pc = len(effects)`` for a function with results, which
    is stuck: see ``HOST_PAST_END``."""
    last = s.host_effects - 1 if s.host_results else s.host_effects
    return st.integers(0, max(0, last))


def _addr(draw: st.DrawFn, s: Scope) -> tuple[Code, ...]:
    return (_i32(s, draw(st.sampled_from(ADDRS))),)


@st.composite
def stmt(draw: st.DrawFn, s: Scope, depth: int) -> tuple[Code, ...]:
    """Code of type [] -> []."""
    t = draw(st.sampled_from([I32, I64]))
    choices: list[Callable[[], tuple[Code, ...]]] = [
        lambda: (*draw(expr(s, t, depth)), Instr("drop")),
        lambda: (Instr("nop"),),
    ]
    stores = [op for op in STORES if _mem_type(op, s.retype)[0][1:] == (t,)]
    if stores:
        choices.append(lambda: (*_addr(draw, s), *draw(expr(s, t, depth)),
                                Instr(draw(st.sampled_from(stores)), (MemArg(),))))
    locs = [i for i, lt in enumerate(s.locals) if lt == t]
    if locs:
        choices.append(lambda: (*draw(expr(s, t, depth)),
                                Instr("local.set", (draw(st.sampled_from(locs)),))))
    choices += [
        lambda: (Instr("call", (F_VOID,)),),
        lambda: (Instr("atomic.fence"),),
        lambda: (*_addr(draw, s), _i32(s, 9), _i32(s, 4), Instr("memory.fill")),
        lambda: (_i32(s, draw(st.integers(0, 1))), Instr("memory.grow"), Instr("drop")),
        lambda: (Instr("unreachable"),),
    ]
    if s.labels and s.labels[0] == ():
        choices.append(lambda: (*draw(expr(s, I32, 0)), Instr("br_if", (0,))))
    if depth > 0:
        inner = attrs.evolve(s, labels=((), *s.labels))
        choices.append(lambda: (Block("block", (), tuple(_plain(draw(stmts(
            attrs.evolve(inner, plain=True), depth - 1))))),))
        if not s.plain:
            choices.append(lambda: (Label((), (), (), draw(stmts(inner, depth - 1))),))
    if s.host_results == ():
        choices.append(lambda: (Instr("call", (F_HOST,)),))
        if not s.plain:
            choices.append(lambda: (HostCall(F_HOST, draw(_host_pcs(s))),))
    return draw(st.sampled_from(choices))()


@st.composite
def stmts(draw: st.DrawFn, s: Scope, depth: int = 1) -> tuple[Code, ...]:
    n = draw(st.integers(1, 3))
    return tuple(c for _ in range(n) for c in draw(stmt(s, depth)))


# --- host functions and stores -------------------------------------------------------------------


@st.composite
def host(draw: st.DrawFn) -> HostFunc:
    results = draw(st.sampled_from([(), (I32,)]))
    body: list[HostEffect] = []
    for _ in range(draw(st.integers(0, 3))):
        body.append(draw(st.sampled_from([  # type: ignore[arg-type]
            HostLoad(0, 4), HostStore(4, (1, 0, 0, 0)), HostSpawn(F_VOID),
            HostAllocMem(MemType(1, 1, True)), HostLoad(PAGE, 4)])))
    end = draw(st.sampled_from(["return", "trap", "none"] if not results else ["return", "trap"]))
    if end == "return":
        body.append(HostReturn(tuple(Value(t, 5) for t in results)))
    elif end == "trap":
        body.append(HostTrap())
    return HostFunc(FuncType((), results), tuple(body), "host")


@st.composite
def stores(draw: st.DrawFn, retype: Retype = SOUND) -> Store:
    shared = draw(st.booleans())
    grown = not shared and draw(st.booleans())
    pages = 2 if grown else 1
    mem_type = MemType(pages, draw(st.integers(pages, 3)), shared)
    mem = MemInst(mem_type, None if shared else bytes(pages * PAGE))
    h = draw(host())
    base = Scope((I32,), ((),), shared, retype, h.type.results, plain=True)
    f_void = Func(FuncType((), ()), (I32,), tuple(_plain(draw(stmts(base, 1)))))
    arg = Scope((I32,), ((I32,),), shared, retype, h.type.results, plain=True)
    i32_body = draw(stmts(arg, 0)) + draw(expr(arg, I32, 1))
    f_i32 = Func(FuncType((I32,), (I32,)), (), tuple(_plain(i32_body)))
    funcs: tuple[FuncInst, ...] = (WasmFunc(f_void.type, f_void), WasmFunc(f_i32.type, f_i32), h)
    return Store((mem,), funcs)


def _plain(code: tuple[Code, ...]) -> Iterator[Node]:
    for c in code:
        if not isinstance(c, (Instr, Block, If)):
            raise TypeError(f"{c!r} in a function body: generated with plain=False")
        yield c


@st.composite
def configs(draw: st.DrawFn, retype: Retype = SOUND) -> Config:
    store = draw(stores(retype))
    h = store.funcs[F_HOST]
    host_results = h.type.results if isinstance(h, HostFunc) else ()
    host_effects = len(h.effects) if isinstance(h, HostFunc) else 0
    shared = store.mems[0].type.shared
    threads = []
    for _ in range(draw(st.integers(1, 2))):
        locals_ = (_value(draw, I32), _value(draw, I64))
        s = Scope((I32, I64), (), shared, retype, host_results, host_effects)
        results = draw(st.sampled_from([(), (I32,)]))
        code = draw(stmts(s, 2))
        if results:
            code += draw(expr(s, I32, 2))
        threads.append(Thread(locals_, results, code))
    k = len(threads)
    return Config(store, tuple(threads), tuple(range(1, k + 1)), (0,) * k, k)


# --- typing and stepping -------------------------------------------------------------------------


def _retype_code(c: Any, retype: Retype) -> Any:
    if isinstance(c, Instr):
        return attrs.evolve(c, op=retype.get(c.op, c.op))
    if isinstance(c, Block):
        return attrs.evolve(c, body=_retype_seq(c.body, retype))
    if isinstance(c, If):
        return attrs.evolve(c, then=_retype_seq(c.then, retype),
                            else_=_retype_seq(c.else_, retype))
    if isinstance(c, Label):
        return attrs.evolve(c, cont=_retype_seq(c.cont, retype),
                            body=_retype_seq(c.body, retype))
    if isinstance(c, Frame):
        return attrs.evolve(c, body=_retype_seq(c.body, retype))
    return c


def _retype_seq(code: tuple[Any, ...], retype: Retype) -> tuple[Any, ...]:
    return tuple(_retype_code(c, retype) for c in code)


def retyped(config: Config, retype: Retype) -> Config:
    """``config`` with each instruction replaced by the one whose type ``retype`` gives it."""
    if not retype:
        return config
    funcs = tuple(attrs.evolve(f, func=attrs.evolve(f.func, body=_retype_seq(f.func.body, retype)))
                  if isinstance(f, WasmFunc) else f for f in config.store.funcs)
    threads = tuple(attrs.evolve(t, code=_retype_seq(t.code, retype)) for t in config.threads)
    return attrs.evolve(config, store=attrs.evolve(config.store, funcs=funcs), threads=threads)


def config_typing(retype: Retype = SOUND) -> Callable[[Config], object]:
    """``⊢ config ok`` under the typing table: ``soundness.config_ok`` of the retyped
    configuration (raises ``runtime.IllTyped``)."""
    return lambda c: config_ok(retyped(c, retype))


def _payloads(config: Config, hole: Hole) -> list[tuple[int, ...]]:
    """Values offered to a read: for a length, every size the memory may have; for data,
    zeros, a small value and all-ones."""
    if hole.region.fld == LEN:
        t = config.store.mems[hole.region.addr].type
        top = t.max if t.max is not None else t.min + 1
        return [(k * PAGE,) for k in range(t.min, top + 1)]
    w = hole.width
    return [(0,) * w, (1,) + (0,) * (w - 1), (0xFF,) * w]


def _complete(config: Config, t: Transition | None) -> Iterator[Emit]:
    if t is None:
        return
    if isinstance(t, Emit):
        yield t
        return
    for p in _payloads(config, t.hole):
        yield from _complete(config, t.resume(p))


def successors(config: Config) -> list[tuple[str, Config]]:
    """Every (rule, next configuration) of the global reduction, reads answered with every
    offered value (raises ``runtime.Crash`` where no rule applies to a term)."""
    out = []
    for t in global_steps(config):
        for e in _complete(config, t):
            g = e.after
            if not isinstance(g, GlobalStep):
                raise TypeError(f"{e.rule}: a global step must give a GlobalStep")
            out.append((e.rule, g.config))
    return out


@attrs.frozen
class Walk:
    """A configuration and the successor to follow at each step (indices modulo the number of
    successors); ``repr`` shows the configuration."""

    config: Config
    choices: tuple[int, ...]
    retype: Retype = attrs.field(default=SOUND, eq=False, repr=False)

    def __repr__(self) -> str:
        lines = [f"Walk(choices={self.choices})", f"  memory {self.config.store.mems[0].type}"]
        for i, f in enumerate(self.config.store.funcs):
            body = f.func.body if isinstance(f, WasmFunc) else f.effects
            lines.append(f"  func {i}: {f.type.params} -> {f.type.results}: {body!r}")
        for i, t in enumerate(self.config.threads):
            lines.append(f"  thread {i}: locals {t.locals!r} results {t.results!r}")
            lines.append(f"    {t.code!r}")
        return "\n".join(lines)


@st.composite
def walks(draw: st.DrawFn, retype: Retype = SOUND, steps: int = 16) -> Walk:
    config = draw(configs(retype))
    return Walk(config, tuple(draw(st.lists(st.integers(0, 7), max_size=steps))), retype)


# Found by ``progress``: soundness.config_ok accepts a host call past the last effect of a host
# function with results (its rule checks 0 <= pc <= len(effects)), but no step applies to it.
_HOST = HostFunc(FuncType((), (I32,)), (HostReturn((Value(I32, 5),)),), "host")
HOST_PAST_END = Walk(
    Config(Store((MemInst(MemType(1, 1, True), None),), (_HOST,)),
           (Thread((), (), (HostCall(0, 1), Instr("drop"))),), (1,), (0,), 1),
    ())

