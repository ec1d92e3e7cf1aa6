"""Values, instantiation, allocation actions, thread observation and global reduction."""

from __future__ import annotations

import pytest

from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Event,
    Execution,
    Fill,
    Ord,
    Region,
    fill,
    rd,
    wr,
)
from semantics.wasm.runtime import (
    HostAllocMem,
    HostCall,
    HostFunc,
    HostLoad,
    HostReturn,
    HostSpawn,
    HostStore,
    Trap,
    Value,
    allocation_actions,
    instantiate,
    thread_locals,
    thread_results,
    thread_start,
    thread_status,
)
from semantics.wasm.step import Emit, GlobalStep, config_terminal, event_of, global_steps, settle
from semantics.wasm.syntax import I32, I64, Func, FuncType, Instr, MemArg, MemType, Program
from tests.common.seqrun import SeqMemory


def c32(v: int) -> Instr:
    return Instr("i32.const", (v,))


def test_values_are_unsigned_bit_patterns_of_their_type() -> None:
    assert Value(I32, 0xFFFFFFFF).bits == 0xFFFFFFFF
    with pytest.raises(ValueError, match="i32"):
        Value(I32, 1 << 32)
    with pytest.raises(ValueError):
        Value(I64, -1)
    assert repr(Value(I64, 3)) == "i64.const 3"


def test_allocation_initialises_n_times_64ki_bytes() -> None:
    acts = allocation_actions(MemType(2, 3, True), ((4, (1, 2)), (5, (9,))))
    assert acts == (wr(MEM_LEN, 0, (2 * PAGE,), Ord.SEQCST),
                    wr(MEM_DATA, 0, fill(2 * PAGE, {4: 1, 5: 9}), Ord.INIT))
    init = acts[1].write
    assert isinstance(init, Fill) and len(init) == 2 * PAGE and init[5] == 9


def test_allocation_at_another_address_and_bad_segments() -> None:
    acts = allocation_actions(MemType(1, 1, True), (), addr=3)
    assert [a.region for a in acts] == [Region(3, "len"), Region(3, "data")]
    with pytest.raises(ValueError, match="does not fit"):
        allocation_actions(MemType(1, 1, True), ((PAGE - 1, (1, 2)),))
    with pytest.raises(ValueError, match="not a byte"):
        allocation_actions(MemType(1, 1, True), ((0, (256,)),))


def test_instantiate_shared_and_unshared() -> None:
    f = Func(FuncType(), (I32, I64), ())
    shared = instantiate(Program(MemType(1, 1, True), (f,), (0, 0), ((0, (7,)),)))
    assert shared.store.mems[0].data is None
    assert len(shared.threads) == 2 and shared.times == (1, 2) and shared.counts == (0, 0)
    assert thread_locals(shared.threads[0]) == (Value(I32, 0), Value(I64, 0))
    unshared = instantiate(Program(MemType(1, 1, False), (f,), (0,), ((1, (7, 8)),)))
    data = unshared.store.mems[0].data
    assert data is not None and len(data) == PAGE and data[0:4] == bytes([0, 7, 8, 0])


def test_thread_start_checks_arguments() -> None:
    f = Func(FuncType((I32,), (I32,)), (), (Instr("local.get", (0,)),))
    prog = Program(MemType(), (f,), ())
    th = thread_start(prog, 0, (Value(I32, 5),))
    assert thread_status(th) == "running" and thread_results(th) == ()
    with pytest.raises(ValueError, match="expects arguments"):
        thread_start(prog, 0, ())
    with pytest.raises(ValueError, match="no function 3"):
        thread_start(prog, 3)


def run_global(cfg, mem: SeqMemory, pick=lambda emits: emits[0], limit: int = 200):
    """Interleave by ``pick``; returns the completed global steps."""
    steps: list[Emit] = []
    for _ in range(limit):
        emits = [e for e in (settle(t, mem.read) for t in global_steps(cfg)) if e is not None]
        if not emits:
            return cfg, steps
        e = pick(emits)
        mem.apply(e.actions)
        steps.append(e)
        assert isinstance(e.after, GlobalStep)
        cfg = e.after.config
    raise AssertionError("did not terminate")


def mp_program() -> Program:
    w = Func(FuncType(), (), (c32(0), c32(42), Instr("i32.store", (MemArg(),)),
                             c32(4), c32(1), Instr("i32.atomic.store", (MemArg(),))))
    r = Func(FuncType(), (I32,), (c32(4), Instr("i32.atomic.load", (MemArg(),)),
                                  Instr("local.set", (0,))))
    return Program(MemType(), (w, r), (0, 1))


