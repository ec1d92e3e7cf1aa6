"""The Z3 encoding enumerates a litmus test's outcomes (theorem ``enumerator_eq_solver``).

The explicit enumerator (``semantics.litmus.engine``) explores each thread into complete runs
(``ThreadPath``s, read values fixed in their events) and checks every combination of one path
per thread with ``model.consistent``. Here the same question is one SMT query:

- a bit-vector selector per thread (and per observer function) picks one of its paths, which
  fixes the event in every slot (``proofs.layout``);
- reads-from is symbolic, one region at a time (``proofs.regions``);
- hb is the least relation over the model's generators (po, spawn, sync, alloc) and the
  ``init-hb`` edges, closed exactly (Floyd-Warshall over Boolean terms); tot is clocks;
- every axiom of the model is encoded by name through ``proofs.encoding.ENCODERS``, once per
  region's ``RegionView``. So bounds checks (``len`` reads), ``memory.size`` and
  ``memory.grow`` (an rmw of ``len`` plus a Fill of the new bytes) are encoded like any other
  access.

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

from proofs.encoding import (
    ENCODERS,
    EdgeFn,
    EdgeSources,
    Encoding,
    happens_before,
    hb_switches,
    indicators,
)
from proofs.layout import Candidates, Layout, candidate_paths, layout, slot_assembly
from proofs.regions import RegionView, region_view
from proofs.symbolic import FALSE, TRUE, Matrix, Num, and_, bits, or_, ult
from semantics.litmus import engine as X
from semantics.litmus.format import LitmusTest
from semantics.litmus.loader import load_test
from semantics.litmus.result import Outcome, observe_of, outcome_of, seeds_of
from semantics.memory.events import (
    MEM_DATA,
    Execution,
    Ord,
    is_memory,
    overlap,
    writing,
)
from semantics.memory.hb import allocated
from semantics.memory.model import INIT_HB, Model
from semantics.memory.suspension import suspension_action

SEED = 0


class OutOfScope(ValueError):
    """A program the litmus encoding cannot represent; the message says what and why."""


# Paths per thread the comparison explores concretely (the corpus needs 256 at most:
# table/Tear64). Beyond them (control/Incr8: each of 8 plain reads offered 9 values, 9^8
# runs) both sides would compare the same cut exploration, slowly (a minute per 10,000
# paths), while ``weakwasm litmus`` answers such a test exactly in symbolic mode: the test is
# out of the comparison's scope.
SOLVER_PATHS = 500
_MAX_PATHS_CUT = X.cut_report("max_paths", "")


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
        return or_(self.choice[g] == j for j in paths)

    def axiom(self, name: str) -> z3.BoolRef:
        """The model's axiom ``name`` (``ENCODERS[name]``) over every region."""
        return and_(ENCODERS[name](Encoding(self.model, v, self.clk,  # type: ignore[arg-type]
                                            self.hb, self.indicators))
                    for v in self.views)


def encode_litmus(model: Model, cands: Candidates, prefix: str = "") -> LitmusEncoding:
    """The model's axioms over every combination of one candidate path per group."""
    inds = indicators(model, prefix)
    switches = hb_switches(model, inds)
    lay = layout(cands)
    for s in lay.slots[1:]:
        for e in s.events():
            if allocated(e):
                raise OutOfScope(f"event {e!r} allocates memory: the hb edges of init-hb and "
                                 "alloc are encoded for one allocation, event #0")
            if suspension_action(e) is not None:
                raise OutOfScope(f"event {e!r} waits or notifies: the wait queues' order "
                                 "(the witness of suspensions-consistent) is not encoded")
    choice = tuple(z3.BitVec(f"{prefix}path{g}", bits(max(1, len(ps))))
                   for g, ps in enumerate(cands.groups))
    guards = [[TRUE] if s.fixed is not None else [choice[a.group] == a.path for a in s.alts]
              for s in lay.slots]
    present = tuple(or_(gs) for gs in guards)
    regions = sorted({a.region for s in lay.slots for e in s.events() for a in e.actions
                      if a.region is not None and is_memory(a)})
    views = tuple(region_view(lay, r, guards, prefix) for r in regions)
    hb = happens_before(len(lay.slots), slot_edges(lay, choice, guards, present, views),
                        switches, model.hb_transitive)
    clk = tuple(z3.BitVec(f"{prefix}clk{i}", bits(len(lay.slots))) for i in range(len(lay.slots)))
    enc = LitmusEncoding(model, lay, choice, present, views, clk, hb, inds)
    constraints = [ult(c, len(ps)) if ps else FALSE
                   for c, ps in zip(choice, cands.groups, strict=True)]
    for v in views:
        constraints += v.well_formed()
    constraints += [z3.Implies(ind, enc.axiom(name)) for name, ind in inds]
    constraints += _await_order(lay, choice, guards, clk)
    return attrs.evolve(enc, constraints=tuple(constraints))


