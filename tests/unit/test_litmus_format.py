"""The litmus file format: parsing, printing, names, init values, .wast scripts."""

from pathlib import Path

import pytest

from semantics.litmus import condition as c
from semantics.litmus.format import LitmusError, parse_litmus, print_litmus
from semantics.litmus.loader import load_test
from semantics.wasm.syntax import I32, Instr, MemType
from tests.common.corpus import CORPUS


@pytest.mark.parametrize("path", sorted(CORPUS.rglob("*.litmus")),
                         ids=lambda p: str(p.relative_to(CORPUS)))
def test_print_parse_round_trip(path: Path) -> None:
    t = load_test(str(path))
    assert parse_litmus(print_litmus(t)) == t


def test_names_init_values_and_defaults() -> None:
    t = parse_litmus("""WASM Names ;; a comment after the name
;; comments anywhere
{ x = 4; far = 70000; [x:i16] = 0x1234; [x:i8] = -1; }
thread 0 {
  ;; a } in a comment does not close the body
  (i32.store (i32.const far) (i32.const x))
}
forall ([x:i16] = 0x12ff)
""")
    assert t.name == "Names" and t.comment == ""
    assert t.program.memory == MemType(1, 1, True)
    assert t.names == (("x", 4), ("far", 70000))
    assert t.program.data == ((4, (0xff, 0x12)),)
    body = t.program.funcs[0].body
    assert body[0] == Instr("i32.const", (70000,)) and body[1] == Instr("i32.const", (4,))
    assert t.condition == c.Condition("forall", c.Atom(c.Mem("x", 4, 2), 0x12ff))


def test_local_values_reduce_to_their_type() -> None:
    t = parse_litmus("WASM T\n{ }\nthread 0 { (local $a i32) (local $b i64) }\n"
                     "exists (0:a=-1 /\\ 0:$b=-1)\n")
    assert isinstance(t.condition.prop, c.And)
    assert t.condition.prop.left == c.Atom(c.Reg(0, "a"), 0xFFFFFFFF)
    assert t.condition.prop.right == c.Atom(c.Reg(0, "b"), (1 << 64) - 1)
    assert (I32.bits, len(t.program.funcs)) == (32, 1)


@pytest.mark.parametrize("src, where, expected", [
    ("WASM T\n{ memory 2 1 shared; }\nthread 0 { }\nexists (0:trap=0)\n", (2, 12),
     "a maximum between 2 and 65536"),
    ("WASM T\n{ x = 0; x = 4; }\nthread 0 { }\nexists (0:trap=0)\n", (2, 10), "a new name"),
    ("WASM T\n{ far = 70000; }\nthread 0 { }\nexists ([far]=0)\n", (4, 9),
     "inside the initial memory"),
    ("WASM T\n{ }\nexists (0:trap=0)\n", (3, 1), "'thread 0 {'"),
    ("WASM T\n{ }\nthread 0 { }\n", (4, 1), "'exists', '~exists' or 'forall'"),
    ("WASM T\n{ }\nthread 0 { (local.get $nope) }\nexists (0:trap=0)\n", (3, 23), "local"),
])
def test_errors_carry_file_line_column(src: str, where: tuple[int, int], expected: str) -> None:
    with pytest.raises(LitmusError) as e:
        parse_litmus(src, "t.litmus")
    assert (e.value.file, e.value.line, e.value.col) == ("t.litmus", *where)
    assert expected in str(e.value)
    assert str(e.value).startswith(f"t.litmus:{where[0]}:{where[1]}: expected")


def test_wast_script_becomes_a_litmus_test(threads_tests: Path) -> None:
    t = load_test(str(threads_tests / "MP.wast"))
    assert t.name == "MP"
    assert t.program.threads == (0, 1) and t.observer == 2
    assert t.condition == c.Condition("forall", c.Atom(c.Reg(2, "result"), 1))
    assert t.observables == (c.Reg(2, "0"), c.Reg(2, "1"), c.Reg(2, "result"))


def test_wast_that_is_not_a_litmus_script_is_rejected(threads_tests: Path) -> None:
    with pytest.raises(LitmusError) as e:
        load_test(str(threads_tests / "atomic.wast"))
    assert str(e.value).startswith(str(threads_tests / "atomic.wast") + ":")
