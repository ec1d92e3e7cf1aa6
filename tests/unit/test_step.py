"""Action labels and results of every instruction's reduction rules (thread_steps)."""

from __future__ import annotations

import pytest

from semantics.memory.events import (
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Kind,
    Ord,
    fill,
    rd,
    rmw,
    wr,
)
from semantics.wasm.runtime import (
    Crash,
    Label,
    Store,
    Thread,
    Value,
    WaitX,
    instantiate,
    thread_locals,
    thread_results,
    thread_status,
)
from semantics.wasm.step import MAX_WOKEN, Emit, Hole, Read, settle, thread_steps
from semantics.wasm.syntax import (
    F32,
    I32,
    I64,
    MEM_OPS,
    NUM_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    MemType,
    Node,
    Program,
    ValType,
)
from tests.common.seqrun import SeqMemory, run

LEN_N = rd(MEM_LEN, 0, (PAGE,))
SHARED = MemType(1, 1, True)


def c32(v: int) -> Instr:
    return Instr("i32.const", (v % (1 << 32),))


def c64(v: int) -> Instr:
    return Instr("i64.const", (v % (1 << 64),))


def i(op: str, *args: int | MemArg) -> Instr:
    return Instr(op, args)


def mem(op: str, offset: int = 0) -> Instr:
    return Instr(op, (MemArg(offset),))


def setup(body: tuple[Node, ...], results: tuple[ValType, ...] = (),
          locals_: tuple[ValType, ...] = (), memtype: MemType = SHARED,
          funcs: tuple[Func, ...] = ()) -> tuple[Store, Thread]:
    f = Func(FuncType((), results), locals_, body)
    cfg = instantiate(Program(memtype, (f,) + funcs, (0,)))
    return cfg.store, cfg.threads[0]


def exec_body(body: tuple[Node, ...], results: tuple[ValType, ...] = (),
              locals_: tuple[ValType, ...] = (), memtype: MemType = SHARED,
              memory: SeqMemory | None = None,
              funcs: tuple[Func, ...] = ()) -> tuple[Thread, list[Emit], SeqMemory]:
    store, th = setup(body, results, locals_, memtype, funcs)
    m = memory or SeqMemory(memtype.min)
    _, th, trace = run(store, th, m)
    return th, trace, m


def with_actions(trace: list[Emit]) -> list[Emit]:
    return [e for e in trace if e.actions]


def result(th: Thread) -> list[int]:
    return [v.bits for v in thread_results(th)]


def stack(th: Thread) -> list[int]:
    """The values left by a step in the thread's (single) innermost label."""
    code = th.code
    while len(code) == 1 and isinstance(code[0], Label):
        code = code[0].body
    return [v.bits for v in code if isinstance(v, Value)]


# --- loads and stores --------------------------------------------------------------------------

@pytest.mark.parametrize("op,addr,notears,expected", [
    ("i32.load", 8, True, 0x0B0A0908),
    ("i32.load", 9, False, 0x0C0B0A09),        # misaligned plain: no NOTEARS, no trap
    ("i64.load", 8, False, 0x0F0E0D0C0B0A0908),  # N > 32: no NOTEARS
    ("f32.load", 8, False, 0x0B0A0908),        # floats never get NOTEARS
    ("i32.load8_u", 255, True, 0xFF),
    ("i32.load8_s", 255, True, 0xFFFFFFFF),
    ("i64.load16_s", 254, True, 0xFFFFFFFFFFFFFFFE),
    ("i64.load32_u", 4, True, 0x07060504),
    ("i32.atomic.load", 8, True, 0x0B0A0908),
    ("i64.atomic.load16_u", 254, True, 0xFFFE),
])
def test_load_actions_and_value(op: str, addr: int, notears: bool, expected: int) -> None:
    m = MEM_OPS[op]
    sm = SeqMemory()
    sm.store(0, bytes(range(256)))
    th, trace, _ = exec_body((c32(addr), mem(op)), (m.type,), memory=sm)
    (ev,) = with_actions(trace)
    order = Ord.SEQCST if m.atomic else Ord.UNORD
    nb = m.width // 8
    assert ev.rule == "step_read/load"
    assert ev.actions == (LEN_N, rd(MEM_DATA, addr, tuple(sm.data[addr:addr + nb]), order,
                                    notears))
    assert result(th) == [expected]


