"""Deciding symbolic read values with Z3 (docs/litmus.md, "Thin air").

A symbolic execution (``engine``, symbolic mode) is a choice of thread paths and of a writer
for every byte read, judged by the axioms with placeholder bytes; what is left is arithmetic:
its *constraints*, non-zero ``terms.Term`` s (the paths' branch decisions and, per byte read,
``byte = the byte its writer wrote``). This module turns terms into Z3 bit-vectors and answers
the questions the engine and the result block ask of them. Z3 is imported on first use, so
that a test without unknowns never loads it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from semantics.litmus.condition import And, Atom, Const, Not, Observable, Or, Prop
from semantics.wasm import numerics, terms
from semantics.wasm.terms import BINOPS, RELOPS, Term

Bits = Term | int

_SIGNED = {"lt_s": "<", "gt_s": ">", "le_s": "<=", "ge_s": ">="}


@functools.cache
def _z3() -> Any:
    import z3

    return z3


def _bv(v: Bits, bits: int) -> Any:
    z3 = _z3()
    return _expr(v) if isinstance(v, Term) else z3.BitVecVal(v % (1 << bits), bits)


@functools.lru_cache(maxsize=1 << 16)
def _expr(t: Term) -> Any:
    """The Z3 bit-vector of ``t`` (``bits`` wide)."""
    z3 = _z3()
    op, bits, args = t.op, t.bits, t.args
    if op == "byte":
        th, i, k = args
        return z3.BitVec(f"T{th}#{i}[{k}]", 8)
    if op == "concat":
        parts = [_bv(a, 8) for a in args]
        return z3.Concat(*reversed(parts)) if len(parts) > 1 else parts[0]
    if op == "extract":
        inner, lo = args
        assert isinstance(inner, Term) and isinstance(lo, int)
        return z3.Extract(lo + bits - 1, lo, _expr(inner))
    if op in ("zext", "sext"):
        (inner,) = args
        assert isinstance(inner, Term)
        grow = z3.ZeroExt if op == "zext" else z3.SignExt
        return grow(bits - inner.bits, _expr(inner))
    if op == "eqz":
        (a,) = args
        w = a.bits if isinstance(a, Term) else 32
        return z3.If(_bv(a, w) == 0, z3.BitVecVal(1, 32), z3.BitVecVal(0, 32))
    if op in ("eq", "ne", "lt_u", "gt_u", "le_u", "ge_u", *_SIGNED):
        w = next(a.bits for a in args if isinstance(a, Term))
        x, y = (_bv(a, w) for a in args)
        cond = {"eq": lambda: x == y, "ne": lambda: x != y,
                "lt_u": lambda: z3.ULT(x, y), "gt_u": lambda: z3.UGT(x, y),
                "le_u": lambda: z3.ULE(x, y), "ge_u": lambda: z3.UGE(x, y),
                "lt_s": lambda: x < y, "gt_s": lambda: x > y,
                "le_s": lambda: x <= y, "ge_s": lambda: x >= y}[op]()
        return z3.If(cond, z3.BitVecVal(1, 32), z3.BitVecVal(0, 32))
    x, y = (_bv(a, bits) for a in args)
    if op in ("shl", "shr_u", "shr_s"):
        y = y & (bits - 1)  # [T] takes shift counts modulo the width
        return {"shl": lambda: x << y, "shr_u": lambda: z3.LShR(x, y),
                "shr_s": lambda: x >> y}[op]()
    return {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
            "and": lambda: x & y, "or": lambda: x | y, "xor": lambda: x ^ y}[op]()


def _true(c: Bits) -> Any:
    """``c`` is non-zero."""
    z3 = _z3()
    if isinstance(c, int):
        return z3.BoolVal(c != 0)
    return _expr(c) != 0


def holds_in(constraints: Iterable[Bits]) -> Any:
    return _z3().And(*[_true(c) for c in constraints])


def equal(v: Bits, value: int, bits: int) -> Any:
    """``v = value`` for an observable of ``bits`` bits (never, for a value out of range:
    as when the state is concrete)."""
    z3 = _z3()
    if isinstance(v, int) or not 0 <= value < (1 << bits):
        return z3.BoolVal(v == value)
    return _bv(v, bits) == value


def prop_expr(p: Prop, state: Mapping[Observable, Bits]) -> Any:
    """The condition's proposition over a state whose values may be terms."""
    z3 = _z3()
    if isinstance(p, Atom):
        v = state[p.loc]
        return equal(v, p.value, v.bits if isinstance(v, Term) else 0)
    if isinstance(p, Const):
        return z3.BoolVal(p.value)
    if isinstance(p, Not):
        return z3.Not(prop_expr(p.arg, state))
    left, right = prop_expr(p.left, state), prop_expr(p.right, state)
    if isinstance(p, And):
        return z3.And(left, right)
    if isinstance(p, Or):
        return z3.Or(left, right)
    return z3.Implies(left, right)


