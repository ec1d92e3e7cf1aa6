"""The JavaScript subset of a litmus test's ``thread N js { ... }`` (docs/js.md): its abstract
syntax. Every node carries the line and column of its first token, for error messages.

A thread body is a list of statements: ``const`` view declarations, ``let`` locals (the
observables), assignments, element sets, ``Atomics`` calls, ``if``/``else`` and ``while``.
Expressions are integer Numbers (held exactly as integers), BigInts and float element values
that are only moved, never computed with.
"""

from __future__ import annotations

from typing import Union

import attrs

VIEW_TYPES = ("Int8", "Uint8", "Int16", "Uint16", "Int32", "Uint32", "BigInt64", "BigUint64",
              "Float32", "Float64")
"""The element types of ``new <E>Array(buffer, offset, length)`` (ECMA-262 Table "The
TypedArray Constructors", without Uint8Clamped)."""

ELEMENT_SIZE = {"Int8": 1, "Uint8": 1, "Int16": 2, "Uint16": 2, "Int32": 4, "Uint32": 4,
                "BigInt64": 8, "BigUint64": 8, "Float32": 4, "Float64": 8}

ATOMICS = {"load": (2, 2), "store": (3, 3), "add": (3, 3), "sub": (3, 3), "and": (3, 3),
           "or": (3, 3), "xor": (3, 3), "exchange": (3, 3), "compareExchange": (4, 4),
           "wait": (3, 4), "notify": (2, 3)}
"""The ``Atomics`` functions of the subset and their least and greatest numbers of arguments
(``wait``'s timeout and ``notify``'s count are optional)."""


@attrs.frozen
class Pos:
    line: int
    col: int


@attrs.frozen
class View:
    """``const NAME = new <element>Array(buffer, offset, length)``: ``length`` elements from
    byte ``offset``. Without a length (``length`` is ``None``) the view is length-tracking
    (ECMA-262 InitializeTypedArrayFromArrayBuffer over a growable buffer): it reaches to the
    buffer's current end, which each access reads (docs/js.md#growth); ``initial`` is its
    length over the initial memory, a lower bound of every later one (a memory never
    shrinks)."""

    name: str
    element: str
    offset: int
    length: int | None
    initial: int
    pos: Pos

    @property
    def size(self) -> int:
        return ELEMENT_SIZE[self.element]


@attrs.frozen
class Num:
    """A numeric literal: an int, or a float for a literal with a fraction or exponent that is
    not an integer."""

    value: int | float
    pos: Pos


@attrs.frozen
class BigLit:
    value: int
    pos: Pos


@attrs.frozen
class Var:
    name: str
    pos: Pos


@attrs.frozen
class Elem:
    """``view[index]``, an element get."""

    view: str
    index: Expr
    pos: Pos


@attrs.frozen
class Call:
    """``Atomics.op(view, index, args...)``."""

    op: str
    view: str
    index: Expr
    args: tuple[Expr, ...]
    pos: Pos


@attrs.frozen
class ByteLength:
    """``buffer.byteLength``: the growable buffer's current length, a SeqCst read of it."""

    pos: Pos


@attrs.frozen
class Unary:
    op: str  # - ~ !
    arg: Expr
    pos: Pos


@attrs.frozen
class Binary:
    op: str  # + - & | ^ << >> >>> === !== < <= > >=
    left: Expr
    right: Expr
    pos: Pos


Expr = Union[Num, BigLit, Var, Elem, Call, ByteLength, Unary, Binary]


@attrs.frozen
class Let:
    name: str
    value: Expr
    pos: Pos


@attrs.frozen
class Assign:
    name: str
    value: Expr
    pos: Pos


@attrs.frozen
class SetElem:
    """``view[index] = value``, an element set."""

    view: str
    index: Expr
    value: Expr
    pos: Pos


@attrs.frozen
class ExprStmt:
    expr: Expr
    pos: Pos


@attrs.frozen
class IfStmt:
    cond: Expr
    then: tuple[Stmt, ...]
    else_: tuple[Stmt, ...]
    pos: Pos


@attrs.frozen
class While:
    cond: Expr
    body: tuple[Stmt, ...]
    pos: Pos


Stmt = Union[View, Let, Assign, SetElem, ExprStmt, IfStmt, While]


@attrs.frozen
class JsThread:
    """A parsed JS thread: its statements, its source text exactly as written (a program that
    runs given the bindings ``buffer`` and the init block's names), its views and its ``let``
    locals in declaration order (the thread's observables)."""

    body: tuple[Stmt, ...]
    source: str
    views: tuple[View, ...]
    locals: tuple[str, ...]