def test_load_offset_is_added_to_the_address() -> None:
    sm = SeqMemory()
    sm.store(10, bytes([7]))
    th, trace, _ = exec_body((c32(4), mem("i32.load8_u", 6)), (I32,), memory=sm)
    assert with_actions(trace)[0].actions[1] == rd(MEM_DATA, 10, (7,), Ord.UNORD, True)
    assert result(th) == [7]


def test_first_read_is_the_unordered_bounds_check() -> None:
    store, th = setup((c32(0), mem("i32.atomic.load"), i("drop")))
    (ld,) = thread_steps(store, th)  # constants are values: the first step is the load
    assert isinstance(ld, Read) and ld.hole == Hole(MEM_LEN, 0, 1, Ord.UNORD)
    nxt = ld.resume((PAGE,))
    assert isinstance(nxt, Read) and nxt.hole == Hole(MEM_DATA, 0, 4, Ord.SEQCST)
    with pytest.raises(Crash):
        nxt.resume((1, 2))  # a hole of 4 cells must be filled with 4 values


@pytest.mark.parametrize("op,addr,rule", [
    ("i32.load", PAGE - 3, "step_read/load-oob"),
    ("i64.store", PAGE - 4, "step_read/store-oob"),
    ("i32.atomic.load", 2, "step_read/load-unaligned"),
    ("i64.atomic.store32", 2, "step_read/store-unaligned"),
    ("i32.atomic.rmw.add", 1, "step_read/rmw-unaligned"),
    ("i64.atomic.rmw.cmpxchg", 4, "step_read/cmpxchg-unaligned"),
    ("i32.atomic.rmw16.xchg_u", PAGE, "step_read/rmw-oob"),
])
def test_access_traps_after_reading_len_only(op: str, addr: int, rule: str) -> None:
    m = MEM_OPS[op]
    operands = tuple(c32(0) if t is I32 else c64(0) for t in m.params[1:])
    body = (c32(addr),) + operands + (mem(op),) + ((i("drop"),) if m.results else ())
    th, trace, _ = exec_body(body, locals_=(I32,))
    assert thread_status(th) == "trapped"
    assert trace[-1].rule == rule
    assert trace[-1].actions == (LEN_N,)


@pytest.mark.parametrize("op,addr,value,written,notears", [
    ("i32.store", 4, 0x11223344, (0x44, 0x33, 0x22, 0x11), True),
    ("i64.store32", 4, 0xAABBCCDD11223344, (0x44, 0x33, 0x22, 0x11), True),
    ("i32.store16", 3, 0xBEEF, (0xEF, 0xBE), False),
    ("i64.store", 8, 0x0102030405060708, (8, 7, 6, 5, 4, 3, 2, 1), False),
    ("i32.atomic.store8", 5, 0x1FF, (0xFF,), True),
])
def test_store_writes_wrapped_little_endian(op: str, addr: int, value: int,
                                            written: tuple[int, ...], notears: bool) -> None:
    m = MEM_OPS[op]
    val = c32(value) if m.type is I32 else c64(value)
    th, trace, sm = exec_body((c32(addr), val, mem(op)))
    (ev,) = with_actions(trace)
    order = Ord.SEQCST if m.atomic else Ord.UNORD
    assert ev.rule == "step/store"
    assert ev.actions == (LEN_N, wr(MEM_DATA, addr, written, order, notears))
    assert tuple(sm.data[addr:addr + len(written)]) == written
    assert thread_status(th) == "done"


def test_float_store_has_no_notears() -> None:
    _, trace, _ = exec_body((c32(0), Instr("f32.const", (0x3F800000,)), mem("f32.store")))
    assert with_actions(trace)[0].actions[1] == wr(MEM_DATA, 0, (0, 0, 0x80, 0x3F))


# --- read-modify-write ------------------------------------------------------------------------

