"""WAT text: tokens, literals, thread bodies (folded, flat, mixed), printing, errors."""

import struct

import pytest

from semantics.text.literals import parse_float, parse_int
from semantics.text.sexp import ATOM, ParseError, Token, read, tokenize
from semantics.text.wat import parse_body, print_body
from semantics.wasm.show import print_instr
from semantics.wasm.syntax import F32, F64, I32, I64, Block, Func, FuncType, If, Instr, MemArg


def tok(text: str) -> Token:
    return Token(ATOM, text, 1, 1)


def i(op: str, *args: int | MemArg) -> Instr:
    return Instr(op, args)


# --- tokens ---------------------------------------------------------------------------------


def test_tokens_keep_line_and_column_and_drop_comments() -> None:
    src = ';; a comment\n  (i32.const 1) (; block (; nested ;) ;) $x "s\\n\\41"\n)'
    toks = tokenize(src)
    assert [(t.kind, t.text, t.line, t.col) for t in toks] == [
        ("(", "(", 2, 3), (ATOM, "i32.const", 2, 4), (ATOM, "1", 2, 14), (")", ")", 2, 15),
        (ATOM, "$x", 2, 42), ("string", "s\nA", 2, 45), (")", ")", 3, 1),
    ]


def test_the_first_line_is_shifted_by_the_starting_column() -> None:
    toks = tokenize("nop\n nop", line=7, col=11)
    assert [(t.line, t.col) for t in toks] == [(7, 11), (8, 2)]


def test_read_nests_lists() -> None:
    (outer,) = read("(a (b c) d)")
    assert not isinstance(outer, Token)
    assert outer.head == "a"
    inner = outer.items[1]
    assert not isinstance(inner, Token) and [t.text for t in inner.items
                                             if isinstance(t, Token)] == ["b", "c"]


# --- literals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "bits", "value"), [
    ("0", 32, 0), ("42", 32, 42), ("-1", 32, 0xFFFFFFFF), ("0xff", 32, 255),
    ("1_000", 32, 1000), ("0xFFFF_FFFF", 32, 0xFFFFFFFF), ("-0x8000_0000", 32, 0x80000000),
    ("+7", 32, 7), ("-1", 64, (1 << 64) - 1), ("0x7fffffffffffffff", 64, (1 << 63) - 1),
])
def test_integer_literals(text: str, bits: int, value: int) -> None:
    assert parse_int(tok(text), bits) == value


@pytest.mark.parametrize(("text", "bits"), [
    ("4294967296", 32), ("-2147483649", 32), ("+2147483648", 32), ("1__0", 32), ("_1", 32),
    ("0x", 32), ("1.5", 32), ("x", 32), ("18446744073709551616", 64),
])
def test_bad_integer_literals(text: str, bits: int) -> None:
    with pytest.raises(ParseError) as e:
        parse_int(tok(text), bits)
    assert e.value.expected.startswith(f"an i{bits} literal")
    assert e.value.found == f"'{text}'"