def test_global_steps_stamp_events_in_reduction_order() -> None:
    cfg = instantiate(mp_program())
    final, steps = run_global(cfg, SeqMemory(), pick=lambda es: es[-1])  # thread 1 first
    labels = [s.after for s in steps]
    assert [g.time for g in labels] == list(range(3, 3 + len(steps)))
    for t in (0, 1):
        mine = [g for g in labels if g.thread == t]
        assert [g.index for g in mine] == list(range(len(mine)))
        # each event's predecessor stamp is its thread's previous event (or the start stamp)
        assert [g.time_p for g in mine] == [t + 1] + [g.time for g in mine[:-1]]
    assert config_terminal(final)
    assert thread_locals(final.threads[1]) == (Value(I32, 0),)  # read before the write


def test_events_of_global_steps_form_an_execution() -> None:
    cfg = instantiate(mp_program())
    _, steps = run_global(cfg, SeqMemory())
    init = Event(0, INIT_THREAD, 0, allocation_actions(MemType()), "alloc")
    events = (init,) + tuple(event_of(s, k + 1) for k, s in enumerate(steps))
    ex = Execution(events, frozenset())
    mem_events = [e for e in events[1:] if e.actions]
    assert [e.rule for e in mem_events] == ["step/store", "step/store", "step_read/load"]
    assert mem_events[0].thread == 0 and mem_events[2].thread == 1
    assert mem_events[2].actions[1] == rd(MEM_DATA, 4, (1, 0, 0, 0), Ord.SEQCST, True)
    assert len(ex.events) == len(steps) + 1


def test_host_spawn_creates_a_thread_after_the_parent_step() -> None:
    child = Func(FuncType((I32,), ()), (), (c32(8), Instr("local.get", (0,)),
                                            Instr("i32.store", (MemArg(),))))
    main = Func(FuncType(), (), (Instr("call", (2,)),))
    host = HostFunc(FuncType(), (HostSpawn(1, (Value(I32, 5),)), HostReturn()), "spawner")
    cfg = instantiate(Program(MemType(), (main, child), (0,)), (host,))
    mem = SeqMemory()
    final, steps = run_global(cfg, mem)
    spawn = next(s for s in steps if s.rule == "step/host-spawn")
    g = spawn.after
    assert isinstance(g, GlobalStep) and g.spawned == (1,) and spawn.spawned == (1,)
    assert spawn.actions == ()  # [T]: the spawn step's event is empty
    first_child = next(s.after for s in steps if s.after.thread == 1)
    assert first_child.time_p == g.time and first_child.index == 0
    assert len(final.threads) == 2 and mem.data[8] == 5
    assert [thread_status(t) for t in final.threads] == ["done", "done"]


def test_host_memory_effects_and_allocation() -> None:
    main = Func(FuncType(), (I32,), (Instr("call", (1,)), Instr("local.set", (0,))))
    host = HostFunc(FuncType((), (I32,)), (
        HostStore(16, (1, 2)), HostLoad(16, 2), HostAllocMem(MemType(1, 1, True)),
        HostReturn((Value(I32, 3),))))
    cfg = instantiate(Program(MemType(), (main,), (0,)), (host,))
    mem = SeqMemory()
    final, steps = run_global(cfg, mem)
    acts = {s.rule: s.actions for s in steps if s.actions}
    ln = rd(MEM_LEN, 0, (PAGE,))
    assert acts["step/host-store"] == (ln, wr(MEM_DATA, 16, (1, 2), Ord.SEQCST))
    assert acts["step_read/host-load"] == (ln, rd(MEM_DATA, 16, (1, 2), Ord.SEQCST))
    assert acts["step/host-alloc"] == allocation_actions(MemType(1, 1, True), (), addr=1)
    assert len(final.store.mems) == 2
    assert thread_locals(final.threads[0]) == (Value(I32, 3),)


def test_thread_status_covers_every_state() -> None:
    f = Func(FuncType(), (), ())
    th = thread_start(Program(MemType(), (f,), ()), 0)
    assert thread_status(th) == "running"
    assert thread_status(type(th)(th.locals, th.results, (Trap(),))) == "trapped"
    assert thread_status(type(th)(th.locals, (I32,), (Value(I32, 1),))) == "done"
    assert thread_status(type(th)(th.locals, (), (HostCall(0, 0),))) == "running"
