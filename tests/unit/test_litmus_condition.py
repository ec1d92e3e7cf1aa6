"""The condition language: parsing herd's syntax, printing, evaluating."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from semantics.litmus import condition as c
from semantics.litmus.result import Result, herd_block

NAMES = {"x": 0, "y": 4}


def parse(src: str) -> c.Condition:
    return c.parse_condition(src, names=NAMES)


def test_parse_mp_condition() -> None:
    cd = parse("exists (1:r0=1 /\\ 1:r1=0)")
    assert cd == c.Condition("exists", c.And(c.Atom(c.Reg(1, "r0"), 1),
                                             c.Atom(c.Reg(1, "r1"), 0)))
    assert str(cd) == "exists (1:r0=1 /\\ 1:r1=0)"


def test_precedence_and_associativity() -> None:
    cd = parse("forall 0:a=1 \\/ 0:b=2 /\\ ~0:c=3 => [x]=4 => [y:i8]=0x10")
    a, b, cc = (c.Atom(c.Reg(0, n), v) for n, v in (("a", 1), ("b", 2), ("c", 3)))
    x = c.Atom(c.Mem("x", 0, 4), 4)
    y = c.Atom(c.Mem("y", 4, 1), 16)
    assert cd.prop == c.Implies(c.Or(a, c.And(b, c.Not(cc))), c.Implies(x, y))
    assert parse(str(cd)) == cd


def test_not_exists_and_trap_and_bare_location() -> None:
    cd = parse("~exists (0:trap=1 \\/ x=2)")
    assert cd.quantifier == "~exists"
    assert cd.verdict_word == "Forbidden"
    assert c.observables(cd.prop) == (c.Trap(0), c.Mem("x", 0, 4))


def test_blocked_is_a_one_bit_flag_sorted_by_name_among_the_threads_observables() -> None:
    cd = parse("exists (1:blocked=1 /\\ 1:r=0 /\\ 0:trap=0)")
    assert c.observables(cd.prop) == (c.Trap(0), c.Blocked(1), c.Reg(1, "r"))
    assert str(cd) == "exists (1:blocked=1 /\\ 1:r=0 /\\ 0:trap=0)"
    assert c.Blocked(1) != c.Trap(1)
    with pytest.raises(c.ConditionError, match="a value that fits in 1 bits"):
        parse("exists (1:blocked=2)")


def test_negative_values_wrap_to_the_width() -> None:
    cd = parse("exists ([x:i8]=-1 /\\ [y:i64]=-1)")
    assert isinstance(cd.prop, c.And)
    assert cd.prop.left == c.Atom(c.Mem("x", 0, 1), 255)
    assert cd.prop.right == c.Atom(c.Mem("y", 4, 8), (1 << 64) - 1)


@pytest.mark.parametrize("src, line, col, expected", [
    ("exist (0:r=1)", 1, 1, "'exists', '~exists' or 'forall'"),
    ("exists (0:r=1", 1, 14, "')'"),
    ("exists (0:r=)", 1, 13, "a value (decimal or 0x hex)"),
    ("exists ([z]=1)", 1, 10, "a location name declared in the init block"),
    ("exists\n  ([x:i9]=1)", 2, 7, "i8, i16, i32 or i64"),
    ("exists ([x:i8]=256)", 1, 16, "a value that fits in 8 bits"),
    ("exists (0:r=1) 0:s=2", 1, 16, "'/\\', '\\/', '=>' or end of condition"),
])
def test_errors_are_located(src: str, line: int, col: int, expected: str) -> None:
    with pytest.raises(c.ConditionError) as e:
        parse(src)
    assert (e.value.line, e.value.col, e.value.expected) == (line, col, expected)


def test_position_offset_is_honoured() -> None:
    with pytest.raises(c.ConditionError) as e:
        c.parse_condition("exists (0:r=1 /\\ )", line=7, col=3)
    assert (e.value.line, e.value.col) == (7, 20)


_atoms = st.one_of(
    st.builds(c.Atom, st.sampled_from([c.Reg(0, "r0"), c.Reg(1, "r1"), c.Mem("x", 0, 4),
                                       c.Mem("y", 4, 2)]), st.integers(0, 3)),
    st.builds(c.Atom, st.sampled_from([c.Trap(1), c.Blocked(0)]), st.integers(0, 1)))
_props = st.recursive(
    st.one_of(_atoms, st.builds(c.Const, st.booleans())),
    lambda sub: st.one_of(st.builds(c.Not, sub), st.builds(c.And, sub, sub),
                          st.builds(c.Or, sub, sub), st.builds(c.Implies, sub, sub)),
    max_leaves=8)


@given(st.sampled_from(c.QUANTIFIERS), _props)
def test_print_parse_round_trip(q: str, p: c.Prop) -> None:
    cd = c.Condition(q, p)
    assert parse(str(cd)) == cd


@given(_props, st.dictionaries(st.sampled_from([c.Reg(0, "r0"), c.Reg(1, "r1"), c.Trap(1),
                                                c.Blocked(0), c.Mem("x", 0, 4),
                                                c.Mem("y", 4, 2)]),
                               st.integers(0, 3), min_size=6))
def test_evaluate_agrees_with_python(p: c.Prop, state: dict) -> None:
    def ev(q: c.Prop) -> bool:
        match q:
            case c.Atom(loc, v):
                return state[loc] == v
            case c.Const(b):
                return b
            case c.Not(a):
                return not ev(a)
            case c.And(a, b):
                return ev(a) and ev(b)
            case c.Or(a, b):
                return ev(a) or ev(b)
            case c.Implies(a, b):
                return (not ev(a)) or ev(b)
        raise AssertionError(q)
    assert c.evaluate(p, state) == ev(p)


def test_herd_block_matches_design_example() -> None:
    cd = parse("exists (1:r0=1 /\\ 1:r1=0)")
    r0, r1 = c.Reg(1, "r0"), c.Reg(1, "r1")
    states = (((r0, 1), (r1, 42)), ((r0, 0), (r1, 0)), ((r0, 0), (r1, 42)))
    block = herd_block(Result("MP+sc", cd, states, 0, 3, 0.01))
    assert block == (
        "Test MP+sc Allowed\n"
        "States 3\n"
        "1:r0=0; 1:r1=0;\n"
        "1:r0=0; 1:r1=42;\n"
        "1:r0=1; 1:r1=42;\n"
        "No\n"
        "Witnesses\n"
        "Positive: 0 Negative: 3\n"
        "Condition exists (1:r0=1 /\\ 1:r1=0)\n"
        "Observation MP+sc Never 0 3\n"
        "Time MP+sc 0.01\n")


@pytest.mark.parametrize("q, pos, neg, ok, obs", [
    ("exists", 1, 2, "Ok", "Sometimes"),
    ("exists", 0, 2, "No", "Never"),
    ("~exists", 0, 2, "Ok", "Never"),
    ("~exists", 1, 0, "No", "Always"),
    ("forall", 3, 0, "Ok", "Always"),
    ("forall", 3, 1, "No", "Sometimes"),
])
def test_verdict_lines(q: str, pos: int, neg: int, ok: str, obs: str) -> None:
    block = herd_block(Result("T", c.Condition(q, c.Const(True)), (), pos, neg), time=False)
    lines = block.splitlines()
    assert lines[2] == ok
    assert lines[-1] == f"Observation T {obs} {pos} {neg}"
