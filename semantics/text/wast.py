"""The ``.wast`` script syntax, with the threads proposal's ``thread`` and ``wait`` commands.

Parsing only: a ``Script`` is a tuple of commands (frozen data); running them is the runner's
job. Modules are ``syntax.Module``s; ``assert_invalid`` modules are parsed even when ill-typed
(validation rejects them later) and an ``assert_malformed`` module that does not parse is kept as
its ``ParseError``. ``(module binary ...)`` is rejected with a ``ParseError``: the threads tests
do not use it, and this project has no binary decoder.
"""

from __future__ import annotations

from typing import Union

import attrs

from semantics.text.literals import parse_float, parse_int, parse_uint, parse_valtype
from semantics.text.sexp import Cursor, ParseError, SExp, SList, Token, end_position, error_at, read
from semantics.text.wat import Env, func_body
from semantics.wasm.syntax import (
    CONST_OPS,
    Export,
    Func,
    FuncType,
    Import,
    MemType,
    Module,
    ValType,
)

# --- values and results ---------------------------------------------------------------------


@attrs.frozen
class Const:
    """``(i32.const 1)`` as an argument or expected result: integers unsigned, floats as bits."""

    type: ValType
    bits: int


@attrs.frozen
class NanPattern:
    """``(f32.const nan:canonical)`` or ``nan:arithmetic`` as an expected result."""

    type: ValType
    kind: str


@attrs.frozen
class Either:
    """``(either r1 r2 ...)``: the result matches one of the alternatives."""

    alternatives: tuple[Union[Const, NanPattern], ...]


Result = Union[Const, NanPattern, Either]

# --- commands -------------------------------------------------------------------------------


@attrs.frozen
class Invoke:
    name: str
    args: tuple[Const, ...] = ()
    module: str | None = None  # None: the most recent module
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class Get:
    name: str
    module: str | None = None
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


Action = Union[Invoke, Get]


@attrs.frozen
class ModuleCmd:
    module: Module  # its name, if any, is module.name
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class Register:
    """``(register "as" $M?)``: make a module's exports importable under ``as``."""

    as_name: str
    module: str | None = None
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertReturn:
    action: Action
    results: tuple[Result, ...]
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertTrap:
    """A trapping action, or a module whose instantiation traps."""

    target: Union[Invoke, Get, Module]
    message: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertExhaustion:
    action: Action
    message: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertInvalid:
    module: Module
    message: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertMalformed:
    module: Union[Module, ParseError]  # a ParseError when the text does not parse
    message: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class AssertUnlinkable:
    module: Module
    message: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class Thread:
    """``(thread $T (shared (module $M))* command*)``: run ``commands`` in a new thread."""

    name: str
    shared: tuple[str, ...]
    commands: tuple[Command, ...]
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


@attrs.frozen
class Wait:
    thread: str
    line: int = 0
    col: int = attrs.field(default=0, eq=False)  # where the command starts


Command = Union[ModuleCmd, Register, Invoke, Get, AssertReturn, AssertTrap, AssertExhaustion,
                AssertInvalid, AssertMalformed, AssertUnlinkable, Thread, Wait]


@attrs.frozen
class Script:
    commands: tuple[Command, ...]


# --- modules --------------------------------------------------------------------------------

_FIELDS = "a module field (type, import, func, memory, export, data)"


def _opt_name(cur: Cursor) -> str | None:
    text = cur.peek_atom()
    if text is not None and text.startswith("$"):
        cur.next()
        return text
    return None


def _limits(cur: Cursor) -> MemType:
    lo = parse_uint(cur.atom("the memory's minimum size in pages"), 32, "a page count")
    hi = None
    if (text := cur.peek_atom()) is not None and text != "shared":
        hi = parse_uint(cur.atom("a page count"), 32, "a page count")
    shared = cur.peek_atom() == "shared"
    if shared:
        cur.next()
    cur.done("')' after the memory's limits")
    return MemType(lo, hi, shared)


def _import_pair(cur: Cursor) -> tuple[str, str] | None:
    if cur.peek_head() != "import":
        return None
    ic = Cursor.of(cur.slist("import", "(import ...)"), 1)
    pair = (ic.string("the imported module's name"), ic.string("the import's name"))
    ic.done()
    return pair


def _inline_exports(cur: Cursor) -> list[str]:
    names = []
    while cur.peek_head() == "export":
        ec = Cursor.of(cur.slist("export", "(export ...)"), 1)
        names.append(ec.string("the export's name"))
        ec.done()
    return names


