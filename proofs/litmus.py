"""The Z3 encoding enumerates a litmus test's outcomes (theorem ``enumerator_eq_solver``).

The explicit enumerator (``semantics.executions``) explores each thread into complete runs
(``ThreadPath``s, read values fixed in their events) and checks every combination of one path
per thread with ``model.consistent``. Here the same question is one SMT query:

- a bit-vector selector per thread (and per observer function) picks one of its paths;
- events live in *slots*, numbered as ``combine`` numbers a combination's events: slot 0 is the
  allocation, then slot (t, k) holds the k-th event of thread t's selected path, then the
  observer function's events, then the observer's SeqCst loads. Once the selectors are fixed,
  every slot's event is concrete (offsets, widths, orders, bytes); a slot beyond the selected
  path's length is absent (no access, no hb edge);
- reads-from is symbolic: per read cell one writer slot that writes that cell with the byte
  read; an observer load takes whichever byte its writer wrote (as ``combine`` offers them);
- hb is the least relation over the model's generators (po, spawn, sync, alloc) and the
  ``init-hb`` edges, closed exactly (Floyd-Warshall over Boolean terms); tot is clocks;
- every axiom of the model is encoded by name through ``proofs.encoding.ENCODERS``, once per
  region (``data`` and ``len``): the axioms of ``semantics.axioms`` quantify over the accesses
  of one region at a time, and ``RegionView`` presents one region in the vocabulary of
  ``SymExec``. So bounds checks (``len`` reads), ``memory.size`` and ``memory.grow`` (an rmw of
  ``len`` plus a Fill of the new bytes) are encoded like any other access.

Outcomes are enumerated with blocking clauses on the selected paths' finals and the observed
bytes, and compared with the explicit enumerator's (``compare``, ``check_corpus``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import attrs
import z3

from proofs.encoding import ENCODERS, GENERATORS, Encoding, Matrix, UnknownAxiom
from proofs.symbolic import Num, bits, ult
from semantics import executions as X
from semantics.condition import Mem, Observable, Reg, Trap
from semantics.events import (
    LEN,
    MEM_DATA,
    Action,
    Event,
    Execution,
    Kind,
    Ord,
    Region,
    access_range,
    is_memory,
    overlap,
    reading,
    same,
    size,
    writing,
)
from semantics.herd import run_test, seeds_of
from semantics.herd import state_of as herd_state_of
from semantics.litmus import LitmusTest, load_test
from semantics.model import Model, get_model
from semantics.syntax import Program

Final = tuple[tuple[str, int], ...]
Observed = tuple[tuple[int, int, int], ...]
Outcome = tuple[tuple[Final, ...], Observed]
"""The selected paths' ``final`` values (threads in order, then the observer function's path,
if any) and the observer's loads as (addr, width, value), in ``observe`` order: what
``ValidExecution.paths`` and ``ValidExecution.observed`` say of a valid execution."""
State = tuple[tuple[Observable, int], ...]

VALUE_BITS = 64  # store values: bytes, and lengths up to 65536 pages of 64 KiB
SEED = 0


class OutOfScope(ValueError):
    """A program the litmus encoding cannot represent; the message says what and why."""


# --- candidate paths: the explicit enumerator's first phase ------------------------------------


@attrs.frozen
class Candidates:
    """Per thread (then the observer function, if any) the complete runs the explicit enumerator
    combines, the observer's loads, and each exploration bound that was hit."""

    program: Program
    groups: tuple[tuple[X.ThreadPath, ...], ...]
    observe: tuple[tuple[int, int], ...]
    has_observer: bool
    reports: tuple[str, ...]


def observe_of(test: LitmusTest) -> tuple[tuple[int, int], ...]:
    """The (addr, width) loads of the final observer, in ``herd.run_test``'s order."""
    return tuple(dict.fromkeys((m.addr, m.width) for m in test.memory_observables))


