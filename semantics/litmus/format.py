"""The ``WASM`` litmus file format (docs/litmus.md): parse and print.

```
WASM MP+sc
"Message passing with atomics"
{ memory 1 1 shared; x = 0; y = 4; [y] = 0; }
thread 0 { (i32.atomic.store (i32.const x) (i32.const 42)) ... }
thread 1 { (local $r0 i32) ... }
locations [x;]      ;; optional: also printed in states
filter (1:r0=1)     ;; optional: executions not satisfying it are discarded
exists (1:r0=1 /\\ 1:r1=0)
```

Thread bodies are WAT (``semantics.text.wat.parse_body``); a name declared in the init block may
stand wherever an ``i32.const`` immediate does. Every error is one ``LitmusError`` carrying the
file, line, column and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from semantics.litmus import condition as cond
from semantics.memory.events import PAGE, le_bytes
from semantics.text.sexp import ParseError, shown
from semantics.text.wat import locate, parse_body, print_body
from semantics.wasm.syntax import Func, MemType, Program
from semantics.wasm.validation import ValidationError, program_ok

MAX_PAGES = 65536


class LitmusError(ValueError):
    """Bad litmus input: ``str()`` is ``file:line:col: expected ..., found ...``."""

    def __init__(self, file: str, line: int, col: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{col}: {message}")
        self.file = file
        self.line = line
        self.col = col
        self.message = message


@attrs.frozen
class InitValue:
    """``[NAME:iW] = V`` in the init block."""

    name: str
    width: int
    value: int


@attrs.frozen
class ThreadSource:
    """How a litmus thread was written: ``lang`` is ``"wasm"`` or ``"js"``; ``source`` its body
    as written (for a JS thread, a program that runs given the bindings ``buffer`` and the
    init block's names: docs/js.md); ``locals`` a JS thread's ``let`` locals, its
    observables."""

    lang: str
    source: str
    locals: tuple[str, ...] = ()


@attrs.frozen
class LitmusTest:
    """A parsed litmus test.

    ``program.threads`` are the litmus threads 0..n-1; ``observer`` is the index of a function
    of ``program.funcs`` run as the final observer (a ``.wast`` script's ``$Check``), or None
    when the observer only performs the SeqCst loads of the ``[NAME]`` observables.
    ``extra`` are observables printed in states besides those the condition names: the
    ``locations`` clause, or a ``.wast`` script's observer locals. ``filter``: herd's filter, a
    proposition every execution counted must satisfy (None: no filter). ``threads`` says how
    each litmus thread was written (empty for a test not read from a litmus file: all Wasm);
    a JS thread's function is its translation (``semantics.js.translate``).
    """

    name: str
    comment: str
    program: Program
    names: tuple[tuple[str, int], ...]
    condition: cond.Condition
    init: tuple[InitValue, ...] = ()
    observer: int | None = None
    extra: tuple[cond.Observable, ...] = ()
    filter: cond.Prop | None = None
    threads: tuple[ThreadSource, ...] = attrs.field(default=(), eq=False)
    file: str = attrs.field(default="", eq=False)

    def lang(self, thread: int) -> str:
        return self.threads[thread].lang if thread < len(self.threads) else "wasm"

    @property
    def js_threads(self) -> tuple[int, ...]:
        return tuple(i for i, t in enumerate(self.threads) if t.lang == "js")

    @property
    def name_map(self) -> dict[str, int]:
        return dict(self.names)

    @property
    def observables(self) -> tuple[cond.Observable, ...]:
        """What each state line lists: the condition's observables and the extra ones, sorted."""
        named = set(cond.observables(self.condition.prop)) | set(self.extra)
        return tuple(sorted(named, key=cond.observable_key))

    @property
    def watched(self) -> tuple[cond.Observable, ...]:
        """What each execution's final state is computed over: the observables and the
        filter's, sorted."""
        named = set(self.observables)
        if self.filter is not None:
            named |= {a.loc for a in cond.atoms(self.filter)}
        return tuple(sorted(named, key=cond.observable_key))

    @property
    def memory_observables(self) -> tuple[cond.Mem, ...]:
        """The memory locations the final observer reads (those of the filter too)."""
        return tuple(o for o in self.watched if isinstance(o, cond.Mem))


# --- scanning ------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Scanner:
    def __init__(self, src: str, file: str) -> None:
        self.src = src
        self.file = file
        self.i = 0
        self.line = 1
        self.col = 1

    def error(self, expected: str, line: int | None = None, col: int | None = None) -> LitmusError:
        found = self.peek_word()
        return LitmusError(self.file, line or self.line, col or self.col,
                           f"expected {expected}, found {found}")

    def peek_word(self) -> str:
        if self.i >= len(self.src):
            return "end of file"
        m = re.match(r"\S+", self.src[self.i:])
        word = m.group(0) if m else self.src[self.i]
        return repr(word[:20])

    def advance(self, n: int) -> None:
        for c in self.src[self.i:self.i + n]:
            if c == "\n":
                self.line, self.col = self.line + 1, 1
            else:
                self.col += 1
        self.i += n

    def skip_space(self, newlines: bool = True) -> None:
        while self.i < len(self.src):
            c = self.src[self.i]
            if c == "\n" and not newlines:
                return
            if c.isspace():
                self.advance(1)
            elif self.src.startswith(";;", self.i):
                j = self.src.find("\n", self.i)
                self.advance((len(self.src) if j < 0 else j) - self.i)
            elif self.src.startswith("(;", self.i):
                j = self.src.find(";)", self.i)
                if j < 0:
                    raise self.error("the end ';)' of a block comment")
                self.advance(j + 2 - self.i)
            else:
                return

    def at(self, text: str) -> bool:
        return self.src.startswith(text, self.i)

    def expect(self, text: str, what: str | None = None) -> None:
        self.skip_space()
        if not self.at(text):
            raise self.error(what or f"'{text}'")
        self.advance(len(text))

    def word(self, what: str) -> tuple[str, int, int]:
        self.skip_space()
        m = re.compile(r"[^\s;{}\[\]=:]+").match(self.src, self.i)
        if not m:
            raise self.error(what)
        line, col = self.line, self.col
        self.advance(m.end() - self.i)
        return m.group(0), line, col

    def rest_of_line(self) -> str:
        j = self.src.find("\n", self.i)
        j = len(self.src) if j < 0 else j
        text = self.src[self.i:j]
        self.advance(j - self.i)
        return text


def _int(s: _Scanner, what: str) -> tuple[int, int, int]:
    text, line, col = s.word(what)
    v = cond.parse_int(text)
    if v is None:
        raise LitmusError(s.file, line, col, f"expected {what}, found {shown(text)}")
    return v, line, col


# --- the parser ----------------------------------------------------------------------------


def parse_litmus(src: str, file: str = "<litmus>") -> LitmusTest:
    """Parse and validate a litmus test (raises ``LitmusError``)."""
    s = _Scanner(src.removeprefix("\ufeff"), file)  # a byte order mark is not a column
    s.skip_space()
    if not s.at("WASM"):
        raise s.error("'WASM' and the test's name on the first line")
    s.advance(4)
    s.skip_space(newlines=False)
    name = re.sub(r"\s*;;.*$", "", s.rest_of_line()).strip()
    if not name:
        raise s.error("the test's name after 'WASM'")
    s.skip_space()
    comment = ""
    if s.at('"'):
        j = s.src.find('"', s.i + 1)
        if j < 0:
            raise s.error("the closing '\"' of the comment")
        comment = s.src[s.i + 1:j]
        s.advance(j + 1 - s.i)
    memory, names, init, data = _init_block(s)
    funcs: list[Func] = []
    positions: list[tuple[int, int]] = []
    spots: list[dict[int, tuple[int, int]]] = []
    sources: list[ThreadSource] = []
    while True:
        s.skip_space()
        if not s.at("thread"):
            break
        tline, tcol = s.line, s.col
        s.advance(len("thread"))
        n, nline, ncol = _int(s, "a thread number")
        if n != len(funcs):
            raise LitmusError(file, nline, ncol,
                              f"expected thread {len(funcs)} (threads are numbered in order), "
                              f"found thread {n}")
        s.skip_space()
        js = s.at("js") and not _NAME.match(s.src, s.i + 2)
        if js:
            s.advance(2)
        s.expect("{", "'{' opening the thread's body (or 'js {' for a JS thread)")
        spots.append({})
        if js:
            func, source = _js_body(s, names, memory)
            funcs.append(func)
            sources.append(source)
        else:
            start = s.i
            funcs.append(_thread_body(s, names, spots[-1]))
            sources.append(ThreadSource("wasm", s.src[start:s.i - 1]))
        positions.append((tline, tcol))
    if not funcs:
        raise s.error("'thread 0 {'")
    program = Program(memory=memory, funcs=tuple(funcs), threads=tuple(range(len(funcs))),
                      data=data)
    _validate(program, positions, spots, file)
    s.skip_space()
    final = _condition(s, funcs, names, memory, sources)
    return LitmusTest(name=name, comment=comment, program=program,
                      names=tuple(names.items()), condition=final.condition, init=init,
                      extra=final.locations, filter=final.filter, threads=tuple(sources),
                      file=file)


def _init_block(s: _Scanner) -> tuple[MemType, dict[str, int],
                                      tuple[InitValue, ...],
                                      tuple[tuple[int, tuple[int, ...]], ...]]:
    s.expect("{", "the init block '{ memory ...; NAME = ADDR; ... }'")
    memory = MemType(1, 1, True)
    names: dict[str, int] = {}
    inits: list[InitValue] = []
    while True:
        s.skip_space()
        if s.at("}"):
            s.advance(1)
            break
        if s.at(";"):
            s.advance(1)
            continue
        if s.i >= len(s.src):
            raise s.error("'}' closing the init block")
        if s.at("["):
            inits.append(_init_value(s, names, memory))
            continue
        word, line, col = s.word("'memory', 'NAME = ADDR' or '[NAME] = V'")
        if word == "memory":
            memory = _memory(s, line, col)
            continue
        if not _NAME.fullmatch(word):
            raise LitmusError(s.file, line, col,
                              "expected 'memory', 'NAME = ADDR' or '[NAME] = V', found "
                              f"{shown(word)}")
        if word in names:
            raise LitmusError(s.file, line, col, f"expected a new name, found {shown(word)} again")
        s.expect("=", f"'=' after the name {word!r}")
        addr, aline, acol = _int(s, "a byte address")
        if not 0 <= addr < 1 << 32:
            raise LitmusError(s.file, aline, acol, f"expected an address (a u32), found {addr}")
        names[word] = addr
    cells: dict[int, int] = {}
    for iv in inits:
        for k, b in enumerate(le_bytes(iv.value, iv.width)):
            cells[names[iv.name] + k] = b
    data: list[tuple[int, tuple[int, ...]]] = []
    for k in sorted(cells):
        if data and data[-1][0] + len(data[-1][1]) == k:
            data[-1] = (data[-1][0], data[-1][1] + (cells[k],))
        else:
            data.append((k, (cells[k],)))
    return memory, names, tuple(inits), tuple(data)


def _memory(s: _Scanner, line: int, col: int) -> MemType:
    lo, _, _ = _int(s, "the memory's minimum size in pages")
    hi: int | None = None
    shared = False
    s.skip_space()
    m = re.compile(r"[0-9]").match(s.src, s.i)
    if m:
        hi, hline, hcol = _int(s, "the memory's maximum size in pages")
        if hi < lo or hi > MAX_PAGES:
            raise LitmusError(s.file, hline, hcol,
                              f"expected a maximum between {lo} and {MAX_PAGES}, found {hi}")
    s.skip_space()
    if s.at("shared"):
        s.advance(len("shared"))
        shared = True
    if not 0 <= lo <= MAX_PAGES:
        raise LitmusError(s.file, line, col, f"expected at most {MAX_PAGES} pages, found {lo}")
    if not shared:
        raise LitmusError(s.file, line, col,
                          "expected a shared memory ('memory MIN MAX shared'): threads of a "
                          "litmus test communicate through it")
    if hi is None:
        raise LitmusError(s.file, line, col,
                          "expected a maximum size: a shared memory needs one")
    return MemType(lo, hi, shared)


def _init_value(s: _Scanner, names: Mapping[str, int], memory: MemType) -> InitValue:
    s.advance(1)
    name, line, col = s.word("a location name")
    if name not in names:
        raise LitmusError(s.file, line, col,
                          "expected a name declared with 'NAME = ADDR' before, found "
                          f"{shown(name)}")
    width = 4
    s.skip_space()
    if s.at(":"):
        s.advance(1)
        ty, tl, tc = s.word("i8, i16, i32 or i64")
        if ty not in cond.WIDTH_TYPES:
            raise LitmusError(s.file, tl, tc, f"expected i8, i16, i32 or i64, found {shown(ty)}")
        width = cond.WIDTH_TYPES[ty]
    s.expect("]")
    s.expect("=", f"'=' after [{name}]")
    v, vl, vc = _int(s, "a value (decimal or 0x hex)")
    if not -(1 << (8 * width - 1)) <= v < (1 << (8 * width)):
        raise LitmusError(s.file, vl, vc, f"expected a value that fits in {8 * width} bits, "
                          f"found {v}")
    if names[name] + width > memory.min * PAGE:
        raise LitmusError(s.file, line, col, f"expected [{name}] inside the initial memory "
                          f"(0..{memory.min * PAGE - 1})")
    return InitValue(name, width, v % (1 << (8 * width)))


_PLAIN_RE = re.compile(r'[^;("{}]*')  # what ``_find_close`` skips in one step


def _find_close(s: _Scanner) -> int:
    """Index of the '}' closing a thread body, skipping comments and strings."""
    src, i, depth = s.src, s.i, 0
    while i < len(src):
        if src.startswith(";;", i):
            j = src.find("\n", i)
            i = len(src) if j < 0 else j
        elif src.startswith("(;", i):
            j = src.find(";)", i)
            i = len(src) if j < 0 else j + 2
        elif src[i] == '"':
            j = src.find('"', i + 1)
            i = len(src) if j < 0 else j + 1
        elif src[i] == "{":
            depth += 1
            i += 1
        elif src[i] == "}":
            if depth == 0:
                return i
            depth -= 1
            i += 1
        else:
            m = _PLAIN_RE.match(src, i)
            i = m.end() if m and m.end() > i else i + 1
    opened = (s.line, s.col - 1)
    s.advance(len(src) - s.i)
    raise s.error(f"'}}' closing the thread's body (opened at line {opened[0]}, column "
                  f"{opened[1]})")


def _thread_body(s: _Scanner, names: Mapping[str, int],
                 spots: dict[int, tuple[int, int]]) -> Func:
    end = _find_close(s)
    line, col = s.line, s.col
    try:
        func = parse_body(s.src[s.i:end], line=line, col=col, symbols=names, spots=spots)
    except ParseError as e:
        raise LitmusError(s.file, e.line, e.col, f"expected {e.expected}, found {e.found}") from e
    s.advance(end + 1 - s.i)
    return func


def _js_body(s: _Scanner, names: Mapping[str, int],
             memory: MemType) -> tuple[Func, ThreadSource]:
    """A ``thread N js { ... }`` body (docs/js.md): parsed, checked and translated."""
    # the JS front end only for a test with a JS thread: a third of the litmus start-up else
    from semantics.js.parse import JsError, parse_thread
    from semantics.js.translate import translate

    try:
        thread, end = parse_thread(s.src, s.i, s.line, s.col, names, memory.min * PAGE)
        func = translate(thread, names)
    except JsError as e:
        raise LitmusError(s.file, e.line, e.col, e.message) from e
    s.advance(end - s.i)
    return func, ThreadSource("js", thread.source, thread.locals)


def _validate(program: Program, positions: list[tuple[int, int]],
              spots: list[dict[int, tuple[int, int]]], file: str) -> None:
    """Type-check the threads; an error is placed at its instruction (else at its thread)."""
    try:
        program_ok(program)
    except ValidationError as e:
        thread = e.thread
        idx = thread if isinstance(thread, int) and 0 <= thread < len(positions) else 0
        at = locate(program.funcs[idx].body, e.path, spots[idx]) if e.path else None
        line, col = at or positions[idx]
        raise LitmusError(file, line, col, f"expected a well-typed thread, found {e}") from e


def local_width(func: Func, name: str) -> int | None:
    """Width in bits of local ``$name`` (or local index ``name``) of a thread, if it exists."""
    types = func.type.params + func.locals
    names = func.local_names or (None,) * len(types)
    for i, n in enumerate(names):
        if n is not None and n.removeprefix("$") == name:
            return types[i].bits
    if name.isascii() and name.isdigit() and int(name) < len(types):
        return types[int(name)].bits
    return None


def _condition(s: _Scanner, funcs: list[Func], names: Mapping[str, int],
               memory: MemType, sources: list[ThreadSource]) -> cond.Final:
    def width_of(loc: cond.Observable, tok: object) -> int:
        if isinstance(loc, cond.Mem):
            if loc.addr + loc.width > memory.min * PAGE:
                raise cond.error_at(tok, "a location inside the initial memory "
                                    f"(0..{memory.min * PAGE - 1})", str(loc))
            return 8 * loc.width
        if not 0 <= loc.thread < len(funcs):
            raise cond.error_at(tok, f"a thread between 0 and {len(funcs) - 1}",
                                f"thread {loc.thread}")
        if isinstance(loc, cond.Status):
            return 1
        if sources[loc.thread].lang == "js" and loc.name not in sources[loc.thread].locals:
            raise cond.error_at(tok, f"a let local of the JS thread {loc.thread}", repr(loc.name))
        w = local_width(funcs[loc.thread], loc.name)
        if w is None:
            raise cond.error_at(tok, f"a local of thread {loc.thread}", repr(loc.name))
        return w

    try:
        return cond.parse_final(s.src[s.i:], line=s.line, col=s.col, names=names,
                                width_of=width_of)
    except cond.ConditionError as e:
        raise LitmusError(s.file, e.line, e.col, f"expected {e.expected}, found {e.found}") from e


# --- printing ------------------------------------------------------------------------------


def _width_suffix(width: int) -> str:
    return "" if width == 4 else f":i{8 * width}"


def print_litmus(t: LitmusTest) -> str:
    """The test in the litmus format; ``parse_litmus(print_litmus(t)) == t``. A JS thread is
    printed as written."""
    return _print(t, js_source=True)


def _print(t: LitmusTest, js_source: bool) -> str:
    m = t.program.memory
    items = [f"memory {m.min} {m.max} shared"]
    items += [f"{n} = {a}" for n, a in t.names]
    items += [f"[{iv.name}{_width_suffix(iv.width)}] = {iv.value}" for iv in t.init]
    lines = [f"WASM {t.name}"]
    if t.comment:
        lines.append(f'"{t.comment}"')
    lines.append("{ " + "; ".join(items) + "; }")
    for i, fi in enumerate(t.program.threads):
        if t.lang(i) == "js" and js_source:
            lines.append(f"thread {i} js {{{t.threads[i].source}}}")
            continue
        body = print_body(t.program.funcs[fi])
        lines.append(f"thread {i} {'js ' if t.lang(i) == 'js' else ''}{{")
        lines += ["  " + ln if ln else ln for ln in body.splitlines()]
        lines.append("}")
    if t.extra:
        lines.append(cond.show_locations(t.extra))
    if t.filter is not None:
        lines.append(f"filter ({cond.show_prop(t.filter)})")
    lines.append(str(t.condition))
    return "\n".join(lines) + "\n"


def digest(t: LitmusTest) -> str:
    """herd's ``Hash=``: the MD5 (hex) of what the test means, not how it is written: the
    canonical print of its memory, init block, threads, locations, filter and condition, plus a
    ``.wast`` script's observer function and data segments. Its name, comment, layout and
    comments do not count, so a reformatted or renamed test keeps its hash (a JS thread counts
    by its translation)."""
    text = _print(attrs.evolve(t, name="", comment=""), js_source=False)
    others = [print_body(f) for i, f in enumerate(t.program.funcs) if i not in t.program.threads]
    text += "\n".join(others) + f"\nobserver {t.observer}\ndata {t.program.data!r}\n"
    import hashlib  # start-up: only for --hash and --json

    return hashlib.md5(text.encode("utf-8")).hexdigest()
