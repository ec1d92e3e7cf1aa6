"""Execution graphs as litmus tests (docs/litmus.md), and back; executions as Graphviz DOT.

One thread per execution thread, one instruction per event, the values the reads took as the
``exists`` condition. ``parse_shape`` reads back exactly the fragment ``render_litmus`` writes,
so that a counterexample can be compared with a hand-written one "up to renaming"
(``canonical``): of threads, locations and written values.

``dot_graph`` draws one execution as a DOT digraph (docs/litmus.md#--show): pure text, every id
and label quoted; running Graphviz on it is the command line's business.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping, Sequence

from properties.edges import DEFAULT_EDGES, EDGE_KINDS
from properties.graphs import SLOT, Access, Graph, Shape
from semantics.memory.events import (
    INIT_THREAD,
    LEN,
    MEM_DATA,
    Event,
    Execution,
    Kind,
    Ord,
    le_bytes,
    show_action,
    show_execution,
    size,
    value,
)
from semantics.memory.hb import sync_edges
from semantics.memory.relations import Rel

NAMES = "xyzwvu"

# A thread's access with what it read: (kind, ord, offset, width, written bytes, read bytes).
Row = tuple[str, str, int, int, tuple[int, ...], tuple[int, ...]]
Skeleton = tuple[tuple[Row, ...], ...]


def _op(a: Access) -> tuple[str, str]:
    """The instruction keyword of an access and the type of its value."""
    t = "i64" if a.width == 8 else "i32"
    narrow = "" if a.width in (4, 8) else str(8 * a.width)
    atomic = a.ord is Ord.SEQCST or a.kind is Kind.RMW
    if a.kind is Kind.RMW:
        return (f"{t}.atomic.rmw{narrow}.xchg" + ("_u" if narrow else ""), t)
    if a.kind is Kind.RD:
        return (f"{t}{'.atomic' if atomic else ''}.load{narrow}" + ("_u" if narrow else ""), t)
    return (f"{t}{'.atomic' if atomic else ''}.store{narrow}", t)


def _addr(a: Access) -> str:
    slot, sub = divmod(a.offset, SLOT)
    return (f"offset={sub} " if sub else "") + f"(i32.const {NAMES[slot]})"


def _num(v: int) -> str:
    return str(v) if v < 256 else hex(v)


def read_bytes(g: Graph) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Per thread, the bytes each reading access took, in program order."""
    out = []
    for t, accs in enumerate(g.shape.threads):
        evs = [e for e in g.ex.events if e.thread == t]
        row = []
        for a, e in zip(accs, sorted(evs, key=lambda e: e.index), strict=True):
            act = e.access(MEM_DATA)
            if a.reads and act is not None:
                row.append(tuple(act.read))
        out.append(tuple(row))
    return tuple(out)


