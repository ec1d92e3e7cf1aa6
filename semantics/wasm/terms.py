"""Symbolic values: bit-vector terms over the bytes threads read (docs/litmus.md, "Thin air").

The litmus engine may answer a read with unknowns instead of bytes, so that a value can flow
through the reduction without being guessed: ``numerics`` builds a ``Term`` whenever an operand
is one, and the step that must know a value (an address, a branch) asks for it
(``step.Decide``). A term is an unsigned bit pattern of ``bits`` bits; an ``int`` argument is a
constant of the width the operator implies. Terms are simplified as they are built (constants
folded, ``x - x``, ``x & 0``, bytes of a value put back together), so that a dependency a
litmus test writes to be fake (``r ^ r``) does not become a decision.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

BINOPS = frozenset({"add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s"})
RELOPS = frozenset({"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s",
                    "ge_u"})


@attrs.frozen(cache_hash=True, repr=False)
class Term:
    """``op`` over ``args``: ``byte`` (args thread, event index, byte: a byte that read read),
    a ``BINOPS`` operator (operands of ``bits`` bits), a ``RELOPS`` operator or ``eqz`` (1 or 0
    as ``bits`` bits, operands of the width of the first term argument), ``concat`` (bytes,
    little-endian), ``extract`` (term, low bit), ``zext`` / ``sext`` (term)."""

    op: str
    bits: int
    args: tuple[Term | int, ...] = ()

    def __repr__(self) -> str:
        if self.op == "byte":
            t, i, k = self.args
            return f"T{t}#{i}[{k}]"
        return f"{self.op}{self.bits}({', '.join(map(repr, self.args))})"


def is_term(v: object) -> bool:
    return isinstance(v, Term)


def read_byte(thread: int, index: int, k: int) -> Term:
    """The unknown byte ``k`` read by event ``index`` of ``thread``."""
    return Term("byte", 8, (thread, index, k))


def unknowns(v: Term | int) -> Iterator[Term]:
    """The ``byte`` unknowns ``v`` depends on."""
    if isinstance(v, Term):
        if v.op == "byte":
            yield v
        else:
            for a in v.args:
                yield from unknowns(a)


def _mask(bits: int) -> int:
    return (1 << bits) - 1


def binop(name: str, bits: int, a: Term | int, b: Term | int) -> Term | int:
    """A binary operator of ``numerics.binop`` with at least one term operand."""
    zero_left = {"and", "mul", "shl", "shr_u", "shr_s"}
    if a == b and name in ("sub", "xor"):
        return 0
    if a == b and name in ("and", "or"):
        return a
    if isinstance(b, int):
        if b == 0 and name in ("and", "mul"):
            return 0
        if b == 0 and name in ("add", "sub", "or", "xor"):
            return a
        if name in ("shl", "shr_u", "shr_s") and b % bits == 0:
            return a
        if (name == "and" and b == _mask(bits)) or (name == "mul" and b == 1):
            return a
    if isinstance(a, int):
        if a == 0 and name in zero_left:
            return 0
        if a == 0 and name in ("add", "or", "xor"):
            return b
        if (name == "and" and a == _mask(bits)) or (name == "mul" and a == 1):
            return b
    if isinstance(a, Term) and isinstance(b, int) and a.op in ("shl", "shr_u") and \
            a.args[1] == b and 0 < b < bits and name in ("shl", "shr_u") and name != a.op:
        # a shift undone: only the bits shifted out are lost
        keep = (_mask(bits) >> b) if name == "shr_u" else (_mask(bits) << b) & _mask(bits)
        return binop("and", bits, a.args[0], keep)
    if name == "and" and isinstance(b, int) and isinstance(a, Term) and a.op == "and" and \
            isinstance(a.args[1], int):
        return binop("and", bits, a.args[0], a.args[1] & b)
    return Term(name, bits, (a, b))


def relop(name: str, a: Term | int, b: Term | int) -> Term | int:
    """``RELOPS`` or ``eqz`` (then ``b`` is ignored): 1 or 0 as an i32."""
    if name == "eqz":
        return Term("eqz", 32, (a,))
    if a == b:
        return 1 if name in ("eq", "le_s", "le_u", "ge_s", "ge_u") else 0
    return Term(name, 32, (a, b))


def width(v: Term | int, default: int) -> int:
    return v.bits if isinstance(v, Term) else default


def extract(v: Term | int, lo: int, bits: int) -> Term | int:
    """Bits ``lo .. lo + bits - 1`` of ``v``."""
    if isinstance(v, int):
        return (v >> lo) & _mask(bits)
    if lo == 0 and bits == v.bits:
        return v
    if v.op == "extract":
        inner, lo0 = v.args
        assert isinstance(lo0, int)
        return extract(inner, lo0 + lo, bits)
    if v.op == "zext":
        (inner,) = v.args
        if isinstance(inner, Term) and lo + bits <= inner.bits:
            return extract(inner, lo, bits)
        if isinstance(inner, Term) and lo >= inner.bits:
            return 0
    if v.op == "concat" and lo % 8 == 0 and bits % 8 == 0:
        return concat(v.args[lo // 8:(lo + bits) // 8])
    if v.op in ("and", "or", "xor"):  # bitwise: the bits of the operands' bits
        x, y = v.args
        return binop(v.op, bits, extract(x, lo, bits), extract(y, lo, bits)) \
            if isinstance(x, Term) or isinstance(y, Term) else extract(_fold(v.op, x, y), lo, bits)
    return Term("extract", bits, (v, lo))


def _fold(op: str, x: int, y: int) -> int:
    return x & y if op == "and" else x | y if op == "or" else x ^ y


def concat(parts: tuple[Term | int, ...] | list[Term | int]) -> Term | int:
    """The value of little-endian bytes, some of them terms; bytes taken in order from one
    value give that value (or its low part) back."""
    parts = tuple(parts)
    if all(isinstance(p, int) for p in parts):
        return int.from_bytes(bytes(parts), "little")  # type: ignore[arg-type]
    first = parts[0]
    if isinstance(first, Term) and first.op == "extract" and first.args[1] == 0:
        src = first.args[0]
        if all(extract(src, 8 * i, 8) == p for i, p in enumerate(parts)):
            return extract(src, 0, 8 * len(parts))
    if len(parts) == 1:
        return parts[0]
    return Term("concat", 8 * len(parts), parts)


def zext(v: Term | int, bits: int) -> Term | int:
    if isinstance(v, int) or v.bits == bits:
        return v
    return Term("zext", bits, (v,))


def sext(v: Term | int, from_bits: int, to_bits: int) -> Term | int:
    low = extract(v, 0, from_bits)
    if isinstance(low, int):
        return (low - (1 << from_bits) if low >> (from_bits - 1) else low) & _mask(to_bits)
    if from_bits == to_bits:
        return low
    return Term("sext", to_bits, (low,))