def one_of_states(state: Sequence[tuple[Observable, Bits]],
                  listed: Iterable[Sequence[tuple[Observable, int]]]) -> Any:
    """The state with terms ``state`` is one of the ``listed`` concrete states."""
    z3 = _z3()
    fits = [st for st in listed if all(not isinstance(x, int) or x == c
                                       for (_, x), (_, c) in zip(state, st, strict=True))]
    return z3.Or(False, *[z3.And(True, *[_expr(x) == c for (_, x), (_, c)
                                         in zip(state, st, strict=True) if isinstance(x, Term)])
                          for st in fits])


def prefer(vs: Sequence[Term], known: Iterable[int]) -> list[Any]:
    """Wishes for a witness: each byte of each of ``vs`` is a byte of a ``known`` value."""
    z3 = _z3()
    small = sorted({(k >> (8 * i)) & 0xFF for k in known if k >= 0 for i in range(8)})
    out = []
    for v in vs:
        for i in range(v.bits // 8):
            byte = z3.Extract(8 * i + 7, 8 * i, _expr(v))
            out.append(z3.Or(*[byte == b for b in small]))
    return out


def negate(e: Any) -> Any:
    return _z3().Not(e)


def both(a: Any, b: Any) -> Any:
    return _z3().And(a, b)


class Solver:
    """One Z3 solver, asked many small questions under a fixed set of constraints."""

    def __init__(self, constraints: Iterable[Bits] = ()) -> None:
        z3 = _z3()
        self._z3 = z3
        self.solver = z3.SolverFor("QF_BV")
        self.solver.add(holds_in(constraints))

    def model(self, *extra: Any) -> Any | None:
        """A model of the constraints and ``extra``, or None."""
        if not extra:
            if not hasattr(self, "_plain"):
                self._plain = self._check()
            return self._plain
        return self._check(*extra)

    def _check(self, *extra: Any) -> Any | None:
        self.solver.push()
        self.solver.add(*extra)
        try:
            if self.solver.check() == self._z3.sat:
                return self.solver.model()
            return None
        finally:
            self.solver.pop()

    def value(self, model: Any, v: Bits, bits: int) -> int:
        if isinstance(v, int):
            return v
        return model.eval(_expr(v), model_completion=True).as_long() % (1 << bits)


# --- equations solved without Z3 -----------------------------------------------------------


def substitute(v: Bits, env: Mapping[Term, Bits]) -> Bits:
    """``v`` with each unknown of ``env`` replaced by its value, simplified again (so that a
    term whose unknowns are all known becomes an int)."""
    if isinstance(v, int):
        return v
    if v.op == "byte":
        return env.get(v, v)
    args = tuple(substitute(a, env) for a in v.args)
    if args == v.args:
        return v
    op, bits = v.op, v.bits
    if op in BINOPS:
        return numerics.binop(op, bits, args[0], args[1])
    if op == "eqz":
        return numerics.relop("eq", _width(v.args[0]), args[0], 0)
    if op in RELOPS:
        return numerics.relop(op, _width(*v.args), args[0], args[1])
    if op == "concat":
        return numerics.from_bytes(list(args))
    if op == "extract":
        lo = args[1]
        assert isinstance(lo, int)
        return terms.extract(args[0], lo, bits)
    if op == "zext":
        return numerics.wrap(args[0], bits)
    return numerics.extend_s(args[0], _width(v.args[0]), bits)


def _width(*args: Bits) -> int:
    return next(a.bits for a in args if isinstance(a, Term))


@attrs.frozen
class Reduced:
    """Constraints with their equations ``unknown = value`` solved by substitution (``env``,
    acyclic); ``residual``: the constraints left for Z3 (none: every assignment of the unknowns
    left free is a solution)."""

    env: Mapping[Term, Bits]
    residual: tuple[Bits, ...]

    def apply(self, v: Bits) -> Bits:
        return substitute(v, self.env)


def _equation(c: Bits) -> list[tuple[Bits, Bits]] | None:
    """``c`` as equations ``a = b`` between bytes, when it is one."""
    if not isinstance(c, Term):
        return None
    if c.op == "eq":
        a, b = c.args
    elif c.op == "eqz":
        a, b = c.args[0], 0
    else:
        return None
    if isinstance(a, Term) and a.op == "concat" and isinstance(b, int):
        return [(x, (b >> (8 * i)) & 0xFF) for i, x in enumerate(a.args)]
    return [(a, b)]


def reduce(constraints: Iterable[Bits]) -> Reduced | None:
    """Solve what substitution solves; None if two constants are found to differ."""
    env: dict[Term, Bits] = {}
    residual: list[Bits] = []
    for c in constraints:
        eqs = _equation(c)
        if eqs is None:
            c2 = substitute(c, env)
            if isinstance(c2, int):
                if not c2:
                    return None
            else:
                residual.append(c2)
            continue
        for a, b in eqs:
            a2, b2 = substitute(a, env), substitute(b, env)
            if a2 == b2:
                continue
            if isinstance(a2, int) and isinstance(b2, int):
                return None
            for u, val in ((a2, b2), (b2, a2)):
                if isinstance(u, Term) and u.op == "byte" and u not in set(terms.unknowns(val)):
                    env = {k: substitute(x, {u: val}) for k, x in env.items()}
                    env[u] = val
                    break
            else:
                residual.append(numerics.relop("eq", _width(a2, b2), a2, b2))
    residual = [substitute(c, env) for c in residual]
    if any(isinstance(c, int) and not c for c in residual):
        return None
    return Reduced(env, tuple(c for c in residual if not isinstance(c, int)))


@functools.lru_cache(maxsize=4096)
def solver(residual: tuple[Bits, ...]) -> Solver:
    """A solver of ``residual``, shared by every question asked of the same constraints."""
    return Solver(residual)


def feasible(pc: Sequence[Bits]) -> bool:
    """Can every term of ``pc`` be non-zero at once?"""
    red = reduce(pc)
    return red is not None and (not red.residual or solver(red.residual).model() is not None)


def solutions(term: Term, pc: Sequence[Bits], limit: int) -> list[int] | None:
    """The values ``term`` takes under ``pc``, or None when there are more than ``limit``."""
    s = Solver(pc)
    found: list[int] = []
    while len(found) <= limit:
        m = s.model(*[_expr(term) != v for v in found])
        if m is None:
            return sorted(found)
        found.append(s.value(m, term, term.bits))
    return None


def fixed(solver: Solver, model: Any, vs: Iterable[Bits]) -> bool:
    """Does each of ``vs`` take the value it has in ``model`` in every model of the solver's
    constraints?"""
    z3 = _z3()
    differs = [_expr(v) != solver.value(model, v, v.bits) for v in vs if isinstance(v, Term)]
    return not differs or solver.model(z3.Or(*differs)) is None