def f32(x: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def f64(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


@pytest.mark.parametrize(("text", "t", "bits"), [
    ("1.5", F32, f32(1.5)), ("-0.0", F32, 0x80000000), ("1e3", F64, f64(1000.0)),
    ("0x1.8p3", F64, f64(12.0)), ("0x1p-149", F32, 1), ("1_000.5", F64, f64(1000.5)),
    ("inf", F32, 0x7F800000), ("-inf", F64, 0xFFF0000000000000), ("nan", F32, 0x7FC00000),
    ("-nan", F64, 0xFFF8000000000000), ("nan:0x1", F32, 0x7F800001), ("0.1", F32, f32(0.1)),
    ("0.1", F64, f64(0.1)), ("7", F32, f32(7.0)), ("1.", F64, f64(1.0)),
    # halfway between two f32s: ties to even (a double round trip would get this wrong)
    ("0x1.000001p0", F32, 0x3F800000), ("0x1.000003p0", F32, 0x3F800002),
])
def test_float_literals_are_bit_patterns(text: str, t: object, bits: int) -> None:
    assert parse_float(tok(text), t) == bits  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["1e39", "0x1p128", "nan:0x0", "nan:0x800000", "1.2.3", "e5"])
def test_bad_f32_literals(text: str) -> None:
    with pytest.raises(ParseError):
        parse_float(tok(text), F32)


# --- thread bodies --------------------------------------------------------------------------

MP_READER = """
  (local $r0 i32) (local $r1 i32)
  (local.set $r0 (i32.atomic.load (i32.const 4)))
  (local.set $r1 (i32.atomic.load (i32.const 0)))
"""


def test_a_folded_litmus_body() -> None:
    f = parse_body(MP_READER)
    assert f == Func(FuncType(), (I32, I32), (
        i("i32.const", 4), i("i32.atomic.load", MemArg()), i("local.set", 0),
        i("i32.const", 0), i("i32.atomic.load", MemArg()), i("local.set", 1),
    ), ("$r0", "$r1"))


def test_flat_folded_and_mixed_forms_mean_the_same() -> None:
    folded = parse_body("(local i32 i64) (local.set 0 (i32.add (local.get 0) (i32.const -1)))")
    flat = parse_body("(local i32 i64) local.get 0 i32.const -1 i32.add local.set 0")
    mixed = parse_body("(local i32) (local i64) (i32.add (local.get 0) (i32.const -1)) "
                       "local.set 0")
    assert folded == flat == mixed
    assert folded.locals == (I32, I64)
    assert folded.local_names == ()
    assert folded.body[1] == i("i32.const", 0xFFFFFFFF)


def test_blocks_loops_and_ifs_in_both_forms() -> None:
    flat = parse_body("""
      block $out (result i32)
        loop $top
          i32.const 1
          br_if $top
          i32.const 0
          br_if 1
        end $top
        i32.const 7
      end
      if (result i64) i64.const 1 else i64.const 2 end
      drop
    """)
    folded = parse_body("""
      (block $out (result i32)
        (loop $top (br_if $top (i32.const 1)) (br_if 1 (i32.const 0)))
        (i32.const 7))
      (if (result i64) (then (i64.const 1)) (else (i64.const 2)))
      (drop)
    """)
    assert flat == folded
    loop = Block("loop", (), (i("i32.const", 1), i("br_if", 0), i("i32.const", 0),
                              i("br_if", 1)), "$top")
    assert flat.body == (
        Block("block", (I32,), (loop, i("i32.const", 7)), "$out"),
        If((I64,), (i("i64.const", 1),), (i("i64.const", 2),)),
        i("drop"),
    )


def test_label_names_resolve_to_depths_innermost_first() -> None:
    f = parse_body("(block $l (block $l (br $l)) (br $l))")
    outer = f.body[0]
    assert isinstance(outer, Block)
    inner = outer.body[0]
    assert isinstance(inner, Block)
    assert inner.body == (i("br", 0),)
    assert outer.body[1] == i("br", 0)


def test_if_conditions_fold_before_the_if() -> None:
    f = parse_body("(local $r i32) (if $c (local.get $r) (then (br $c)))")
    assert f.body == (i("local.get", 0), If((), (i("br", 0),), (), "$c"))


def test_memargs_offsets_and_byte_alignments() -> None:
    f = parse_body("(drop (i64.load32_u offset=0x10 align=2 (i32.const 0))) "
                   "(i32.atomic.store offset=8 (i32.const 0) (i32.const 1))")
    assert f.body[1] == i("i64.load32_u", MemArg(16, 1))
    assert f.body[5] == i("i32.atomic.store", MemArg(8, None))


def test_params_names_and_symbols() -> None:
    f = parse_body("(local $r i64) (local.set $r (i64.extend_i32_u (local.get $p))) "
                   "(i32.store (i32.const x) (i32.const 0))",
                   params=(I32,), param_names=("$p",), symbols={"x": 12})
    assert f.type == FuncType((I32,), ())
    assert f.local_names == ("$p", "$r")
    assert f.body[0] == i("local.get", 0)
    assert f.body[2] == i("local.set", 1)
    assert f.body[3] == i("i32.const", 12)


def test_call_resolves_function_names() -> None:
    f = parse_body("(call $g) (call 0)", func_names=("$f", "$g"))
    assert f.body == (i("call", 1), i("call", 0))


# --- printing -------------------------------------------------------------------------------


def test_print_body_folds_operands() -> None:
    assert print_body(parse_body(MP_READER)) == (
        "(local $r0 i32) (local $r1 i32)\n"
        "(local.set $r0 (i32.atomic.load (i32.const 4)))\n"
        "(local.set $r1 (i32.atomic.load (i32.const 0)))"
    )


def test_print_body_flat() -> None:
    f = parse_body("(local i32) (block $b (br_if $b (local.get 0))) (if (i32.const 1) (then))")
    assert print_body(f, folded=False) == (
        "(local i32)\nblock $b\n  local.get 0\n  br_if $b\nend\ni32.const 1\nif\nend")


def test_print_instr_shows_immediates_in_text_units() -> None:
    assert print_instr(i("i32.atomic.rmw8.add_u", MemArg(4, 0))) == \
        "i32.atomic.rmw8.add_u offset=4 align=1"
    assert print_instr(i("i32.const", 0xFFFFFFFF)) == "i32.const -1"
    assert print_instr(i("f64.const", 0x7FF8000000000000)) == "f64.const nan"
    assert print_instr(i("local.get", 1), local_names=("$a", "$b")) == "local.get $b"
    assert print_instr(Block("loop", (I32,), (), "$l")) == "loop $l (result i32)"


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "line", "col", "expected", "found"), [
    ("(i32.frob (i32.const 1))", 3, 10, "an instruction", "'i32.frob'"),
    ("(local $r i32)\n(local.get $s)", 4, 12, "a known local name", "'$s'"),
    ("(block $a (br $b))", 3, 23, "the name of an enclosing label", "'$b'"),
    ("(i32.const 0x1p3)", 3, 20, "an i32 literal", "'0x1p3'"),
    ("(i32.load offset=-1 (i32.const 0))", 3, 26, "an offset", "'-1'"),
    ("(i32.load align=3 (i32.const 0))", 3, 25, "an alignment that is a power of two", "'3'"),
    ("(drop (i32.const 1)", 3, 9, "')' closing this '('", "end of input"),
    ("(nop))", 3, 14, "an instruction or '('", "unbalanced ')'"),
    ("block nop", 3, 18, "'end'", "end of input"),
    ("nop end", 3, 13, "an instruction", "'end'"),
    ("(nop) (local i32)", 3, 15, "an instruction (declarations come first)", "'(local'"),
    ("(local $r i32) (local $r i64)", 3, 31, "a fresh local name", "'$r'"),
    ("(local i33)", 3, 16, "a value type (i32, i64, f32, f64)", "'i33'"),
    ("(i32.add 1)", 3, 18, "a folded operand '(...)' or ')'", "'1'"),
    ("(if (i32.const 1) (else))", 3, 27, "(then ...)", "'(else'"),
    ("(; open", 3, 9, "';)' closing this block comment", "end of input"),
])
def test_errors_point_into_the_file(src: str, line: int, col: int, expected: str,
                                    found: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_body(src, line=3, col=9)
    assert (e.value.line, e.value.col, e.value.expected, e.value.found) == \
        (line, col, expected, found)
    assert str(e.value) == f"line {line}, column {col}: expected {expected}, found {found}"