@pytest.mark.parametrize("op,old,operand,new", [
    ("i32.atomic.rmw.add", 0xFFFFFFFF, 2, 1),
    ("i32.atomic.rmw.sub", 1, 2, 0xFFFFFFFF),
    ("i32.atomic.rmw.and", 0xF0F0, 0xFF00, 0xF000),
    ("i32.atomic.rmw.or", 0xF0F0, 0x0F00, 0xFFF0),
    ("i32.atomic.rmw.xor", 0xFF, 0x0F, 0xF0),
    ("i32.atomic.rmw.xchg", 5, 9, 9),
    ("i32.atomic.rmw8.add_u", 0xFF, 0x102, 0x01),
    ("i64.atomic.rmw32.sub_u", 0, 1, 0xFFFFFFFF),
])
def test_rmw_is_one_rmw_action_returning_the_old_value(op: str, old: int, operand: int,
                                                       new: int) -> None:
    m = MEM_OPS[op]
    nb = m.width // 8
    sm = SeqMemory()
    sm.store(0, old.to_bytes(nb, "little"))
    val = c32(operand) if m.type is I32 else c64(operand)
    th, trace, _ = exec_body((c32(0), val, mem(op)), (m.type,), memory=sm)
    (ev,) = with_actions(trace)
    assert ev.rule == "step/rmw"
    assert ev.actions == (LEN_N, rmw(MEM_DATA, 0, tuple(old.to_bytes(nb, "little")),
                                     tuple(new.to_bytes(nb, "little"))))
    assert result(th) == [old]
    assert int.from_bytes(sm.data[0:nb], "little") == new


def test_cmpxchg_success_is_rmw_and_failure_is_an_sc_read() -> None:
    sm = SeqMemory()
    sm.store(0, (5).to_bytes(4, "little"))
    body = (c32(0), c32(5), c32(9), mem("i32.atomic.rmw.cmpxchg"),
            c32(0), c32(5), c32(7), mem("i32.atomic.rmw.cmpxchg"), i("i32.add"))
    th, trace, _ = exec_body(body, (I32,), memory=sm)
    ok, bad = with_actions(trace)
    assert ok.rule == "step/cmpxchg"
    assert ok.actions == (LEN_N, rmw(MEM_DATA, 0, (5, 0, 0, 0), (9, 0, 0, 0)))
    assert bad.rule == "step_read/cmpxchg-fail"
    assert bad.actions == (LEN_N, rd(MEM_DATA, 0, (9, 0, 0, 0), Ord.SEQCST))
    assert result(th) == [5 + 9]
    assert sm.data[0] == 9


def test_narrow_cmpxchg_compares_the_wrapped_expected_value() -> None:
    sm = SeqMemory()
    sm.store(0, bytes([0x11]))
    th, trace, _ = exec_body((c32(0), c32(0x11111111), c32(0xCDCDCDCD),
                              mem("i32.atomic.rmw8.cmpxchg_u")), (I32,), memory=sm)
    assert with_actions(trace)[0].rule == "step/cmpxchg"
    assert result(th) == [0x11] and sm.data[0] == 0xCD


# --- memory.size, memory.grow, fill, copy, fence ----------------------------------------------

def test_memory_size_is_an_sc_read_of_len() -> None:
    th, trace, _ = exec_body((i("memory.size"),), (I32,))
    (ev,) = with_actions(trace)
    assert ev.actions == (rd(MEM_LEN, 0, (PAGE,), Ord.SEQCST),)
    assert result(th) == [1]


def grow_transitions(k: int, max_pages: int = 3) -> tuple[Read, Read]:
    store, th = setup((c32(k), i("memory.grow")), (I32,), memtype=MemType(1, max_pages, True))
    ts = thread_steps(store, th)
    assert len(ts) == 2 and all(isinstance(t, Read) for t in ts)
    return ts  # type: ignore[return-value]


def test_grow_success_is_rmw_len_and_zero_writes() -> None:
    ok, fail_ = grow_transitions(2)
    e = settle(ok, lambda h: (PAGE,))
    assert e is not None and e.rule == "step/memory.grow"
    assert e.actions == (rmw(MEM_LEN, 0, (PAGE,), (3 * PAGE,)), wr(MEM_DATA, PAGE, fill(2 * PAGE)))
    _, th = e.after  # type: ignore[misc]
    assert stack(th) == [1]


def test_grow_beyond_max_cannot_succeed_but_can_fail() -> None:
    ok, fail_ = grow_transitions(2, max_pages=2)
    assert settle(ok, lambda h: (PAGE,)) is None
    e = settle(fail_, lambda h: (PAGE,))
    assert e is not None and e.rule == "step_read/memory.grow-fail"
    assert e.actions == (rd(MEM_LEN, 0, (PAGE,), Ord.SEQCST),)
    assert stack(e.after[1]) == [0xFFFFFFFF]  # type: ignore[index]


def test_grow_failure_is_offered_even_when_success_is_possible() -> None:
    ok, fail_ = grow_transitions(1)
    assert settle(ok, lambda h: (PAGE,)) is not None
    assert settle(fail_, lambda h: (PAGE,)) is not None


