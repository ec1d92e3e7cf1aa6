"""Parse the body of a ``thread N js { ... }`` (docs/js.md): tokens, then statements up to the
``}`` that closes the body. Every error is one ``JsError`` at its line and column, saying what
was expected and what was found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from semantics.js.syntax import (
    ATOMICS,
    ELEMENT_SIZE,
    VIEW_TYPES,
    Assign,
    BigLit,
    Binary,
    ByteLength,
    Call,
    Elem,
    Expr,
    ExprStmt,
    IfStmt,
    JsThread,
    Let,
    Num,
    Pos,
    SetElem,
    Stmt,
    Unary,
    Var,
    View,
    While,
)

MAX_DEPTH = 50  # nesting of blocks, ifs, parentheses and unary operators, together
MAX_TOKEN = 1000  # characters (as semantics.text.sexp.MAX_TOKEN)
MAX_SAFE = 1 << 53  # Number.MAX_SAFE_INTEGER + 1: beyond, a Number literal is rounded
KEYWORDS = frozenset({"const", "let", "var", "new", "if", "else", "while", "for", "do",
                      "function", "return", "break", "continue", "true", "false", "null",
                      "undefined", "this", "typeof", "class", "switch", "case"})


class JsError(ValueError):
    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"{line}:{col}: {message}")
        self.line = line
        self.col = col
        self.message = message


@attrs.frozen
class Token:
    kind: str  # name, num, big, punct, end
    text: str
    line: int
    col: int

    @property
    def pos(self) -> Pos:
        return Pos(self.line, self.col)

    def shown(self) -> str:
        return "the end of the file" if self.kind == "end" else repr(self.text[:20])


_PUNCT = (">>>", "===", "!==", "<<", ">>", "<=", ">=", "&&", "||", "==", "!=", "++", "--",
          "+=", "-=", "=>")
_TOKEN = re.compile(r"""
    (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>0[xX][0-9a-fA-F]+n?|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?n?)
  | (?P<punct>""" + "|".join(re.escape(p) for p in _PUNCT) + r"""|[(){}\[\];,.=+\-&|^~!<>*/%?:'"`])
""", re.VERBOSE)


def tokens(src: str, start: int, line: int, col: int) -> list[Token]:
    """The tokens of ``src[start:]`` up to and including the ``}`` that closes the body (the
    body's own braces balanced); positions count from ``line``, ``col`` at ``start``."""
    out: list[Token] = []
    i, depth = start, 0

    def advance(j: int) -> None:
        nonlocal i, line, col
        seg = src[i:j]
        nl = seg.count("\n")
        if nl:
            line, col = line + nl, j - src.rfind("\n", i, j)
        else:
            col += j - i
        i = j

    while True:
        while i < len(src):
            if src[i].isspace():
                advance(i + 1)
            elif src.startswith("//", i):
                j = src.find("\n", i)
                advance(len(src) if j < 0 else j)
            elif src.startswith("/*", i):
                j = src.find("*/", i + 2)
                if j < 0:
                    raise JsError(line, col, "expected the end '*/' of a comment, found the "
                                  "end of the file")
                advance(j + 2)
            else:
                break
        if i >= len(src):
            raise JsError(line, col, "expected '}' closing the thread's body, found the end "
                          "of the file")
        m = _TOKEN.match(src, i)
        if not m:
            raise JsError(line, col, f"expected a token of the JS subset, found {src[i]!r}")
        kind = m.lastgroup or "punct"
        text = m.group(0)
        if len(text) > MAX_TOKEN:
            raise JsError(line, col, f"expected a token of at most {MAX_TOKEN} characters, "
                          f"found {text[:5]!r}... ({len(text)} characters)")
        if kind == "num" and text.endswith("n"):
            kind = "big"
        out.append(Token(kind, text, line, col))
        advance(m.end())
        if text == "{":
            depth += 1
        elif text == "}":
            if depth == 0:
                out[-1] = Token("end", "}", out[-1].line, out[-1].col)
                return out
            depth -= 1


def _number(t: Token) -> int | float:
    text = t.text.rstrip("n")
    if text[:2].lower() == "0x":
        return int(text, 16)
    if re.fullmatch(r"[0-9]+", text):
        if len(text) > 1 and text[0] == "0":
            raise JsError(t.line, t.col, f"expected a decimal literal without a leading 0 "
                          f"(a legacy octal literal), found {t.shown()}")
        return int(text)
    v = float(text)
    return int(v) if v.is_integer() and abs(v) <= MAX_SAFE else v


class _Parser:
    def __init__(self, toks: list[Token], names: Mapping[str, int], mem_bytes: int) -> None:
        self.toks = toks
        self.k = 0
        self.names = names
        self.mem_bytes = mem_bytes
        self.views: dict[str, View] = {}
        self.locals: list[str] = []
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.k]

    def next(self) -> Token:
        t = self.tok
        if t.kind != "end":
            self.k += 1
        return t

    def error(self, expected: str, t: Token | None = None) -> JsError:
        t = t or self.tok
        return JsError(t.line, t.col, f"expected {expected}, found {t.shown()}")

    def at(self, text: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == text

    def expect(self, text: str, what: str | None = None) -> Token:
        if not self.at(text):
            raise self.error(what or f"'{text}'")
        return self.next()

    def name(self, what: str) -> Token:
        if self.tok.kind != "name" or self.tok.text in KEYWORDS:
            raise self.error(what)
        return self.next()

    # --- statements ---------------------------------------------------------------------

    def body(self, top: bool) -> tuple[Stmt, ...]:
        out: list[Stmt] = []
        while self.tok.kind != "end" and not (not top and self.at("}")):
            out.append(self.statement(top))
        return tuple(out)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"blocks, conditions and expressions nested at most {MAX_DEPTH} "
                             "deep")

    def block(self) -> tuple[Stmt, ...]:
        self.expect("{", "'{' (a block)")
        self.enter()
        stmts = self.body(False)
        self.depth -= 1
        if self.tok.kind == "end":
            raise self.error("'}' closing the block")
        self.expect("}")
        return stmts

    def statement(self, top: bool) -> Stmt:
        t = self.tok
        if t.kind == "name" and t.text in ("const", "let"):
            if not top:
                raise self.error(f"a statement (a '{t.text}' at the thread's top level only: "
                                 "its views and observed locals are the top-level ones)")
            self.next()
            return self.view() if t.text == "const" else self.let(t)
        if t.kind == "name" and t.text == "if":
            return self.if_stmt()
        if t.kind == "name" and t.text == "while":
            self.next()
            self.expect("(", "'(' after while")
            c = self.expr()
            self.expect(")", "')' closing the condition")
            return While(c, self.block(), t.pos)
        if self.at(";"):
            raise self.error("a statement (an empty statement is not in the subset)")
        if t.kind == "name" and t.text == "buffer":
            raise self.error("a statement of the JS subset (buffer.byteLength is read-only: "
                             "an assignment to it is ignored, or a TypeError in strict mode)")
        if t.kind == "name" and t.text not in KEYWORDS and t.text != "Atomics":
            self.next()
            if self.at("["):
                self.next()
                idx = self.expr()
                self.expect("]", "']' closing the index")
                self.expect("=", "'=' (an element set 'view[i] = value;')")
                v = self.expr()
                self.end_statement()
                return SetElem(t.text, idx, v, t.pos)
            self.expect("=", f"'=' after {t.text!r} (an assignment 'local = value;')")
            v = self.expr()
            self.end_statement()
            return Assign(t.text, v, t.pos)
        if t.kind == "name" and t.text == "Atomics":
            e = self.expr()
            self.end_statement()
            return ExprStmt(e, t.pos)
        raise self.error("a statement of the JS subset: const, let, an assignment, "
                         "'view[i] = v', an Atomics call, if or while")

    def end_statement(self) -> None:
        self.expect(";", "';' ending the statement")

    def if_stmt(self) -> IfStmt:
        t = self.next()
        self.enter()
        self.expect("(", "'(' after if")
        c = self.expr()
        self.expect(")", "')' closing the condition")
        then = self.block()
        else_: tuple[Stmt, ...] = ()
        if self.tok.kind == "name" and self.tok.text == "else":
            self.next()
            if self.tok.kind == "name" and self.tok.text == "if":
                else_ = (self.if_stmt(),)
            else:
                else_ = self.block()
        self.depth -= 1
        return IfStmt(c, then, else_, t.pos)

    def let(self, kw: Token) -> Let:
        n = self.name("the name of a local after let")
        self.new_name(n)
        self.expect("=", f"'=' after let {n.text} (every local has an initial value)")
        v = self.expr()
        self.end_statement()
        self.locals.append(n.text)
        return Let(n.text, v, kw.pos)

    def new_name(self, n: Token) -> None:
        if n.text in self.views or n.text in self.locals:
            raise self.error("a name not declared before", n)
        if n.text in self.names or n.text in ("buffer", "Atomics"):
            raise self.error("a name other than 'buffer', 'Atomics' and the init block's "
                             "names (the thread is run with those bound)", n)
        if n.text in ("trap", "blocked"):
            raise self.error(f"a name other than 'trap' and 'blocked' (N:{n.text} is an "
                             "observable of its own)", n)

    def view(self) -> View:
        n = self.name("the name of a view after const")
        self.new_name(n)
        self.expect("=", f"'=' after const {n.text}")
        if not (self.tok.kind == "name" and self.tok.text == "new"):
            raise self.error("'new' and a typed array: const NAME = new Int32Array(buffer, "
                             "OFFSET, LENGTH);")
        self.next()
        ty = self.tok
        element = ty.text.removesuffix("Array") if ty.kind == "name" else ""
        if element not in VIEW_TYPES or not ty.text.endswith("Array"):
            raise self.error("a typed array type (" + ", ".join(f"{e}Array" for e in VIEW_TYPES)
                             + ")")
        self.next()
        self.expect("(", f"'(' after {ty.text}")
        b = self.tok
        if not (b.kind == "name" and b.text == "buffer"):
            raise self.error("'buffer' (the shared memory's buffer)")
        self.next()
        size = ELEMENT_SIZE[element]
        offset = 0
        length: int | None = None
        if self.at(","):
            self.next()
            offset, ot = self.constant("a byte offset: an init block name or an integer")
            if offset % size:
                raise self.error(f"a byte offset that is a multiple of {size}: new "
                                 f"{ty.text}(buffer, {offset}) throws a RangeError", ot)
            if offset > self.mem_bytes:
                raise self.error(f"a byte offset inside the initial memory (0..{self.mem_bytes})"
                                 ": a larger one throws a RangeError", ot)
            if self.at(","):
                self.next()
                length, lt = self.constant("a length in elements (an integer)")
                if offset + length * size > self.mem_bytes:
                    raise self.error(f"a view inside the initial memory ({self.mem_bytes} "
                                     "bytes): a longer one throws a RangeError", lt)
        self.expect(")", "')' closing the view's arguments")
        self.end_statement()
        v = View(n.text, element, offset, length,
                 (self.mem_bytes - offset) // size if length is None else length, n.pos)
        self.views[n.text] = v
        return v

    def constant(self, what: str) -> tuple[int, Token]:
        t = self.next()
        if t.kind == "name" and t.text in self.names:
            return self.names[t.text], t
        if t.kind == "num":
            v = _number(t)
            if isinstance(v, int) and v >= 0:
                return v, t
        raise self.error(what, t)

    # --- expressions (JS precedence, binary levels from loosest) -------------------------

    LEVELS = (("|",), ("^",), ("&",), ("===", "!=="), ("<", "<=", ">", ">="),
              ("<<", ">>", ">>>"), ("+", "-"))
    REFUSED = {"==": "'===' (== is not in the subset)", "!=": "'!==' (!= is not in the subset)",
               "&&": "an operator of the subset (&& and || are not in it yet)",
               "||": "an operator of the subset (&& and || are not in it yet)",
               "*": "an operator of the subset (* / % are not in it)",
               "/": "an operator of the subset (* / % are not in it)",
               "%": "an operator of the subset (* / % are not in it)",
               "?": "an operator of the subset (?: is not in it)"}

    def expr(self, level: int = 0) -> Expr:
        if level == 0:
            self.enter()
        if level == len(self.LEVELS):
            return self.unary()
        left = self.expr(level + 1)
        chain = 0  # each operator of a chain nests its left operand once more
        while self.tok.kind == "punct" and self.tok.text in self.LEVELS[level]:
            self.enter()
            chain += 1
            op = self.next()
            right = self.expr(level + 1)
            left = Binary(op.text, left, right, op.pos)
        self.depth -= chain
        if self.tok.kind == "punct" and self.tok.text in self.REFUSED:
            raise self.error(self.REFUSED[self.tok.text])
        if level == 0:
            self.depth -= 1
        return left

    def unary(self) -> Expr:
        t = self.tok
        if self.at("-") or self.at("~") or self.at("!"):
            self.next()
            self.enter()
            arg = self.unary()
            self.depth -= 1
            if t.text == "-" and isinstance(arg, Num):
                return Num(-arg.value, t.pos)
            if t.text == "-" and isinstance(arg, BigLit):
                return BigLit(-arg.value, t.pos)
            return Unary(t.text, arg, t.pos)
        return self.primary()

    def primary(self) -> Expr:
        t = self.tok
        if t.kind == "num":
            self.next()
            v = _number(t)
            if isinstance(v, int) and v > MAX_SAFE:
                raise self.error("an integer of magnitude at most 2^53 (a larger Number "
                                 "literal is rounded)", t)
            return Num(v, t.pos)
        if t.kind == "big":
            self.next()
            v = _number(t)
            if not isinstance(v, int) or "." in t.text or "e" in t.text.lower()[2:]:
                raise self.error("a BigInt literal (an integer followed by n)", t)
            return BigLit(v, t.pos)
        if self.at("("):
            self.next()
            e = self.expr()
            self.expect(")", "')'")
            return e
        if t.kind == "name" and t.text == "Atomics":
            return self.call()
        if t.kind == "name" and t.text == "buffer":
            self.next()
            self.expect(".", "'.byteLength' after buffer (the buffer is only read for its "
                        "length, and made into views)")
            p = self.tok
            if not (p.kind == "name" and p.text == "byteLength"):
                raise self.error("'byteLength' (the only property of buffer in the subset)")
            self.next()
            return ByteLength(t.pos)
        if t.kind == "name" and t.text not in KEYWORDS:
            self.next()
            if self.at("["):
                self.next()
                idx = self.expr()
                self.expect("]", "']' closing the index")
                return Elem(t.text, idx, t.pos)
            if self.at("("):
                raise self.error("an expression of the subset (function calls other than "
                                 "Atomics.* are not in it)")
            return Var(t.text, t.pos)
        raise self.error("an expression: a number, a local, view[index] or an Atomics call")

    def call(self) -> Call:
        t = self.next()
        self.expect(".", "'.' after Atomics")
        op = self.tok
        if op.kind != "name" or op.text not in ATOMICS:
            if op.kind == "name" and op.text in ("waitAsync", "isLockFree", "pause"):
                raise self.error(f"an Atomics function of the subset (Atomics.{op.text} is "
                                 "not in it yet: docs/js.md)")
            raise self.error("an Atomics function (" + ", ".join(ATOMICS) + ")")
        self.next()
        self.expect("(", f"'(' after Atomics.{op.text}")
        args: list[Expr] = []
        first = self.tok
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.next()
                args.append(self.expr())
        close = self.expect(")", "',' or ')' closing the arguments")
        lo, hi = ATOMICS[op.text]
        if not lo <= len(args) <= hi:
            n = str(lo) if lo == hi else f"{lo} or {hi}"
            raise JsError(close.line, close.col, f"expected {n} arguments to Atomics."
                          f"{op.text}, found {len(args)}")
        view = args[0]
        if not isinstance(view, Var):
            raise self.error("a typed-array view as the first argument", first)
        return Call(op.text, view.name, args[1], tuple(args[2:]), t.pos)


def parse_thread(src: str, start: int, line: int, col: int, names: Mapping[str, int],
                 mem_bytes: int) -> tuple[JsThread, int]:
    """The JS thread whose body starts at ``src[start]`` (just after its ``{``, at ``line``,
    ``col``), and the index just after the ``}`` that closes it."""
    toks = tokens(src, start, line, col)
    p = _Parser(toks, names, mem_bytes)
    body = p.body(True)
    end = toks[-1]
    stop = _index_of(src, start, line, col, end.line, end.col)
    source = src[start:stop]
    return JsThread(body, source, tuple(p.views.values()), tuple(p.locals)), stop + 1


def _index_of(src: str, start: int, line: int, col: int, at_line: int, at_col: int) -> int:
    i = start
    for _ in range(at_line - line):
        i = src.index("\n", i) + 1
        col = 1
    return i + at_col - col
