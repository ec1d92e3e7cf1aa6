"""A litmus test's JS thread as a JS agent of the node harness (docs/engines.md, "JS threads").

The harness runs the thread's body as written, made once per worker into a function
``new Function(*params, body)`` called each iteration with ``buffer`` (the shared memory's
``SharedArrayBuffer``), the typed-array constructors, and the init block's names bound to the
test's own addresses, as the model reads them (``semantics.js.translate``: a name is its
address as a Number). Relocation is in the constructors: the harness binds ``Int32Array`` and
the others to functions that add the iteration's base to the byte offset (and give an omitted
length the test memory's), so a view at a literal offset (``new Int16Array(buffer, 2, 1)``) is
relocated too, and ``buffer`` behaves as the iteration's stride.

Two changes to the text, neither moving a character: the ``let`` keywords of the top-level
locals are blanked and the locals declared at the function's start with the value 0, so that a
body that throws still has them, as a trapped thread keeps its locals ([T] "Traps"; an
``Atomics`` call outside its view throws a RangeError, the translation's trap); and the body
sits in a ``try`` whose ``catch`` of a RangeError is the thread's trap flag. The function
returns the values of the thread's record slots, in slot order.
"""

from __future__ import annotations

import attrs

from semantics.js.parse import parse_thread
from semantics.js.syntax import VIEW_TYPES, Let
from semantics.litmus import condition as cond
from semantics.litmus.format import LitmusTest
from semantics.memory.events import PAGE
from semantics.wasm.syntax import ValType

CONSTRUCTORS = tuple(f"{e}Array" for e in VIEW_TYPES)


@attrs.frozen
class JsAgent:
    """What the harness needs to run JS thread ``thread``: the function's parameters and body,
    the values of the init names (the parameters after ``buffer`` and the constructors), and
    per returned value its kind (``trap``, ``i64``, ``f32``, ``f64``) and record offset.
    ``extent``: the bytes from address 0 its views cover (part of the test's footprint)."""

    thread: int
    params: tuple[str, ...]
    args: tuple[int, ...]
    body: str
    returns: tuple[tuple[str, int], ...]
    extent: int


def _index(src: str, line: int, col: int) -> int:
    lines = src.split("\n")
    return sum(len(s) + 1 for s in lines[:line - 1]) + col - 1


def js_agent(test: LitmusTest, thread: int,
             slots: tuple[tuple[cond.Observable, int], ...]) -> JsAgent:
    """``slots``: the observables of the test's record with their byte offsets; those of
    ``thread`` are returned, in that order."""
    source = test.threads[thread].source
    names = test.name_map
    parsed, _ = parse_thread(source + "}", 0, 1, 1, names, test.program.memory.min * PAGE)
    text = list(source)
    lets = [s for s in parsed.body if isinstance(s, Let)]
    for s in lets:
        i = _index(source, s.pos.line, s.pos.col)
        assert source.startswith("let", i), (s, source[i:i + 10])
        text[i:i + 3] = "   "
    taken = set(names) | set(parsed.locals) | {v.name for v in parsed.views}
    err = "$e"
    while err in taken:
        err += "$"
    func = test.program.funcs[test.program.threads[thread]]
    kinds = {ValType.F32: "f32", ValType.F64: "f64"}
    returns: list[tuple[str, int]] = []
    ok: list[str] = []
    trapped: list[str] = []
    for o, offset in slots:
        if isinstance(o, cond.Mem) or o.thread != thread:
            continue
        if isinstance(o, cond.Trap):
            returns.append(("trap", offset))
            ok.append("0")
            trapped.append("1")
            continue
        assert isinstance(o, cond.Reg), o
        i = next(j for j, n in enumerate(func.local_names) if n == f"${o.name}")
        returns.append((kinds.get(func.locals[i], "i64"), offset))
        ok.append(o.name)
        trapped.append(o.name)
    declare = f"let {', '.join(f'{n} = 0' for n in parsed.locals)};\n" if parsed.locals else ""
    body = (f"{declare}try {{{''.join(text)}}} catch ({err}) {{\n"
            f"  if (!({err} instanceof RangeError)) throw {err};\n"
            f"  return [{', '.join(trapped)}];\n}}\nreturn [{', '.join(ok)}];\n")
    extent = max((v.offset + (v.initial if v.length is None else v.length) * v.size
                  for v in parsed.views), default=0)
    return JsAgent(thread, ("buffer", *CONSTRUCTORS, *names), tuple(names.values()), body,
                   tuple(returns), extent)
