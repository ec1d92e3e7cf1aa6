"""Store typing, thread and configuration typing, store extension, and preservation/progress
on hand-made configurations (explored exhaustively up to a bound)."""

from __future__ import annotations

from collections import deque

import attrs
import pytest

from semantics.memory.events import DATA, LEN, MEM_DATA, PAGE, Payload
from semantics.wasm.runtime import (
    Config,
    Frame,
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
    Thread,
    Trap,
    Value,
    WaitX,
    instantiate,
    thread_status,
)
from semantics.wasm.soundness import config_ok, extend_store, store_ok, thread_ok
from semantics.wasm.step import (
    Emit,
    GlobalStep,
    Hole,
    Read,
    Transition,
    config_terminal,
    global_steps,
)
from semantics.wasm.syntax import (
    I32,
    I64,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    MemType,
    Node,
    Program,
)


def i(op: str, *args: int | MemArg) -> Instr:
    return Instr(op, args)


def c32(v: int) -> Instr:
    return Instr("i32.const", (v % (1 << 32),))


def m(op: str) -> Instr:
    return Instr(op, (MemArg(),))


def func(body: tuple[Node, ...], locals_: tuple = (), params: tuple = (),
         results: tuple = ()) -> Func:
    return Func(FuncType(params, results), locals_, body)


# --- the judgements on small cases -------------------------------------------------------------

def test_initial_configuration_is_well_typed() -> None:
    f = func((c32(0), m("i32.load"), i("drop")), (I32,))
    cfg = instantiate(Program(MemType(), (f, f), (0, 1)))
    assert config_ok(cfg) == ((), ())


def test_trapped_thread_has_any_result_type() -> None:
    th = Thread((Value(I32, 1),), (I32, I64), (Trap(),))
    cfg = instantiate(Program(MemType(), (), ()))
    assert thread_ok(cfg.store, th) == (I32, I64)
    assert thread_ok(cfg.store, attrs.evolve(th, code=(Value(I32, 1), Trap()))) == (I32, I64)


def test_ill_typed_threads_are_rejected_with_the_reason() -> None:
    store = instantiate(Program(MemType(), (), ())).store
    bad_label = Thread((), (I32,), (Label((I32,), (I32,), (), (Value(I64, 1),)),))
    with pytest.raises(IllTyped, match=r"end expects \[i32\] but the stack has \[i64\]"):
        thread_ok(store, bad_label)
    leftover = Thread((), (), (Value(I32, 1),))
    with pytest.raises(IllTyped, match=r"end expects \[\] but the stack has \[i32\]"):
        thread_ok(store, leftover)
    bad_local = Thread((Value(I64, 0),), (), (c32(1), i("local.set", 0)))
    with pytest.raises(IllTyped, match=r"local.set expects \[i64\] but the stack has \[i32\]"):
        thread_ok(store, bad_local)
    frame = Frame((Value(I32, 0),), (I32,), (i("local.get", 0),))
    assert thread_ok(store, Thread((), (I32,), (frame,))) == (I32,)
    with pytest.raises(IllTyped, match="unknown local"):
        thread_ok(store, Thread((), (I32,), (attrs.evolve(frame, locals=()),)))


def test_atomic_alignment_must_be_natural() -> None:
    store = instantiate(Program(MemType(), (), ())).store
    th = Thread((), (I32,), (c32(0), Instr("i32.atomic.load", (MemArg(0, 0),))))
    with pytest.raises(IllTyped, match="atomic alignment must be natural"):
        thread_ok(store, th)


def test_waitx_needs_a_shared_memory() -> None:
    th = Thread((), (I32,), (WaitX(MEM_DATA, 0, -1),))
    shared = instantiate(Program(MemType(), (), ())).store
    assert thread_ok(shared, th) == (I32,)
    unshared = instantiate(Program(MemType(1, 1, False), (), ())).store
    with pytest.raises(IllTyped, match="shared memory"):
        thread_ok(unshared, th)


