"""How the syntax is shown in WAT vocabulary: literals and one instruction with its immediates.

Here rather than in ``semantics/text`` because validation errors name the ill-typed instruction
(``semantics.wasm.validation``) and the text package builds on the syntax, not the reverse.
"""

from __future__ import annotations

import struct

import attrs

from semantics.wasm.syntax import CONST_OPS, VARIABLE_OPS, Block, If, MemArg, Node, ValType

FLOAT_FORMAT = {ValType.F32: (23, 8), ValType.F64: (52, 11)}
LABEL_OPS = frozenset({"br", "br_if"})


def print_float(bits: int, t: ValType) -> str:
    """A literal that ``parse_float`` reads back as exactly ``bits``."""
    mant, exp_bits = FLOAT_FORMAT[t]
    sign = "-" if bits >> (mant + exp_bits) & 1 else ""
    exp = (bits >> mant) & ((1 << exp_bits) - 1)
    payload = bits & ((1 << mant) - 1)
    if exp == (1 << exp_bits) - 1:
        if payload == 0:
            return sign + "inf"
        return sign + ("nan" if payload == 1 << (mant - 1) else f"nan:0x{payload:x}")
    if t is ValType.F32:
        value = struct.unpack("<f", struct.pack("<I", bits))[0]
    else:
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
    # repr is the shortest decimal that rounds to the double; an f32 is a double exactly and
    # the decimal lies much closer to it than to any f32 rounding boundary.
    return repr(value)


def print_int(value: int, t: ValType) -> str:
    """Signed decimal (how people write litmus constants); parsing stores it back mod 2^N."""
    return str(value - (1 << t.bits) if value >> (t.bits - 1) else value)


@attrs.frozen
class Names:
    locals: tuple[str | None, ...] = ()
    labels: tuple[str | None, ...] = ()

    def local(self, i: int) -> str:
        n = self.locals[i] if i < len(self.locals) else None
        return n if n is not None and self.locals.count(n) == 1 else str(i)

    def label(self, depth: int) -> str:
        n = self.labels[depth] if depth < len(self.labels) else None
        return n if n is not None and n not in self.labels[:depth] else str(depth)


def imm(op: str, arg: int | MemArg, names: Names) -> str:
    if isinstance(arg, MemArg):
        parts = [f"offset={arg.offset}"] if arg.offset else []
        parts += [f"align={1 << arg.align}"] if arg.align is not None else []
        return " ".join(parts)
    if op in CONST_OPS:
        t = CONST_OPS[op]
        return print_int(arg, t) if t.is_int else print_float(arg, t)
    if op in VARIABLE_OPS:
        return names.local(arg)
    if op in LABEL_OPS:
        return names.label(arg)
    return str(arg)


def block_head(node: Block | If) -> str:
    kw = node.kind if isinstance(node, Block) else "if"
    parts = [kw] + ([node.label] if node.label else [])
    if node.results:
        parts.append("(result " + " ".join(t.value for t in node.results) + ")")
    return " ".join(parts)


def print_instr(node: Node, *, local_names: tuple[str | None, ...] = (),
                labels: tuple[str | None, ...] = ()) -> str:
    """One instruction with its immediates, without operands or body: ``i32.load offset=4``."""
    if isinstance(node, (Block, If)):
        return block_head(node)
    names = Names(local_names, labels)
    return " ".join([node.op, *(s for a in node.args if (s := imm(node.op, a, names)))])