def test_grow_by_zero_writes_no_bytes() -> None:
    ok, _ = grow_transitions(0)
    e = settle(ok, lambda h: (PAGE,))
    assert e is not None and e.actions == (rmw(MEM_LEN, 0, (PAGE,), (PAGE,)),)


def test_fill_is_bytewise_with_a_bounds_check_per_step() -> None:
    th, trace, sm = exec_body((c32(10), c32(0xAB), c32(2), i("memory.fill")))
    assert [(e.rule, e.actions) for e in with_actions(trace)] == [
        ("step_read/memory.fill", (LEN_N,)),
        ("step/store", (LEN_N, wr(MEM_DATA, 10, (0xAB,), Ord.UNORD, True))),
        ("step_read/memory.fill", (LEN_N,)),
        ("step/store", (LEN_N, wr(MEM_DATA, 11, (0xAB,), Ord.UNORD, True))),
        ("step_read/memory.fill-zero", (LEN_N,)),
    ]
    assert sm.data[9:13] == bytes([0, 0xAB, 0xAB, 0])


def test_fill_out_of_bounds_traps_before_writing() -> None:
    th, trace, sm = exec_body((c32(PAGE - 1), c32(1), c32(2), i("memory.fill")))
    assert thread_status(th) == "trapped"
    assert [(e.rule, e.actions) for e in with_actions(trace)] == [
        ("step_read/memory.fill-oob", (LEN_N,))]


@pytest.mark.parametrize("dst,src", [(2, 4), (4, 2)])
def test_copy_handles_overlap_in_both_directions(dst: int, src: int) -> None:
    sm = SeqMemory()
    sm.store(0, bytes([1, 2, 3, 4, 5, 6, 7, 8]))
    expected = bytearray(sm.data[0:8])
    expected[dst:dst + 3] = sm.data[src:src + 3]
    th, trace, _ = exec_body((c32(dst), c32(src), c32(3), i("memory.copy")), memory=sm)
    assert sm.data[0:8] == expected
    rules = [e.rule for e in with_actions(trace)]
    step = "step_read/memory.copy-le" if dst <= src else "step_read/memory.copy-gt"
    assert rules == [step, "step_read/load", "step/store"] * 3 + ["step_read/memory.copy-zero"]


def test_fence_emits_an_sc_fence_action() -> None:
    th, trace, _ = exec_body((i("atomic.fence"),))
    (ev,) = with_actions(trace)
    assert ev.rule == "step/atomic.fence"
    assert ev.actions == (Action(Kind.FENCE, ord=Ord.SEQCST),)


# --- wait and notify ---------------------------------------------------------------------------

def wait_body(addr: int, expected: int, timeout: int, op: str = "memory.atomic.wait32") -> tuple:
    exp = c32(expected) if op.endswith("32") else c64(expected)
    return (c32(addr), exp, c64(timeout), mem(op))


def test_wait_value_mismatch_returns_1() -> None:
    th, trace, _ = exec_body(wait_body(0, 1, -1), (I32,))
    (ev,) = with_actions(trace)
    assert ev.rule == "step_read/wait-mismatch"
    assert ev.actions == (LEN_N, rd(MEM_DATA, 0, (0, 0, 0, 0), Ord.SEQCST))
    assert result(th) == [1]


def test_wait_match_suspends_then_times_out_or_is_woken() -> None:
    store, th = setup(wait_body(8, 0, 5, "memory.atomic.wait64"), (I32,))
    (t,) = thread_steps(store, th)
    e = settle(t, SeqMemory().read)
    assert e is not None and e.rule == "step/wait-suspend"
    assert e.actions == (LEN_N, rd(MEM_DATA, 8, (0,) * 8, Ord.SEQCST),
                         Action(Kind.WAIT, MEM_DATA, 8, args=(5,)))
    store, th = e.after  # type: ignore[misc]
    assert thread_status(th) == "blocked"
    outs = {}
    for t in thread_steps(store, th):
        assert isinstance(t, Emit)
        outs[t.rule] = (t.actions, stack(t.after[1]))  # type: ignore[index]
    assert outs == {"step/waitx-woken": ((Action(Kind.WOKEN, MEM_DATA, 8),), [0]),
                    "step/waitx-timeout": ((Action(Kind.TIMEOUT, MEM_DATA, 8),), [2])}