def _await_order(lay: Layout, choice: Sequence[Num], guards: Sequence[Sequence[z3.BoolRef]],
                 clk: Sequence[Num]) -> list[z3.BoolRef]:
    """``engine.await_order`` over the slots: a selected blocked path's failed iteration
    follows every write in tot."""
    out = []
    for g, ps in enumerate(lay.cands.groups):
        mine = lay.group_slots(g)
        for j, p in enumerate(ps):
            if p.spin is None:
                continue
            for r in mine[p.spin:len(p.events)]:
                for w, s in enumerate(lay.slots):
                    for gd, e in zip(guards[w], s.events(), strict=True):
                        if w != r and any(a.region is not None and is_memory(a) and writing(a)
                                          for a in e.actions):
                            out.append(z3.Implies(and_((choice[g] == j, gd)),
                                                  ult(clk[w], clk[r])))
    return out


Edge = Callable[[int, int], z3.BoolRef | None]


def slot_edges(lay: Layout, choice: Sequence[Num], guards: Sequence[Sequence[z3.BoolRef]],
               present: Sequence[z3.BoolRef], views: Sequence[RegionView]) -> EdgeSources:
    """hb's sources over the slots, as ``semantics.memory.hb`` defines them on the execution
    ``engine.assemble`` makes of the selected paths (po; spawn around each thread and the
    observer; sync; alloc), and the init-hb edges."""
    slots = lay.slots
    loads = set(lay.loads)
    obs_slots = lay.group_slots(lay.obs_group) if lay.obs_group is not None else []
    thread_firsts = {ids[0] for ids in map(lay.group_slots, range(lay.n_threads)) if ids}
    # the observer starts at its function's first event, or else at its first load
    obs_firsts: dict[int, z3.BoolRef] = {}
    if obs_slots:
        obs_firsts[obs_slots[0]] = present[obs_slots[0]]
    if lay.loads:
        obs_firsts[lay.loads[0]] = z3.Not(present[obs_slots[0]]) if obs_slots else TRUE
    alloc_addrs = allocated(lay.alloc)

    def po(a: int, b: int) -> z3.BoolRef | None:
        g = slots[a].group
        if g is not None and g == slots[b].group and a < b:
            return present[b]
        if b in loads:
            if a in loads and a < b:
                return TRUE
            if a in obs_slots:
                return present[a]
        return None

    def spawn(a: int, b: int) -> z3.BoolRef | None:
        if a == 0 and b in thread_firsts:
            return present[b]
        if b not in obs_firsts:
            return None
        if a == 0:
            return obs_firsts[b]
        g = slots[a].group
        if g is None or g >= lay.n_threads:
            return None
        ends = or_(choice[g] == j for j, p in enumerate(lay.cands.groups[g])
                   if len(p.events) == slots[a].index + 1)
        return and_((ends, obs_firsts[b]))

    def sync(a: int, b: int) -> z3.BoolRef | None:
        return or_(and_((v.sync(a, b), v.reads_from(a, b))) for v in views)

    def init(a: int, b: int) -> z3.BoolRef | None:
        if a != 0:
            return None
        return or_(g for v in views for act in lay.alloc.actions
                   if act.ord is Ord.INIT and act.region == v.region
                   for g, x in v.accesses[b] if overlap(act, x))

    def alloc(a: int, b: int) -> z3.BoolRef | None:
        if a != 0:
            return None
        return or_(g for g, e in zip(guards[b], slots[b].events(), strict=True)
                   if any(x.region is not None and x.region.addr in alloc_addrs
                          for x in e.actions))

    def switched(edge: Edge) -> EdgeFn:
        def on_edge(on: z3.BoolRef, a: int, b: int) -> z3.BoolRef | None:
            g = None if z3.is_false(on) else edge(a, b)
            return None if g is None or z3.is_false(g) else and_((on, g))
        return on_edge

    return {INIT_HB.name: switched(init), "po": switched(po), "spawn": switched(spawn),
            "sync": switched(sync), "alloc": switched(alloc)}


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
    """The execution (numbered as ``engine.assemble`` numbers it, with its tot) of a Z3
    model."""
    lay = enc.layout
    asm, where = slot_assembly(lay, picks)
    events = list(asm.events)
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
    return Execution(tuple(events), frozenset(rf), asm.spawn, tot=tot)


