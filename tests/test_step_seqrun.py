"""A sequential runner (``settle`` over a bytearray memory) and the atomic.wast results it
reproduces: every ``invoke``/``assert_return``/``assert_trap`` of the script's runnable modules
(shared and unshared memories), run through ``thread_steps``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs

from semantics.events import LEN, PAGE, Action, Fill, Payload
from semantics.runtime import (
    Store,
    Thread,
    Value,
    instantiate,
    start_func,
    thread_results,
    thread_status,
)
from semantics.step import Emit, Hole, settle, thread_steps
from semantics.syntax import (
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

AVOID = ("grow-fail", "waitx-woken")  # a lone thread prefers success and timeouts


class SeqMemory:
    """Memory 0 of a sequential run: answers reads with the latest write."""

    def __init__(self, pages: int = 1) -> None:
        self.data = bytearray(pages * PAGE)

    def read(self, hole: Hole) -> Payload:
        if hole.region.fld == LEN:
            return (len(self.data),)
        return tuple(self.data[hole.offset:hole.offset + hole.width])

    def apply(self, actions: tuple[Action, ...]) -> None:
        for a in actions:
            if a.region is None or not a.write or a.region.addr != 0:
                continue
            if a.region.fld == LEN:
                self.data.extend(bytes(a.write[0] - len(self.data)))
            elif isinstance(a.write, Fill):
                self.data[a.offset:a.offset + a.write.n] = bytes(a.write.n)
                for i, v in a.write.patches:
                    self.data[a.offset + i] = v
            else:
                self.data[a.offset:a.offset + len(a.write)] = bytes(a.write)


def run(store: Store, thread: Thread, mem: SeqMemory, max_steps: int = 10_000,
        choose: Callable[[list[Emit]], Emit] | None = None) -> tuple[Store, Thread, list[Emit]]:
    """Run one thread to the end; at a choice take ``choose(emits)`` (default: the first emit
    whose rule is not in AVOID, else the first)."""
    trace: list[Emit] = []
    for _ in range(max_steps):
        emits = [e for e in (settle(t, mem.read) for t in thread_steps(store, thread))
                 if e is not None]
        if not emits:
            return store, thread, trace
        if choose is not None:
            e = choose(emits)
        else:
            e = next((e for e in emits if not e.rule.endswith(AVOID)), emits[0])
        mem.apply(e.actions)
        store, thread = e.after  # type: ignore[misc]
        trace.append(e)
    raise AssertionError(f"no end after {max_steps} steps")


def local_gets(n: int) -> tuple[Instr, ...]:
    return tuple(Instr("local.get", (i,)) for i in range(n))


def op_func(op: str) -> Func:
    """``(func (param ...) (result ...) (OP (local.get 0) ...))`` as atomic.wast exports it."""
    m = MEM_OPS[op]
    return Func(FuncType(m.params, m.results), (), local_gets(len(m.params)) + (
        Instr(op, (MemArg(),)),), name=op)


INIT = Func(FuncType((I64,), ()), (), (Instr("i32.const", (0,)), Instr("local.get", (0,)),
                                       Instr("i64.store", (MemArg(),))), name="init")

FENCE = Func(FuncType(), (), (Instr("atomic.fence"),), name="fence")


# --- a reader for the top-level commands of atomic.wast ----------------------------------------

def top_forms(text: str) -> list[str]:
    text = re.sub(r";;[^\n]*", "", text)
    forms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                forms.append(text[start:i + 1])
    return forms


CONST = re.compile(r"\((i32|i64)\.const (-?0x[0-9a-fA-F]+|-?\d+)\)")


def consts(s: str) -> list[Value]:
    out = []
    for ty, lit in CONST.findall(s):
        t = ValType(ty)
        out.append(Value(t, int(lit, 0) % (1 << t.bits)))
    return out


@attrs.define
class Script:
    store: Store | None = None
    mem: SeqMemory = attrs.field(factory=SeqMemory)
    checked: int = 0

    def module(self, form: str) -> None:
        shared = "shared" in form.split("(func")[0]
        prog = Program(MemType(1, 1, shared), (INIT,), ())
        self.store = instantiate(prog).store
        self.mem = SeqMemory(1)

    def invoke(self, name: str, args: list[Value]) -> tuple[Thread, list[Emit]]:
        if self.store is None:
            raise AssertionError("invoke before module")
        func = INIT if name == "init" else FENCE if name == "fence" else op_func(name)
        self.store, th, trace = run(self.store, start_func(func, tuple(args)), self.mem)
        return th, trace


TRAPS = {"unaligned atomic": "-unaligned", "out of bounds memory access": "-oob",
         "expected shared memory": "wait-unshared"}


def test_atomic_wast_runnable_commands(threads_tests: Path) -> None:
    text = (threads_tests / "atomic.wast").read_text()
    sc = Script()
    for form in top_forms(text):
        head = form[1:].split(None, 1)[0]
        if head == "module":
            sc.module(form)
            continue
        if head not in ("invoke", "assert_return", "assert_trap"):
            continue
        inv = re.search(r'\(invoke "([^"]+)"(.*?)\)\s*(\(|"|\)$)', form, re.S)
        assert inv is not None, form
        name = inv.group(1)
        inner = form[inv.start():]
        depth, end = 0, 0
        for i, ch in enumerate(inner):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                end = i + 1
                break
        args, rest = consts(inner[:end]), inner[end:]
        before = bytes(sc.mem.data), sc.store
        th, trace = sc.invoke(name, args)
        if head == "invoke":
            assert thread_status(th) == "done"
        elif head == "assert_return":
            assert thread_status(th) == "done", form
            assert list(thread_results(th)) == consts(rest), form
        else:
            msg = re.search(r'"([^"]+)"\s*\)$', form)
            assert msg is not None
            assert thread_status(th) == "trapped", form
            assert trace[-1].rule.endswith(TRAPS[msg.group(1)]), (form, trace[-1].rule)
            assert (bytes(sc.mem.data), sc.store) == before  # a trap writes nothing
        sc.checked += 1
    assert sc.checked >= 150


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