def test_host_functions_are_typed_by_their_effects() -> None:
    good = HostFunc(FuncType((), (I32,)), (HostLoad(0, 4), HostReturn((Value(I32, 1),))))
    cfg = instantiate(Program(MemType(), (), ()), (good,))
    store_ok(cfg.store)
    assert thread_ok(cfg.store, Thread((), (I32,), (HostCall(0, 1),))) == (I32,)
    cases = [
        (HostFunc(FuncType((), (I32,)), (HostReturn((Value(I64, 1),)),)), "returns"),
        (HostFunc(FuncType((), (I32,)), (HostStore(0, (1,)),)), "script ends"),
        (HostFunc(FuncType(), (HostTrap(), HostReturn())), "not the last"),
        (HostFunc(FuncType(), (HostSpawn(7),)), "no Wasm function"),
        (HostFunc(FuncType(), (HostLoad(0, 3),)), "width"),
        (HostFunc(FuncType(), (HostAllocMem(MemType(1, None, True)),)), "maximum"),
    ]
    for host, why in cases:
        with pytest.raises(IllTyped, match=why):
            store_ok(instantiate(Program(MemType(), (), ()), (host,)).store)


def test_store_typing_of_memories() -> None:
    store = instantiate(Program(MemType(1, 2, False), (), ())).store
    store_ok(store)
    short = attrs.evolve(store, mems=(MemInst(MemType(1, 2, False), bytes(10)),))
    with pytest.raises(IllTyped, match="memory 0"):
        store_ok(short)
    with pytest.raises(IllTyped, match="maximum"):
        store_ok(attrs.evolve(store, mems=(MemInst(MemType(1, None, True)),)))


def test_store_extension() -> None:
    s1 = instantiate(Program(MemType(1, 2, False), (), ())).store
    grown = MemInst(MemType(2, 2, False), bytes(2 * PAGE))
    s2 = attrs.evolve(s1, mems=(grown,))
    assert extend_store(s1, s1) and extend_store(s1, s2) and not extend_store(s2, s1)
    more = attrs.evolve(s1, mems=s1.mems + (MemInst(MemType(1, 1, True)),))
    assert extend_store(s1, more) and not extend_store(more, s1)
    retyped = attrs.evolve(s1, mems=(MemInst(MemType(1, 3, False), bytes(PAGE)),))
    assert not extend_store(s1, retyped)
    host = HostFunc(FuncType())
    with_host = attrs.evolve(s1, funcs=(host,))
    assert extend_store(s1, with_host)
    assert not extend_store(with_host, attrs.evolve(s1, funcs=(HostFunc(FuncType((I32,))),)))


# --- preservation and progress, explored --------------------------------------------------------

def offers(hole: Hole) -> list[Payload]:
    """Values a read may take here: a few lengths, and bytes that match or miss constants."""
    if hole.region.fld == LEN:
        return [(PAGE,), (2 * PAGE,)]
    return [(0,) * hole.width, (1,) + (0,) * (hole.width - 1)]


def completions(t: Transition) -> list[Emit]:
    if isinstance(t, Emit):
        return [t]
    out = []
    for p in offers(t.hole):
        nxt = t.resume(p)
        if nxt is not None:
            out.extend(completions(nxt))
    return out


def explore(cfg: Config, limit: int = 250) -> tuple[dict[str, int], set[str]]:
    """Check preservation and progress on every configuration reached within ``limit``."""
    seen = {"configs": 0, "steps": 0, "terminal": 0}
    rules: set[str] = set()
    queue = deque([cfg])
    while queue and seen["configs"] < limit:
        c = queue.pop()  # depth first: reach terminal configurations early
        seen["configs"] += 1
        types = config_ok(c)
        emits = [e for t in global_steps(c) for e in completions(t)]
        if config_terminal(c):
            seen["terminal"] += 1
            assert not emits
            continue
        assert emits, f"progress fails: {[thread_status(t) for t in c.threads]}"
        for e in emits:
            g = e.after
            assert isinstance(g, GlobalStep)
            assert config_ok(g.config)[:len(types)] == types  # preservation
            assert extend_store(c.store, g.config.store)
            rules.add(e.rule)
            seen["steps"] += 1
            queue.append(g.config)
    return seen, rules


def shared_program() -> Program:
    t0 = func((
        c32(1), i("memory.grow"), i("local.set", 0),
        c32(8), c32(0xAB), c32(2), i("memory.fill"),
        c32(0), c32(0), c32(5), m("i32.atomic.rmw.cmpxchg"), i("drop"),
        c32(0), m("i32.atomic.load"), i("drop"),
        c32(0), c32(1), m("memory.atomic.notify"), i("drop"),
    ), (I32,))
    t1 = func((
        i("memory.size"), i("drop"),
        c32(PAGE), m("i32.load8_u"), i("local.set", 0),
        c32(0), c32(0), Instr("i64.const", (5,)), m("memory.atomic.wait32"), i("local.set", 0),
        i("atomic.fence"),
    ), (I32,))
    return Program(MemType(1, 2, True), (t0, t1), (0, 1))


