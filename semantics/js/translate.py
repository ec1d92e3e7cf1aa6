"""A JS thread as a function of the Wasm reduction (docs/js.md, "How a JS thread runs").

Each typed-array access becomes one ``js.E.*`` instruction of ``syntax.JS_MEM_OPS``, whose
event is ECMA-262's (``step._step_js``); everything else is ordinary Wasm code, so the engine,
the SC machine and the Z3 encoding run JS threads unchanged. Values:

- a Number is an integer held exactly in an i64 (a literal has magnitude at most 2^53, and
  ``+``/``-`` are exact while the results stay below 2^53, which a litmus thread's few
  additions do); ``& | ^ << >> >>> ~`` are on ToInt32 of their operands, as in JS;
- a BigInt is held as its 64 bits (it is only read, stored, passed to Atomics and observed);
- a float element value (a Number read from a Float32Array or Float64Array) is held in an
  f32 or f64 local, and is only moved: read, stored to a view of its type, observed.

A view's bounds are checked here: an element get at an index outside the view would give
``undefined``, which a condition cannot name, so it is refused; an element set outside is a
no-op; an ``Atomics`` call outside throws a RangeError, which is the thread's trap. A
length-tracking view's bounds are its current length: the check is a ``js.byteLength.unordered``
read of the memory's length and a branch (docs/js.md#growth); ``buffer.byteLength`` is a
``js.byteLength`` read, SeqCst.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import attrs

from semantics.js.parse import JsError
from semantics.js.syntax import (
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
)
from semantics.wasm.syntax import (
    F32,
    F64,
    I32,
    I64,
    JS_MEM_OPS,
    Block,
    Func,
    FuncType,
    If,
    Instr,
    MemArg,
    Node,
    ValType,
)

NUMBER, BIGINT, BOOL, STRING = "Number", "BigInt", "boolean", "string"
KIND_TYPE = {NUMBER: I64, BIGINT: I64, "Float32": F32, "Float64": F64}


def element_kind(element: str) -> str:
    """The kind of value an element of this type is: Number, BigInt, or a float element."""
    if element.startswith("Big"):
        return BIGINT
    return element if element.startswith("Float") else NUMBER


def _c(ty: ValType, v: int) -> Instr:
    return Instr(f"{ty.value}.const", (v % (1 << ty.bits),))


def _i(op: str, *args: int | MemArg) -> Instr:
    return Instr(op, args)


@attrs.frozen
class _Code:
    code: tuple[Node, ...]
    kind: str


class _Translator:
    def __init__(self, names: Mapping[str, int], thread: JsThread) -> None:
        self.names = names
        self.views = {v.name: v for v in thread.views}
        self.local_index: dict[str, int] = {}
        self.local_kind: dict[str, str] = {}
        self.types: list[ValType] = []
        self.local_names: list[str | None] = []

    def error(self, pos: Pos, message: str) -> JsError:
        return JsError(pos.line, pos.col, message)

    def scratch(self, ty: ValType) -> int:
        self.types.append(ty)
        self.local_names.append(None)
        return len(self.types) - 1

    # --- expressions --------------------------------------------------------------------

    def expr(self, e: Expr) -> _Code:
        if isinstance(e, Num):
            if isinstance(e.value, float):
                raise self.error(e.pos, f"expected an integer, found {e.value!r} (a Number "
                                 "that is not an integer is only stored to a float view)")
            return _Code((_c(I64, e.value),), NUMBER)
        if isinstance(e, BigLit):
            if not -(1 << 63) <= e.value < 1 << 64:
                raise self.error(e.pos, f"expected a BigInt that fits in 64 bits, found "
                                 f"{e.value}n")
            return _Code((_c(I64, e.value),), BIGINT)
        if isinstance(e, Var):
            if e.name in self.local_index:
                return _Code((_i("local.get", self.local_index[e.name]),),
                             self.local_kind[e.name])
            if e.name in self.names:  # the runner binds each init name to its address
                return _Code((_c(I64, self.names[e.name]),), NUMBER)
            if e.name in self.views:
                raise self.error(e.pos, f"expected a value, found the view {e.name!r}")
            raise self.error(e.pos, f"expected a local declared with let before, or an init "
                             f"block name, found {e.name!r}")
        if isinstance(e, Elem):
            return self.get(e)
        if isinstance(e, Call):
            return self.call(e)
        if isinstance(e, ByteLength):  # ArrayBufferByteLength(buffer, seq-cst)
            return _Code((_i("js.byteLength"),), NUMBER)
        if isinstance(e, Unary):
            return self.unary(e)
        return self.binary(e)

    def number(self, e: Expr, what: str) -> tuple[Node, ...]:
        c = self.expr(e)
        if c.kind != NUMBER:
            raise self.error(e.pos, f"expected a Number as {what}, found a {c.kind}")
        return c.code

    def view(self, name: str, pos: Pos) -> View:
        if name not in self.views:
            raise self.error(pos, f"expected a typed-array view declared with const before, "
                             f"found {name!r}")
        return self.views[name]

    def get(self, e: Elem) -> _Code:
        v = self.view(e.view, e.pos)
        if not isinstance(e.index, Num) or isinstance(e.index.value, float):
            raise self.error(e.index.pos, "expected an integer literal as the index of an "
                             "element get (a computed index may be out of the view, and "
                             "undefined is not an observable value yet)")
        i = e.index.value
        if not 0 <= i < v.initial:
            what = "is" if v.length is not None else "may be (the view tracks a length that " \
                "may not have grown)"
            raise self.error(e.index.pos, f"expected an index inside the view {v.name} "
                             f"(0..{v.initial - 1}), found {i}: {v.name}[{i}] {what} "
                             "undefined, which a condition cannot name")
        op = _i(f"js.{v.element}.load", MemArg())
        if v.length is not None:
            return _Code((_c(I32, v.offset + i * v.size), op), element_kind(v.element))
        # a length-tracking view reads the length (IsValidIntegerIndex) even where the index is
        # inside every length it can have: the read is an event of its own
        results = JS_MEM_OPS[op.op].results
        return _Code(self.guarded(v, ("literal", i), (op,), results, (_i("unreachable"),)),
                     element_kind(v.element))

    def value_for(self, v: View, e: Expr) -> tuple[Node, ...]:
        """The code of ``e`` as a value stored to an element of ``v``: the kinds must agree
        (a Number to a BigInt view and a BigInt to a Number view are TypeErrors in JS)."""
        want = element_kind(v.element)
        if want in ("Float32", "Float64"):
            if isinstance(e, Num):
                fmt = "<f" if want == "Float32" else "<d"
                try:
                    packed = struct.pack(fmt, float(e.value))
                except OverflowError:
                    raise self.error(e.pos, f"expected a value in {want}'s range, found "
                                     f"{e.value}") from None
                return (_c(KIND_TYPE[want], int.from_bytes(packed, "little")),)
            c = self.expr(e)
            if c.kind != want:
                raise self.error(e.pos, f"expected a numeric literal or a {want} element value "
                                 f"for the {v.element}Array {v.name}, found a {c.kind}")
            return c.code
        c = self.expr(e)
        if c.kind != want:
            raise self.error(e.pos, f"expected a {want} for the {v.element}Array {v.name}, "
                             f"found a {c.kind} (a TypeError in JS)")
        return c.code

    def index(self, e: Expr) -> tuple[tuple[Node, ...], tuple[str, int]]:
        """The code evaluating an index, and the index: ``("literal", i)`` or ``("local", k)``,
        the scratch local holding it."""
        if isinstance(e, Num) and isinstance(e.value, int):
            return (), ("literal", e.value)
        t = self.scratch(I64)
        return (*self.number(e, "an index"), _i("local.set", t)), ("local", t)

    def guarded(self, v: View, index: tuple[str, int], body: tuple[Node, ...],
                result: tuple[ValType, ...], outside: tuple[Node, ...]) -> tuple[Node, ...]:
        """``body`` with the byte address of ``v[index]`` below it on the stack when the index
        is inside the view, else ``outside``."""
        how, i = index
        if v.length is None:
            return self.tracked(v, index, body, result, outside)
        if how == "literal":
            return (_c(I32, v.offset + i * v.size), *body) if 0 <= i < v.length else outside
        return (_i("local.get", i), _c(I64, v.length), _i("i64.lt_u"),
                If(result, (*self.address(v, i), *body), outside))

    @staticmethod
    def address(v: View, local: int) -> tuple[Node, ...]:
        return (_i("local.get", local), _i("i32.wrap_i64"), _c(I32, v.size), _i("i32.mul"),
                _c(I32, v.offset), _i("i32.add"))

    def tracked(self, v: View, index: tuple[str, int], body: tuple[Node, ...],
                result: tuple[ValType, ...], outside: tuple[Node, ...]) -> tuple[Node, ...]:
        """``guarded`` for a length-tracking view (docs/js.md#growth): the index is checked
        against the view's current length, TypedArrayLength = (byteLength - offset) / size
        over an Unordered read of the buffer's byte length (IsValidIntegerIndex's
        MakeTypedArrayWithBufferWitnessRecord(O, unordered)). The view is never out of bounds
        as a whole: its offset is inside the initial memory, and a memory never shrinks."""
        length = _i("js.byteLength.unordered")
        how, i = index
        if how == "literal":
            if i < 0:
                return outside
            end = v.offset + (i + 1) * v.size
            return (length, _c(I64, end), _i("i64.ge_u"),
                    If(result, (_c(I32, v.offset + i * v.size), *body), outside))
        shift = v.size.bit_length() - 1
        return (_i("local.get", i), length, _c(I64, v.offset), _i("i64.sub"), _c(I64, shift),
                _i("i64.shr_u"), _i("i64.lt_u"),
                If(result, (*self.address(v, i), *body), outside))

    def literal(self, e: Expr, what: str) -> int:
        if not isinstance(e, Num) or isinstance(e.value, float):
            raise self.error(e.pos, f"expected an integer literal as {what}")
        return e.value

    def suspension(self, e: Call, v: View) -> _Code:
        """``Atomics.wait(v, i, value[, timeout])`` (a string: "ok", "not-equal" or
        "timed-out", so only a statement) and ``Atomics.notify(v, i[, count])`` (the number
        woken); an omitted timeout or count is +Infinity, a negative one 0."""
        if v.element not in ("Int32", "BigInt64"):
            raise self.error(e.pos, f"expected an Int32Array or a BigInt64Array for Atomics."
                             f"{e.op}, found the {v.element}Array {v.name} (a TypeError in JS)")
        pre, ix = self.index(e.index)
        op = _i(f"js.{v.element}.atomic.{e.op}", MemArg())
        throw = (_i("unreachable"),)
        if e.op == "wait":
            t = self.scratch(I64)
            args = (*self.value_for(v, e.args[0]), _i("local.set", t))
            timeout = -1 if len(e.args) == 1 else max(self.literal(e.args[1], "a timeout"), 0)
            body: tuple[Node, ...] = (_i("local.get", t), _c(I64, timeout), op)
            pre, body = self.validate_first(v, pre, args, body)
            return _Code((*pre, *self.guarded(v, ix, body, (I32,), throw)), STRING)
        count = 0xFFFFFFFF if not e.args else min(max(self.literal(e.args[0], "a count"), 0),
                                                  0xFFFFFFFF)
        body = (_c(I32, count), op)
        return _Code((*pre, *self.guarded(v, ix, body, (I32,), throw), _i("i64.extend_i32_u")),
                     NUMBER)

    @staticmethod
    def validate_first(v: View, pre: tuple[Node, ...], args: tuple[Node, ...],
                       body: tuple[Node, ...]) -> tuple[tuple[Node, ...], tuple[Node, ...]]:
        """Where the other arguments of an ``Atomics`` call are evaluated. On a length-tracking
        view, after the index is validated against the length read
        (ValidateAtomicAccessOnIntegerTypedArray comes first in every Atomics function): the
        read's place among the thread's events matters when the length can grow. A fixed
        view's check reads nothing, so it stays after them."""
        return (pre, (*args, *body)) if v.length is None else ((*pre, *args), body)

    def call(self, e: Call) -> _Code:
        v = self.view(e.view, e.pos)
        if e.op in ("wait", "notify"):
            return self.suspension(e, v)
        kind = element_kind(v.element)
        if kind not in (NUMBER, BIGINT):
            raise self.error(e.pos, f"expected an integer typed array for Atomics.{e.op}, "
                             f"found the {v.element}Array {v.name} (a TypeError in JS)")
        ty = KIND_TYPE[kind]
        # the arguments are evaluated in order (a call), then the index is validated; on a
        # length-tracking view the index first (validate_first)
        pre, ix = self.index(e.index)
        temps = [self.scratch(ty) for _ in e.args]
        args: tuple[Node, ...] = ()
        for a, t in zip(e.args, temps, strict=True):
            args += (*self.value_for(v, a), _i("local.set", t))
        gets = tuple(_i("local.get", t) for t in temps)
        atomic = {"load": "atomic.load", "store": "atomic.store"}.get(e.op, f"atomic.{e.op}")
        op = _i(f"js.{v.element}.{atomic}", MemArg())
        # Atomics.store returns its value (ToIntegerOrInfinity, the value itself here)
        body: tuple[Node, ...] = (*gets, op, *gets) if e.op == "store" else (*gets, op)
        pre, body = self.validate_first(v, pre, args, body)
        throw = (_i("unreachable"),)  # ValidateAtomicAccess: a RangeError
        return _Code((*pre, *self.guarded(v, ix, body, (ty,), throw)), kind)

    def unary(self, e: Unary) -> _Code:
        if e.op == "!":
            c = self.condition(e.arg)
            return _Code((*c, _i("i32.eqz")), BOOL)
        code = self.number(e.arg, f"the operand of {e.op}")
        if e.op == "-":
            return _Code((_c(I64, 0), *code, _i("i64.sub")), NUMBER)
        return _Code((*code, _i("i32.wrap_i64"), _c(I32, -1), _i("i32.xor"),
                      _i("i64.extend_i32_s")), NUMBER)

    INT32 = {"&": "i32.and", "|": "i32.or", "^": "i32.xor", "<<": "i32.shl", ">>": "i32.shr_s",
             ">>>": "i32.shr_u"}
    COMPARE = {"===": "i64.eq", "!==": "i64.ne", "<": "i64.lt_s", "<=": "i64.le_s",
               ">": "i64.gt_s", ">=": "i64.ge_s"}

    def binary(self, e: Binary) -> _Code:
        left, right = self.expr(e.left), self.expr(e.right)
        for side, c in ((e.left, left), (e.right, right)):
            if c.kind != NUMBER:
                what = {BIGINT: "BigInt arithmetic and comparison are",
                        BOOL: "booleans as operands are",
                        STRING: "strings are"}.get(c.kind, "float arithmetic is")
                raise self.error(side.pos, f"expected a Number operand of {e.op}, found a "
                                 f"{c.kind} ({what} not in the subset)")
        if e.op in ("+", "-"):
            return _Code((*left.code, *right.code, _i("i64.add" if e.op == "+" else "i64.sub")),
                         NUMBER)
        if e.op in self.COMPARE:
            return _Code((*left.code, *right.code, _i(self.COMPARE[e.op])), BOOL)
        ext = "i64.extend_i32_u" if e.op == ">>>" else "i64.extend_i32_s"  # ToUint32 / ToInt32
        return _Code((*left.code, _i("i32.wrap_i64"), *right.code, _i("i32.wrap_i64"),
                      _i(self.INT32[e.op]), _i(ext)), NUMBER)

    def condition(self, e: Expr) -> tuple[Node, ...]:
        c = self.expr(e)
        if c.kind == BOOL:
            return c.code
        if c.kind == NUMBER:  # ToBoolean
            return (*c.code, _i("i64.eqz"), _i("i32.eqz"))
        raise self.error(e.pos, f"expected a condition (a comparison or a Number), found a "
                         f"{c.kind}")

    # --- statements ---------------------------------------------------------------------

    def stmts(self, body: tuple[Stmt, ...]) -> tuple[Node, ...]:
        out: list[Node] = []
        for s in body:
            out += self.stmt(s)
        return tuple(out)

    def stmt(self, s: Stmt) -> tuple[Node, ...]:
        if isinstance(s, View):
            return ()
        if isinstance(s, Let):
            c = self.expr(s.value)
            if c.kind in (BOOL, STRING):
                raise self.error(s.value.pos, "expected a Number, a BigInt or an element value"
                                 f" (a {c.kind} local is not observable)")
            idx = len(self.types)
            self.types.append(KIND_TYPE[c.kind])
            self.local_names.append(f"${s.name}")
            self.local_index[s.name] = idx
            self.local_kind[s.name] = c.kind
            return (*c.code, _i("local.set", idx))
        if isinstance(s, Assign):
            if s.name not in self.local_index:
                raise self.error(s.pos, f"expected a local declared with let before, found "
                                 f"{s.name!r}")
            c = self.expr(s.value)
            if c.kind != self.local_kind[s.name]:
                raise self.error(s.value.pos, f"expected a {self.local_kind[s.name]} (the kind "
                                 f"of {s.name}), found a {c.kind}")
            return (*c.code, _i("local.set", self.local_index[s.name]))
        if isinstance(s, SetElem):  # JS evaluates the index, then the value
            v = self.view(s.view, s.pos)
            pre, ix = self.index(s.index)
            t = self.scratch(KIND_TYPE[element_kind(v.element)])
            value = (*self.value_for(v, s.value), _i("local.set", t))
            store = (_i("local.get", t), _i(f"js.{v.element}.store", MemArg()))
            return (*pre, *value, *self.guarded(v, ix, store, (), ()))
        if isinstance(s, ExprStmt):
            return (*self.expr(s.expr).code, _i("drop"))
        if isinstance(s, IfStmt):
            return (*self.condition(s.cond), If((), self.stmts(s.then), self.stmts(s.else_)))
        test = self.condition(s.cond)
        loop = Block("loop", (), (*test, _i("i32.eqz"), _i("br_if", 1), *self.stmts(s.body),
                                  _i("br", 0)))
        return (Block("block", (), (loop,)),)


def translate(thread: JsThread, names: Mapping[str, int]) -> Func:
    """The thread as a function with no parameters and no results: its ``let`` locals are
    named ``$NAME``, the scratch locals of its indexes and arguments are unnamed."""
    t = _Translator(names, thread)
    body = t.stmts(thread.body)
    return Func(FuncType(), tuple(t.types), body, tuple(t.local_names))