@attrs.frozen
class SolverRun:
    """Every outcome Z3 found, each with one witness execution so that the explicit checker
    can re-check it."""

    outcomes: frozenset[Outcome]
    witnesses: tuple[tuple[Outcome, Execution], ...]
    seconds: float
    reports: tuple[str, ...]  # exploration bounds hit (as the explicit enumerator's)


def solve_outcomes(test: LitmusTest, model: Model, bounds: X.Bounds = X.DEFAULT_BOUNDS,
                   cands: Candidates | None = None) -> SolverRun:
    """Enumerate the outcomes of ``test`` under ``model``: solve, record the outcome, block it
    (the selected paths' finals and the observed bytes), until unsat. ``cands``:
    ``candidate_paths(test, bounds)``, when the caller has them."""
    start = time.perf_counter()
    if cands is None:
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
        s.add(z3.Not(and_(same_finals + same_bytes)))
    return SolverRun(frozenset(found), tuple(found.items()), time.perf_counter() - start,
                     cands.reports)


def solver_outcomes(test: LitmusTest, model: Model,
                    bounds: X.Bounds = X.DEFAULT_BOUNDS) -> frozenset[Outcome]:
    """The outcomes Z3 finds for ``test`` under the model (a variant or a mutant)."""
    return solve_outcomes(test, model, bounds).outcomes


@attrs.frozen
class ExplicitRun:
    outcomes: frozenset[Outcome]
    seconds: float


def explicit_run(test: LitmusTest, model: Model,
                 bounds: X.Bounds = X.DEFAULT_BOUNDS) -> ExplicitRun:
    """The explicit enumerator's outcomes, through ``enumerate_executions`` with the arguments
    ``herd.run_test`` passes."""
    start = time.perf_counter()
    seeds, cells = seeds_of(test)
    valid = X.enumerate_executions(test.program, model, observe=observe_of(test),
                                   observer=test.observer, seeds=seeds, cell_seeds=cells,
                                   bounds=bounds).valid
    return ExplicitRun(frozenset(outcome_of(v) for v in valid), time.perf_counter() - start)


# --- enumerator_eq_solver -------------------------------------------------------------------


class CorpusRow(NamedTuple):
    path: str
    equal: bool
    explicit_count: int  # distinct outcomes
    solver_count: int
    seconds: float  # the solver side: encoding and enumeration


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


def compare(test: LitmusTest | str, model: Model,
            bounds: X.Bounds = X.DEFAULT_BOUNDS) -> Comparison:
    """``enumerator_eq_solver`` on one test: equal when both sides find the same outcomes (so
    the same herd States, ``result.state_of``)."""
    t = load_test(test) if isinstance(test, str) else test
    bounds = attrs.evolve(bounds, max_paths=min(bounds.max_paths, SOLVER_PATHS))
    cands = candidate_paths(t, bounds)
    capped = [r for r in cands.reports if r.endswith(_MAX_PATHS_CUT)]
    if capped:
        raise OutOfScope(f"{capped[0]}: the encoding selects among concrete thread paths, and "
                         f"the enumerator decides this test's reads symbolically")
    explicit = explicit_run(t, model, bounds)
    solved = solve_outcomes(t, model, bounds, cands)
    equal = explicit.outcomes == solved.outcomes
    row = CorpusRow(test if isinstance(test, str) else t.file, equal, len(explicit.outcomes),
                    len(solved.outcomes), solved.seconds)
    return Comparison(row, explicit, solved)


def check_corpus(paths: Sequence[str], model: Model,
                 bounds: X.Bounds = X.DEFAULT_BOUNDS) -> list[CorpusRow]:
    """``enumerator_eq_solver`` on each file the encoding can represent (the others, which
    raise ``OutOfScope``, have no row): (path, equal, explicit_count, solver_count, seconds)."""
    rows = []
    for p in paths:
        try:
            rows.append(compare(p, model, bounds).row)
        except OutOfScope:
            continue
    return rows



def corpus(root: str | Path) -> list[str]:
    """The golden litmus files under ``root``, sorted."""
    return sorted(str(p) for p in Path(root).glob("**/*.litmus"))
