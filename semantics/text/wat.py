"""WAT text of instructions and function bodies: parse (from S-expressions) and print.

Conventions, declared once:

- instruction sequences may mix folded ``(op imm* operand*)`` and flat ``op imm*`` forms; a folded
  instruction means its operands' instructions, in order, followed by the instruction itself;
- names (``$x``) resolve to indices while parsing; ``Func.local_names``, ``Block.label`` and
  ``If.label`` keep the names so that printing gives them back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from semantics.text.literals import (
    parse_float,
    parse_int,
    parse_uint,
    parse_valtype,
)
from semantics.text.sexp import (
    ATOM,
    MAX_DEPTH,
    Cursor,
    ParseError,
    SList,
    Token,
    end_position,
    error_at,
    read,
)
from semantics.wasm.show import LABEL_OPS, Names, block_head, print_instr
from semantics.wasm.syntax import (
    CONST_OPS,
    CONTROL_OPS,
    MEM_OPS,
    MEMORY_OPS,
    NUM_OPS,
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

# --- instructions ---------------------------------------------------------------------------

PLAIN_OPS = (frozenset(NUM_OPS) | frozenset(MEM_OPS) | frozenset(CONST_OPS) | CONTROL_OPS
             | VARIABLE_OPS | MEMORY_OPS)


@attrs.frozen
class Env:
    """What names mean while parsing a body."""

    locals: Mapping[str, int]
    labels: tuple[str | None, ...] = ()  # innermost first
    funcs: Mapping[str, int] = attrs.field(factory=dict)
    symbols: Mapping[str, int] = attrs.field(factory=dict)  # litmus address names
    spots: dict[int, tuple[int, int]] | None = None  # where each node was written, by id

    def spot(self, node: Node, op: Token) -> Node:
        if self.spots is not None:
            self.spots[id(node)] = (op.line, op.col)
        return node

    def enter(self, label: str | None, op: Token) -> Env:
        """The names inside block ``op``; at most ``MAX_DEPTH`` blocks nest (flat blocks do not
        nest parentheses, so ``sexp.read`` does not bound them)."""
        if len(self.labels) >= MAX_DEPTH:
            raise ParseError(op.line, op.col, f"at most {MAX_DEPTH} nested blocks",
                             f"{op.shown} nested deeper")
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
        body = instrs(cur, env.enter(label, op), frozenset({"end"}))
        cur.atom("'end'")
        _end_label(cur, label)
        return env.spot(Block(op.text, results, body, label), op)
    if op.text == "if":
        label = _opt_label(cur)
        results = _results(cur)
        inner = env.enter(label, op)
        then = instrs(cur, inner, frozenset({"end", "else"}))
        else_: tuple[Node, ...] = ()
        if cur.peek_atom() == "else":
            cur.next()
            _end_label(cur, label)
            else_ = instrs(cur, inner, frozenset({"end"}))
        cur.atom("'end'")
        _end_label(cur, label)
        return env.spot(If(results, then, else_, label), op)
    return env.spot(Instr(op.text, _immediates(op, cur, env)), op)


def _folded(lst: SList, env: Env) -> list[Node]:
    cur = Cursor.of(lst)
    op = cur.atom("an instruction after '('")
    if op.text in ("block", "loop"):
        label = _opt_label(cur)
        results = _results(cur)
        body = instrs(cur, env.enter(label, op), frozenset())
        return [env.spot(Block(op.text, results, body, label), op)]
    if op.text == "if":
        label = _opt_label(cur)
        results = _results(cur)
        out: list[Node] = []
        while isinstance(cur.peek(), SList) and cur.peek_head() not in ("then", "else"):
            out += _folded(cur.slist(None, "a folded condition"), env)
        inner = env.enter(label, op)
        then_list = cur.slist("then", "(then ...)")
        then = instrs(Cursor.of(then_list, 1), inner, frozenset())
        else_: tuple[Node, ...] = ()
        if cur.peek_head() == "else":
            else_ = instrs(Cursor.of(cur.slist("else", "(else ...)"), 1), inner, frozenset())
        cur.done("')' after (else ...)")
        return [*out, env.spot(If(results, then, else_, label), op)]
    imms = _immediates(op, cur, env)
    out = []
    while not cur.at_end():
        out += _folded(cur.slist(None, "a folded operand '(...)' or ')'"), env)
    return [*out, env.spot(Instr(op.text, imms), op)]


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


def parse_body(src: str, *, line: int = 1, col: int = 1, params: tuple[ValType, ...] = (),
               param_names: tuple[str | None, ...] = (), func_names: Sequence[str | None] = (),
               symbols: Mapping[str, int] | None = None,
               spots: dict[int, tuple[int, int]] | None = None) -> Func:
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
    env = Env({}, (), funcs, dict(symbols or {}), spots)
    return func_body(cur, FuncType(params, ()), param_names, env)


def locate(body: tuple[Node, ...], path: tuple[int | str, ...],
           spots: Mapping[int, tuple[int, int]]) -> tuple[int, int] | None:
    """Line and column of the instruction at a ``ValidationError.path`` of ``body``."""
    seq, node = body, None
    for p in path:
        if isinstance(p, int):
            if not 1 <= p <= len(seq):
                return None
            node = seq[p - 1]
            if isinstance(node, Block):
                seq = node.body
        elif isinstance(node, If):
            seq = node.then if p == "then" else node.else_
    return spots.get(id(node)) if node is not None else None


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


def _seq(nodes: tuple[Node, ...], names: Names) -> list[list[str]]:
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
            items.append((_wrap(block_head(node), _seq(node.body, inner)), None))
        elif isinstance(node, If):
            inner = attrs.evolve(names, labels=(node.label, *names.labels))
            arms = [_wrap("then", _seq(node.then, inner))]
            if node.else_:
                arms.append(_wrap("else", _seq(node.else_, inner)))
            items.append((_branches(block_head(node), children, arms), None))
        else:
            items.append((_wrap(print_instr(node, local_names=names.locals,
                                            labels=names.labels), children), full))
    return [lines for lines, _ in items]


def _branches(head: str, conds: list[list[str]], arms: list[list[str]]) -> list[str]:
    lines = [f"({head}"] + ["  " + s for c in conds + arms for s in c]
    lines[-1] += ")"
    return lines


def _flat_lines(nodes: tuple[Node, ...], names: Names) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        if isinstance(node, Instr):
            lines.append(print_instr(node, local_names=names.locals, labels=names.labels))
            continue
        inner = attrs.evolve(names, labels=(node.label, *names.labels))
        lines.append(block_head(node))
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
        return "\n".join(lines + _flat_lines(func.body, Names(names, ())))
    for item in _seq(func.body, Names(names, ())):
        lines += item
    return "\n".join(lines)
