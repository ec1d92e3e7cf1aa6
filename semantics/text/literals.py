"""WAT literals: integers, floats and value types, read from tokens (printed by
``semantics.wasm.show``).

Integer constants are stored as unsigned ints of their type's width, floats as bit patterns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from semantics.text.sexp import ParseError, Token
from semantics.wasm.show import FLOAT_FORMAT
from semantics.wasm.syntax import VALTYPES, ValType

if TYPE_CHECKING:
    from fractions import Fraction

_DEC = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_INT_RE = re.compile(rf"([+-]?)(?:0x({_HEX})|({_DEC}))")
_FDEC_RE = re.compile(rf"([+-]?)({_DEC})(?:\.({_DEC})?)?(?:[eE]([+-]?{_DEC}))?")
_FHEX_RE = re.compile(rf"([+-]?)0x({_HEX})(?:\.({_HEX})?)?(?:[pP]([+-]?{_DEC}))?")
_FSPECIAL_RE = re.compile(rf"([+-]?)(inf|nan|nan:0x({_HEX}))")

# (mantissa bits, exponent bits) of the float types



def _digits(s: str) -> str:
    return s.replace("_", "")


def parse_uint(tok: Token, bits: int = 32, what: str = "an unsigned integer") -> int:
    m = _INT_RE.fullmatch(tok.text)
    if m is None or m.group(1):
        raise ParseError(tok.line, tok.col, what, tok.shown)
    n = int(_digits(m.group(2)), 16) if m.group(2) else int(_digits(m.group(3)))
    if n >= 1 << bits:
        raise ParseError(tok.line, tok.col, f"{what} below 2^{bits}", tok.shown)
    return n


def parse_int(tok: Token, bits: int) -> int:
    """An ``i32``/``i64`` literal (unsigned, or signed with ``+``/``-``), stored mod 2^bits."""
    m = _INT_RE.fullmatch(tok.text)
    what = f"an i{bits} literal"
    if m is None:
        raise ParseError(tok.line, tok.col, what, tok.shown)
    sign = m.group(1)
    n = int(_digits(m.group(2)), 16) if m.group(2) else int(_digits(m.group(3)))
    limit = {"": 1 << bits, "+": 1 << (bits - 1), "-": (1 << (bits - 1)) + 1}[sign]
    if n >= limit:
        raise ParseError(tok.line, tok.col, f"{what} in range", tok.shown)
    return (-n if sign == "-" else n) % (1 << bits)


def _round_float(mag: Fraction, mant: int, exp_bits: int) -> int | None:
    """Bits (sign excluded) of the float nearest to ``mag`` >= 0, ties to even; None = overflow."""
    if mag == 0:
        return 0
    bias = (1 << (exp_bits - 1)) - 1
    n, d = mag.numerator, mag.denominator
    e = n.bit_length() - d.bit_length()
    if (n << max(-e, 0)) < (d << max(e, 0)):
        e -= 1
    e = max(e, 1 - bias)
    shift = e - mant
    num, den = (n, d << shift) if shift >= 0 else (n << -shift, d)
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    if q >> (mant + 1):
        q >>= 1
        e += 1
    if e > bias:
        return None
    if q < 1 << mant:
        return q
    return ((e + bias) << mant) | (q - (1 << mant))


def _float_value(tok: Token) -> tuple[bool, Fraction] | None:
    """Sign and exact value of a finite float literal, or None if it is not one."""
    from fractions import Fraction  # start-up: a test without float literals never needs it

    if m := _FHEX_RE.fullmatch(tok.text):
        whole, frac = _digits(m.group(2)), _digits(m.group(3) or "")
        exp = int(_digits(m.group(4) or "0"))
        mag = Fraction(int(whole + frac, 16), 16 ** len(frac))
        base = 2
    elif m := _FDEC_RE.fullmatch(tok.text):
        whole, frac = _digits(m.group(2)), _digits(m.group(3) or "")
        exp = int(_digits(m.group(4) or "0"))
        mag = Fraction(int(whole + frac), 10 ** len(frac))
        base = 10
    else:
        return None
    # Beyond these exponents every float type over- or underflows; skip the huge powers.
    if mag and exp > 5000:
        mag = Fraction(2) ** 2000
    elif exp < -5000:
        mag = Fraction(0)
    else:
        mag *= Fraction(base) ** exp
    return m.group(1) == "-", mag


def parse_float(tok: Token, t: ValType) -> int:
    """The bit pattern of an ``f32``/``f64`` literal: decimal, hex, ``inf``, ``nan[:0xN]``."""
    mant, exp_bits = FLOAT_FORMAT[t]
    what = f"an {t.value} literal"
    sign_bit = 1 << (mant + exp_bits)
    exp_all = ((1 << exp_bits) - 1) << mant
    if m := _FSPECIAL_RE.fullmatch(tok.text):
        sign = sign_bit if m.group(1) == "-" else 0
        if m.group(2) == "inf":
            return sign | exp_all
        payload = int(_digits(m.group(3)), 16) if m.group(3) else 1 << (mant - 1)
        if not 0 < payload < 1 << mant:
            raise ParseError(tok.line, tok.col, f"a NaN payload in 1..2^{mant}-1", tok.shown)
        return sign | exp_all | payload
    value = _float_value(tok)
    if value is None:
        raise ParseError(tok.line, tok.col, what, tok.shown)
    negative, mag = value
    bits = _round_float(mag, mant, exp_bits)
    if bits is None:
        raise ParseError(tok.line, tok.col, f"{what} in range", tok.shown)
    return (sign_bit if negative else 0) | bits


def parse_valtype(tok: Token) -> ValType:
    t = VALTYPES.get(tok.text)
    if t is None:
        raise ParseError(tok.line, tok.col, "a value type (i32, i64, f32, f64)", tok.shown)
    return t