class _ModuleParser:
    """Two passes over the fields: names and types first, then function bodies."""

    def __init__(self, lst: SList) -> None:
        self.lst = lst
        self.types: list[FuncType] = []
        self.type_names: dict[str, int] = {}
        self.func_names: dict[str, int] = {}
        self.mem_names: dict[str, int] = {}
        self.imports: list[Import] = []
        self.memories: list[MemType] = []
        self.exports: list[tuple[str, str, Token | str, SExp]] = []  # name, kind, ref, where
        self.data: list[tuple[int, tuple[int, ...]]] = []
        self.bodies: list[tuple[SList, int, FuncType, tuple[str | None, ...], str | None]] = []

    def _param_results(self, cur: Cursor) -> tuple[FuncType, tuple[str | None, ...]] | None:
        """``(param ...)* (result ...)*`` if present."""
        params: list[ValType] = []
        names: list[str | None] = []
        results: list[ValType] = []
        seen = False
        while cur.peek_head() == "param":
            seen = True
            pc = Cursor.of(cur.slist("param", "(param ...)"), 1)
            name_tok = pc.peek()
            name = _opt_name(pc)
            if name is not None:
                if name in names and isinstance(name_tok, Token):
                    raise error_at(name_tok, "a fresh parameter name")
                params.append(parse_valtype(pc.atom("a value type")))
                names.append(name)
                pc.done("')' after a named parameter's type")
            else:
                while not pc.at_end():
                    params.append(parse_valtype(pc.atom("a value type")))
                    names.append(None)
        while cur.peek_head() == "result":
            seen = True
            rc = Cursor.of(cur.slist("result", "(result ...)"), 1)
            while not rc.at_end():
                results.append(parse_valtype(rc.atom("a value type")))
        return (FuncType(tuple(params), tuple(results)), tuple(names)) if seen else None

    def _type_use(self, cur: Cursor) -> tuple[FuncType, tuple[str | None, ...]]:
        used: FuncType | None = None
        if cur.peek_head() == "type":
            tl = cur.slist("type", "(type ...)")
            tc = Cursor.of(tl, 1)
            tok = tc.atom("a type index or $name")
            tc.done()
            if tok.text.startswith("$"):
                if tok.text not in self.type_names:
                    raise error_at(tok, "a known type name")
                k = self.type_names[tok.text]
            else:
                k = parse_uint(tok, 32, "a type index")
                if k >= len(self.types):
                    raise error_at(tok, f"a type index below {len(self.types)}")
            used = self.types[k]
            where: SExp = tl
        inline = self._param_results(cur)
        if inline is None:
            return (used or FuncType()), ()
        if used is not None and inline[0] != used:
            raise error_at(where, "an inline type equal to the type use")
        return inline

    def _type(self, cur: Cursor) -> None:
        name = _opt_name(cur)
        fc = Cursor.of(cur.slist("func", "(func ...)"), 1)
        ft = self._param_results(fc) or (FuncType(), ())
        fc.done("(param ...), (result ...) or ')'")
        cur.done()
        if name is not None:
            self.type_names[name] = len(self.types)
        self.types.append(ft[0])

    def _import(self, cur: Cursor) -> None:
        pair = (cur.string("the imported module's name"), cur.string("the import's name"))
        desc = cur.next("(memory ...) or (func ...)")
        if not isinstance(desc, SList) or desc.head not in ("memory", "func"):
            raise error_at(desc, "(memory ...) or (func ...)")
        dc = Cursor.of(desc, 1)
        name = _opt_name(dc)
        if desc.head == "memory":
            self._name(self.mem_names, name, len(self.memory_types()), desc)
            self.imports.append(Import(*pair, _limits(dc)))
        else:
            self._name(self.func_names, name, self.func_count(), desc)
            ft = self._type_use(dc)[0]
            dc.done()
            self.imports.append(Import(*pair, ft))
        cur.done()

    def memory_types(self) -> list[MemType]:
        return [i.desc for i in self.imports if isinstance(i.desc, MemType)] + self.memories

    def func_count(self) -> int:
        return sum(isinstance(i.desc, FuncType) for i in self.imports) + len(self.bodies)

    def _name(self, names: dict[str, int], name: str | None, index: int, where: SExp) -> None:
        if name is not None:
            if name in names:
                raise error_at(where, f"a fresh name, but {name} is already defined")
            names[name] = index

    def _memory(self, lst: SList, cur: Cursor) -> None:
        name = _opt_name(cur)
        index = len(self.memory_types())
        self._name(self.mem_names, name, index, lst)
        for e in _inline_exports(cur):
            self.exports.append((e, "memory", str(index), lst))
        pair = _import_pair(cur)
        if pair is not None:
            self.imports.append(Import(*pair, _limits(cur)))
        else:
            self.memories.append(_limits(cur))

    def _func(self, lst: SList, cur: Cursor) -> None:
        name = _opt_name(cur)
        index = self.func_count()
        self._name(self.func_names, name, index, lst)
        for e in _inline_exports(cur):
            self.exports.append((e, "func", str(index), lst))
        pair = _import_pair(cur)
        ft, pnames = self._type_use(cur)
        if pair is not None:
            cur.done("')' after an imported function's type")
            self.imports.append(Import(*pair, ft))
            return
        self.bodies.append((lst, cur.i, ft, pnames, name))

    def _export(self, lst: SList, cur: Cursor) -> None:
        name = cur.string("the export's name")
        desc = cur.slist(None, "(func ...) or (memory ...)")
        if desc.head not in ("func", "memory"):
            raise error_at(desc, "(func ...) or (memory ...)")
        dc = Cursor.of(desc, 1)
        self.exports.append((name, desc.head, dc.atom("an index or $name"), lst))
        dc.done()
        cur.done()

    def _data(self, cur: Cursor) -> None:
        oc = Cursor.of(cur.slist("i32.const", "an offset (i32.const N)"), 1)
        offset = parse_int(oc.atom("an i32 literal"), 32)
        oc.done()
        chunks = []
        while not cur.at_end():
            chunks.append(cur.string("a data string"))
        data = "".join(chunks).encode("utf-8", errors="surrogateescape")
        self.data.append((offset, tuple(data)))

    def _export_index(self, ref: Token | str, kind: str) -> int:
        if isinstance(ref, str):
            return int(ref)
        names = self.func_names if kind == "func" else self.mem_names
        if ref.text.startswith("$"):
            if ref.text not in names:
                raise error_at(ref, f"a known {kind} name")
            return names[ref.text]
        return parse_uint(ref, 32, f"a {kind} index")

    def parse(self, name: str | None, start: int) -> Module:
        cur = Cursor.of(self.lst, start)
        while not cur.at_end():
            lst = cur.slist(None, _FIELDS)
            fc = Cursor.of(lst, 1)
            head = lst.head
            if head == "type":
                self._type(fc)
            elif head == "import":
                self._import(fc)
            elif head == "memory":
                self._memory(lst, fc)
            elif head == "func":
                self._func(lst, fc)
            elif head == "export":
                self._export(lst, fc)
            elif head == "data":
                self._data(fc)
            else:
                raise error_at(lst, _FIELDS)
        env = Env({}, (), dict(self.func_names))
        funcs: list[Func] = []
        for lst, i, ft, pnames, fname in self.bodies:
            bc = Cursor.of(lst, i)
            funcs.append(func_body(bc, ft, pnames, env, fname))
        exports = tuple(Export(e, kind, self._export_index(ref, kind))
                        for e, kind, ref, _ in self.exports)
        return Module(tuple(self.types), tuple(self.imports), tuple(funcs),
                      tuple(self.memories), exports, tuple(self.data), name)


