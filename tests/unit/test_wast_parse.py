"""Parsing the threads proposal's .wast scripts (and hand-written ones) into commands."""

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from semantics.text.sexp import ParseError
from semantics.text.wast import (
    AssertInvalid,
    AssertMalformed,
    AssertReturn,
    AssertTrap,
    AssertUnlinkable,
    Command,
    Const,
    Either,
    Invoke,
    ModuleCmd,
    NanPattern,
    Register,
    Thread,
    Wait,
    parse_module,
    parse_script,
)
from semantics.wasm.syntax import (
    F32,
    F64,
    I32,
    I64,
    Export,
    FuncType,
    Import,
    Instr,
    MemArg,
    MemType,
)

FILES = ["LB.wast", "LB_atomic.wast", "MP.wast", "MP_atomic.wast", "SB.wast", "SB_atomic.wast",
         "atomic.wast", "deeply_nested.wast", "nested.wast", "simple.wast", "thread.wast",
         "unlinkable.wast", "wait_notify.wast"]

_HEADS = {"module": ModuleCmd, "register": Register, "assert_return": AssertReturn,
          "assert_trap": AssertTrap, "assert_invalid": AssertInvalid,
          "assert_unlinkable": AssertUnlinkable, "thread": Thread, "wait": Wait}


def walk(commands: tuple[Command, ...]) -> Iterator[Command]:
    for c in commands:
        yield c
        if isinstance(c, Thread):
            yield from walk(c.commands)


def test_the_file_list_is_complete(threads_tests: Path) -> None:
    assert sorted(p.name for p in threads_tests.glob("*.wast")) == FILES


@pytest.mark.parametrize("name", FILES)
def test_every_command_of_every_script_is_parsed(threads_tests: Path, name: str) -> None:
    src = (threads_tests / name).read_text()
    script = parse_script(src)
    got = Counter(type(c) for c in walk(script.commands))
    # Every command opens a line; modules are commands or inside assert_* and (shared ...).
    for head, cls in _HEADS.items():
        if head != "module":
            assert got[cls] == len(re.findall(rf"^\s*\({head}\b", src, re.M)), head
    with_module = [c for c in walk(script.commands)
                   if isinstance(c, (AssertInvalid, AssertUnlinkable, AssertMalformed))
                   or (isinstance(c, AssertTrap) and not isinstance(c.target, Invoke))]
    shared = sum(len(c.shared) for c in walk(script.commands) if isinstance(c, Thread))
    assert got[ModuleCmd] + len(with_module) + shared == src.count("(module")
    assert shared == src.count("(shared (module")
    assert got[ModuleCmd] >= 1


def test_mp_script_structure(threads_tests: Path) -> None:
    script = parse_script((threads_tests / "MP.wast").read_text())
    mem, reg, t1, t2, w1, w2, check, assertion = script.commands
    assert isinstance(mem, ModuleCmd) and mem.module.name == "$Mem"
    assert mem.module.memories == (MemType(1, 1, True),)
    assert mem.module.exports == (Export("shared", "memory", 0),)
    assert reg == Register("mem", None, 4)
    assert isinstance(t1, Thread) and t1.name == "$T1" and t1.shared == ("$Mem",)
    assert t1.commands[0] == Register("mem", "$Mem", 7)
    writer = t1.commands[1]
    assert isinstance(writer, ModuleCmd)
    assert writer.module.imports == (Import("mem", "shared", MemType(1, 1, True)),)
    assert writer.module.memory_import == ("mem", "shared")
    assert writer.module.funcs[0].body == (
        Instr("i32.const", (0,)), Instr("i32.const", (42,)), Instr("i32.store", (MemArg(),)),
        Instr("i32.const", (4,)), Instr("i32.const", (1,)), Instr("i32.store", (MemArg(),)))
    assert t1.commands[2] == Invoke("run", (), None, 15)
    assert isinstance(t2, Thread) and t2.name == "$T2"
    assert (w1, w2) == (Wait("$T1", 38), Wait("$T2", 39))
    assert isinstance(check, ModuleCmd) and check.module.name == "$Check"
    assert check.module.funcs[0].type == FuncType((), (I32,))
    assert check.module.funcs[0].locals == (I32, I32)
    assert assertion == AssertReturn(Invoke("check", (), "$Check", 60), (Const(I32, 1),), 60)


