"""Final-state conditions of litmus tests, in herd's syntax.

``exists P``, ``~exists P`` and ``forall P`` over propositions built from atoms ``LOC=V`` with
``/\\``, ``\\/``, ``~``, ``=>`` and parentheses. Observables (locations):

- ``N:r``  the final value of local ``$r`` of thread N (its value at the trap if N trapped);
- ``N:trap``  1 if thread N trapped, else 0;
- ``N:blocked``  1 if thread N spins forever in an await loop (docs/litmus.md, "Loops"), else 0;
- ``[NAME]`` / ``[NAME:i8|i16|i32|i64]``  what a final SeqCst observer reads at NAME.

Values are unsigned integers of the observable's width; the parser accepts negative decimals and
``0x`` hex and reduces them modulo 2^width. Before the condition, herd's optional clauses
``locations [OBS; ...]`` and ``filter PROP`` (``parse_final``, ``Final``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar, Union

import attrs

from semantics.text.sexp import ParseError, shown

EXISTS = "exists"
NOT_EXISTS = "~exists"
FORALL = "forall"
QUANTIFIERS = (EXISTS, NOT_EXISTS, FORALL)

WIDTH_TYPES = {"i8": 1, "i16": 2, "i32": 4, "i64": 8}


@attrs.frozen(order=True)
class Reg:
    """``N:r``: a local of thread N after it finished (or trapped)."""

    thread: int
    name: str

    def __str__(self) -> str:
        return f"{self.thread}:{self.name}"


@attrs.frozen(order=True)
class Status:
    """``N:trap`` / ``N:blocked``: a 0/1 flag of thread N's end, ``name`` its key in the
    thread's final state (``engine.ThreadPath.final``)."""

    thread: int
    name: ClassVar[str]

    def __str__(self) -> str:
        return f"{self.thread}:{self.name}"


@attrs.frozen(order=True)
class Trap(Status):
    name: ClassVar[str] = "trap"


@attrs.frozen(order=True)
class Blocked(Status):
    name: ClassVar[str] = "blocked"


@attrs.frozen(order=True)
class Mem:
    """``[NAME:iW]``: ``width`` bytes at ``addr`` read by the final observer."""

    name: str
    addr: int
    width: int = 4

    def __str__(self) -> str:
        if self.width == 4:
            return f"[{self.name}]"
        return f"[{self.name}:i{8 * self.width}]"


Observable = Union[Reg, Trap, Blocked, Mem]


def observable_key(o: Observable) -> tuple[int, int, str, int]:
    """Sort order of states: threads' observables by thread then name, then memory by name."""
    if isinstance(o, Mem):
        return (1, 0, o.name, o.width)
    return (0, o.thread, o.name, 0)


@attrs.frozen
class Atom:
    loc: Observable
    value: int

    def __str__(self) -> str:
        return f"{self.loc}={self.value}"


@attrs.frozen
class Const:
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@attrs.frozen
class Not:
    arg: Prop


@attrs.frozen
class And:
    left: Prop
    right: Prop


@attrs.frozen
class Or:
    left: Prop
    right: Prop


@attrs.frozen
class Implies:
    left: Prop
    right: Prop


Prop = Union[Atom, Const, Not, And, Or, Implies]


@attrs.frozen
class Condition:
    quantifier: str
    prop: Prop

    @property
    def verdict_word(self) -> str:
        """herd's word after the test name: what the condition claims."""
        return {EXISTS: "Allowed", NOT_EXISTS: "Forbidden", FORALL: "Required"}[self.quantifier]

    def __str__(self) -> str:
        return show_condition(self)


State = Mapping[Observable, int]


def evaluate(p: Prop, state: State) -> bool:
    if isinstance(p, Atom):
        return state[p.loc] == p.value
    if isinstance(p, Const):
        return p.value
    if isinstance(p, Not):
        return not evaluate(p.arg, state)
    if isinstance(p, And):
        return evaluate(p.left, state) and evaluate(p.right, state)
    if isinstance(p, Or):
        return evaluate(p.left, state) or evaluate(p.right, state)
    return not evaluate(p.left, state) or evaluate(p.right, state)