def candidate_paths(test: LitmusTest, bounds: X.Bounds = X.DEFAULT_BOUNDS) -> Candidates:
    """The thread paths of ``enumerate_executions`` (same offers, same fixed point of written
    values, same justification filter), before it combines them: the solver must choose among
    exactly the runs the enumerator chooses among, or the comparison would test exploration."""
    program = test.program
    seeds, cell_seeds = seeds_of(test)
    runs = X.thread_runs(program, observer=test.observer, seeds=seeds, cell_seeds=cell_seeds,
                         bounds=bounds)
    return Candidates(program, runs.per_thread, observe_of(test),
                      test.observer is not None, runs.reports)


# --- the slot layout: combine's events and spawn edges, over alternatives ----------------------


@attrs.frozen
class Alt:
    """Path ``path`` of group ``group`` puts ``event`` in this slot."""

    group: int
    path: int
    event: Event


@attrs.frozen
class Slot:
    """A fixed event (the allocation, an observer load) or the alternatives for the
    ``index``-th event of group ``group``."""

    group: int | None
    index: int
    fixed: Event | None = None
    alts: tuple[Alt, ...] = ()

    def events(self) -> list[Event]:
        return [self.fixed] if self.fixed is not None else [a.event for a in self.alts]


@attrs.frozen
class Layout:
    """Every slot of a test's candidate executions, in ``combine``'s numbering."""

    cands: Candidates
    alloc: Event
    slots: tuple[Slot, ...]
    obs_group: int | None  # the observer function's group
    loads: tuple[int, ...]  # the observer loads' slots

    @property
    def n_threads(self) -> int:
        return len(self.cands.groups) - (1 if self.cands.has_observer else 0)

    def group_slots(self, g: int) -> list[int]:
        return [i for i, s in enumerate(self.slots) if s.group == g]


def layout(cands: Candidates) -> Layout:
    alloc = X.allocation_event(cands.program)
    n_threads = len(cands.groups) - (1 if cands.has_observer else 0)
    slots: list[Slot] = [Slot(None, 0, fixed=alloc)]
    for g, paths in enumerate(cands.groups):
        for k in range(max((len(p.events) for p in paths), default=0)):
            slots.append(Slot(g, k, alts=tuple(
                Alt(g, j, p.events[k] if g < n_threads
                    else attrs.evolve(p.events[k], thread=n_threads))
                for j, p in enumerate(paths) if len(p.events) > k)))
    loads = []
    for j, (addr, width) in enumerate(cands.observe):
        load = Action(Kind.RD, MEM_DATA, addr, Ord.SEQCST, read=(0,) * width)
        loads.append(len(slots))
        slots.append(Slot(None, j, fixed=Event(0, n_threads, 0, (load,), "observe")))
    return Layout(cands, alloc, tuple(slots), n_threads if cands.has_observer else None,
                  tuple(loads))


def assemble(lay: Layout, picks: Sequence[int]) -> tuple[list[Event], frozenset[tuple[int, int]],
                                                         dict[int, int]]:
    """The events and spawn edges ``combine`` builds from the paths ``picks`` (one index per
    group), and the map from present slots to event ids. Observer loads keep placeholder bytes."""
    paths = [lay.cands.groups[g][j] for g, j in enumerate(picks)]
    n = lay.n_threads
    events: list[Event] = [lay.alloc]
    where: dict[int, int] = {0: 0}
    starts: list[int] = []
    last: list[int] = []

    def place(g: int, evs: list[Event]) -> None:
        for slot, e in zip(lay.group_slots(g), evs, strict=False):
            where[slot] = e.eid
        events.extend(evs)

    for g, p in enumerate(paths[:n]):
        base = len(events)
        place(g, [attrs.evolve(e, eid=base + e.index) for e in p.events])
        if p.events:
            starts.append(base)
            last.append(len(events) - 1)
    first_obs = len(events)
    n_obs_func = 0
    if lay.obs_group is not None:
        obs = paths[lay.obs_group]
        place(lay.obs_group, [attrs.evolve(e, eid=first_obs + e.index, thread=n)
                              for e in obs.events])
        n_obs_func = len(obs.events)
    for j, slot in enumerate(lay.loads):
        load = lay.slots[slot].events()[0]
        where[slot] = len(events)
        events.append(attrs.evolve(load, eid=len(events), index=n_obs_func + j))
    if len(events) > first_obs:
        starts.append(first_obs)
    spawn = frozenset({(0, b) for b in starts}
                      | ({(a, first_obs) for a in last} if len(events) > first_obs else set()))
    return events, spawn, where