def parse_module_sexp(lst: SList) -> Module:
    """``(module $name? field*)``; ``(module $name? quote "..."*)`` parses the quoted text."""
    cur = Cursor.of(lst, 1)
    name = _opt_name(cur)
    kind = cur.peek_atom()
    if kind == "binary":
        raise cur.error("a text module (binary modules are not supported)")
    if kind == "quote":
        cur.next()
        chunks = []
        while not cur.at_end():
            chunks.append(cur.string("a quoted module text"))
        text = " ".join(chunks)
        items = read(f"(module {text})", line=lst.line, col=lst.col)
        if len(items) != 1 or not isinstance(items[0], SList):
            raise error_at(lst, "one quoted module")
        return attrs.evolve(parse_module_sexp(items[0]), name=name)
    return _ModuleParser(lst).parse(name, cur.i)


def parse_module(src: str, *, line: int = 1, col: int = 1) -> Module:
    """One ``(module ...)`` given as text."""
    items = read(src, line=line, col=col)
    cur = Cursor(items, end_position(src, line, col), "end of input")
    lst = cur.slist("module", "(module ...)")
    cur.done("end of input after the module")
    return parse_module_sexp(lst)


# --- commands -------------------------------------------------------------------------------


def _const(lst: SList, results: bool) -> Const | NanPattern:
    cur = Cursor.of(lst)
    op = cur.atom("a constant such as (i32.const 1)")
    t = CONST_OPS.get(op.text)
    if t is None:
        raise error_at(op, "a constant such as (i32.const 1)")
    tok = cur.atom(f"an {t.value} literal")
    cur.done()
    if results and not t.is_int and tok.text in ("nan:canonical", "nan:arithmetic"):
        return NanPattern(t, tok.text[4:])
    return Const(t, parse_int(tok, t.bits) if t.is_int else parse_float(tok, t))