def test_either_results(threads_tests: Path) -> None:
    script = parse_script((threads_tests / "thread.wast").read_text())
    t2 = script.commands[3]
    assert isinstance(t2, Thread)
    last = t2.commands[-1]
    assert isinstance(last, AssertReturn)
    assert last.results == (Either((Const(I32, 0), Const(I32, 42))),)


def test_atomic_script_args_traps_and_invalid_modules(threads_tests: Path) -> None:
    script = parse_script((threads_tests / "atomic.wast").read_text())
    cmds = script.commands
    assert cmds[1] == Invoke("init", (Const(I64, 0x0706050403020100),), None, 84)
    traps = [c for c in cmds if isinstance(c, AssertTrap)]
    assert traps[0].target == Invoke("i32.atomic.load", (Const(I32, 1),), None, traps[0].line)
    assert traps[0].message == "unaligned atomic"
    invalid = [c for c in cmds if isinstance(c, AssertInvalid)]
    assert invalid[0].message == "atomic alignment must be natural"
    body = invalid[0].module.funcs[0].body
    assert body[-1] == Instr("i32.atomic.load", (MemArg(0, 0),))
    assert invalid[-1].message == "unknown memory"
    assert invalid[-1].module.memory is None


def test_module_fields() -> None:
    m = parse_module("""
      (module $M
        (type $t (func (param i32) (result i32)))
        (import "host" "print" (func $print (param i64)))
        (memory $mem (export "m") 2 4 shared)
        (func $f (export "f") (type $t) (local.get 0))
        (func $g (param $a i32) (param i64 i64) (result i32)
          (call $print (local.get 1))
          (call $f (local.get $a)))
        (export "g" (func $g))
        (data (i32.const 8) "ab" "\\01"))
    """)
    assert m.name == "$M"
    assert m.types == (FuncType((I32,), (I32,)),)
    assert m.imports == (Import("host", "print", FuncType((I64,), ())),)
    assert m.memory == MemType(2, 4, True) and m.memory_import is None
    assert m.func_types == (FuncType((I64,), ()), FuncType((I32,), (I32,)),
                            FuncType((I32, I64, I64), (I32,)))
    assert m.exports == (Export("m", "memory", 0), Export("f", "func", 1),
                         Export("g", "func", 2))
    g = m.func(2)
    assert g is not None and g.local_names == ("$a", None, None)
    assert g.body[1] == Instr("call", (0,)) and g.body[3] == Instr("call", (1,))
    assert m.func(0) is None
    assert m.data == ((8, (97, 98, 1)),)


def test_quoted_and_malformed_modules() -> None:
    script = parse_script("""
      (module quote "(func (nop))")
      (assert_malformed (module quote "(func (i32.frob))") "unknown operator")
      (assert_malformed (module (func (local.get $nope))) "unknown local")
      (assert_return (invoke "f" (f32.const 1.5)) (f32.const nan:canonical)
                     (f64.const nan:arithmetic))
    """)
    quoted, malformed, malformed2, ret = script.commands
    assert isinstance(quoted, ModuleCmd) and quoted.module.funcs[0].body == (Instr("nop"),)
    assert isinstance(malformed, AssertMalformed)
    assert isinstance(malformed.module, ParseError)
    assert malformed.module.found == "'i32.frob'"
    assert isinstance(malformed2, AssertMalformed) and isinstance(malformed2.module, ParseError)
    assert isinstance(ret, AssertReturn)
    assert ret.action == Invoke("f", (Const(F32, 0x3FC00000),), None, 5)
    assert ret.results == (NanPattern(F32, "canonical"), NanPattern(F64, "arithmetic"))


@pytest.mark.parametrize(("src", "line", "col", "expected"), [
    ("(module binary \"\\00asm\")", 1, 9, "a text module (binary modules are not supported)"),
    ("(frob)", 1, 1, "a command (module, register, invoke, get, assert_..., thread, wait)"),
    ("(module (table 1 funcref))", 1, 9,
     "a module field (type, import, func, memory, export, data)"),
    ("(module (memory))", 1, 16, "the memory's minimum size in pages"),
    ("(assert_return (invoke \"f\" (i32.const x)))", 1, 39, "an i32 literal"),
    ("(thread T1)", 1, 9, "the thread's $name"),
    ("(module (func (export \"f\") (i32.add)))\n(register)", 2, 10,
     "the name to register the module as"),
])
def test_script_errors(src: str, line: int, col: int, expected: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_script(src)
    assert (e.value.line, e.value.col, e.value.expected) == (line, col, expected)