# --- one region, in the vocabulary of SymExec ---------------------------------------------------

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)


def _or(xs: Iterable[z3.BoolRef]) -> z3.BoolRef:
    """Or, folding constants: most slot pairs are statically unrelated."""
    kept = []
    for x in xs:
        if z3.is_true(x):
            return TRUE
        if not z3.is_false(x):
            kept.append(x)
    return FALSE if not kept else kept[0] if len(kept) == 1 else z3.Or(kept)


def _and(xs: Iterable[z3.BoolRef]) -> z3.BoolRef:
    kept = []
    for x in xs:
        if z3.is_false(x):
            return FALSE
        if not z3.is_true(x):
            kept.append(x)
    return TRUE if not kept else kept[0] if len(kept) == 1 else z3.And(kept)


def _shape(a: Action) -> tuple[object, ...]:
    """Everything a predicate on an access reads except its bytes (tear-freedom reads the
    order, kind, NOTEARS, alignment and size)."""
    return (a.kind, a.ord, a.offset, size(a), a.notears)


def _select(options: Sequence[tuple[z3.BoolRef, int]]) -> Num:
    """The value whose (mutually exclusive) guard holds; 0 when none does."""
    by_value: dict[int, list[z3.BoolRef]] = {}
    for g, v in options:
        by_value.setdefault(v, []).append(g)
    term: Num = z3.BitVecVal(0, VALUE_BITS)
    for v, gs in sorted(by_value.items(), reverse=True):
        guard = _or(gs)
        if z3.is_true(guard):
            return z3.BitVecVal(v, VALUE_BITS)
        if not z3.is_false(guard):
            term = z3.If(guard, z3.BitVecVal(v, VALUE_BITS), term)
    return term


@attrs.frozen
class _Size:
    size: int


Guarded = tuple[tuple[z3.BoolRef, Action], ...]