def render_litmus(shape: Shape, reads: Sequence[Sequence[tuple[int, ...]]], name: str,
                  comment: str = "",
                  written: Sequence[Sequence[int]] | None = None) -> str:
    """``written`` (per thread, per access) overrides the value each write stores."""
    slots = sorted({a.offset // SLOT for t in shape.threads for a in t})
    lines = [f"WASM {name}"]
    if comment:
        lines.append(f'"{comment}"')
    lines.append("{ memory 1 1 shared; "
                 + " ".join(f"{NAMES[s]} = {s * SLOT};" for s in slots) + " }")
    atoms = []
    for t, accs in enumerate(shape.threads):
        lines.append(f"thread {t} {{")
        regs = []
        body = []
        n = 0
        for i, a in enumerate(accs):
            op, ty = _op(a)
            const = _num(written[t][i] if written is not None else value(a.payload()))
            if a.reads:
                reg = f"r{n}"
                regs.append(f"(local ${reg} {ty})")
                atoms.append(f"{t}:{reg}={_num(value(reads[t][n]))}")
                n += 1
            if a.kind is Kind.RD:
                body.append(f"(local.set ${reg} ({op} {_addr(a)}))")
            elif a.kind is Kind.WR:
                body.append(f"({op} {_addr(a)} ({ty}.const {const}))")
            else:
                body.append(f"(local.set ${reg} ({op} {_addr(a)} ({ty}.const {const})))")
        if regs:
            lines.append("  " + " ".join(regs))
        lines.extend("  " + b for b in body)
        lines.append("}")
    lines.append("exists (" + (" /\\ ".join(atoms) if atoms else "true") + ")")
    return "\n".join(lines) + "\n"


def execution_litmus(ex: Execution, name: str = "counterexample", comment: str = "") -> str:
    """Any execution (e.g. one decoded from a Z3 model) as a litmus test: one instruction per
    data access, in program order, threads renumbered from 0; an rmw is rendered as an
    ``xchg`` of the bytes it wrote."""
    threads = sorted({e.thread for e in ex.events if e.thread != INIT_THREAD})
    shape: list[tuple[Access, ...]] = []
    reads: list[tuple[tuple[int, ...], ...]] = []
    written: list[tuple[int, ...]] = []
    for t in threads:
        acts = [a for e in sorted((e for e in ex.events if e.thread == t), key=lambda e: e.index)
                if (a := e.access(MEM_DATA)) is not None]
        shape.append(tuple(Access(a.kind, a.ord, a.offset, size(a)) for a in acts))
        reads.append(tuple(tuple(a.read) for a in acts if a.kind is not Kind.WR))
        written.append(tuple(value(a.write) if a.kind is not Kind.RD else 0 for a in acts))
    return render_litmus(Shape(tuple(shape)), reads, name, comment, written)


def graph_litmus(g: Graph, name: str = "counterexample", comment: str = "") -> str:
    return render_litmus(g.shape, read_bytes(g), name, comment)


def graph_names(g: Graph) -> dict[int, str]:
    return {s * SLOT: NAMES[s] for s in range(len(NAMES))}


def render_graph(g: Graph, name: str = "counterexample", comment: str = "") -> str:
    """The litmus test and the execution, one line per event."""
    return (graph_litmus(g, name, comment)
            + show_execution(g.ex, graph_names(g), hide_len=True) + "\n")


# --- reading back the rendered fragment ---------------------------------------------------

_ACCESS = re.compile(
    r"^\((?:local\.set \$(?P<reg>\w+) \()?(?P<op>i(?:32|64)\.[\w.]+) "
    r"(?:offset=(?P<sub>\d+) )?\(i32\.const (?P<loc>\w+)\)"
    r"(?: \(i(?:32|64)\.const (?P<val>0x[0-9a-fA-F]+|\d+)\))?\)*$")
_ATOM = re.compile(r"(\d+):(\w+)=(0x[0-9a-fA-F]+|\d+)")
_NAME = re.compile(r"(\w+) = (\d+);")


class RenderError(ValueError):
    """A litmus text outside the fragment that ``render_litmus`` writes."""


def _width(op: str) -> int:
    m = re.search(r"(?:load|store|rmw)(8|16)", op)
    if m:
        return int(m.group(1)) // 8
    return 8 if op.startswith("i64") else 4


def parse_skeleton(text: str) -> Skeleton:
    """The threads of a rendered litmus test with the values its condition names."""
    names = {n: int(a) for n, a in _NAME.findall(text.split("}", 1)[0])}
    values = {(int(t), r): int(v, 0) for t, r, v in _ATOM.findall(text.split("exists", 1)[-1])}
    threads: list[tuple[Row, ...]] = []
    rows: list[Row] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";;")[0].strip()
        if line.startswith("thread "):
            rows = []
            continue
        if line == "}" and rows is not None:
            threads.append(tuple(rows))
            rows = None
            continue
        if rows is None or not line or line.startswith("(local "):
            continue
        m = _ACCESS.match(line)
        if m is None or m.group("loc") not in names:
            raise RenderError(f"line {lineno}: expected a load, store or rmw.xchg of a named "
                              f"location, found {line!r}")
        op, width = m.group("op"), _width(m.group("op"))
        offset = names[m.group("loc")] + int(m.group("sub") or 0)
        kind = "rmw" if ".rmw" in op else "load" if ".load" in op else "store"
        order = "sc" if ".atomic" in op else "unord"
        written: tuple[int, ...] = ()
        if m.group("val") is not None:
            written = le_bytes(int(m.group("val"), 0), width)
        read: tuple[int, ...] = ()
        if m.group("reg") is not None:
            key = (len(threads), m.group("reg"))
            if key not in values:
                raise RenderError(f"line {lineno}: the condition names no value for "
                                  f"{key[0]}:{key[1]}")
            read = le_bytes(values[key], width)
        rows.append((kind, order, offset, width, written, read))
    return tuple(threads)


def skeleton(g: Graph) -> Skeleton:
    reads = read_bytes(g)
    out = []
    for t, accs in enumerate(g.shape.threads):
        rows, n = [], 0
        for a in accs:
            r: tuple[int, ...] = ()
            if a.reads:
                r, n = reads[t][n], n + 1
            kind = {Kind.RD: "load", Kind.WR: "store", Kind.RMW: "rmw"}[a.kind]
            order = "sc" if a.ord is Ord.SEQCST or a.kind is Kind.RMW else "unord"
            w = a.payload() if a.writes else ()
            rows.append((kind, order, a.offset, a.width, w, r))
        out.append(tuple(rows))
    return tuple(out)


def canonical(sk: Skeleton) -> Skeleton:
    """The least renaming of ``sk`` over thread orders, location names and written values
    (values are renamed byte-wise, 0 stays 0; locations only when no access spans two)."""
    spans = any(w > SLOT or off % SLOT + w > SLOT for t in sk for (_, _, off, w, _, _) in t)
    best: Skeleton | None = None
    for perm in itertools.permutations(sk):
        slot_map: dict[int, int] = {}
        val_map: dict[int, int] = {0: 0}
        out = []
        for rows in perm:
            new = []
            for kind, order, off, width, wbytes, rbytes in rows:
                if not spans:
                    s, sub = divmod(off, SLOT)
                    off = slot_map.setdefault(s, len(slot_map)) * SLOT + sub
                wb = tuple(val_map.setdefault(b, len(val_map)) for b in wbytes)
                new.append((kind, order, off, width, wb, rbytes))
            out.append(new)
        final = tuple(tuple((k, o, off, w, wb, tuple(val_map.get(b, 1000 + b) for b in rb))
                            for k, o, off, w, wb, rb in rows) for rows in out)
        if best is None or final < best:
            best = final
    return best if best is not None else ()


def same_up_to_renaming(a: Skeleton, b: Skeleton) -> bool:
    return canonical(a) == canonical(b)


# --- Graphviz -------------------------------------------------------------------------------


# Only po (and invisible edges) place events: the others do not constrain the layout, so
# each thread stays a column with its k-th event on row k, as herd draws them.
_STYLE = {"po": "color=black", "rf": "color=red fontcolor=red constraint=false",
          "hb": "color=darkgreen fontcolor=darkgreen constraint=false",
          "sync": "color=orange fontcolor=orange style=bold constraint=false",
          "tot": "color=gray50 fontcolor=gray50 style=dotted constraint=false",
          "spawn": "color=blue fontcolor=blue style=dashed constraint=false"}


def dot_quote(s: str) -> str:
    """A DOT string: every id and label goes through this, so no text can break the syntax."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _event_text(e: Event, names: Mapping[int, str], show_len: bool) -> str:
    acts = [a for a in e.actions if show_len or a.region is None or a.region.fld != LEN]
    return " & ".join(show_action(a, names) for a in acts) or (
        "(length only)" if e.actions else "(no action)")


def _reduce(r: Rel) -> Rel:
    """The transitive reduction of an acyclic relation (its edges implied by no other path)."""
    succ: dict[int, set[int]] = {}
    for a, b in r:
        succ.setdefault(a, set()).add(b)
    return frozenset((a, b) for a, b in r
                     if not any(b in succ.get(c, ()) for c in succ[a] if c != b))


def dot_graph(ex: Execution, title: str, names: Mapping[int, str] | None = None, *,
              edges: Collection[str] = DEFAULT_EDGES, hb: Rel | None = None,
              show_len: bool = False) -> str:
    """One execution as a DOT digraph titled ``title``: the allocation on top, a column (a
    cluster) per thread, the events of ``edges`` (``EDGE_KINDS``; ``hb`` needs the model's
    relation in ``hb``). Accesses to the length location are left out unless ``show_len``."""
    unknown = set(edges) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)}; known: {', '.join(EDGE_KINDS)}")
    names = names or {}
    lines = [f"digraph {dot_quote(title)} {{", f"  label={dot_quote(title)};",
             "  labelloc=t;", "  newrank=true;",
             "  node [shape=box fontname=monospace];", "  edge [fontname=monospace];"]
    by_thread: dict[int, list[Event]] = {}
    for e in ex.events:
        by_thread.setdefault(e.thread, []).append(e)
    for t, evs in sorted(by_thread.items()):
        who = "init" if t == INIT_THREAD else f"T{t}"
        lines.append(f"  subgraph {dot_quote(f'cluster_{who}')} {{")
        lines.append(f"    label={dot_quote(who)};")
        for e in sorted(evs, key=lambda e: e.index):
            text = f"#{e.eid}: {_event_text(e, names, show_len)}"
            lines.append(f"    {dot_quote(f'e{e.eid}')} [label={dot_quote(text)}];")
        lines.append("  }")
    pairs: list[tuple[str, int, int]] = []
    order = []  # consecutive events of a thread: po, or invisible edges keeping the columns
    for t, evs in sorted(by_thread.items()):
        evs = sorted(evs, key=lambda e: e.index)
        order += [(t, a.eid, b.eid) for a, b in zip(evs, evs[1:], strict=False)]
    po_drawn = {(a, b) for t, a, b in order if t != INIT_THREAD} if "po" in edges else set()
    pairs += [("po", a, b) for a, b in sorted(po_drawn)]
    if "rf" in edges:
        pairs += [("rf", w, r) for w, r in sorted(
            {(w, r) for w, r, reg, _ in ex.rf if show_len or reg.fld != LEN})]
    if "hb" in edges and hb is not None:
        pairs += [("hb", a, b) for a, b in sorted(_reduce(hb)) if (a, b) not in po_drawn]
    if "sync" in edges:
        pairs += [("sync", a, b) for a, b in sorted(sync_edges(ex))]
    if "tot" in edges and ex.tot is not None:
        pairs += [("tot", a, b) for a, b in zip(ex.tot, ex.tot[1:], strict=False)]
    if "spawn" in edges:
        pairs += [("spawn", a, b) for a, b in sorted(ex.spawn)]
    for kind, a, b in pairs:
        # xlabel off po: a label on an edge that does not constrain the layout makes
        # Graphviz 2.43 fail ("trouble in init_rank") between clusters
        key = "label" if kind == "po" else "xlabel"
        lines.append(f"  {dot_quote(f'e{a}')} -> {dot_quote(f'e{b}')} "
                     f"[{key}={dot_quote(kind)} {_STYLE[kind]}];")
    lines += [f"  {dot_quote(f'e{a}')} -> {dot_quote(f'e{b}')} [style=invis];"
              for _, a, b in order if (a, b) not in po_drawn]
    threads = [sorted(evs, key=lambda e: e.index) for t, evs in sorted(by_thread.items())
               if t != INIT_THREAD]
    init = by_thread.get(INIT_THREAD, [])
    if init:  # the allocation above every thread
        last = max(init, key=lambda e: e.index).eid
        lines += [f"  {dot_quote(f'e{last}')} -> {dot_quote(f'e{evs[0].eid}')} [style=invis];"
                  for evs in threads if evs]
    for k in range(max((len(evs) for evs in threads), default=0)):
        row = " ".join(dot_quote(f"e{evs[k].eid}") + ";" for evs in threads if k < len(evs))
        lines.append(f"  {{rank=same; {row}}}")
    lines.append("}")
    return "\n".join(lines) + "\n"