def _args(cur: Cursor) -> tuple[Const, ...]:
    args = []
    while not cur.at_end():
        item = cur.slist(None, "an argument (t.const v) or ')'")
        c = _const(item, results=False)
        if not isinstance(c, Const):
            raise error_at(item, "a constant argument")
        args.append(c)
    return tuple(args)


def _action(lst: SList) -> Action:
    cur = Cursor.of(lst, 1)
    module = _opt_name(cur)
    name = cur.string("the export's name")
    if lst.head == "invoke":
        return Invoke(name, _args(cur), module, lst.line, lst.col)
    cur.done()
    return Get(name, module, lst.line, lst.col)


def _result(lst: SList) -> Result:
    if lst.head == "either":
        cur = Cursor.of(lst, 1)
        alts = []
        while not cur.at_end():
            r = _const(cur.slist(None, "an alternative (t.const v)"), results=True)
            alts.append(r)
        return Either(tuple(alts))
    return _const(lst, results=True)


def _action_arg(cur: Cursor) -> Action:
    lst = cur.slist(None, "an action (invoke ...) or (get ...)")
    if lst.head not in ("invoke", "get"):
        raise error_at(lst, "an action (invoke ...) or (get ...)")
    return _action(lst)


def _command(lst: SList) -> Command:
    head = lst.head
    cur = Cursor.of(lst, 1)
    if head == "module":
        return ModuleCmd(parse_module_sexp(lst), lst.line, lst.col)
    if head == "register":
        as_name = cur.string("the name to register the module as")
        module = _opt_name(cur)
        cur.done()
        return Register(as_name, module, lst.line, lst.col)
    if head in ("invoke", "get"):
        return _action(lst)
    if head == "assert_return":
        action = _action_arg(cur)
        results = []
        while not cur.at_end():
            results.append(_result(cur.slist(None, "an expected result or ')'")))
        return AssertReturn(action, tuple(results), lst.line, lst.col)
    if head == "assert_trap":
        target_list = cur.slist(None, "an action or a module")
        target: Action | Module
        if target_list.head == "module":
            target = parse_module_sexp(target_list)
        else:
            target = _action(_require_action(target_list))
        message = cur.string("the expected trap message")
        cur.done()
        return AssertTrap(target, message, lst.line, lst.col)
    if head == "assert_exhaustion":
        action = _action_arg(cur)
        message = cur.string("the expected message")
        cur.done()
        return AssertExhaustion(action, message, lst.line, lst.col)
    if head in ("assert_invalid", "assert_unlinkable", "assert_malformed"):
        return _assert_module(head, cur, lst.line, lst.col)
    if head == "thread":
        name = cur.atom("the thread's $name")
        if not name.text.startswith("$"):
            raise error_at(name, "the thread's $name")
        shared = []
        while cur.peek_head() == "shared":
            sc = Cursor.of(cur.slist("shared", "(shared ...)"), 1)
            mc = Cursor.of(sc.slist("module", "(module $M)"), 1)
            shared.append(mc.atom("a module $name").text)
            mc.done()
            sc.done()
        commands = []
        while not cur.at_end():
            commands.append(_command(cur.slist(None, "a command")))
        return Thread(name.text, tuple(shared), tuple(commands), lst.line, lst.col)
    if head == "wait":
        name = cur.atom("a thread $name")
        cur.done()
        return Wait(name.text, lst.line, lst.col)
    raise error_at(lst, "a command (module, register, invoke, get, assert_..., thread, wait)")


def _assert_module(head: str, cur: Cursor, line: int, col: int) -> Command:
    mod_list = cur.slist("module", "(module ...)")
    parsed: Module | ParseError
    try:
        parsed = parse_module_sexp(mod_list)
    except ParseError as e:
        if head != "assert_malformed":
            raise
        parsed = e
    message = cur.string("the expected error message")
    cur.done()
    if isinstance(parsed, ParseError) or head == "assert_malformed":
        return AssertMalformed(parsed, message, line, col)
    if head == "assert_invalid":
        return AssertInvalid(parsed, message, line, col)
    return AssertUnlinkable(parsed, message, line, col)


def _require_action(lst: SList) -> SList:
    if lst.head not in ("invoke", "get"):
        raise error_at(lst, "an action (invoke ...) or (get ...) or a module")
    return lst


def parse_script(src: str) -> Script:
    """All commands of a ``.wast`` script."""
    commands = []
    for item in read(src):
        if not isinstance(item, SList):
            raise error_at(item, "a command '('")
        commands.append(_command(item))
    return Script(tuple(commands))

