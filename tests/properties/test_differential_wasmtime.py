"""Differential test: weakwasm's sequential runner against wasmtime on random valid programs.

Both sides get the same WAT text (printed by ``properties.wasm_programs.module_wat``); weakwasm
parses it back with its own text parser. Compared: the results or the trap's class, the memory's
size and every byte of it (at the trap, for a trapping run). ``memory.grow`` succeeds on both
sides when within the maximum (wasmtime does so for these small memories; the runner picks that
outcome of the non-deterministic rule).

Disagreements, once shrunk, are kept under ``tests/regressions/`` as ``NAME.wat`` and
``NAME.expected`` (the description both sides must produce) and replayed here.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pytest
import wasmtime
from hypothesis import given, settings

from metatheory.conformance import Runner, invoke
from properties.wasm_programs import MEMORY, RUN, WasmProgram, programs
from semantics.memory.events import PAGE
from semantics.text.wast import parse_module
from semantics.wasm.syntax import MEM_OPS, Block, Instr, Node
from semantics.wasm.validation import module_ok

REGRESSIONS = Path(__file__).resolve().parents[1] / "regressions"
_NONZERO = re.compile(rb"[^\x00]")

_TRAPS = {
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.HEAP_MISALIGNED: "unaligned atomic",
    wasmtime.TrapCode.UNREACHABLE: "unreachable executed",
}


def describe(results: tuple[str, ...] | None, trap: str | None, memory: bytes) -> str:
    """The observable end of a run: outcome, pages, and the 16-byte rows that are not zero."""
    lines = [f"traps {trap}" if trap is not None else "returns " + " ".join(results or ())]
    lines.append(f"pages {len(memory) // PAGE}")
    rows = sorted({m.start() // 16 * 16 for m in _NONZERO.finditer(memory)})
    lines += [f"mem {row:#07x}: {memory[row:row + 16].hex(' ')}" for row in rows]
    return "\n".join(lines)


def _value(t: str, v: int) -> str:
    bits = 32 if t == "i32" else 64
    return f"{t}:{v % (1 << bits):#x}"


_ENGINE: wasmtime.Engine | None = None


def _engine() -> wasmtime.Engine:
    global _ENGINE
    if _ENGINE is None:
        config = wasmtime.Config()
        config.wasm_threads = True
        config.shared_memory = True
        _ENGINE = wasmtime.Engine(config)
    return _ENGINE


def run_wasmtime(wat: str) -> str:
    store = wasmtime.Store(_engine())
    module = wasmtime.Module(_engine(), wat)
    inst = wasmtime.Instance(store, module, [])
    exports = inst.exports(store)
    run, mem = exports[RUN], exports[MEMORY]
    if not isinstance(run, wasmtime.Func):
        raise TypeError(f"export {RUN!r} is not a function")
    types = [str(t) for t in run.type(store).results]
    results: tuple[str, ...] | None = None
    trap = None
    try:
        out = run(store)
        values = [] if out is None else list(out) if isinstance(out, (list, tuple)) else [out]
        results = tuple(_value(t, v) for t, v in zip(types, values, strict=True))
    except wasmtime.Trap as e:
        trap = _TRAPS.get(e.trap_code, f"wasmtime trap {e.trap_code}")
    if isinstance(mem, wasmtime.SharedMemory):
        data = ctypes.string_at(mem.data_ptr(), mem.data_len())
    elif isinstance(mem, wasmtime.Memory):
        data = ctypes.string_at(mem.data_ptr(store), mem.data_len(store))
    else:
        raise TypeError(f"export {MEMORY!r} is not a memory")
    return describe(results, trap, data)


def run_weakwasm(wat: str) -> str:
    module = parse_module(wat)
    runner = Runner()
    inst = runner.instantiate(module)
    out = invoke(inst, RUN, ())
    results = None if out.trap else tuple(_value(v.type.value, v.bits) for v in out.results)
    assert inst.memory is not None
    return describe(results, out.trap, bytes(inst.memory.data))


def test_wasmtime_runs_shared_memory_atomics() -> None:
    """The harness itself: wasmtime accepts a module-defined shared memory and its atomics."""
    wat = """(module (memory (export "mem") 1 2 shared)
      (func (export "run") (result i32 i64)
        (i32.atomic.store (i32.const 0) (i32.const 7))
        (drop (memory.grow (i32.const 1)))
        (memory.size) (i64.atomic.rmw.add (i32.const 65536) (i64.const 5))))"""
    expected = "returns i32:0x2 i64:0x0\npages 2\nmem 0x00000: " + "07" + " 00" * 15 + \
        "\nmem 0x10000: 05" + " 00" * 15
    assert run_wasmtime(wat) == expected
    assert run_weakwasm(wat) == expected


def test_harness_sees_traps_and_memory_at_the_trap() -> None:
    wat = """(module (memory (export "mem") 1 1)
      (func (export "run") (result i32)
        (i32.store8 (i32.const 3) (i32.const 9))
        (i32.atomic.load (i32.const 2))))"""
    expected = "traps unaligned atomic\npages 1\nmem 0x00000: 00 00 00 09" + " 00" * 12
    assert run_wasmtime(wat) == expected
    assert run_weakwasm(wat) == expected


@settings(max_examples=250)
@given(programs())
def test_weakwasm_agrees_with_wasmtime(program: WasmProgram) -> None:
    wat = program.wat
    module = parse_module(wat)
    module_ok(module)  # the generator makes valid programs only
    assert module.funcs[0].body == program.func.body  # and the printer round-trips
    assert run_weakwasm(wat) == run_wasmtime(wat), wat


def _ops(nodes: tuple[Node, ...]) -> set[str]:
    out: set[str] = set()
    for n in nodes:
        if isinstance(n, Instr):
            out.add(n.op)
        elif isinstance(n, Block):
            out |= {n.kind} | _ops(n.body)
        else:
            out |= {"if"} | _ops(n.then) | _ops(n.else_)
    return out


def test_programs_cover_the_fragment() -> None:
    """The strategy reaches every kind of operation and outcome the differential test is for."""
    ops: set[str] = set()
    outcomes: set[str] = set()
    memories: set[bool] = set()

    @settings(max_examples=150, derandomize=True, database=None)
    @given(programs())
    def collect(p: WasmProgram) -> None:
        ops.update(_ops(p.func.body))
        memories.add(p.memory.shared)
        first = run_weakwasm(p.wat).split("\n")[0]
        outcomes.add("returns" if first.startswith("returns") else first)

    collect()
    kinds = {MEM_OPS[op].kind + ("-atomic" if MEM_OPS[op].atomic else "") for op in ops
             if op in MEM_OPS}
    assert {"load", "load-atomic", "store", "store-atomic", "rmw-atomic",
            "cmpxchg-atomic"} <= kinds, kinds
    widths = {MEM_OPS[op].width for op in ops if op in MEM_OPS}
    assert widths == {8, 16, 32, 64}
    for op in ("local.get", "local.set", "local.tee", "memory.size", "memory.grow",
               "memory.fill", "memory.copy", "atomic.fence", "loop", "block", "if", "br_if",
               "unreachable", "select", "return", "i64.extend_i32_s", "i32.wrap_i64"):
        assert op in ops, op
    assert {"returns", "traps out of bounds memory access", "traps unaligned atomic",
            "traps unreachable executed"} <= outcomes, outcomes
    assert memories == {True, False}


def _regressions() -> list[Path]:
    return sorted(REGRESSIONS.glob("*.wat")) if REGRESSIONS.is_dir() else []


@pytest.mark.parametrize("wat_file", _regressions(), ids=lambda p: p.stem)
def test_regression(wat_file: Path) -> None:
    wat = wat_file.read_text()
    expected = wat_file.with_suffix(".expected").read_text().strip()
    assert run_wasmtime(wat) == expected
    assert run_weakwasm(wat) == expected


