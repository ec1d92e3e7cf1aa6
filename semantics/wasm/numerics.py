"""Integer numerics of the fragment ([T] numerics.rst): values are unsigned ints mod 2^N.

Floats only appear as bit patterns (loads, stores, reinterpretations), so no float arithmetic.
An operand may be a symbolic ``terms.Term`` (an unknown the litmus engine has not chosen):
then the result is a term too.
"""

from __future__ import annotations

from collections.abc import Sequence

from semantics.wasm import terms
from semantics.wasm.syntax import ValType
from semantics.wasm.terms import Term

Bits = int | Term


def mask(bits: int) -> int:
    return (1 << bits) - 1


def wrap(v: Bits, bits: int) -> Bits:
    """``wrap_{M,N}``: keep the low ``bits`` bits (of a term: its low bits, or the term
    zero-extended when it is narrower)."""
    if isinstance(v, Term):
        return terms.extract(v, 0, bits) if bits < v.bits else terms.zext(v, bits)
    return v & mask(bits)


def signed(v: int, bits: int) -> int:
    """``signed_N``: the two's complement reading of an N-bit pattern."""
    v = v & mask(bits)
    return v - (1 << bits) if v >> (bits - 1) else v


def extend_s(v: Bits, from_bits: int, to_bits: int) -> Bits:
    if isinstance(v, Term):
        return terms.sext(v, from_bits, to_bits)
    return wrap(signed(v, from_bits), to_bits)


def bytes_of(v: Bits, n: int) -> tuple[Bits, ...]:
    """``bytes_{iN}``: little-endian bytes of the low ``n`` bytes of ``v``."""
    if isinstance(v, Term):
        return tuple(terms.extract(v, 8 * i, 8) for i in range(n))
    return tuple((v & mask(8 * n)).to_bytes(n, "little"))


def from_bytes(b: Sequence[Bits] | bytes) -> Bits:
    if any(isinstance(x, Term) for x in b):
        return terms.concat(list(b))
    return int.from_bytes(bytes(b), "little")  # type: ignore[arg-type]


def _bool(b: bool) -> int:
    return 1 if b else 0


def binop(name: str, bits: int, a: Bits, b: Bits) -> Bits:
    if isinstance(a, Term) or isinstance(b, Term):
        return terms.binop(name, bits, a, b)
    if name == "add":
        return wrap(a + b, bits)
    if name == "sub":
        return wrap(a - b, bits)
    if name == "mul":
        return wrap(a * b, bits)
    if name == "and":
        return a & b
    if name == "or":
        return a | b
    if name == "xor":
        return a ^ b
    k = b % bits  # shift counts are taken modulo the width ([T] ishl/ishr)
    if name == "shl":
        return wrap(a << k, bits)
    if name == "shr_u":
        return a >> k
    if name == "shr_s":
        return wrap(signed(a, bits) >> k, bits)
    raise ValueError(f"unknown binary operator {name}")


def relop(name: str, bits: int, a: Bits, b: Bits) -> Bits:
    if isinstance(a, Term) or isinstance(b, Term):
        return terms.relop(name, a, b)
    if name.endswith("_s"):
        a, b = signed(a, bits), signed(b, bits)
    base = name.split("_")[0]
    table = {"eq": a == b, "ne": a != b, "lt": a < b, "gt": a > b, "le": a <= b, "ge": a >= b}
    if base not in table:
        raise ValueError(f"unknown relational operator {name}")
    return _bool(table[base])


def rmw_op(name: str, bits: int, old: Bits, operand: Bits) -> Bits:
    """The value an ``atomic.rmw.<name>`` writes, given the old value and the operand."""
    if name == "xchg":
        return wrap(operand, bits)
    return binop(name, bits, old, wrap(operand, bits))


def num_op(op: str, args: tuple[Bits, ...]) -> Bits:
    """Apply a NUM_OPS instruction (by its keyword) to unsigned operand bit patterns."""
    ty, _, name = op.partition(".")
    bits = ValType(ty).bits
    if name == "eqz" and isinstance(args[0], Term):
        return terms.relop("eqz", args[0], 0)
    if name == "eqz":
        return _bool(args[0] == 0)
    if name == "wrap_i64":
        return wrap(args[0], 32)
    if name == "extend_i32_u":
        return wrap(args[0], 64)
    if name == "extend_i32_s":
        return extend_s(args[0], 32, 64)
    if name.startswith("reinterpret_"):
        return args[0]
    if name in ("add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s"):
        return binop(name, bits, args[0], args[1])
    return relop(name, bits, args[0], args[1])
