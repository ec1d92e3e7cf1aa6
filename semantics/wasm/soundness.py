"""The typing of runtime objects ([T] appendix/properties.rst): store, thread and configuration
typing, and store extension; the judgements of the soundness theorems."""

from __future__ import annotations

import attrs

from semantics.memory.events import DATA, PAGE
from semantics.wasm import validation
from semantics.wasm.runtime import (
    Code,
    Config,
    Frame,
    FuncInst,
    HostAllocMem,
    HostCall,
    HostFunc,
    HostLoad,
    HostReturn,
    HostSpawn,
    HostStore,
    HostTrap,
    IllTyped,
    Label,
    MemInst,
    Store,
    Thread,
    Trap,
    Value,
    WaitX,
    WasmFunc,
    alloc_mem,
)
from semantics.wasm.syntax import (
    I32,
    Block,
    If,
    Instr,
    ValType,
)

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

