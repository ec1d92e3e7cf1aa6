"""WAT tokens and S-expressions, each with its line and column, and the errors that point there.

``read`` turns text into S-expressions (``Token`` atoms and strings, ``SList`` lists) and
``Cursor`` reads a list's items; ``text.parse_body`` and the script parser of ``wast.py`` work on
those.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Union

import attrs

MAX_DEPTH = 200
"""Deepest nesting of parentheses (and of blocks, ``wat.py``) a text may have: the parsers and
the validator recurse once per level, so the limit keeps them far from Python's recursion limit."""

MAX_TOKEN = 1000
"""Longest atom (a number, a name) in characters; longer ones are rejected, not converted."""


def shown(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text)} characters)"


class ParseError(ValueError):
    """Malformed text: where (``line``, ``col``), what was ``expected`` and what was ``found``."""

    def __init__(self, line: int, col: int, expected: str, found: str) -> None:
        super().__init__(f"line {line}, column {col}: expected {expected}, found {found}")
        self.line = line
        self.col = col
        self.expected = expected
        self.found = found


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
        return shown(self.text)


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
_UNICODE_RE = re.compile(r"u\{([0-9a-fA-F]{1,8})\}")
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
        elif m := _UNICODE_RE.match(src, j + 1):
            code = int(m.group(1), 16)
            if code > 0x10FFFF:
                raise ParseError(*pos.at(j), "a Unicode scalar value (at most \\u{10FFFF})",
                                 shown("\\" + m.group(0)))
            out += chr(code).encode("utf-8", errors="surrogatepass")
            j = m.end()
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
        if c in "()" and not src.startswith("(;", i):
            tokens.append(Token(c, c, *pos.at(i)))
            i += 1
            continue
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
        if tokens and tokens[-1].kind == ATOM and len(tokens[-1].text) > MAX_TOKEN:
            t = tokens[-1]
            raise ParseError(t.line, t.col, f"a token of at most {MAX_TOKEN} characters",
                             t.shown)
    return tokens


def read(src: str, *, line: int = 1, col: int = 1) -> tuple[SExp, ...]:
    """The S-expressions of ``src``; parentheses must balance."""
    stack: list[tuple[Token, list[SExp]]] = []
    top: list[SExp] = []
    for tok in tokenize(src, line=line, col=col):
        if tok.kind == "(":
            if len(stack) >= MAX_DEPTH:
                raise ParseError(tok.line, tok.col,
                                 f"at most {MAX_DEPTH} nested parentheses", "a deeper '('")
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


def end_position(src: str, line: int = 1, col: int = 1) -> tuple[int, int]:
    """Line and column just after ``src``, which starts at (line, col)."""
    return _Positions(src, line, col).at(len(src))
