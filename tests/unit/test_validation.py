"""The type system: the threads tests' modules, and hand-written ill-typed bodies."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from semantics.text.wast import (
    AssertInvalid,
    AssertUnlinkable,
    Command,
    ModuleCmd,
    Thread,
    parse_module,
    parse_script,
)
from semantics.text.wat import parse_body
from semantics.wasm.syntax import (
    I32,
    I64,
    Block,
    Func,
    FuncType,
    Instr,
    MemArg,
    MemType,
    Program,
    ValType,
)
from semantics.wasm.validation import Context, ValidationError, func_ok, module_ok, program_ok


def walk(commands: tuple[Command, ...]) -> Iterator[Command]:
    for c in commands:
        yield c
        if isinstance(c, Thread):
            yield from walk(c.commands)


def commands(threads_tests: Path) -> Iterator[tuple[str, Command]]:
    for path in sorted(threads_tests.glob("*.wast")):
        for c in walk(parse_script(path.read_text()).commands):
            yield path.name, c


def test_every_assert_invalid_module_of_atomic_wast_is_rejected(threads_tests: Path) -> None:
    script = parse_script((threads_tests / "atomic.wast").read_text())
    invalid = [c for c in script.commands if isinstance(c, AssertInvalid)]
    assert len(invalid) == 93
    for c in invalid:
        with pytest.raises(ValidationError) as e:
            module_ok(c.module)
        assert e.value.reason.startswith(c.message), (c.line, str(e.value))


def test_every_plain_module_of_every_script_is_accepted(threads_tests: Path) -> None:
    checked = 0
    for _name, c in commands(threads_tests):
        if isinstance(c, (ModuleCmd, AssertUnlinkable)):
            module_ok(c.module)  # unlinkable modules are well typed: linking rejects them
            checked += 1
    assert checked == 51 + 4  # modules, and the modules of assert_unlinkable


MEMORY = MemType()


def body_error(src: str, *, params: tuple[ValType, ...] = (), results: tuple[ValType, ...] = (),
               memory: MemType | None = MEMORY) -> str:
    f = parse_body(src, params=params)
    f = Func(FuncType(params, results), f.locals, f.body, f.local_names)
    with pytest.raises(ValidationError) as e:
        func_ok(f, Context(memory=memory), "thread 1")
    return str(e.value)


@pytest.mark.parametrize(("src", "message"), [
    ("(drop (i32.add (i64.const 1) (i32.const 2)))",
     "thread 1, instruction 3 (i32.add): type mismatch: i32.add expects [i32 i32] but the stack "
     "has [i64 i32]"),
    ("(drop (i32.add (i32.const 2)))",
     "thread 1, instruction 2 (i32.add): type mismatch: i32.add expects [i32 i32] but the stack "
     "has [i32]"),
    ("(i32.const 1)",
     "thread 1: type mismatch: end of function expects [] but the stack has [i32]"),
    ("(drop (block (result i32) (i64.const 1)))",
     "thread 1, instruction 1 (block (result i32)): type mismatch: end of block expects [i32] "
     "but the stack has [i64]"),
    ("(drop (block $b (result i32) (i32.const 1) (i32.const 2)))",
     "thread 1, instruction 1 (block $b (result i32)): type mismatch: end of block expects [i32] "
     "but the stack has [i32 i32]"),
    ("(drop (block (result i32) (br 0 (i64.const 1))))",
     "thread 1, instruction 1.2 (br 0): type mismatch: br 0 expects [i32] but the stack has "
     "[i64]"),
    ("(if (i32.const 1) (then) (else (i32.add)))",
     "thread 1, instruction 2.else.1 (i32.add): type mismatch: i32.add expects [i32 i32] but the "
     "stack has []"),
    ("(drop (if (result i32) (i32.const 1) (then (i32.const 1))))",
     "thread 1, instruction 2 (if (result i32)): type mismatch: end of if (else) expects [i32] "
     "but the stack has []"),
    ("(if (i64.const 1) (then))",
     "thread 1, instruction 2 (if): type mismatch: if expects [i32] but the stack has [i64]"),
    ("(local i64) (local.set 0 (i32.const 1))",
     "thread 1, instruction 2 (local.set 0): type mismatch: local.set expects [i64] but the "
     "stack has [i32]"),
    ("(local i32) (local.get 3) (drop)",
     "thread 1, instruction 1 (local.get 3): unknown local: local 3, but the function has 1 "
     "locals"),
    ("(block (br 2))",
     "thread 1, instruction 1.1 (br 2): unknown label: label 2, but 2 labels are in scope"),
    ("(loop (result i32) (br_if 0 (i32.const 7) (i32.const 1)) (i32.const 2)) (drop)",
     "thread 1, instruction 1 (loop (result i32)): type mismatch: end of loop expects [i32] but "
     "the stack has [i32 i32]"),
    ("(drop (block (result i32) (br_if 0 (i64.const 7) (i32.const 1))))",
     "thread 1, instruction 1.3 (br_if 0): type mismatch: br_if 0 expects [i32 i32] but the "
     "stack has [i64 i32]"),
    ("(block (return) (i32.const 1))",
     "thread 1, instruction 1 (block): type mismatch: end of block expects [] but the stack "
     "has [i32]"),
    ("(drop (select (i32.const 1) (i64.const 2) (i32.const 0)))",
     "thread 1, instruction 4 (select): type mismatch: select expects [t t i32] but the stack "
     "has [i32 i64 i32]"),
    ("(drop (i32.load align=8 (i32.const 0)))",
     "thread 1, instruction 2 (i32.load align=8): alignment must not be larger than natural: "
     "align=8 but i32.load accesses 4 bytes"),
    ("(drop (i64.atomic.rmw32.xchg_u align=8 (i32.const 0) (i64.const 0)))",
     "thread 1, instruction 3 (i64.atomic.rmw32.xchg_u align=8): atomic alignment must be "
     "natural: align=8 but i64.atomic.rmw32.xchg_u accesses 4 bytes"),
    ("(drop (memory.atomic.wait64 align=4 (i32.const 0) (i64.const 0) (i64.const -1)))",
     "thread 1, instruction 4 (memory.atomic.wait64 align=4): atomic alignment must be natural: "
     "align=4 but memory.atomic.wait64 accesses 8 bytes"),
    ("(memory.fill (i32.const 0) (i32.const 0))",
     "thread 1, instruction 3 (memory.fill): type mismatch: memory.fill expects [i32 i32 i32] "
     "but the stack has [i32 i32]"),
    ("(call 0)",
     "thread 1, instruction 1 (call 0): unknown function: function 0, but there are 0 "
     "functions"),
])
def test_ill_typed_bodies(src: str, message: str) -> None:
    assert body_error(src) == message


def test_return_and_params() -> None:
    assert body_error("(return (i64.const 1))", results=(I32,)) == (
        "thread 1, instruction 2 (return): type mismatch: return expects [i32] but the stack "
        "has [i64]")
    assert body_error("(i64.add (local.get 0) (local.get 1))", params=(I64, I32),
                      results=(I64,)) == (
        "thread 1, instruction 3 (i64.add): type mismatch: i64.add expects [i64 i64] but the "
        "stack has [i64 i32]")


def test_memory_instructions_need_a_memory() -> None:
    assert body_error("(drop (memory.size))", memory=None) == (
        "thread 1, instruction 1 (memory.size): unknown memory: memory.size needs a memory, "
        "but there is none")
    assert body_error("(i32.atomic.store (i32.const 0) (i32.const 0))", memory=None).endswith(
        "unknown memory: i32.atomic.store needs a memory, but there is none")


@pytest.mark.parametrize("src", [
    # the stack is polymorphic after unreachable, br and return
    "(unreachable) (i32.add) (drop)",
    "(unreachable) (select) (i64.add) (drop)",
    "(drop (block (result i32) (br 0 (i32.const 1)) (i32.add)))",
    "(block (return) (i32.add) (drop))",
    "(loop (result i32) (br_if 0 (i32.const 1)) (i32.const 2)) (drop)",
    "(block $a (block $b (br_if $a (i32.const 1)) (br $b)))",
    "(local $r i64) (local.set $r (i64.atomic.rmw.cmpxchg (i32.const 0) (i64.const 0) "
    "(i64.const 1)))",
    "(drop (memory.atomic.notify (i32.const 0) (i32.const 1)))",
    "(drop (memory.atomic.wait32 align=4 (i32.const 0) (i32.const 0) (i64.const -1)))",
    "(drop (memory.grow (i32.const 1))) (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))"
    " (memory.copy (i32.const 0) (i32.const 1) (i32.const 1)) (atomic.fence)",
    "(i32.store8 align=1 (i32.const 0) (i32.const 1)) (drop (i64.load offset=8 align=2 "
    "(i32.const 0)))",
    "(local f32) (local.set 0 (f32.reinterpret_i32 (i32.const 1))) "
    "(drop (select (local.get 0) (local.get 0) (i32.const 1)))",
])
def test_well_typed_bodies(src: str) -> None:
    func_ok(parse_body(src), Context(memory=MemType()))


def test_atomics_on_unshared_memory_are_valid() -> None:
    func_ok(parse_body("(drop (i32.atomic.load (i32.const 0)))"),
            Context(memory=MemType(1, 1, False)))


MP_WRITER = parse_body("(i32.atomic.store (i32.const 0) (i32.const 1))")


def test_program_ok_checks_threads_and_memory() -> None:
    program_ok(Program(MemType(1, 1, True), (MP_WRITER, MP_WRITER), (0, 1)))
    with pytest.raises(ValidationError) as e:
        program_ok(Program(MemType(1, 1, True), (MP_WRITER, parse_body("(i32.const 1)")), (0, 1)))
    assert e.value.thread == 1
    assert str(e.value) == \
        "thread 1: type mismatch: end of function expects [] but the stack has [i32]"
    with_param = Func(FuncType((I32,), ()), (), ())
    with pytest.raises(ValidationError) as e:
        program_ok(Program(MemType(), (MP_WRITER, with_param), (0, 1)))
    assert str(e.value) == ("thread 1: a thread's function must take no parameters and return "
                            "nothing, but it has type [i32] -> []")
    assert e.value.thread == 1
    with pytest.raises(ValidationError, match="unknown function: thread 0 runs function 2"):
        program_ok(Program(MemType(), (MP_WRITER,), (2,)))
    with pytest.raises(ValidationError, match="^shared memory must have maximum$"):
        program_ok(Program(MemType(1, None, True), (MP_WRITER,), (0,)))
    with pytest.raises(ValidationError, match="^size minimum must not be greater than maximum"):
        program_ok(Program(MemType(2, 1, False), (MP_WRITER,), (0,)))
    with pytest.raises(ValidationError, match="^data segment out of bounds: 4 bytes at 65534"):
        program_ok(Program(MemType(), (MP_WRITER,), (0,), ((65534, (1, 2, 3, 4)),)))


def test_a_function_no_thread_runs_is_named_by_index() -> None:
    bad = Func(FuncType(), (), (Instr("i32.const", (0,)), Instr("i32.load", (MemArg(0, 5),)),
                                Instr("drop")))
    with pytest.raises(ValidationError) as e:
        program_ok(Program(MemType(), (MP_WRITER, bad), (0,)))
    assert str(e.value) == ("function 1, instruction 2 (i32.load align=32): alignment must not "
                            "be larger than natural: align=32 but i32.load accesses 4 bytes")
    assert e.value.thread is None


@pytest.mark.parametrize(("src", "message"), [
    ("(module (memory 1) (memory 1))", "multiple memories: the module has 2"),
    ('(module (memory (import "m" "n") 1) (memory 1))', "multiple memories: the module has 2"),
    ("(module (memory 1 65537))", "memory size must be at most 65536 pages (4GiB)"),
    ("(module (memory 2 1))", "size minimum must not be greater than maximum: 2 > 1"),
    ('(module (func (export "f")) (func (export "f")))', "duplicate export name: 'f'"),
    ('(module (export "m" (memory 0)))', "unknown memory: export 'm' refers to memory 0"),
    ('(module (export "f" (func 1)) (func))', "unknown function: export 'f' refers to func 1"),
    ('(module (data (i32.const 0) "x"))', "unknown memory: a data segment needs a memory"),
    ("(module (func $f (result i32) (i32.const 1)) (func (call $f)))",
     "function 1 ($func): type mismatch: end of function expects [] but the stack has [i32]"),
])
def test_module_errors(src: str, message: str) -> None:
    with pytest.raises(ValidationError) as e:
        module_ok(parse_module(src))
    assert str(e.value) == message.replace(" ($func)", "")


def test_calls_see_imported_and_defined_functions() -> None:
    module_ok(parse_module("""(module (import "h" "f" (func $h (param i64) (result i32)))
                                (func $g (param i32) (drop (call $h (i64.const 1))))
                                (func (call $g (i32.const 0))))"""))
    bad = parse_module("""(module (import "h" "f" (func $h (param i64) (result i32)))
                            (func $g (drop (call $h (i32.const 1)))))""")
    with pytest.raises(ValidationError) as e:
        module_ok(bad)
    assert str(e.value) == ("function 1 ($g), instruction 2 (call 0): type mismatch: call "
                            "expects [i64] but the stack has [i32]")


def test_nested_paths_through_blocks() -> None:
    inner = Block("loop", (), (Instr("nop"), Instr("i32.eqz")))
    f = Func(FuncType(), (), (Block("block", (), (inner,)),))
    with pytest.raises(ValidationError) as e:
        func_ok(f, Context())
    assert e.value.path == (1, 1, 2)
    assert str(e.value) == ("function, instruction 1.1.2 (i32.eqz): type mismatch: i32.eqz "
                            "expects [i32] but the stack has []")