@attrs.frozen(eq=False)
class RegionView:
    """The accesses of one region as ``proofs.symbolic.SymExec`` presents a bounded execution
    to the axiom encoders: event ids are slots, cells are the cells of this region that some
    event reads (local cell ``c`` is cell ``cell_keys[c]``), and every predicate implies that
    its slots are present."""

    region: Region
    space: _Size
    cell_keys: tuple[int, ...]
    accesses: tuple[Guarded, ...]  # per slot: (guard, its access to this region)
    shapes: tuple[Guarded, ...]  # the same, one representative per _shape
    read_m: tuple[z3.BoolRef, ...]
    write_m: tuple[z3.BoolRef, ...]
    sc_m: tuple[z3.BoolRef, ...]
    cover_m: Matrix  # [slot][cell]
    read_cell_m: Matrix
    write_cell_m: Matrix
    same_m: Matrix  # [slot][slot]
    overlap_m: Matrix
    has_src: tuple[tuple[bool, ...], ...]  # some alternative of the slot reads the cell
    src: tuple[tuple[Num, ...], ...]
    rb: tuple[tuple[Num, ...], ...]
    wb: tuple[tuple[Num, ...], ...]

    @property
    def ids(self) -> range:
        return range(self.space.size)

    @property
    def cells(self) -> range:
        return range(len(self.cell_keys))

    def reading(self, i: int) -> z3.BoolRef:
        return self.read_m[i]

    def writing(self, i: int) -> z3.BoolRef:
        return self.write_m[i]

    def seqcst(self, i: int) -> z3.BoolRef:
        return self.sc_m[i]

    def covers(self, i: int, c: int) -> z3.BoolRef:
        return self.cover_m[i][c]

    def same(self, i: int, j: int) -> z3.BoolRef:
        return self.same_m[i][j]

    def overlap(self, i: int, j: int) -> z3.BoolRef:
        return self.overlap_m[i][j]

    def sync(self, i: int, j: int) -> z3.BoolRef:
        return _and((self.sc_m[i], self.sc_m[j], self.same_m[i][j]))

    def read_cell(self, r: int, c: int) -> z3.BoolRef:
        """``reading(r) & covers(r, c)``."""
        return self.read_cell_m[r][c]

    def write_cell(self, w: int, c: int) -> z3.BoolRef:
        return self.write_cell_m[w][c]

    def rf(self, w: int, r: int, c: int) -> z3.BoolRef:
        if w == r or not self.has_src[r][c]:
            return FALSE
        return _and((self.read_cell_m[r][c], self.src[r][c] == w))

    def reads_from(self, w: int, r: int) -> z3.BoolRef:
        return _or(self.rf(w, r, c) for c in self.cells)

    def predicate(self, i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        return _or(g for g, a in self.shapes[i] if pred(a))

    def well_formed(self) -> list[z3.BoolRef]:
        """Each read cell of a present slot reads from one other present slot that writes the
        cell with the byte read: the writers ``combine`` offers (an observer load's byte is
        its writer's, since its ``rb`` is free)."""
        out: list[z3.BoolRef] = []
        for r in self.ids:
            for c in self.cells:
                if not self.has_src[r][c]:
                    continue
                writers = [_and((self.src[r][c] == w, self.write_cell_m[w][c],
                                 self.rb[r][c] == self.wb[w][c]))
                           for w in self.ids if w != r]
                out.append(z3.Implies(self.read_cell_m[r][c], _or(writers)))
        return out


def region_view(lay: Layout, region: Region, guards: Sequence[Sequence[z3.BoolRef]],
                prefix: str = "") -> RegionView:
    """``guards[i][x]`` holds when alternative ``x`` of slot ``i`` is the selected one."""
    n = len(lay.slots)
    accesses: list[Guarded] = []
    for i, s in enumerate(lay.slots):
        acc = [(g, e.access(region)) for g, e in zip(guards[i], s.events(), strict=True)]
        accesses.append(tuple((g, a) for g, a in acc if a is not None))
    shapes: list[Guarded] = []
    for acc in accesses:
        grouped: dict[tuple[object, ...], tuple[list[z3.BoolRef], Action]] = {}
        for g, a in acc:
            grouped.setdefault(_shape(a), ([], a))[0].append(g)
        shapes.append(tuple((_or(gs), a) for gs, a in grouped.values()))
    keys = sorted({k for acc in accesses for _, a in acc if reading(a) for k in access_range(a)})

    def any_of(i: int, pred: Callable[[Action], bool]) -> z3.BoolRef:
        return _or(g for g, a in shapes[i] if pred(a))

    def pairwise(rel: Callable[[Action, Action], bool]) -> Matrix:
        return tuple(tuple(_or(_and((g1, g2)) for g1, a1 in shapes[i] for g2, a2 in shapes[j]
                               if rel(a1, a2)) for j in range(n)) for i in range(n))

    def per_cell(i: int, k: int, pred: Callable[[Action], bool]) -> Guarded:
        return tuple((g, a) for g, a in accesses[i] if pred(a) and k in access_range(a))

    src, rb, wb, has, rc, wc = [], [], [], [], [], []
    for i in range(n):
        reads = [per_cell(i, k, reading) for k in keys]
        writes = [per_cell(i, k, writing) for k in keys]
        has.append(tuple(bool(r) for r in reads))
        rc.append(tuple(_or(g for g, _ in r) for r in reads))
        wc.append(tuple(_or(g for g, _ in w) for w in writes))
        src.append(tuple(z3.BitVec(f"{prefix}src{i}_{region}_{k}", bits(n)) if r
                         else z3.BitVecVal(0, bits(n)) for k, r in zip(keys, reads, strict=True)))
        rb.append(tuple(z3.BitVec(f"{prefix}obs{i}_{k}", VALUE_BITS) if i in lay.loads and r
                        else _select([(g, a.read[k - a.offset]) for g, a in r])
                        for k, r in zip(keys, reads, strict=True)))
        wb.append(tuple(_select([(g, a.write[k - a.offset]) for g, a in w])
                        for k, w in zip(keys, writes, strict=True)))
    return RegionView(
        region=region, space=_Size(n), cell_keys=tuple(keys), accesses=tuple(accesses),
        shapes=tuple(shapes),
        read_m=tuple(any_of(i, reading) for i in range(n)),
        write_m=tuple(any_of(i, writing) for i in range(n)),
        sc_m=tuple(any_of(i, lambda a: a.ord is Ord.SEQCST) for i in range(n)),
        cover_m=tuple(tuple(any_of(i, lambda a, k=k: k in access_range(a)) for k in keys)
                      for i in range(n)),
        read_cell_m=tuple(rc), write_cell_m=tuple(wc),
        same_m=pairwise(same), overlap_m=pairwise(overlap),
        has_src=tuple(has), src=tuple(src), rb=tuple(rb), wb=tuple(wb))


# --- the whole query ------------------------------------------------------------------------


@attrs.frozen(eq=False)
class LitmusEncoding:
    model: Model
    layout: Layout
    choice: tuple[Num, ...]  # per group: the index of its selected path
    present: tuple[z3.BoolRef, ...]  # per slot
    views: tuple[RegionView, ...]  # per region some event accesses
    clk: tuple[Num, ...]
    hb: Matrix
    indicators: tuple[tuple[str, z3.BoolRef], ...]  # per axiom, as in proofs.encoding
    constraints: tuple[z3.BoolRef, ...] = ()

    @property
    def data(self) -> RegionView:
        return next(v for v in self.views if v.region == MEM_DATA)

    def selected(self, g: int, paths: Iterable[int]) -> z3.BoolRef:
        return _or(self.choice[g] == j for j in paths)

    def axiom(self, name: str) -> z3.BoolRef:
        """The model's axiom ``name`` (``ENCODERS[name]``) over every region."""
        return _and(ENCODERS[name](Encoding(self.model, v, self.clk,  # type: ignore[arg-type]
                                            self.hb, self.indicators))
                    for v in self.views)


def _generator_names(model: Model) -> tuple[str, ...]:
    names = tuple(g.name for g in model.hb_generators)
    unknown = [f"axiom {a.name}" for a in model.axioms if a.name not in ENCODERS]
    unknown += [f"hb generator {g}" for g in names if g not in GENERATORS]
    if unknown:
        raise UnknownAxiom(
            f"model {model.name!r}: no SMT encoding for {', '.join(unknown)}; "
            f"known axioms: {', '.join(sorted(ENCODERS))}; "
            f"known hb generators: {', '.join(GENERATORS)}")
    return names


def allocated_addrs(e: Event) -> frozenset[int]:
    """``semantics.hb.allocated`` of one event: a plain ``wr`` of a length, or INIT."""
    return frozenset(a.region.addr for a in e.actions if a.region is not None
                     and ((a.kind is Kind.WR and a.region.fld == LEN) or a.ord is Ord.INIT))


def encode_litmus(model: Model, cands: Candidates, prefix: str = "") -> LitmusEncoding:
    """The model's axioms over every combination of one candidate path per group."""
    gens = _generator_names(model)
    lay = layout(cands)
    for s in lay.slots[1:]:
        for e in s.events():
            if allocated_addrs(e):
                raise OutOfScope(f"event {e!r} allocates memory: the hb edges of init-hb and "
                                 "alloc are encoded for one allocation, event #0")
    choice = tuple(z3.BitVec(f"{prefix}path{g}", bits(max(1, len(ps))))
                   for g, ps in enumerate(cands.groups))
    guards = [[TRUE] if s.fixed is not None else [choice[a.group] == a.path for a in s.alts]
              for s in lay.slots]
    present = tuple(_or(gs) for gs in guards)
    regions = sorted({a.region for s in lay.slots for e in s.events() for a in e.actions
                      if a.region is not None and is_memory(a)})
    views = tuple(region_view(lay, r, guards, prefix) for r in regions)
    indicators = tuple((a.name, z3.Bool(f"{prefix}{model.name}:{a.name}"))
                       for a in model.axioms)
    base = _generated(lay, gens, dict(indicators), choice, guards, present, views)
    hb = base
    if model.hb_transitive:
        n = len(base)
        for k in range(n):
            hb = [[_or((hb[a][b], _and((hb[a][k], hb[k][b])))) for b in range(n)]
                  for a in range(n)]
    clk = tuple(z3.BitVec(f"{prefix}clk{i}", bits(len(lay.slots))) for i in range(len(lay.slots)))
    enc = LitmusEncoding(model, lay, choice, present, views, clk,
                         tuple(tuple(row) for row in hb), indicators)
    constraints = [ult(c, len(ps)) if ps else FALSE
                   for c, ps in zip(choice, cands.groups, strict=True)]
    for v in views:
        constraints += v.well_formed()
    constraints += [z3.Implies(ind, enc.axiom(name)) for name, ind in indicators]
    return attrs.evolve(enc, constraints=tuple(constraints))


def _generated(lay: Layout, gens: Sequence[str], ind: dict[str, z3.BoolRef],
               choice: Sequence[Num], guards: Sequence[Sequence[z3.BoolRef]],
               present: Sequence[z3.BoolRef], views: Sequence[RegionView]
               ) -> list[list[z3.BoolRef]]:
    """hb's generating edges a -> b as ``semantics.hb`` and ``combine`` define them (po, the
    spawn edges around each thread and the observer, sync, alloc) plus init-hb's edges."""
    n = len(lay.slots)
    base = [[FALSE] * n for _ in range(n)]

    def add(a: int, b: int, guard: z3.BoolRef) -> None:
        if a != b:
            base[a][b] = _or((base[a][b], guard))

    obs_slots = lay.group_slots(lay.obs_group) if lay.obs_group is not None else []
    if "po" in gens:
        for g in range(len(lay.cands.groups)):
            ids = lay.group_slots(g)
            for x, a in enumerate(ids):
                for b in ids[x + 1:]:
                    add(a, b, present[b])
        for x, b in enumerate(lay.loads):
            for a in lay.loads[:x]:
                add(a, b, TRUE)
            for a in obs_slots:
                add(a, b, present[a])
    if "spawn" in gens:
        # the observer starts at its function's first event, or else at its first load
        firsts = [(obs_slots[0], present[obs_slots[0]])] if obs_slots else []
        if lay.loads:
            firsts.append((lay.loads[0], z3.Not(present[obs_slots[0]]) if obs_slots else TRUE))
        for g in range(lay.n_threads):
            ids = lay.group_slots(g)
            if ids:
                add(0, ids[0], present[ids[0]])
            for k, a in enumerate(ids):
                ends = _or(choice[g] == j for j, p in enumerate(lay.cands.groups[g])
                           if len(p.events) == k + 1)
                for b, gb in firsts:
                    add(a, b, _and((ends, gb)))
        for b, gb in firsts:
            add(0, b, gb)
    if "sync" in gens:
        for v in views:
            for a in range(n):
                for b in range(n):
                    if a != b:
                        add(a, b, _and((v.sync(a, b), v.reads_from(a, b))))
    if "init-hb" in ind:
        for v in views:
            for init in (a for a in lay.alloc.actions
                         if a.ord is Ord.INIT and a.region == v.region):
                for b in range(1, n):
                    add(0, b, _and((ind["init-hb"],
                                    _or(g for g, a in v.accesses[b] if overlap(init, a)))))
    if "alloc" in gens:
        addrs = allocated_addrs(lay.alloc)
        for b in range(1, n):
            add(0, b, _or(g for g, e in zip(guards[b], lay.slots[b].events(), strict=True)
                          if any(a.region is not None and a.region.addr in addrs
                                 for a in e.actions)))
    return base


# --- outcomes ---------------------------------------------------------------------------------


def _value(m: z3.ModelRef, x: Num) -> int:
    return m.eval(x, model_completion=True).as_long()


def _observed_bytes(enc: LitmusEncoding) -> list[list[Num]]:
    """Per observer load, the terms of the bytes it reads (little-endian)."""
    if not enc.layout.loads:
        return []
    data = enc.data
    return [[data.rb[slot][data.cell_keys.index(addr + i)] for i in range(width)]
            for slot, (addr, width) in zip(enc.layout.loads, enc.layout.cands.observe,
                                           strict=True)]


def decode_witness(enc: LitmusEncoding, m: z3.ModelRef, picks: Sequence[int]) -> Execution:
    """The execution (numbered as ``combine`` numbers it, with its tot) of a Z3 model."""
    lay = enc.layout
    events, spawn, where = assemble(lay, picks)
    rf = set()
    for v in enc.views:
        for r in where:
            for c in v.cells:
                if v.has_src[r][c] and z3.is_true(m.eval(v.read_cell(r, c),
                                                          model_completion=True)):
                    rf.add((where[_value(m, v.src[r][c])], where[r], v.region, v.cell_keys[c]))
    for slot, terms in zip(lay.loads, _observed_bytes(enc), strict=True):
        e = events[where[slot]]
        got = tuple(_value(m, t) for t in terms)
        events[where[slot]] = attrs.evolve(e, actions=(attrs.evolve(e.actions[0], read=got),))
    tot = tuple(where[i] for i in sorted(where, key=lambda i: _value(m, enc.clk[i])))
    return Execution(tuple(events), frozenset(rf), spawn, tot=tot)


@attrs.frozen
class SolverRun:
    """Every outcome Z3 found, each with one witness execution so that the explicit checker
    can re-check it."""

    outcomes: frozenset[Outcome]
    witnesses: tuple[tuple[Outcome, Execution], ...]
    seconds: float
    reports: tuple[str, ...]  # exploration bounds hit (as the explicit enumerator's)


def solve_outcomes(test: LitmusTest, model: Model,
                   bounds: X.Bounds = X.DEFAULT_BOUNDS) -> SolverRun:
    """Enumerate the outcomes of ``test`` under ``model``: solve, record the outcome, block it
    (the selected paths' finals and the observed bytes), until unsat."""
    start = time.perf_counter()
    cands = candidate_paths(test, bounds)
    enc = encode_litmus(model, cands)
    s = z3.SolverFor("QF_BV")
    s.set("random_seed", SEED)
    s.add(*enc.constraints)
    assumptions = [ind for _, ind in enc.indicators]
    observed = _observed_bytes(enc)
    found: dict[Outcome, Execution] = {}
    while s.check(*assumptions) == z3.sat:
        m = s.model()
        picks = [_value(m, c) for c in enc.choice]
        finals = tuple(cands.groups[g][j].final for g, j in enumerate(picks))
        got = [[_value(m, b) for b in terms] for terms in observed]
        obs = tuple((addr, width, int.from_bytes(bytes(bs), "little"))
                    for (addr, width), bs in zip(cands.observe, got, strict=True))
        found[(finals, obs)] = decode_witness(enc, m, picks)
        same_finals = [enc.selected(g, [j for j, p in enumerate(ps) if p.final == finals[g]])
                       for g, ps in enumerate(cands.groups)]
        same_bytes = [t == b for terms, bs in zip(observed, got, strict=True)
                      for t, b in zip(terms, bs, strict=True)]
        s.add(z3.Not(_and(same_finals + same_bytes)))
    return SolverRun(frozenset(found), tuple(found.items()), time.perf_counter() - start,
                     cands.reports)


def _model(model: str | Model) -> Model:
    return get_model(model) if isinstance(model, str) else model


def solver_outcomes(test: LitmusTest, model_name: str | Model = "wasm",
                    bounds: X.Bounds = X.DEFAULT_BOUNDS) -> frozenset[Outcome]:
    """The outcomes Z3 finds for ``test`` under the model (a name, or a ``Model`` such as a
    mutant)."""
    return solve_outcomes(test, _model(model_name), bounds).outcomes


@attrs.frozen
class ExplicitRun:
    outcomes: frozenset[Outcome]
    states: frozenset[State]  # the herd block's States
    seconds: float


def explicit_run(test: LitmusTest, model: str | Model = "wasm",
                 bounds: X.Bounds = X.DEFAULT_BOUNDS) -> ExplicitRun:
    """The explicit enumerator's outcomes: for a model name through ``herd.run_test`` (whose
    States the herd block prints), for a ``Model`` through ``enumerate_executions`` with the
    arguments ``run_test`` passes."""
    start = time.perf_counter()
    if isinstance(model, str):
        run = run_test(test, model, bounds)
        valid = run.enumeration.valid
        states = frozenset(run.result.states)
    else:
        seeds, cells = seeds_of(test)
        valid = X.enumerate_executions(test.program, model, observe=observe_of(test),
                                       observer=test.observer, seeds=seeds, cell_seeds=cells,
                                       bounds=bounds).valid
        states = frozenset(tuple((o, st[o]) for o in test.observables)
                           for st in (herd_state_of(test, v) for v in valid))
    outcomes = frozenset((tuple(p.final for p in v.paths), v.observed) for v in valid)
    return ExplicitRun(outcomes, states, time.perf_counter() - start)


def state_of(test: LitmusTest, outcome: Outcome) -> State:
    """The outcome restricted to the test's state line (as ``herd.state_of``)."""
    finals, observed = outcome
    seen = {(a, w): v for a, w, v in observed}
    out: list[tuple[Observable, int]] = []
    for o in test.observables:
        if isinstance(o, Mem):
            out.append((o, seen[(o.addr, o.width)]))
        elif isinstance(o, Trap):
            out.append((o, dict(finals[o.thread])["trap"]))
        elif isinstance(o, Reg):
            out.append((o, dict(finals[o.thread])[o.name]))
    return tuple(out)


# --- enumerator_eq_solver -------------------------------------------------------------------


class CorpusRow(NamedTuple):
    path: str
    equal: bool
    explicit_count: int  # distinct outcomes
    solver_count: int
    seconds: float  # the solver side: exploration, encoding, enumeration


@attrs.frozen
class Comparison:
    """Both sides on one test, for a precise diagnosis when they disagree."""

    row: CorpusRow
    explicit: ExplicitRun
    solver: SolverRun

    @property
    def explicit_only(self) -> frozenset[Outcome]:
        return self.explicit.outcomes - self.solver.outcomes

    @property
    def solver_only(self) -> frozenset[Outcome]:
        return self.solver.outcomes - self.explicit.outcomes


def compare(test: LitmusTest | str, model: str | Model = "wasm",
            bounds: X.Bounds = X.DEFAULT_BOUNDS) -> Comparison:
    """``enumerator_eq_solver`` on one test: equal when both sides find the same outcomes and
    the solver's outcomes print as the explicit run's States."""
    t = load_test(test) if isinstance(test, str) else test
    explicit = explicit_run(t, model, bounds)
    solved = solve_outcomes(t, _model(model), bounds)
    equal = (explicit.outcomes == solved.outcomes
             and frozenset(state_of(t, o) for o in solved.outcomes) == explicit.states)
    row = CorpusRow(test if isinstance(test, str) else t.file, equal, len(explicit.outcomes),
                    len(solved.outcomes), solved.seconds)
    return Comparison(row, explicit, solved)


def check_corpus(paths: Sequence[str], model: str | Model = "wasm",
                 bounds: X.Bounds = X.DEFAULT_BOUNDS) -> list[CorpusRow]:
    """``enumerator_eq_solver`` on each file: (path, equal, explicit_count, solver_count,
    seconds)."""
    return [compare(p, model, bounds).row for p in paths]


def corpus(root: str | Path | None = None) -> list[str]:
    """The golden litmus files under ``root`` (default ``tests/litmus``), sorted."""
    base = Path(root) if root is not None else Path(__file__).resolve().parents[1] / "tests"
    if root is None:
        base = base / "litmus"
    return sorted(str(p) for p in base.glob("**/*.litmus"))