def test_waitx_with_infinite_timeout_can_only_be_woken() -> None:
    store, th = setup((), (I32,))
    blocked = Thread(th.locals, (I32,), (WaitX(MEM_DATA, 0, -1),))
    assert [t.rule for t in thread_steps(store, blocked)] == ["step/waitx-woken"]


@pytest.mark.parametrize("addr,rule", [(PAGE, "step_read/wait-oob"),
                                       (2, "step_read/wait-unaligned")])
def test_wait_traps(addr: int, rule: str) -> None:
    th, trace, _ = exec_body(wait_body(addr, 0, 0), (I32,))
    assert thread_status(th) == "trapped" and trace[-1].rule == rule
    assert trace[-1].actions == (LEN_N,)


def test_wait_on_unshared_memory_traps_without_actions() -> None:
    th, trace, _ = exec_body(wait_body(0, 1, 0), (I32,), memtype=MemType(1, 1, False))
    assert thread_status(th) == "trapped" and trace[-1].rule == "step_read/wait-unshared"
    assert all(not e.actions for e in trace)


def test_notify_offers_every_woken_count_up_to_the_bound() -> None:
    store, th = setup((c32(4), c32(100), mem("memory.atomic.notify")), (I32,))
    emits = [settle(t, SeqMemory().read) for t in thread_steps(store, th)]
    assert [e.actions for e in emits if e] == [
        (LEN_N, Action(Kind.NOTIFY, MEM_DATA, 4, args=(j, 100))) for j in range(MAX_WOKEN + 1)]
    assert [stack(e.after[1]) for e in emits if e] == [[j] for j in range(MAX_WOKEN + 1)]


def test_notify_out_of_bounds_traps_once() -> None:
    store, th = setup((c32(PAGE), c32(2), mem("memory.atomic.notify")), (I32,))
    emits = [settle(t, SeqMemory().read) for t in thread_steps(store, th)]
    assert [e.rule for e in emits if e] == ["step_read/notify-oob"]


def test_notify_on_unshared_memory_returns_0() -> None:
    th, trace, _ = exec_body((c32(0), c32(3), mem("memory.atomic.notify")), (I32,),
                             memtype=MemType(1, 1, False))
    assert result(th) == [0] and all(not e.actions for e in trace)


# --- unshared memory: deterministic, no actions -----------------------------------------------

def test_unshared_memory_is_accessed_without_actions() -> None:
    body = (c32(0), c32(0x01020304), mem("i32.store"),
            c32(0), c32(1), mem("i32.atomic.rmw.add"), i("drop"),
            c32(1), i("memory.grow"), i("drop"),
            i("memory.size"), c32(0), mem("i32.load"), i("i32.add"))
    store, th = setup(body, (I32,), memtype=MemType(1, 2, False))
    store2, th2, trace = run(store, th, SeqMemory())
    assert all(not e.actions for e in trace)
    assert result(th2) == [2 + 0x01020305]
    assert store2.mems[0].data is not None and len(store2.mems[0].data) == 2 * PAGE
    assert store2.mems[0].type.min == 2


# --- control and numerics ----------------------------------------------------------------------

def test_loop_with_br_if_sums_a_countdown() -> None:
    # local 0 = n, local 1 = acc; loop: acc += n; n -= 1; br_if (n != 0)
    loop = Block("loop", (), (
        i("local.get", 1), i("local.get", 0), i("i32.add"), i("local.set", 1),
        i("local.get", 0), c32(1), i("i32.sub"), i("local.tee", 0), i("br_if", 0)))
    body = (c32(4), i("local.set", 0), loop, i("local.get", 1))
    th, trace, _ = exec_body(body, (I32,), (I32, I32))
    assert result(th) == [10]
    assert [v.bits for v in thread_locals(th)] == [0, 10]
    assert trace and all(not e.actions for e in trace)


def test_br_out_of_nested_blocks_keeps_the_label_arity_values() -> None:
    inner = Block("block", (), (c32(1), c32(2), i("br", 1), c32(99)))
    body = (Block("block", (I32,), (inner, c32(3))), c32(10), i("i32.add"))
    th, _, _ = exec_body(body, (I32,))
    assert result(th) == [12]


def test_if_else_and_select() -> None:
    body = (c32(0), If((I32,), (c32(1),), (c32(2),)),
            c32(10), c32(20), c32(0), i("select"), i("i32.add"))
    th, trace, _ = exec_body(body, (I32,))
    assert result(th) == [22]
    rules = [e.rule for e in trace]
    assert "step_pure/if-false" in rules and "step_pure/select-false" in rules