def atoms(p: Prop) -> Iterable[Atom]:
    if isinstance(p, Atom):
        yield p
    elif isinstance(p, Not):
        yield from atoms(p.arg)
    elif isinstance(p, (And, Or, Implies)):
        yield from atoms(p.left)
        yield from atoms(p.right)


def observables(p: Prop) -> tuple[Observable, ...]:
    """The observables ``p`` names, each once, in the order states are printed."""
    return tuple(sorted({a.loc for a in atoms(p)}, key=observable_key))


# --- printing, as herd re-prints conditions -------------------------------------------------

_PREC = {Implies: 1, Or: 2, And: 3}
_SYMBOL = {Implies: "=>", Or: "\\/", And: "/\\"}


def show_prop(p: Prop, parent: int = 0) -> str:
    if isinstance(p, (Atom, Const)):
        return str(p)
    if isinstance(p, Not):
        inner = show_prop(p.arg, 4)
        return f"~{inner}"
    prec = _PREC[type(p)]
    # => is right-associative, /\ and \/ left-associative (as parsed below)
    lp, rp = (prec + 1, prec) if isinstance(p, Implies) else (prec, prec + 1)
    text = f"{show_prop(p.left, lp)} {_SYMBOL[type(p)]} {show_prop(p.right, rp)}"
    return f"({text})" if prec < parent else text


def show_condition(c: Condition) -> str:
    return f"{c.quantifier} ({show_prop(c.prop)})"


def state_line(state: Iterable[tuple[Observable, int]], hex: bool = False) -> str:
    """herd's state line; ``hex``: values in 0x hex, as herd's ``-hexa``."""
    return " ".join(f"{o}={v:#x};" if hex else f"{o}={v};" for o, v in state)


# --- parsing -------------------------------------------------------------------------------


class ConditionError(ParseError):
    """A malformed condition; ``line``/``col`` locate it in the file."""


MAX_DEPTH = 100
"""Deepest proposition a condition may have (parentheses, ``~``, and each ``/\\``, ``\\/``,
``=>`` of a chain): parsing, printing and evaluating recurse once per level."""

MAX_TOKEN = 1000
"""Longest word (a number, a name) of a condition, in characters."""


@attrs.frozen
class _Tok:
    text: str
    line: int
    col: int


_SYMBOLS = ("/\\", "\\/", "=>", "~", "(", ")", "[", "]", ":", "=", ";")


def _tokens(src: str, line: int, col: int) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\n":
            line, col, i = line + 1, 1, i + 1
            continue
        if c.isspace():
            i, col = i + 1, col + 1
            continue
        if src.startswith(";;", i):
            while i < len(src) and src[i] != "\n":
                i += 1
            continue
        sym = next((s for s in _SYMBOLS if src.startswith(s, i)), None)
        if sym is not None:
            out.append(_Tok(sym, line, col))
            i, col = i + len(sym), col + len(sym)
            continue
        j = i
        while j < len(src) and (src[j].isalnum() or src[j] in "_$-.+"):
            j += 1
        if j == i:
            raise ConditionError(line, col, "a condition", repr(c))
        if j - i > MAX_TOKEN:
            raise ConditionError(line, col, f"a word of at most {MAX_TOKEN} characters",
                                 shown(src[i:j]))
        out.append(_Tok(src[i:j], line, col))
        col += j - i
        i = j
    out.append(_Tok("", line, col))
    return out


Resolver = Callable[[Observable, _Tok], int]
"""Checks an observable exists and returns its width in bits (raises ConditionError)."""