def control_program() -> Program:
    callee = func((i("local.get", 0), If((I32,), (c32(1), i("return")), (i("unreachable"),)),),
                  (), (I32,), (I32,))
    loop = Block("loop", (), (i("local.get", 0), c32(1), i("i32.sub"), i("local.tee", 0),
                             i("br_if", 0)))
    t0 = func((c32(2), i("local.set", 0), loop, c32(1), i("call", 1), i("drop"),
               c32(0), i("call", 1), i("drop")), (I32,))
    return Program(MemType(1, 2, False), (t0, callee), (0,))


def unshared_program() -> Program:
    t0 = func((c32(0), c32(7), m("i32.store"), c32(1), i("memory.grow"), i("drop"),
               c32(4), c32(0), c32(4), i("memory.copy"), c32(4), m("i32.load"),
               i("local.set", 0)), (I32,))
    return Program(MemType(1, 2, False), (t0,), (0,))


def host_program() -> tuple[Program, tuple[HostFunc, ...]]:
    child = func((c32(0), c32(3), m("i32.atomic.store")))
    main = func((i("call", 2), i("local.set", 0)), (I32,))
    host = HostFunc(FuncType((), (I32,)), (HostSpawn(1), HostStore(4, (9,)), HostLoad(0, 4),
                                            HostAllocMem(MemType(1, 1, False)),
                                            HostReturn((Value(I32, 1),))))
    return Program(MemType(), (main, child), (0,)), (host,)


EXPECTED_RULES = {
    "shared": {"step/memory.grow", "step_read/memory.grow-fail", "step_read/memory.fill",
               "step/cmpxchg", "step_read/cmpxchg-fail", "step_read/load-oob", "step/notify",
               "step/wait-suspend", "step_read/wait-mismatch", "step/atomic.fence"},
    "control": {"step_pure/loop", "step_pure/br_if-true", "step_read/call", "step_pure/return",
                "step_pure/if-false", "step_pure/unreachable"},
    "unshared": {"step/store", "step/memory.grow", "step_read/memory.copy-gt"},
    "host": {"step_read/call-host", "step/host-spawn", "step/host-store",
             "step_read/host-load", "step/host-alloc", "step/host-return"},
}


@pytest.mark.parametrize("name", ["shared", "control", "unshared", "host"])
def test_preservation_and_progress(name: str) -> None:
    if name == "host":
        prog, hosts = host_program()
        cfg = instantiate(prog, hosts)
    else:
        prog = {"shared": shared_program, "control": control_program,
                "unshared": unshared_program}[name]()
        cfg = instantiate(prog)
    seen, rules = explore(cfg, limit=300)
    assert seen["steps"] > 10 and seen["terminal"] >= 1
    assert EXPECTED_RULES[name] <= rules


def test_grown_memory_and_waitx_configurations() -> None:
    """A shared memory's store instance is unchanged by grow; a blocked thread still steps."""
    prog = shared_program()
    cfg = instantiate(prog)
    blocked = Thread((Value(I32, 0),), (), (Label((), (), (), (WaitX(MEM_DATA, 0, 5),
                                                              i("drop"))),))
    cfg2 = attrs.evolve(cfg, threads=(cfg.threads[0], blocked))
    seen, rules = explore(cfg2, limit=80)
    assert seen["steps"] > 10
    assert {"step/waitx-woken", "step/waitx-timeout"} <= rules
    grow = next(e for t in global_steps(cfg) for e in completions(t)
                if e.rule == "step/memory.grow")
    assert grow.after.config.store == cfg.store  # type: ignore[union-attr]


def test_control_program_reaches_a_trap() -> None:
    cfg = instantiate(control_program())
    while not config_terminal(cfg):
        (t,) = global_steps(cfg)
        (e,) = completions(t)
        cfg = e.after.config  # type: ignore[union-attr]
    th = cfg.threads[0]
    assert thread_status(th) == "trapped" and th.locals == (Value(I32, 0),)
    assert config_ok(cfg) == ((),)


def test_read_holes_are_data_or_len() -> None:
    cfg = instantiate(shared_program())
    t = global_steps(cfg)[0]
    assert isinstance(t, Read) and t.hole.region.fld in (DATA, LEN)