def test_call_and_return_from_a_nested_frame() -> None:
    callee = Func(FuncType((I32,), (I32,)), (I32,), (
        i("local.get", 0), c32(1), i("i32.add"), i("return"), c32(99)))
    body = (c32(41), i("call", 1))
    th, trace, _ = exec_body(body, (I32,), funcs=(callee,))
    assert result(th) == [42]
    assert "step_read/call" in [e.rule for e in trace]


def test_trap_in_a_callee_keeps_the_outer_locals() -> None:
    callee = Func(FuncType((), ()), (), (i("unreachable"),))
    body = (c32(7), i("local.set", 0), i("call", 1), c32(8), i("local.set", 0))
    th, trace, _ = exec_body(body, (), (I32,), funcs=(callee,))
    assert thread_status(th) == "trapped"
    assert thread_locals(th) == (Value(I32, 7),)
    assert trace[-1].rule == "step_pure/unreachable"
    assert thread_steps(instantiate(Program(MemType(), (), ())).store, th) == ()


@pytest.mark.parametrize("op,a,b,expected", [
    ("i32.shr_s", 0x80000000, 33, 0xC0000000),
    ("i32.shl", 1, 35, 8),
    ("i32.lt_s", 0xFFFFFFFF, 0, 1),
    ("i32.lt_u", 0xFFFFFFFF, 0, 0),
    ("i64.mul", 1 << 63, 2, 0),
    ("i64.ge_s", 0, 1 << 63, 1),
])
def test_binary_numerics(op: str, a: int, b: int, expected: int) -> None:
    k = c32 if op.startswith("i32") else c64
    res = NUM_OPS[op].results
    th, trace, _ = exec_body((k(a), k(b), i(op)), res)
    assert thread_results(th) == (Value(res[0], expected),)


@pytest.mark.parametrize("op,arg,res_type,expected", [
    ("i32.wrap_i64", c64(0x1_0000_0005), I32, 5),
    ("i64.extend_i32_s", c32(-2), I64, (1 << 64) - 2),
    ("i64.extend_i32_u", c32(-2), I64, (1 << 32) - 2),
    ("i32.eqz", c32(0), I32, 1),
    ("i32.reinterpret_f32", Instr("f32.const", (0x3F800000,)), I32, 0x3F800000),
    ("f32.reinterpret_i32", c32(7), F32, 7),
])
def test_conversions(op: str, arg: Instr, res_type: ValType, expected: int) -> None:
    th, _, _ = exec_body((arg, i(op)), (res_type,))
    assert thread_results(th) == (Value(res_type, expected),)


def test_ill_typed_code_crashes_instead_of_trapping() -> None:
    store, th = setup((c64(1), c32(2), i("i32.add"), i("drop")))
    with pytest.raises(Crash, match="i32.add"):
        thread_steps(store, th)


KIND_RULE = {"load": "step_read/load", "store": "step/store", "rmw": "step/rmw",
             "cmpxchg": "step/cmpxchg", "wait": "step/wait-suspend", "notify": "step/notify"}


@pytest.mark.parametrize("op", sorted(MEM_OPS))
def test_every_memory_instruction_reduces_on_shared_memory(op: str) -> None:
    m = MEM_OPS[op]
    operands = tuple(c32(0) if t is I32 else c64(0) if t is I64 else Instr(f"{t.value}.const", (0,))
                     for t in m.params[1:])
    th, trace, _ = exec_body((c32(8),) + operands + (mem(op),), m.results)
    mem_steps = with_actions(trace)
    assert mem_steps[0].rule == KIND_RULE[m.kind]
    assert mem_steps[0].actions[0] == LEN_N
    assert all(a.region == MEM_DATA for a in mem_steps[0].actions[1:])
    assert thread_status(th) == "done"
    assert tuple(v.type for v in thread_results(th)) == m.results


@pytest.mark.parametrize("op", sorted(NUM_OPS))
def test_every_numeric_instruction_reduces(op: str) -> None:
    spec = NUM_OPS[op]
    args = tuple(Instr(f"{t.value}.const", (3 + k,)) for k, t in enumerate(spec.params))
    th, trace, _ = exec_body(args + (i(op), i("nop")), spec.results)
    assert [e.rule.split("/")[0] for e in trace] == ["step_pure"] * len(trace)
    assert tuple(v.type for v in thread_results(th)) == spec.results
