"""Between symbolic and concrete executions: decode a Z3 model to an ``Execution`` (with tot),
and pin a symbolic execution to a given concrete one."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import z3

from proofs.space import (
    FENCE,
    FENCE_ACTION,
    GROW,
    INIT_ACTION,
    KINDS,
    NOTIFY,
    WAIT,
    WAIT_WIDTH,
    WOKEN,
    WOKEN_ACTION,
    concrete_action,
    grow_zeros,
    len_action,
    notify_action,
    wait_actions,
)
from proofs.symbolic import SymExec
from semantics.memory.events import (
    INIT_THREAD,
    MEM_DATA,
    MEM_LEN,
    PAGE,
    Action,
    Event,
    Execution,
    Fill,
    Kind,
    Ord,
    Rf,
    access_range,
    reading,
    size,
    writing,
)


class OutsideSpace(ValueError):
    """A concrete execution that the bounded encoding cannot represent."""


def _int(m: z3.ModelRef, x: z3.BitVecRef) -> int:
    return m.eval(x, model_completion=True).as_long()


def decode(m: z3.ModelRef, sym: SymExec, clk: Sequence[z3.BitVecRef] | None = None
           ) -> Execution:
    """The concrete execution that model ``m`` assigns to ``sym`` (tot from ``clk``); in the
    length space, events with their length actions and the spawn edges."""
    sp = sym.space
    events = [Event(0, INIT_THREAD, 0, sp.init_actions)]
    rf: set[Rf] = set()
    spawn: set[tuple[int, int]] = set()
    seen: dict[int, int] = {}
    for i in range(1, sp.size):
        k = _int(m, sym.kind[i])
        t = _int(m, sym.thread[i])
        acts: tuple[Action, ...] = ()
        if sp.length:
            if t not in seen:
                spawn.add((0, i))
            spawn.update((a, i) for a in range(1, i)
                         if z3.is_true(m.eval(sym.spawn[a][i], model_completion=True)))
            old, new = _int(m, sym.lrb[i]) * PAGE, _int(m, sym.lwb[i]) * PAGE
            la = len_action(k, old, new)
            if la is not None:
                acts = (la,)
                rf.add((_int(m, sym.lsrc[i]), i, MEM_LEN, 0))
            if k == GROW and new != old:
                acts += (grow_zeros(old),)
            elif k == FENCE:
                acts = (FENCE_ACTION,)
        if k == WAIT and sp.waits:  # the length space's kinds 3.. are its steps
            acts = wait_actions(tuple(_int(m, sym.rb[i][c]) for c in range(WAIT_WIDTH)))
            rf.update((_int(m, sym.src[i][c]), i, MEM_DATA, c) for c in range(len(acts[0].read)))
        elif k == WOKEN and sp.waits:
            acts = (WOKEN_ACTION,)
        elif k == NOTIFY and sp.waits:
            acts = (notify_action(_int(m, sym.nwoken[i]), _int(m, sym.ncount[i])),)
        if k < len(KINDS):
            kind = KINDS[k]
            sc = z3.is_true(m.eval(sym.sc[i], model_completion=True))
            off, w = _int(m, sym.off[i]), _int(m, sym.width[i])
            cells = range(off, off + w)
            rbytes = tuple(_int(m, sym.rb[i][c]) for c in cells) if kind is not Kind.WR else ()
            wbytes = tuple(_int(m, sym.wb[i][c]) for c in cells) if kind is not Kind.RD else ()
            acts += (concrete_action(kind, sc, sp.addr(off), rbytes, wbytes),)
            if kind is not Kind.WR:
                rf.update((_int(m, sym.src[i][c]), i, MEM_DATA, sp.addr(c)) for c in cells)
        events.append(Event(i, t, seen.get(t, 0), acts))
        seen[t] = seen.get(t, 0) + 1
    tot = None
    if clk is not None:
        tot = tuple(sorted(sym.ids, key=lambda i: (_int(m, clk[i]), i)))
    queue = sorted((i for i in sym.ids if sp.waits and i and
                    _int(m, sym.kind[i]) in (WAIT, WOKEN, NOTIFY)),
                   key=lambda i: (_int(m, sym.qclk[i]), i))
    return Execution(tuple(events), frozenset(rf), frozenset(spawn), tot=tot,
                     suspensions=(tuple(queue),) if queue else ())


def pin(sym: SymExec, ex: Execution) -> list[z3.BoolRef]:
    """Constraints that make ``sym`` the execution ``ex``; raises ``OutsideSpace`` when ``ex``
    is not of the encoded shape (event #0 the INIT page, then one data access per event, sorted
    by thread and program order, threads numbered from 0 in order)."""
    sp = sym.space
    if sp.length:
        raise OutsideSpace("pinning is for the data space (wasm_eq_js); the length space's "
                           "executions come from the solver")
    if len(ex.events) != sp.size:
        raise OutsideSpace(f"{len(ex.events) - 1} events, the space has {sp.events}")
    e0 = ex.events[0]
    if e0.thread != INIT_THREAD or e0.actions != (INIT_ACTION,):
        raise OutsideSpace(f"event #0 must be the INIT page write, got {e0!r}")
    out: list[z3.BoolRef] = []
    for i in range(1, sp.size):
        e = ex.events[i]
        if len(e.actions) != 1 or e.actions[0].region != MEM_DATA:
            raise OutsideSpace(f"event {e!r} must be one access to the data region")
        a = e.actions[0]
        prev = ex.events[i - 1]
        expected = 0 if i == 1 else (prev.thread if e.thread == prev.thread else prev.thread + 1)
        if e.thread != expected or e.index != (prev.index + 1 if i > 1 and
                                               e.thread == prev.thread else 0):
            raise OutsideSpace(f"event {e!r} out of thread/program order")
        if a.kind not in KINDS or a.offset + size(a) > sp.cells:
            raise OutsideSpace(f"event {e!r} outside cells 0..{sp.cells - 1}")
        if a.ord is Ord.INIT:
            raise OutsideSpace(f"event {e!r}: only event #0 is INIT")
        out += [sym.thread[i] == e.thread, sym.kind[i] == KINDS.index(a.kind),
                sym.sc[i] == (a.ord is Ord.SEQCST), sym.off[i] == a.offset,
                sym.width[i] == size(a)]
        for k, c in enumerate(access_range(a)):
            if reading(a):
                out.append(sym.rb[i][c] == a.read[k])
            if writing(a):
                out.append(sym.wb[i][c] == a.write[k])
    for w, r, region, c in ex.rf:
        if region != MEM_DATA or not 0 < r < sp.size or not 0 <= w < sp.size:
            raise OutsideSpace(f"reads-from edge {(w, r, region, c)} outside the space")
        if c >= sp.cells:
            raise OutsideSpace(f"reads-from edge on cell {c} outside the space")
        out.append(sym.src[r][c] == w)
    return out


def pin_tot(clk: Sequence[z3.BitVecRef], tot: Sequence[int]) -> list[z3.BoolRef]:
    return [clk[e] == pos for pos, e in enumerate(tot)]


def relabel(ex: Execution) -> Execution:
    """The same execution with every small data write of event #i writing byte ``i`` to each
    cell it covers, and every data read taking the bytes of its writers (0 from a page of
    zeros, #0's or a grow's), so that values name writers.

    Only ``value-consistent`` looks at bytes, and the relabelling keeps each read byte equal
    to its writer's; validity, races and is-seqcst (read through rf) are unchanged."""
    src = {(r, c): w for w, r, reg, c in ex.rf if reg == MEM_DATA}
    zeros = {e.eid for e in ex.events for a in e.actions
             if a.region == MEM_DATA and isinstance(a.write, Fill)}

    def byte(r: int, c: int) -> int:
        w = src.get((r, c), 0)
        return 0 if w in zeros else w % 256

    events = []
    for e in ex.events:
        acts = []
        for a in e.actions:
            if a.region != MEM_DATA or isinstance(a.write, Fill) or a.kind not in KINDS:
                acts.append(a)
                continue
            cells = access_range(a)
            read = tuple(byte(e.eid, c) for c in cells) if reading(a) else ()
            write = tuple(e.eid % 256 for _ in cells) if writing(a) else ()
            acts.append(concrete_action(a.kind, a.ord is Ord.SEQCST, a.offset, read, write))
        events.append(attrs.evolve(e, actions=tuple(acts)))
    return attrs.evolve(ex, events=tuple(events))


def mirror(ex: Execution, cells: int) -> Execution:
    """The execution with data cells ``0 .. cells-1`` reversed (``c -> cells-1-c``): in every
    access but the allocation's page, with bytes in the new cell order, and in reads-from.
    This is the symmetry behind ``Space.violating_cells``; the tests check that the explicit
    checker cannot tell an execution from its mirror image."""
    def flip(a: Action) -> Action:
        if a.region != MEM_DATA or a.ord is Ord.INIT:
            return a
        if a.offset + size(a) > cells:
            raise OutsideSpace(f"access {a!r} outside cells 0..{cells - 1}")
        return attrs.evolve(a, offset=cells - a.offset - size(a),
                            read=tuple(reversed(a.read)), write=tuple(reversed(a.write)))

    events = tuple(attrs.evolve(e, actions=tuple(flip(a) for a in e.actions))
                   for e in ex.events)
    rf = frozenset((w, r, reg, cells - 1 - k if reg == MEM_DATA else k)
                   for w, r, reg, k in ex.rf)
    return attrs.evolve(ex, events=events, rf=rf)