class _Parser:
    def __init__(self, toks: list[_Tok], names: Mapping[str, int], width_of: Resolver) -> None:
        self.toks = toks
        self.pos = 0
        self.names = names
        self.width_of = width_of
        self.nesting = 0  # parser calls open (parentheses, ~, =>)
        self.depth: dict[int, int] = {}  # id of a built proposition -> its depth

    def built(self, p: Prop, *parts: Prop) -> Prop:
        """``p``, made of ``parts``, unless it nests deeper than ``MAX_DEPTH``."""
        d = 1 + max(self.depth.get(id(q), 0) for q in parts)
        if d > MAX_DEPTH:
            raise self.fail(f"a proposition nested at most {MAX_DEPTH} deep")
        self.depth[id(p)] = d
        return p

    def nest(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.fail(f"a proposition nested at most {MAX_DEPTH} deep")

    @property
    def tok(self) -> _Tok:
        return self.toks[self.pos]

    def fail(self, expected: str) -> ConditionError:
        t = self.tok
        return ConditionError(t.line, t.col, expected, repr(t.text) if t.text else "end of file")

    def eat(self, text: str) -> _Tok:
        if self.tok.text != text:
            raise self.fail(f"'{text}'")
        t = self.tok
        self.pos += 1
        return t

    def final(self) -> Final:
        """``[locations [OBS; ...]] [filter PROP] CONDITION``, the clauses in either order."""
        locations: tuple[Observable, ...] | None = None
        filt: Prop | None = None
        while self.tok.text in ("locations", "filter"):
            t = self.tok
            if (locations if t.text == "locations" else filt) is not None:
                raise self.fail(f"one '{t.text}' clause")
            self.pos += 1
            if t.text == "locations":
                locations = self.locations()
            else:
                filt = self.prop()
        return Final(locations or (), filt, self.condition())

    def locations(self) -> tuple[Observable, ...]:
        self.eat("[")
        out: dict[Observable, None] = {}
        while self.tok.text != "]":
            start = self.tok
            loc = self.location()
            self.width_of(loc, start)
            out[loc] = None
            if self.tok.text != ";":
                break
            self.pos += 1
        if self.tok.text != "]":
            raise self.fail("';' or ']' in the locations clause")
        self.pos += 1
        return tuple(out)

    def condition(self) -> Condition:
        t = self.tok
        if t.text == "~" and self.toks[self.pos + 1].text == EXISTS:
            self.pos += 2
            q = NOT_EXISTS
        elif t.text in (EXISTS, FORALL):
            self.pos += 1
            q = t.text
        else:
            raise self.fail("'exists', '~exists' or 'forall'")
        p = self.prop()
        if self.tok.text:
            raise self.fail("'/\\', '\\/', '=>' or end of condition")
        return Condition(q, p)

    def prop(self) -> Prop:
        left = self.disj()
        if self.tok.text == "=>":
            self.pos += 1
            self.nest()
            right = self.prop()
            self.nesting -= 1
            return self.built(Implies(left, right), left, right)
        return left

    def disj(self) -> Prop:
        p = self.conj()
        while self.tok.text == "\\/":
            self.pos += 1
            q = self.conj()
            p = self.built(Or(p, q), p, q)
        return p

    def conj(self) -> Prop:
        p = self.unary()
        while self.tok.text == "/\\":
            self.pos += 1
            q = self.unary()
            p = self.built(And(p, q), p, q)
        return p

    def unary(self) -> Prop:
        t = self.tok
        if t.text == "~":
            self.pos += 1
            self.nest()
            q = self.unary()
            self.nesting -= 1
            return self.built(Not(q), q)
        if t.text == "(":
            self.pos += 1
            self.nest()
            p = self.prop()
            self.nesting -= 1
            self.eat(")")
            return p
        if t.text in ("true", "false"):
            self.pos += 1
            return Const(t.text == "true")
        return self.atom()

    def atom(self) -> Atom:
        start = self.tok
        loc = self.location()
        self.eat("=")
        vt = self.tok
        v = parse_int(vt.text)
        if v is None:
            raise self.fail("a value (decimal or 0x hex)")
        self.pos += 1
        bits = self.width_of(loc, start)
        if not -(1 << (bits - 1)) <= v < (1 << bits):
            raise ConditionError(vt.line, vt.col, f"a value that fits in {bits} bits", vt.text)
        return Atom(loc, v % (1 << bits))

    def location(self) -> Observable:
        t = self.tok
        if t.text == "[":
            self.pos += 1
            name_tok = self.tok
            name = name_tok.text
            if name not in self.names:
                raise self.fail("a location name declared in the init block")
            self.pos += 1
            width = 4
            if self.tok.text == ":":
                self.pos += 1
                wt = self.tok
                if wt.text not in WIDTH_TYPES:
                    raise self.fail("i8, i16, i32 or i64")
                width = WIDTH_TYPES[wt.text]
                self.pos += 1
            self.eat("]")
            return Mem(name, self.names[name], width)
        if t.text.isascii() and t.text.isdigit() and self.toks[self.pos + 1].text == ":":
            thread = int(t.text)
            self.pos += 2
            r = self.tok
            if not r.text or not (r.text[0].isalnum() or r.text[0] in "_$"):
                raise self.fail("a local name, 'trap' or 'blocked'")
            self.pos += 1
            if r.text == "trap":
                return Trap(thread)
            if r.text == "blocked":
                return Blocked(thread)
            return Reg(thread, r.text.removeprefix("$"))
        if t.text in self.names:
            # herd writes memory locations bare: ``x=1`` is ``[x]=1``
            self.pos += 1
            return Mem(t.text, self.names[t.text], 4)
        raise self.fail("an observable: 'N:r', 'N:trap', 'N:blocked', '[NAME]' or "
                        "'[NAME:iW]'")


def parse_int(text: str) -> int | None:
    neg = text.startswith("-")
    body = text[1:] if neg else text
    body = body.replace("_", "")
    if len(body) > MAX_TOKEN:
        return None
    try:
        if body.lower().startswith("0x"):
            v = int(body[2:], 16)
        elif body.isascii() and body.isdigit():
            v = int(body, 10)
        else:
            return None
    except ValueError:
        return None
    return -v if neg else v


def _default_width(loc: Observable, tok: _Tok) -> int:
    if isinstance(loc, Mem):
        return 8 * loc.width
    if isinstance(loc, Status):
        return 1
    return 64


@attrs.frozen
class Final:
    """What follows a litmus test's threads: herd's ``locations [...]`` (observables printed in
    states besides the condition's), ``filter PROP`` (executions whose final state does not
    satisfy it are discarded before the condition is evaluated), and the condition."""

    locations: tuple[Observable, ...]
    filter: Prop | None
    condition: Condition


def parse_final(src: str, *, line: int = 1, col: int = 1,
                names: Mapping[str, int] | None = None,
                width_of: Resolver = _default_width) -> Final:
    """``parse_condition`` preceded by the optional ``locations`` and ``filter`` clauses."""
    return _Parser(_tokens(src, line, col), names or {}, width_of).final()


def show_locations(locations: Iterable[Observable]) -> str:
    return "locations [" + " ".join(f"{o};" for o in locations) + "]"


def parse_condition(src: str, *, line: int = 1, col: int = 1,
                    names: Mapping[str, int] | None = None,
                    width_of: Resolver = _default_width) -> Condition:
    """Parse ``exists``/``~exists``/``forall`` and a proposition.

    ``width_of`` resolves each observable (raising ``ConditionError`` for an unknown thread or
    local) and gives its width in bits, so values are reduced to the observable's type.
    """
    return _Parser(_tokens(src, line, col), names or {}, width_of).condition()


def error_at(tok: object, expected: str, found: str) -> ConditionError:
    """For resolvers: an error located at the observable's first token."""
    if not isinstance(tok, _Tok):
        raise TypeError(tok)
    return ConditionError(tok.line, tok.col, expected, found)


def holds(quantifier: str, positive: int, negative: int) -> bool:
    """herd's Ok: the condition's claim over ``positive`` executions satisfying its proposition
    and ``negative`` not satisfying it."""
    if quantifier == EXISTS:
        return positive > 0
    if quantifier == NOT_EXISTS:
        return positive == 0
    return negative == 0


def observation(positive: int, negative: int) -> str:
    """herd's Observation word over a complete set of executions."""
    if positive == 0:
        return "Never"
    if negative == 0:
        return "Always"
    return "Sometimes"
