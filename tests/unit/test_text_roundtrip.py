"""Printing then parsing a function body gives it back, for every op and control form."""

import functools

from hypothesis import given
from hypothesis import strategies as st

from semantics.text.wat import LABEL_OPS, PLAIN_OPS, parse_body, print_body
from semantics.wasm.syntax import (
    CONST_OPS,
    MEM_OPS,
    NUM_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    Node,
    ValType,
)

OPS = sorted(PLAIN_OPS)
LOCAL_NAMES = ["$r0", "$r1", "$x", "$acc", "$i"]
LABEL_NAMES = [None, "$l", "$outer", "$l"]  # "$l" twice: shadowed labels print as depths


def args_for(op: str, nlocals: int, depth: int) -> st.SearchStrategy[tuple[int | MemArg, ...]]:
    if op in CONST_OPS:
        t = CONST_OPS[op]
        bits = t.bits
        edges = [0, 1, (1 << bits) - 1, 1 << (bits - 1), (1 << (bits - 1)) - 1]
        if not t.is_int:
            mant = 23 if bits == 32 else 52
            inf = ((1 << (bits - mant - 1)) - 1) << mant
            # infinities, canonical and other NaNs of both signs, the largest finite value
            edges += [inf, inf | 1 << (mant - 1), inf | 5, inf | 1 << (bits - 1) | 3, inf - 1]
        return st.tuples(st.sampled_from(edges) | st.integers(0, (1 << bits) - 1))
    if op in MEM_OPS:
        offsets = st.integers(0, 3) | st.integers(0, (1 << 32) - 1)
        return st.tuples(st.builds(MemArg, offsets, st.none() | st.integers(0, 4)))
    if op in ("local.get", "local.set", "local.tee"):
        return st.tuples(st.integers(0, max(nlocals - 1, 0)))
    if op in LABEL_OPS:
        return st.tuples(st.integers(0, depth + 1))
    if op == "call":
        return st.tuples(st.integers(0, 3))
    return st.just(())


@st.composite
def instr(draw: st.DrawFn, nlocals: int, depth: int) -> Instr:
    op = draw(st.sampled_from(OPS) | st.sampled_from(sorted(CONST_OPS)))
    return Instr(op, draw(args_for(op, nlocals, depth)))


results = st.lists(st.sampled_from(list(ValType)), max_size=2).map(tuple)


@functools.cache
def body(nlocals: int, depth: int) -> st.SearchStrategy[tuple[Node, ...]]:
    node: st.SearchStrategy[Node] = instr(nlocals, depth)
    if depth < 2:
        inner = body(nlocals, depth + 1)
        label = st.sampled_from(LABEL_NAMES)
        node = node | st.builds(Block, st.sampled_from(["block", "loop"]), results, inner, label)
        node = node | st.builds(If, results, inner, inner, label)
    return st.lists(node, max_size=3 if depth else 5).map(tuple)


@st.composite
def funcs(draw: st.DrawFn) -> Func:
    params = draw(st.lists(st.sampled_from(list(ValType)), max_size=2).map(tuple))
    locals_ = draw(st.lists(st.sampled_from(list(ValType)), max_size=3).map(tuple))
    n = len(params) + len(locals_)
    names: tuple[str | None, ...] = ()
    if draw(st.booleans()):
        chosen = draw(st.permutations(LOCAL_NAMES))[:n]
        names = tuple(draw(st.sampled_from([c, None])) for c in chosen)
        names = names + (None,) * (n - len(names))
        if all(x is None for x in names):
            names = ()
    return Func(FuncType(params, ()), locals_, draw(body(n, 0)), names)


def reparse(func: Func, folded: bool) -> Func:
    text = print_body(func, folded=folded)
    nparams = len(func.type.params)
    return parse_body(text, params=func.type.params, param_names=func.local_names[:nparams])


@given(funcs(), st.booleans())
def test_print_then_parse_is_the_identity(func: Func, folded: bool) -> None:
    again = reparse(func, folded)
    assert again == func
    assert print_body(again, folded=folded) == print_body(func, folded=folded)


def test_every_op_round_trips_in_both_styles() -> None:
    """Not left to chance: one body that uses every keyword of the catalogues."""
    body: list[Node] = []
    for op in OPS:
        if op in CONST_OPS:
            args: tuple[int | MemArg, ...] = ((1 << (CONST_OPS[op].bits - 1)) + 5,)
        elif op in MEM_OPS:
            args = (MemArg(8, MEM_OPS[op].natural_align),)
        elif op in ("local.get", "local.set", "local.tee", "call") or op in LABEL_OPS:
            args = (0,)
        else:
            args = ()
        body.append(Instr(op, args))
    body.append(Block("loop", (ValType.I32,), (Instr("br", (0,)),), "$top"))
    body.append(If((ValType.F64,), (Instr("nop"),), (Instr("br_if", (1,)),), "$c"))
    func = Func(FuncType(), (ValType.I32,), tuple(body), ("$r",))
    assert set(NUM_OPS) | set(MEM_OPS) | set(CONST_OPS) <= {i.op for i in body if
                                                              isinstance(i, Instr)}
    for folded in (True, False):
        assert reparse(func, folded) == func
