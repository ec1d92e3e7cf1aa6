"""The sequential runner (tests/common/seqrun.py) and the atomic.wast results it reproduces:
every ``invoke``/``assert_return``/``assert_trap`` of the script (shared and unshared memories),
run through ``thread_steps`` by ``metatheory.conformance``'s runner, with the trapping rule named
after the cause and no write made by a trapping step."""

from __future__ import annotations

from pathlib import Path

from metatheory.conformance import Runner, invoke
from semantics.memory.events import PAGE
from semantics.text import wast
from semantics.wasm.runtime import (
    Value,
    instantiate,
    start_func,
    thread_results,
    thread_status,
)
from semantics.wasm.syntax import (
    I64,
    MEM_OPS,
    Func,
    FuncType,
    Instr,
    MemArg,
    MemType,
    Program,
    ValType,
)
from tests.common.seqrun import SeqMemory, run


def local_gets(n: int) -> tuple[Instr, ...]:
    return tuple(Instr("local.get", (i,)) for i in range(n))


def op_func(op: str) -> Func:
    """``(func (param ...) (result ...) (OP (local.get 0) ...))`` as atomic.wast exports it."""
    m = MEM_OPS[op]
    return Func(FuncType(m.params, m.results), (), local_gets(len(m.params)) + (
        Instr(op, (MemArg(),)),), name=op)


TRAPS = {"unaligned atomic": "-unaligned", "out of bounds memory access": "-oob",
         "expected shared memory": "wait-unshared"}


def test_atomic_wast_runnable_commands(threads_tests: Path) -> None:
    script = wast.parse_script((threads_tests / "atomic.wast").read_text())
    runner = Runner()
    checked = 0
    for cmd in script.commands:
        if isinstance(cmd, wast.ModuleCmd):
            runner.instantiate(cmd.module)
            continue
        act = cmd.action if isinstance(cmd, wast.AssertReturn) else (
            cmd.target if isinstance(cmd, wast.AssertTrap) else cmd)
        if not isinstance(act, wast.Invoke):
            continue
        inst = runner.instance(act.module)
        before = bytes(inst.memory.data) if inst.memory else b""
        out = invoke(inst, act.name, tuple(Value(a.type, a.bits) for a in act.args))
        if isinstance(cmd, wast.AssertTrap):
            assert out.trap is not None and out.rule is not None, cmd
            assert out.rule.endswith(TRAPS[cmd.message]), (cmd, out.rule)
            assert inst.memory is not None and bytes(inst.memory.data) == before  # no write
        else:
            assert out.trap is None, cmd
        if isinstance(cmd, wast.AssertReturn):
            assert [(v.type, v.bits) for v in out.results] == [
                (r.type, r.bits) for r in cmd.results if isinstance(r, wast.Const)], cmd
        checked += 1
    assert checked >= 150


def test_atomic_wast_trap_rules_name_the_cause() -> None:
    """The trap messages of atomic.wast correspond to the rule names of the trapping steps."""
    cases = [("i32.atomic.load", [Value(ValType.I32, 1)], True, "unaligned atomic"),
             ("memory.atomic.notify", [Value(ValType.I32, 65536), Value(ValType.I32, 0)], True,
              "out of bounds memory access"),
             ("memory.atomic.wait32", [Value(ValType.I32, 0), Value(ValType.I32, 0),
                                       Value(I64, 0)], False, "expected shared memory")]
    for op, args, shared, msg in cases:
        store = instantiate(Program(MemType(1, 1, shared), (), ())).store
        _, th, trace = run(store, start_func(op_func(op), tuple(args)), SeqMemory())
        assert thread_status(th) == "trapped"
        assert trace[-1].rule.endswith(TRAPS[msg]), (op, trace[-1].rule)


def test_runner_applies_grow_and_reads_new_length() -> None:
    body = (Instr("i32.const", (1,)), Instr("memory.grow"), Instr("drop"), Instr("memory.size"))
    f = Func(FuncType((), (ValType.I32,)), (), body)
    prog = Program(MemType(1, 2, True), (f,), (0,))
    cfg = instantiate(prog)
    mem = SeqMemory()
    _, th, trace = run(cfg.store, cfg.threads[0], mem)
    assert [v.bits for v in thread_results(th)] == [2]
    assert len(mem.data) == 2 * PAGE
    assert "step/memory.grow" in [e.rule for e in trace]
