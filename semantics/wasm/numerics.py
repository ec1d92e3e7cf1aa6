"""Integer numerics of the fragment ([T] numerics.rst): values are unsigned ints mod 2^N.

Floats only appear as bit patterns (loads, stores, reinterpretations), so no float arithmetic.
"""

from __future__ import annotations

from semantics.wasm.syntax import ValType


def mask(bits: int) -> int:
    return (1 << bits) - 1


def wrap(v: int, bits: int) -> int:
    """``wrap_{M,N}``: keep the low ``bits`` bits."""
    return v & mask(bits)


def signed(v: int, bits: int) -> int:
    """``signed_N``: the two's complement reading of an N-bit pattern."""
    v = wrap(v, bits)
    return v - (1 << bits) if v >> (bits - 1) else v


def extend_s(v: int, from_bits: int, to_bits: int) -> int:
    return wrap(signed(v, from_bits), to_bits)


def bytes_of(v: int, n: int) -> tuple[int, ...]:
    """``bytes_{iN}``: little-endian bytes of the low ``n`` bytes of ``v``."""
    return tuple(wrap(v, 8 * n).to_bytes(n, "little"))


def from_bytes(b: tuple[int, ...] | list[int] | bytes) -> int:
    return int.from_bytes(bytes(b), "little")


def _bool(b: bool) -> int:
    return 1 if b else 0


def binop(name: str, bits: int, a: int, b: int) -> int:
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


def relop(name: str, bits: int, a: int, b: int) -> int:
    if name.endswith("_s"):
        a, b = signed(a, bits), signed(b, bits)
    base = name.split("_")[0]
    table = {"eq": a == b, "ne": a != b, "lt": a < b, "gt": a > b, "le": a <= b, "ge": a >= b}
    if base not in table:
        raise ValueError(f"unknown relational operator {name}")
    return _bool(table[base])


def rmw_op(name: str, bits: int, old: int, operand: int) -> int:
    """The value an ``atomic.rmw.<name>`` writes, given the old value and the operand."""
    if name == "xchg":
        return wrap(operand, bits)
    return binop(name, bits, old, wrap(operand, bits))


def num_op(op: str, args: tuple[int, ...]) -> int:
    """Apply a NUM_OPS instruction (by its keyword) to unsigned operand bit patterns."""
    ty, _, name = op.partition(".")
    bits = ValType(ty).bits
    if name == "eqz":
        return _bool(args[0] == 0)
    if name == "wrap_i64":
        return wrap(args[0], 32)
    if name == "extend_i32_u":
        return args[0]
    if name == "extend_i32_s":
        return extend_s(args[0], 32, 64)
    if name.startswith("reinterpret_"):
        return args[0]
    if name in ("add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s"):
        return binop(name, bits, args[0], args[1])
    return relop(name, bits, args[0], args[1])
