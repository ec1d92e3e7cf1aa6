"""WAT text of instructions and function bodies: tokens, S-expressions, literals, parse, print.

Conventions, declared once:

- ``read`` turns text into S-expressions (``Token`` atoms and strings, ``SList`` lists), each with
  its line and column; ``parse_body`` and the script parser of ``wast.py`` work on those;
- instruction sequences may mix folded ``(op imm* operand*)`` and flat ``op imm*`` forms; a folded
  instruction means its operands' instructions, in order, followed by the instruction itself;
- names (``$x``) resolve to indices while parsing; ``Func.local_names``, ``Block.label`` and
  ``If.label`` keep the names so that printing gives them back;
- integer constants are stored as unsigned ints of their type's width, floats as bit patterns.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Union

import attrs

from semantics.syntax import (
    CONST_OPS,
    CONTROL_OPS,
    MEM_OPS,
    MEMORY_OPS,
    NUM_OPS,
    VALTYPES,
    VARIABLE_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    Node,
    ValType,
)


class ParseError(ValueError):
    """Malformed text: where (``line``, ``col``), what was ``expected`` and what was ``found``."""

    def __init__(self, line: int, col: int, expected: str, found: str) -> None:
        super().__init__(f"line {line}, column {col}: expected {expected}, found {found}")
        self.line = line
        self.col = col
        self.expected = expected
        self.found = found


# --- tokens and S-expressions ---------------------------------------------------------------

ATOM = "atom"
STRING = "string"


@attrs.frozen
class Token:
    """An atom (keyword, ``$name``, number) or a string (``text`` is then its decoded value)."""

    kind: str
    text: str
    line: int
    col: int

    @property
    def shown(self) -> str:
        return repr(self.text) if self.kind == STRING else f"'{self.text}'"


@attrs.frozen
class SList:
    items: tuple[SExp, ...]
    line: int
    col: int
    end_line: int  # position of the closing ')'
    end_col: int

    @property
    def head(self) -> str | None:
        """The keyword that opens the list, if any."""
        if self.items and isinstance(self.items[0], Token) and self.items[0].kind == ATOM:
            return self.items[0].text
        return None


SExp = Union[Token, SList]

_IDCHARS = r"[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]"
_ATOM_RE = re.compile(_IDCHARS + "+")
_SPACE_RE = re.compile(r"[ \t\r\n]+")
_ESCAPES = {"t": 9, "n": 10, "r": 13, '"': 34, "'": 39, "\\": 92}


class _Positions:
    """Line and column of an offset in ``src``, which itself starts at (line, col) of its file."""

    def __init__(self, src: str, line: int, col: int) -> None:
        self.starts = [0] + [i + 1 for i, c in enumerate(src) if c == "\n"]
        self.line = line
        self.col = col

    def at(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        col = offset - self.starts[lo] + 1
        return self.line + lo, col + (self.col - 1 if lo == 0 else 0)


def _string(src: str, i: int, pos: _Positions) -> tuple[str, int]:
    """The decoded string literal starting at ``src[i] == '"'`` and the offset after it."""
    out = bytearray()
    j = i + 1
    while True:
        if j >= len(src) or src[j] == "\n":
            raise ParseError(*pos.at(i), "a closing '\"' of this string", "end of line")
        c = src[j]
        if c == '"':
            return out.decode("utf-8", errors="surrogateescape"), j + 1
        if c != "\\":
            out += c.encode("utf-8")
            j += 1
            continue
        e = src[j + 1 : j + 2]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            j += 2
        elif re.fullmatch(r"[0-9a-fA-F]{2}", src[j + 1 : j + 3]):
            out.append(int(src[j + 1 : j + 3], 16))
            j += 3
        elif m := re.match(r"u\{([0-9a-fA-F]+)\}", src[j + 1 :]):
            out += chr(int(m.group(1), 16)).encode("utf-8", errors="surrogatepass")
            j += 1 + m.end()
        else:
            raise ParseError(*pos.at(j), "an escape (\\t \\n \\r \\\" \\' \\\\ \\hh \\u{h+})",
                             repr("\\" + e))


def tokenize(src: str, *, line: int = 1, col: int = 1) -> list[Token]:
    """The tokens of ``src``: ``(``, ``)``, atoms and strings; comments and space dropped."""
    pos = _Positions(src, line, col)
    tokens: list[Token] = []
    i = 0
    while i < len(src):
        c = src[i]
        if m := _SPACE_RE.match(src, i):
            i = m.end()
        elif src.startswith(";;", i):
            end = src.find("\n", i)
            i = len(src) if end < 0 else end + 1
        elif src.startswith("(;", i):
            depth, j = 1, i + 2
            while depth:
                if j >= len(src):
                    raise ParseError(*pos.at(i), "';)' closing this block comment", "end of input")
                if src.startswith("(;", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith(";)", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            i = j
        elif c in "()":
            tokens.append(Token(c, c, *pos.at(i)))
            i += 1
        elif c == '"':
            text, j = _string(src, i, pos)
            tokens.append(Token(STRING, text, *pos.at(i)))
            i = j
        elif m := _ATOM_RE.match(src, i):
            tokens.append(Token(ATOM, m.group(), *pos.at(i)))
            i = m.end()
        else:
            raise ParseError(*pos.at(i), "a token", repr(c))
    return tokens


def read(src: str, *, line: int = 1, col: int = 1) -> tuple[SExp, ...]:
    """The S-expressions of ``src``; parentheses must balance."""
    stack: list[tuple[Token, list[SExp]]] = []
    top: list[SExp] = []
    for tok in tokenize(src, line=line, col=col):
        if tok.kind == "(":
            stack.append((tok, []))
        elif tok.kind == ")":
            if not stack:
                raise ParseError(tok.line, tok.col, "an instruction or '('", "unbalanced ')'")
            opener, items = stack.pop()
            lst = SList(tuple(items), opener.line, opener.col, tok.line, tok.col)
            (stack[-1][1] if stack else top).append(lst)
        else:
            (stack[-1][1] if stack else top).append(tok)
    if stack:
        opener = stack[-1][0]
        raise ParseError(opener.line, opener.col, "')' closing this '('", "end of input")
    return tuple(top)


class Cursor:
    """Reads the items of one S-expression list (or of a whole text) left to right."""

    def __init__(self, items: Sequence[SExp], end: tuple[int, int], what: str = "')'") -> None:
        self.items = items
        self.i = 0
        self.end = end  # where "found the end" is reported
        self.what = what  # how the end of these items is called in messages

    @classmethod
    def of(cls, lst: SList, skip: int = 0) -> Cursor:
        cur = cls(lst.items, (lst.end_line, lst.end_col))
        cur.i = skip
        return cur

    def peek(self) -> SExp | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def peek_head(self) -> str | None:
        item = self.peek()
        return item.head if isinstance(item, SList) else None

    def peek_atom(self) -> str | None:
        item = self.peek()
        return item.text if isinstance(item, Token) and item.kind == ATOM else None

    def at_end(self) -> bool:
        return self.i >= len(self.items)

    def next(self, expected: str = "more") -> SExp:
        item = self.peek()
        if item is None:
            raise self.error(expected)
        self.i += 1
        return item

    def error(self, expected: str) -> ParseError:
        item = self.peek()
        if item is None:
            return ParseError(*self.end, expected, self.what)
        return error_at(item, expected)

    def atom(self, expected: str) -> Token:
        item = self.peek()
        if not (isinstance(item, Token) and item.kind == ATOM):
            raise self.error(expected)
        self.i += 1
        return item

    def string(self, expected: str = "a string") -> str:
        item = self.peek()
        if not (isinstance(item, Token) and item.kind == STRING):
            raise self.error(expected)
        self.i += 1
        return item.text

    def slist(self, head: str | None, expected: str) -> SList:
        item = self.peek()
        if not isinstance(item, SList) or (head is not None and item.head != head):
            raise self.error(expected)
        self.i += 1
        return item

    def done(self, expected: str = "')'") -> None:
        if not self.at_end():
            raise self.error(expected)


def error_at(item: SExp, expected: str) -> ParseError:
    if isinstance(item, Token):
        return ParseError(item.line, item.col, expected, item.shown)
    found = f"'({item.head}'" if item.head else "'('"
    return ParseError(item.line, item.col, expected, found)


# --- literals -------------------------------------------------------------------------------

_DEC = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_INT_RE = re.compile(rf"([+-]?)(?:0x({_HEX})|({_DEC}))")
_FDEC_RE = re.compile(rf"([+-]?)({_DEC})(?:\.({_DEC})?)?(?:[eE]([+-]?{_DEC}))?")
_FHEX_RE = re.compile(rf"([+-]?)0x({_HEX})(?:\.({_HEX})?)?(?:[pP]([+-]?{_DEC}))?")
_FSPECIAL_RE = re.compile(rf"([+-]?)(inf|nan|nan:0x({_HEX}))")

# (mantissa bits, exponent bits) of the float types
_FLOAT_FORMAT = {ValType.F32: (23, 8), ValType.F64: (52, 11)}


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
    mant, exp_bits = _FLOAT_FORMAT[t]
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


def print_float(bits: int, t: ValType) -> str:
    """A literal that ``parse_float`` reads back as exactly ``bits``."""
    mant, exp_bits = _FLOAT_FORMAT[t]
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


def parse_valtype(tok: Token) -> ValType:
    t = VALTYPES.get(tok.text)
    if t is None:
        raise ParseError(tok.line, tok.col, "a value type (i32, i64, f32, f64)", tok.shown)
    return t


# --- instructions ---------------------------------------------------------------------------

PLAIN_OPS = (frozenset(NUM_OPS) | frozenset(MEM_OPS) | frozenset(CONST_OPS) | CONTROL_OPS
             | VARIABLE_OPS | MEMORY_OPS)
LABEL_OPS = frozenset({"br", "br_if"})


@attrs.frozen
class Env:
    """What names mean while parsing a body."""

    locals: Mapping[str, int]
    labels: tuple[str | None, ...] = ()  # innermost first
    funcs: Mapping[str, int] = attrs.field(factory=dict)
    symbols: Mapping[str, int] = attrs.field(factory=dict)  # litmus address names

    def enter(self, label: str | None) -> Env:
        return attrs.evolve(self, labels=(label, *self.labels))


def _index(tok: Token, names: Mapping[str, int], what: str) -> int:
    if tok.text.startswith("$"):
        if tok.text not in names:
            raise ParseError(tok.line, tok.col, f"a known {what} name", tok.shown)
        return names[tok.text]
    return parse_uint(tok, 32, f"a {what} index or $name")


def _label(tok: Token, env: Env) -> int:
    if tok.text.startswith("$"):
        if tok.text not in env.labels:
            raise ParseError(tok.line, tok.col, "the name of an enclosing label", tok.shown)
        return env.labels.index(tok.text)
    return parse_uint(tok, 32, "a label depth or $name")


def _memarg(cur: Cursor) -> MemArg:
    offset, align = 0, None
    if (text := cur.peek_atom()) is not None and text.startswith("offset="):
        tok = cur.atom("offset=N")
        offset = parse_uint(Token(ATOM, text[7:], tok.line, tok.col + 7), 32, "an offset")
    if (text := cur.peek_atom()) is not None and text.startswith("align="):
        tok = cur.atom("align=N")
        n = parse_uint(Token(ATOM, text[6:], tok.line, tok.col + 6), 32, "an alignment")
        if n == 0 or n & (n - 1):
            raise ParseError(tok.line, tok.col + 6, "an alignment that is a power of two",
                             f"'{text[6:]}'")
        align = n.bit_length() - 1
    return MemArg(offset, align)


def _immediates(op: Token, cur: Cursor, env: Env) -> tuple[int | MemArg, ...]:
    name = op.text
    if name in CONST_OPS:
        t = CONST_OPS[name]
        tok = cur.atom(f"an {t.value} literal")
        if t.is_int:
            if t is ValType.I32 and tok.text in env.symbols:
                return (env.symbols[tok.text] % (1 << 32),)
            return (parse_int(tok, t.bits),)
        return (parse_float(tok, t),)
    if name in MEM_OPS:
        return (_memarg(cur),)
    if name in VARIABLE_OPS:
        return (_index(cur.atom("a local index or $name"), env.locals, "local"),)
    if name in LABEL_OPS:
        return (_label(cur.atom("a label depth or $name"), env),)
    if name == "call":
        return (_index(cur.atom("a function index or $name"), env.funcs, "function"),)
    if name in PLAIN_OPS:
        return ()
    raise ParseError(op.line, op.col, "an instruction", op.shown)


def _opt_label(cur: Cursor) -> str | None:
    text = cur.peek_atom()
    if text is not None and text.startswith("$"):
        cur.next()
        return text
    return None


def _results(cur: Cursor) -> tuple[ValType, ...]:
    results: list[ValType] = []
    while cur.peek_head() == "result":
        rc = Cursor.of(cur.slist("result", "(result ...)"), 1)
        while not rc.at_end():
            results.append(parse_valtype(rc.atom("a value type")))
    if cur.peek_head() in ("param", "type"):
        raise cur.error("(result ...) (block parameters and type uses are not supported)")
    return tuple(results)


def _end_label(cur: Cursor, label: str | None) -> None:
    text = cur.peek_atom()
    if text is not None and text.startswith("$"):
        if text != label:
            raise cur.error(f"the block's label {label}" if label else "no label after end")
        cur.next()


def _flat(cur: Cursor, env: Env) -> Node:
    op = cur.atom("an instruction")
    if op.text in ("block", "loop"):
        label = _opt_label(cur)
        results = _results(cur)
        body = instrs(cur, env.enter(label), frozenset({"end"}))
        cur.atom("'end'")
        _end_label(cur, label)
        return Block(op.text, results, body, label)
    if op.text == "if":
        label = _opt_label(cur)
        results = _results(cur)
        inner = env.enter(label)
        then = instrs(cur, inner, frozenset({"end", "else"}))
        else_: tuple[Node, ...] = ()
        if cur.peek_atom() == "else":
            cur.next()
            _end_label(cur, label)
            else_ = instrs(cur, inner, frozenset({"end"}))
        cur.atom("'end'")
        _end_label(cur, label)
        return If(results, then, else_, label)
    return Instr(op.text, _immediates(op, cur, env))


def _folded(lst: SList, env: Env) -> list[Node]:
    cur = Cursor.of(lst)
    op = cur.atom("an instruction after '('")
    if op.text in ("block", "loop"):
        label = _opt_label(cur)
        results = _results(cur)
        return [Block(op.text, results, instrs(cur, env.enter(label), frozenset()), label)]
    if op.text == "if":
        label = _opt_label(cur)
        results = _results(cur)
        out: list[Node] = []
        while isinstance(cur.peek(), SList) and cur.peek_head() not in ("then", "else"):
            out += _folded(cur.slist(None, "a folded condition"), env)
        inner = env.enter(label)
        then_list = cur.slist("then", "(then ...)")
        then = instrs(Cursor.of(then_list, 1), inner, frozenset())
        else_: tuple[Node, ...] = ()
        if cur.peek_head() == "else":
            else_ = instrs(Cursor.of(cur.slist("else", "(else ...)"), 1), inner, frozenset())
        cur.done("')' after (else ...)")
        return [*out, If(results, then, else_, label)]
    imms = _immediates(op, cur, env)
    out = []
    while not cur.at_end():
        out += _folded(cur.slist(None, "a folded operand '(...)' or ')'"), env)
    return [*out, Instr(op.text, imms)]


def instrs(cur: Cursor, env: Env, stops: frozenset[str]) -> tuple[Node, ...]:
    """Instructions, folded or flat, up to the end of ``cur`` or a keyword in ``stops``."""
    out: list[Node] = []
    while (item := cur.peek()) is not None:
        if isinstance(item, SList):
            if item.head in ("local", "param", "result"):
                raise error_at(item, "an instruction (declarations come first)")
            cur.next()
            out += _folded(item, env)
        elif item.kind == ATOM and item.text in stops:
            break
        elif item.kind == ATOM and item.text in ("end", "else"):
            raise error_at(item, "an instruction")
        else:
            out.append(_flat(cur, env))
    return tuple(out)


def locals_(cur: Cursor, declared: dict[str, int], first: int) -> tuple[ValType, ...]:
    """``(local $x t)`` / ``(local t*)`` declarations at the start of ``cur``.

    Their names go into ``declared`` (which holds the parameters' names), numbered from ``first``.
    """
    types: list[ValType] = []
    while cur.peek_head() == "local":
        lc = Cursor.of(cur.slist("local", "(local ...)"), 1)
        name_tok = lc.peek()
        name = _opt_label(lc)
        if name is not None and isinstance(name_tok, Token):
            if name in declared:
                raise error_at(name_tok, "a fresh local name")
            declared[name] = first + len(types)
            types.append(parse_valtype(lc.atom("a value type")))
            lc.done("')' after a named local's type")
        else:
            while not lc.at_end():
                types.append(parse_valtype(lc.atom("a value type")))
    return tuple(types)


def func_body(cur: Cursor, func_type: FuncType, param_names: tuple[str | None, ...],
              env: Env, name: str | None = None) -> Func:
    """Locals then instructions to the end of ``cur``, as the body of a function.

    ``param_names`` must be distinct (the caller reports duplicates where they are written).
    """
    nparams = len(func_type.params)
    declared = {n: i for i, n in enumerate(param_names[:nparams]) if n is not None}
    types = locals_(cur, declared, nparams)
    body = instrs(cur, attrs.evolve(env, locals=declared), frozenset())
    by_index: list[str | None] = [None] * (nparams + len(types))
    for n, i in declared.items():
        by_index[i] = n
    canonical = tuple(by_index) if declared else ()
    return Func(func_type, types, body, canonical, name)


def end_position(src: str, line: int = 1, col: int = 1) -> tuple[int, int]:
    """Line and column just after ``src``, which starts at (line, col)."""
    return _Positions(src, line, col).at(len(src))


def parse_body(src: str, *, line: int = 1, col: int = 1, params: tuple[ValType, ...] = (),
               param_names: tuple[str | None, ...] = (), func_names: Sequence[str | None] = (),
               symbols: Mapping[str, int] | None = None) -> Func:
    """A thread body: ``(local ...)`` declarations, then instructions, folded or flat.

    ``line``/``col`` place ``src`` in its file. ``func_names`` name function indices for
    ``call``; ``symbols`` are names usable as ``i32.const`` immediates (litmus addresses).
    The function returns nothing; ``local_names`` is ``()`` when no local has a name.
    """
    named = [n for n in param_names if n is not None]
    if len(set(named)) != len(named):
        raise ValueError(f"parameter names must be distinct: {param_names}")
    items = read(src, line=line, col=col)
    cur = Cursor(items, end_position(src, line, col), "end of input")
    funcs = {n: i for i, n in enumerate(func_names) if n is not None}
    env = Env({}, (), funcs, dict(symbols or {}))
    return func_body(cur, FuncType(params, ()), param_names, env)


# --- printing -------------------------------------------------------------------------------


def _arity(node: Node) -> tuple[int, int | None]:
    """Values an instruction pops and pushes, as far as the printer folds them (None: never)."""
    if isinstance(node, Block):
        return 0, None
    if isinstance(node, If):
        return 1, None
    op = node.op
    if op in CONST_OPS or op in ("local.get", "memory.size"):
        return 0, 1
    if op in NUM_OPS:
        return len(NUM_OPS[op].params), len(NUM_OPS[op].results)
    if op in MEM_OPS:
        return len(MEM_OPS[op].params), len(MEM_OPS[op].results)
    return {"local.set": (1, 0), "local.tee": (1, 1), "drop": (1, 0), "select": (3, 1),
            "br_if": (1, None), "memory.grow": (1, 1), "memory.fill": (3, 0),
            "memory.copy": (3, 0), "nop": (0, 0), "atomic.fence": (0, 0)}.get(op, (0, None))


@attrs.frozen
class _Names:
    locals: tuple[str | None, ...] = ()
    labels: tuple[str | None, ...] = ()

    def local(self, i: int) -> str:
        n = self.locals[i] if i < len(self.locals) else None
        return n if n is not None and self.locals.count(n) == 1 else str(i)

    def label(self, depth: int) -> str:
        n = self.labels[depth] if depth < len(self.labels) else None
        return n if n is not None and n not in self.labels[:depth] else str(depth)


def _imm(op: str, arg: int | MemArg, names: _Names) -> str:
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


def _block_head(node: Block | If) -> str:
    kw = node.kind if isinstance(node, Block) else "if"
    parts = [kw] + ([node.label] if node.label else [])
    if node.results:
        parts.append("(result " + " ".join(t.value for t in node.results) + ")")
    return " ".join(parts)


def print_instr(node: Node, *, local_names: tuple[str | None, ...] = (),
                labels: tuple[str | None, ...] = ()) -> str:
    """One instruction with its immediates, without operands or body: ``i32.load offset=4``."""
    if isinstance(node, (Block, If)):
        return _block_head(node)
    names = _Names(local_names, labels)
    return " ".join([node.op, *(s for a in node.args if (s := _imm(node.op, a, names)))])


_WIDTH = 72


def _wrap(head: str, children: list[list[str]], tail: str = "") -> list[str]:
    """``(head child* tail)`` on one line if short, else one child per indented line."""
    if all(len(c) == 1 for c in children):
        flat = " ".join([head, *(c[0] for c in children)]) + tail
        if len(flat) + 2 <= _WIDTH:
            return [f"({flat})"]
    lines = [f"({head}"]
    for c in children:
        lines += ["  " + s for s in c]
    if not children:
        return [f"({head}{tail})"]
    lines[-1] += tail + ")"
    return lines


def _seq(nodes: tuple[Node, ...], names: _Names) -> list[list[str]]:
    """Printed items; each folds as operands the preceding items that push one value each."""
    items: list[tuple[list[str], int | None]] = []
    for node in nodes:
        pops, pushes = _arity(node)
        k = 0
        while k < pops and k < len(items) and items[len(items) - 1 - k][1] == 1:
            k += 1
        children = [lines for lines, _ in items[len(items) - k :]]
        del items[len(items) - k :]
        full = pushes if k == pops else None  # an operand taken from outside is not foldable
        if isinstance(node, Block):
            inner = attrs.evolve(names, labels=(node.label, *names.labels))
            items.append((_wrap(_block_head(node), _seq(node.body, inner)), None))
        elif isinstance(node, If):
            inner = attrs.evolve(names, labels=(node.label, *names.labels))
            arms = [_wrap("then", _seq(node.then, inner))]
            if node.else_:
                arms.append(_wrap("else", _seq(node.else_, inner)))
            items.append((_branches(_block_head(node), children, arms), None))
        else:
            items.append((_wrap(print_instr(node, local_names=names.locals,
                                            labels=names.labels), children), full))
    return [lines for lines, _ in items]


def _branches(head: str, conds: list[list[str]], arms: list[list[str]]) -> list[str]:
    lines = [f"({head}"] + ["  " + s for c in conds + arms for s in c]
    lines[-1] += ")"
    return lines


def _flat_lines(nodes: tuple[Node, ...], names: _Names) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        if isinstance(node, Instr):
            lines.append(print_instr(node, local_names=names.locals, labels=names.labels))
            continue
        inner = attrs.evolve(names, labels=(node.label, *names.labels))
        lines.append(_block_head(node))
        if isinstance(node, Block):
            lines += ["  " + s for s in _flat_lines(node.body, inner)]
        else:
            lines += ["  " + s for s in _flat_lines(node.then, inner)]
            if node.else_:
                lines.append("else")
                lines += ["  " + s for s in _flat_lines(node.else_, inner)]
        lines.append("end")
    return lines


def print_body(func: Func, *, folded: bool = True) -> str:
    """The body of ``func`` as a thread body: local declarations, then instructions, folded
    (operands nested in their instruction) or flat (one instruction a line, ``end``-terminated
    blocks).

    ``parse_body(print_body(f), params=f.type.params, param_names=...)`` gives ``f`` back when
    ``f.local_names`` is ``()`` or names every parameter and local with distinct names or None.
    """
    nparams = len(func.type.params)
    names = func.local_names + (None,) * (nparams + len(func.locals) - len(func.local_names))
    decls = [f"(local {n} {t.value})" if n is not None and names.count(n) == 1
             else f"(local {t.value})" for n, t in zip(names[nparams:], func.locals, strict=True)]
    lines = [" ".join(decls)] if decls else []
    if not folded:
        return "\n".join(lines + _flat_lines(func.body, _Names(names, ())))
    for item in _seq(func.body, _Names(names, ())):
        lines += item
    return "\n".join(lines)
