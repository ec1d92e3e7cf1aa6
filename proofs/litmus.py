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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import attrs
import z3

from proofs.encoding import ENCODERS, GENERATORS, Encoding, Matrix, UnknownAxiom
from proofs.layout import Candidates, Layout, assemble, candidate_paths, layout, observe_of
from proofs.regions import FALSE, TRUE, RegionView, and_, or_, region_view
from proofs.symbolic import Num, bits, ult
from semantics.litmus import engine as X
from semantics.litmus.condition import Mem, Observable, Reg, Trap
from semantics.litmus.format import LitmusTest
from semantics.litmus.loader import load_test
from semantics.litmus.result import run_test, seeds_of
from semantics.litmus.result import state_of as herd_state_of
from semantics.memory.events import LEN, MEM_DATA, Event, Execution, Kind, Ord, is_memory, overlap
from semantics.memory.model import Model, get_model

Final = tuple[tuple[str, int], ...]
Observed = tuple[tuple[int, int, int], ...]
Outcome = tuple[tuple[Final, ...], Observed]
"""The selected paths' ``final`` values (threads in order, then the observer function's path,
if any) and the observer's loads as (addr, width, value), in ``observe`` order: what
``ValidExecution.paths`` and ``ValidExecution.observed`` say of a valid execution."""
State = tuple[tuple[Observable, int], ...]

SEED = 0


class OutOfScope(ValueError):
    """A program the litmus encoding cannot represent; the message says what and why."""


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
    present = tuple(or_(gs) for gs in guards)
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
            hb = [[or_((hb[a][b], and_((hb[a][k], hb[k][b])))) for b in range(n)]
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
    """hb's generating edges a -> b as ``semantics.memory.hb`` and ``combine`` define them (po, the
    spawn edges around each thread and the observer, sync, alloc) plus init-hb's edges."""
    n = len(lay.slots)
    base = [[FALSE] * n for _ in range(n)]

    def add(a: int, b: int, guard: z3.BoolRef) -> None:
        if a != b:
            base[a][b] = or_((base[a][b], guard))

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
                ends = or_(choice[g] == j for j, p in enumerate(lay.cands.groups[g])
                           if len(p.events) == k + 1)
                for b, gb in firsts:
                    add(a, b, and_((ends, gb)))
        for b, gb in firsts:
            add(0, b, gb)
    if "sync" in gens:
        for v in views:
            for a in range(n):
                for b in range(n):
                    if a != b:
                        add(a, b, and_((v.sync(a, b), v.reads_from(a, b))))
    if "init-hb" in ind:
        for v in views:
            for init in (a for a in lay.alloc.actions
                         if a.ord is Ord.INIT and a.region == v.region):
                for b in range(1, n):
                    add(0, b, and_((ind["init-hb"],
                                    or_(g for g, a in v.accesses[b] if overlap(init, a)))))
    if "alloc" in gens:
        addrs = allocated_addrs(lay.alloc)
        for b in range(1, n):
            add(0, b, or_(g for g, e in zip(guards[b], lay.slots[b].events(), strict=True)
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
        s.add(z3.Not(and_(same_finals + same_bytes)))
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
        run = run_test(test, _model(model), bounds)
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


def corpus(root: str | Path) -> list[str]:
    """The golden litmus files under ``root``, sorted."""
    return sorted(str(p) for p in Path(root).glob("**/*.litmus"))
