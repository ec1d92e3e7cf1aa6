"""Bounded proof obligations: one query per metatheorem, decided by Z3 up to N events.

- ``sc_drf``: is there a valid execution with no data race that is not is-seqcst (with respect
  to its tot)? unsat = proved up to N events; sat = a decoded counterexample.
- ``sc_drf_free_hb``: the same with hb any order containing po and sync within tot ([P]
  Prop 6.1's traces), the solver choosing it; unsat = proved for every such hb.
- ``wasm_eq_js``: is there an execution (events and reads-from) valid under Wasm without (†)(‡)
  for some tot and under es2017 for none, or vice versa? The "for none" is a universal over tot,
  decided by counterexample-guided refinement: each tot that the other model accepts for a
  candidate becomes a clause excluding every candidate that it makes valid.

Values: the only axiom that reads bytes is value-consistent, and mapping every byte to 0 keeps
every read byte equal to its writer's, so validity, races and is-seqcst (read through rf) are
unchanged: one value (0) is as complete as any domain, and counterexamples are relabelled
afterwards so that a read's value names its writer (``concrete.relabel``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence

import attrs
import z3

from proofs.concrete import decode, pin, relabel
from proofs.encoding import Encoding, encode, free_hb
from proofs.space import WAITS_CELLS, Space
from proofs.symbolic import SymExec, bits, fresh
from semantics.memory.events import Execution
from semantics.memory.model import ES2017, WASM, Model

THEOREMS = ("sc_drf", "sc_drf_free_hb", "wasm_eq_js")
STATUSES = ("proved", "counterexample", "unknown")
SEED = 0


HB_SCOPE = {
    "sc_drf": "hb the least order containing po and sync",
    "sc_drf_free_hb": "hb any order containing po and sync, within tot",
}
"""Per obligation, the hb it reads (part of its scope; wasm_eq_js reads the least one
inside the models' validity, which the space's description already implies)."""


@attrs.frozen
class ProofResult:
    """The outcome of one bounded obligation. ``core`` names the axioms in Z3's unsat core of
    a proof (not minimised); ``execution`` is the decoded counterexample, with its tot."""

    theorem: str
    model: str
    bound: int
    status: str
    seconds: float
    z3_version: str
    execution: Execution | None = None
    core: tuple[str, ...] = ()
    detail: str = ""
    space: Space | None = None
    cumulative: bool = False  # True: the status covers every bound 1 .. ``bound``
    case: int = 0  # sc_drf_part: the case it stopped at (the number of cases if none)
    cases: int = 0  # sc_drf: the number of cases of the bound
    hb_added: tuple[str, ...] = ()  # sc_drf_free_hb: edges "#a->#b" beyond the least hb

    @property
    def scope(self) -> str:
        """What the result quantifies over: the space, and which hb (``HB_SCOPE``)."""
        over = self.space.describe() if self.space is not None else "no space"
        hb = HB_SCOPE.get(self.theorem)
        return f"{over}; {hb}" if hb else over

    def summary(self) -> str:
        upto = "up to" if self.cumulative else "at"
        what = {"proved": f"proved {upto} {self.bound} events",
                "counterexample": f"counterexample with {self.bound} events",
                "unknown": f"unknown at {self.bound} events"}[self.status]
        return (f"{self.theorem} [{self.model}]: {what} ({self.seconds:.2f} s, "
                f"z3 {self.z3_version})")


@attrs.frozen
class BoundedProof:
    """``prove_up_to``: one result per bound tried, smallest first."""

    theorem: str
    model: str
    results: tuple[ProofResult, ...]

    @property
    def largest_proved(self) -> int:
        """All bounds up to this one are proved (0 if none)."""
        n = 0
        for r in self.results:
            if r.status != "proved":
                break
            n = r.bound
        return n

    @property
    def counterexample(self) -> ProofResult | None:
        return next((r for r in self.results if r.status == "counterexample"), None)

    def scope_line(self) -> str:
        """What the run established, and over which scope: never more than the bound."""
        last = self.results[-1] if self.results else None
        if last is None:
            return f"{self.theorem} [{self.model}]: nothing decided (out of time)"
        what = f"proved up to {self.largest_proved} events"
        if last.status == "counterexample":
            what = f"counterexample with {last.bound} events (" + what + ")"
        elif last.status == "unknown":
            what += f", unknown at {last.bound}"
        return f"{self.theorem} [{self.model}]: {what} over: {last.scope}"


class UnknownTheorem(ValueError):
    pass


def solver(timeout_s: float | None = None, rlimit: int | None = None) -> z3.Solver:
    """A bit-vector solver with fixed seeds; ``rlimit`` is a deterministic resource limit,
    ``timeout_s`` a wall-clock one."""
    s = z3.SolverFor("QF_BV")
    s.set("random_seed", SEED)
    if timeout_s is not None:
        s.set("timeout", max(1, int(timeout_s * 1000)))
    if rlimit is not None:
        s.set("rlimit", rlimit)
    return s


def _core_names(enc: Encoding, core: Sequence[z3.BoolRef]) -> tuple[str, ...]:
    got = {str(c) for c in core}
    return tuple(name for name, ind in enc.indicators if str(ind) in got)


Progress = Callable[[int, int], object]
"""``progress(done, total)``: cases of one bound decided so far."""


def sc_drf(model: Model, bound: int, *, space: Space | None = None,
           timeout_s: float | None = None, rlimit: int | None = None,
           progress: Progress | None = None, parts: int = 1, core: bool = False
           ) -> ProofResult:
    """∃ valid, race-free, not is-seqcst execution of ``bound`` events? (see module doc)

    The negated conclusion is split by its witness (``Encoding.not_seqcst_cases``: the read,
    the cell, its writer, the write in between), and each case is one query on the same solver
    (push/pop). The cases' disjunction is the whole negation, so unsat for every case is unsat
    for the obligation. Each case is small for the SAT solver, where the single disjunction is
    not: 6 events take seconds split and over ten minutes whole (docs/proofs.md). When the
    space and the model's tear-freedom are invariant under reversing the cells, the violating
    cell is sought in the lower half only (``Space.violating_cells``). ``rlimit`` applies to
    each case, ``timeout_s`` to the whole bound. The cases are decided in ``parts``
    consecutive blocks (``sc_drf_part``, one after the other here; ``metatheory.tasks`` runs them on
    several workers), merged by ``merge_parts``: the result is the same for any ``parts``.
    ``core``: name the axioms the proof used (``ProofResult.core``), at a cost (see
    ``sc_drf_part``)."""
    deadline = None if timeout_s is None else time.perf_counter() + timeout_s
    return merge_parts([sc_drf_part(
        model, bound, part, parts, space=space, rlimit=rlimit, progress=progress, core=core,
        timeout_s=None if deadline is None else max(0.0, deadline - time.perf_counter()))
        for part in range(parts)])


def sc_drf_part(model: Model, bound: int, part: int = 0, parts: int = 1, *,
                space: Space | None = None, timeout_s: float | None = None,
                rlimit: int | None = None, progress: Progress | None = None,
                core: bool = False) -> ProofResult:
    """The ``part``-th of ``parts`` consecutive blocks of ``sc_drf``'s cases, in order, up to
    the first that is not unsat. Consecutive cases share their read and cell, so that what the
    solver learns from one serves the next: two strided parts took 13% more work than two
    blocks, and were less even (docs/proofs.md). ``ProofResult.case`` is that case's index
    among all the cases (or their number when every case of the part is unsat), ``cases``
    their number; a counterexample is the least model of its case (``lexmin``), so that it
    does not depend on what the solver or the process decided before. With ``core``, the
    axioms are guarded by their indicators and the cases solved under them as assumptions, so
    that a proof's unsat core names its axioms; without, the axioms are plain assertions,
    which Z3 simplifies before the search: at 7 events the cases took 18 s instead of 30."""
    sp = space or Space(bound, values=1)
    start = time.perf_counter()
    deadline = None if timeout_s is None else start + timeout_s
    sym = fresh(sp)
    enc = encode(model, sym, guarded=core)
    assume = enc.assumptions() if core else []
    s = solver(timeout_s, rlimit)
    s.add(sym.well_formed())
    s.add(enc.axioms())
    s.add(z3.Not(enc.data_race()))
    cases = list(enc.not_seqcst_cases(sp.violating_cells(model.tearfree)))
    base = dict(theorem="sc_drf", model=model.name, bound=sp.events,
                z3_version=z3.get_version_string(), space=sp, cases=len(cases))
    used: set[str] = set()
    mine = range(part * len(cases) // parts, (part + 1) * len(cases) // parts)
    for done, index in enumerate(mine):
        case = cases[index]
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                return ProofResult(status="unknown", detail="out of time", case=index,
                                   seconds=time.perf_counter() - start, **base)
            s.set("timeout", max(1, int(left * 1000)))
        s.push()
        s.add(case.formula)
        verdict = s.check(*assume)
        if verdict == z3.sat:
            m = lexmin(s, assume, _terms(sym, enc.clk))
            ex = relabel(decode(m, sym, enc.clk))
            return ProofResult(status="counterexample", execution=ex, case=index,
                               seconds=time.perf_counter() - start,
                               detail=f"valid, race-free, not is-seqcst: {case.describe()}",
                               **base)
        if verdict != z3.unsat:
            return ProofResult(status="unknown", detail=s.reason_unknown(), case=index,
                               seconds=time.perf_counter() - start, **base)
        if core:
            used.update(_core_names(enc, s.unsat_core()))
        s.pop()
        if progress is not None:
            progress(done + 1, len(mine))
    names = tuple(name for name, _ in enc.indicators if name in used)
    return ProofResult(status="proved", core=names, seconds=time.perf_counter() - start,
                       detail=f"{len(cases)} cases", case=len(cases), **base)


def merge_parts(results: Sequence[ProofResult]) -> ProofResult:
    """One bound's result from its parts (``sc_drf_part``), in order, all of them or up to the
    first that is not proved: that one decides, as if the cases had been decided in order; a
    proof's core is the union of the parts' cores. ``seconds`` is the parts' total (CPU-like)
    time."""
    first = next((r for r in results if r.status != "proved"), results[0])
    seconds = sum(r.seconds for r in results)
    if first.status != "proved":
        return attrs.evolve(first, seconds=seconds)
    core = {name for r in results for name in r.core}
    order = [name for r in results for name in r.core]
    return attrs.evolve(first, seconds=seconds,
                        core=tuple(sorted(core, key=order.index)))


def _terms(sym: SymExec, clk: Sequence[z3.BitVecRef] | None) -> list[z3.ExprRef]:
    """What ``decode`` reads of a model, in the order ``lexmin`` minimises it."""
    out: list[z3.ExprRef] = []
    for i in range(1, sym.space.size):
        out += [sym.thread[i], sym.kind[i], z3.If(sym.sc[i], z3.BitVecVal(1, 1),
                                                   z3.BitVecVal(0, 1)),
                sym.off[i], sym.width[i], *sym.src[i], *sym.rb[i], *sym.wb[i]]
        if sym.space.length:
            out += [sym.lrb[i], sym.lwb[i], sym.lsrc[i]]
        if sym.space.waits:
            out += [sym.nwoken[i], sym.ncount[i], sym.qclk[i]]
    if sym.space.length:
        out += [z3.If(sym.spawn[a][b], z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))
                for a in sym.ids for b in sym.ids if 0 < a < b]
    return out + list(clk or ())


def lexmin(s: z3.Solver, assumptions: Sequence[z3.BoolRef],
           terms: Sequence[z3.ExprRef]) -> z3.ModelRef:
    """The lexicographically least model of ``s`` (satisfiable) over ``terms`` (unsigned):
    it depends on the constraints only, not on the solver's history. Adds the equalities it
    fixes to ``s``: call it inside a push."""
    s.check(*assumptions)
    m = s.model()
    for t in terms:
        v = m.eval(t, model_completion=True)
        while True:
            s.push()
            s.add(z3.ULT(t, v))  # type: ignore[arg-type]
            if s.check(*assumptions) != z3.sat:
                s.pop()
                break
            m = s.model()
            s.pop()
            v = m.eval(t, model_completion=True)
        s.add(t == v)
    s.check(*assumptions)
    return s.model()


def sc_drf_free_hb(model: Model, bound: int, *, space: Space | None = None,
                   timeout_s: float | None = None, rlimit: int | None = None,
                   progress: Progress | None = None, core: bool = False) -> ProofResult:
    """∃ valid, race-free, not is-seqcst execution of ``bound`` events *for some hb*, hb being
    any strict order that contains the least hb (po, sync, the allocation's edges) and lies
    within tot (``encoding.free_hb``), as [P] Prop 6.1 quantifies over traces? The axioms and
    the race are read through that hb; the hb is a free choice of the solver, so this is the
    stronger obligation (a bigger hb has fewer races, and it also changes what the axioms
    forbid). Split into cases as ``sc_drf`` is, with its ``core``; a counterexample's detail
    lists the hb edges the solver added to the least hb (the decoded execution has no place
    for them)."""
    sp = space or Space(bound, values=1)
    start = time.perf_counter()
    deadline = None if timeout_s is None else start + timeout_s
    sym = fresh(sp)
    least = encode(model, sym, guarded=core)
    enc, order = free_hb(least)
    assume = enc.assumptions() if core else []
    s = solver(timeout_s, rlimit)
    s.add(sym.well_formed())
    s.add(order)
    s.add(enc.axioms())
    s.add(z3.Not(enc.data_race()))
    cases = list(enc.not_seqcst_cases(sp.violating_cells(model.tearfree)))
    base = dict(theorem="sc_drf_free_hb", model=model.name, bound=sp.events,
                z3_version=z3.get_version_string(), space=sp)
    used: set[str] = set()
    for done, case in enumerate(cases):
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                return ProofResult(status="unknown", detail="out of time",
                                   seconds=time.perf_counter() - start, **base)
            s.set("timeout", max(1, int(left * 1000)))
        s.push()
        s.add(case.formula)
        verdict = s.check(*assume)
        if verdict == z3.sat:
            # the least model, the free hb's edges last: the same wherever it ran
            bits = [z3.If(enc.hb[a][b], z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))
                    for a in sym.ids for b in sym.ids]
            m = lexmin(s, assume, [*_terms(sym, enc.clk), *bits])
            ex = relabel(decode(m, sym, enc.clk))
            added = [f"#{a}->#{b}" for a in sym.ids for b in sym.ids
                     if z3.is_true(m.eval(enc.hb[a][b], model_completion=True))
                     and not z3.is_true(m.eval(least.hb[a][b], model_completion=True))]
            return ProofResult(status="counterexample", execution=ex,
                               seconds=time.perf_counter() - start,
                               detail=f"valid, race-free, not is-seqcst: {case.describe()}; "
                                      f"hb = the least hb plus "
                                      f"{', '.join(added) if added else 'nothing'}",
                               hb_added=tuple(added), **base)
        if verdict != z3.unsat:
            return ProofResult(status="unknown", detail=s.reason_unknown(),
                               seconds=time.perf_counter() - start, **base)
        if core:
            used.update(_core_names(enc, s.unsat_core()))
        s.pop()
        if progress is not None:
            progress(done + 1, len(cases))
    names = tuple(name for name, _ in enc.indicators if name in used)
    return ProofResult(status="proved", core=names, seconds=time.perf_counter() - start,
                       detail=f"{len(cases)} cases", **base)


def _valid(m: Model, sym: SymExec, clk: Sequence[z3.BitVecRef] | None = None,
           prefix: str = "") -> tuple[Encoding, z3.BoolRef]:
    """Every axiom of ``m``, unguarded: safe to negate."""
    enc = encode(m, sym, clk, prefix, guarded=False)
    return enc, z3.And(enc.axioms())


Restriction = Callable[[SymExec], z3.BoolRef]


def no_seqcst_init_reads(sym: SymExec) -> z3.BoolRef:
    """No seqcst read takes all its bytes from the allocation: leaves out what ES2017's
    "synchronizes-with from Init" clause alone separates (see docs/proofs.md)."""
    return z3.And([z3.Not(z3.And(sym.reading(r), sym.seqcst(r),
                                 *[z3.Implies(sym.covers(r, c), sym.src[r][c] == 0)
                                   for c in sym.cells]))
                   for r in range(1, sym.space.size)])


def separate(accepts: Model, rejects: Model, space: Space,
             deadline: float | None = None, rlimit: int | None = None,
             restrict: Restriction | None = None) -> tuple[str, Execution | None, int]:
    """An execution that ``accepts`` allows for some tot and ``rejects`` for none, by
    counterexample-guided refinement over ``rejects``' tots: the least one (``lexmin``), so
    that it does not depend on the solver's history. Returns (status, execution, refinement
    rounds)."""
    sym = fresh(space, "c_")
    enc, ok = _valid(accepts, sym, prefix="a_")
    outer = solver(rlimit=rlimit)
    outer.add(sym.well_formed())
    outer.add(ok)
    if restrict is not None:
        outer.add(restrict(sym))
    rounds = 0
    least = False  # once a counterexample is seen, candidates are least models (``lexmin``)
    while True:
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            return "unknown", None, rounds
        if left is not None:
            outer.set("timeout", max(1, int(left * 1000)))
        verdict = outer.check()
        if verdict == z3.unsat:
            return "proved", None, rounds
        if verdict != z3.sat:
            return "unknown", None, rounds
        if least:
            outer.push()
            cand = decode(lexmin(outer, (), _terms(sym, enc.clk)), sym, enc.clk)
            outer.pop()
        else:
            cand = decode(outer.model(), sym, enc.clk)
        inner_sym = fresh(space, f"i{rounds}_")
        inner_enc, inner_ok = _valid(rejects, inner_sym, prefix=f"i{rounds}_")
        inner = solver(None if left is None else max(left, 0.001), rlimit)
        inner.add(inner_sym.well_formed())
        inner.add(pin(inner_sym, cand))
        inner.add(inner_ok)
        iv = inner.check()
        if iv == z3.unsat and least:
            return "counterexample", cand, rounds
        if iv == z3.unsat:
            # The refinement clauses only exclude candidates that ``rejects`` allows, so the
            # least remaining candidate that is a counterexample is the least counterexample:
            # the same whatever tots the solvers chose on the way.
            least = True
            continue
        if iv != z3.sat:
            return "unknown", None, rounds
        tot = decode(inner.model(), inner_sym, inner_enc.clk).tot or ()
        width = bits(space.size)
        clk = [z3.BitVecVal(0, width)] * space.size
        for pos, e in enumerate(tot):
            clk[e] = z3.BitVecVal(pos, width)
        _, works = _valid(rejects, sym, clk, prefix=f"b{rounds}_")
        outer.add(z3.Not(works))
        rounds += 1


def wasm_eq_js(bound: int, *, wasm: Model = WASM, js: Model = ES2017,
               space: Space | None = None, timeout_s: float | None = None,
               rlimit: int | None = None, restrict: Restriction | None = None
               ) -> ProofResult:
    """Do Wasm without (†)(‡) and es2017 allow the same executions of ``bound`` events
    (among those ``restrict`` admits)?"""
    names = tuple(a.name for a in wasm.axioms)
    drop = ("sc-last-visible-dagger", "sc-last-visible-ddagger")
    w = attrs.evolve(wasm, name=f"{wasm.name}-without-dagger-ddagger",
                     axioms=tuple(a for a in wasm.axioms if a.name not in drop)) \
        if any(n in drop for n in names) else wasm
    sp = space or Space(bound, values=1)
    start = time.perf_counter()
    deadline = None if timeout_s is None else start + timeout_s
    label = f"{w.name} vs {js.name}"
    base = dict(theorem="wasm_eq_js", model=label, bound=sp.events,
                z3_version=z3.get_version_string(), space=sp)
    total_rounds = 0
    unknown = False
    for acc, rej in ((w, js), (js, w)):
        status, ex, rounds = separate(acc, rej, sp, deadline, rlimit, restrict)
        total_rounds += rounds
        if status == "counterexample" and ex is not None:
            return ProofResult(status="counterexample", execution=relabel(ex),
                               seconds=time.perf_counter() - start,
                               detail=f"valid under {acc.name} (with this tot), "
                                      f"invalid under {rej.name} for every tot; "
                                      f"{total_rounds} refinement rounds", **base)
        unknown = unknown or status == "unknown"
    return ProofResult(status="unknown" if unknown else "proved",
                       seconds=time.perf_counter() - start,
                       detail=f"{total_rounds} refinement rounds", **base)


def prove_exactly(theorem: str, model: Model, bound: int,
                  timeout_s: float | None = None, *, rlimit: int | None = None,
                  space: Space | None = None, progress: Progress | None = None,
                  core: bool = False) -> ProofResult:
    """Decide one obligation over executions of exactly ``bound`` events (plus #0);
    ``progress`` hears of ``sc_drf``'s cases, ``core`` asks for the unsat core of its
    proofs (``sc_drf_part``)."""
    if theorem == "sc_drf":
        return sc_drf(model, bound, space=space, timeout_s=timeout_s, rlimit=rlimit,
                      progress=progress, core=core)
    if theorem == "sc_drf_free_hb":
        return sc_drf_free_hb(model, bound, space=space, timeout_s=timeout_s, rlimit=rlimit,
                              progress=progress, core=core)
    if theorem == "wasm_eq_js":
        if space is not None and (space.length or space.waits):
            raise ValueError("wasm_eq_js is decided over the data space only (its refinement "
                             "pins executions, docs/proofs.md): drop --length and --waits")
        return wasm_eq_js(bound, wasm=model, space=space, timeout_s=timeout_s, rlimit=rlimit)
    raise UnknownTheorem(f"no bounded obligation for theorem {theorem!r}; "
                         f"known: {', '.join(THEOREMS)}")


def prove(theorem: str, model: Model, bound: int,
          timeout_s: float | None = None, *, rlimit: int | None = None,
          on_result: Callable[[ProofResult], object] | None = None,
          length: bool = False) -> ProofResult:
    """Decide an obligation for every execution of 1 .. ``bound`` events: 'proved' (``bound``
    is the bound), 'counterexample' (``bound`` is its size, the smallest) or 'unknown' (at
    ``bound``). For ``wasm_eq_js``, ``model`` is the Wasm variant whose (†)(‡) are
    dropped; it is compared with es2017. ``timeout_s`` is the total wall-clock budget,
    ``rlimit`` Z3's deterministic resource limit per query; ``on_result`` hears of each
    bound; ``length`` proves it over the length space (``Space.length``)."""
    if theorem not in THEOREMS:
        raise UnknownTheorem(f"no bounded obligation for theorem {theorem!r}; "
                             f"known: {', '.join(THEOREMS)}")
    run = prove_up_to(theorem, model, bound, timeout_s, rlimit=rlimit, on_result=on_result,
                      length=length)
    last = run.results[-1] if run.results else None
    seconds = sum(r.seconds for r in run.results)
    if last is None or (last.status == "proved" and last.bound < bound):
        return ProofResult(theorem, run.model, bound, "unknown", seconds,
                           z3.get_version_string(), detail="out of time")
    return attrs.evolve(last, seconds=seconds, cumulative=True)


def space_shape(cells: int | None = None, widths: tuple[int, ...] | None = None,
                length: bool = False, waits: int = 0) -> dict[str, object]:
    """The fields of ``Space`` that differ from its defaults (``weakwasm prove`` options).
    The waits space has ``WAITS_CELLS`` cells unless told: one data byte beyond the wait's 4,
    which an unord access can touch without racing with the wait's seqcst read."""
    shape: dict[str, object] = {k: v for k, v in (("cells", cells), ("widths", widths))
                                if v is not None}
    if waits:
        shape = {"cells": WAITS_CELLS, **shape, "waits": waits}
    return {**shape, "length": True} if length else shape


def prove_up_to(theorem: str, model: Model, max_bound: int,
                timeout_s: float | None = None, *, rlimit: int | None = None,
                min_bound: int = 1,
                on_result: Callable[[ProofResult], object] | None = None,
                on_case: Callable[[int, int, int], object] | None = None,
                cells: int | None = None, widths: tuple[int, ...] | None = None,
                length: bool = False, waits: int = 0) -> BoundedProof:
    """Bounds ``min_bound .. max_bound`` in order, until a counterexample, an unknown, or the
    total ``timeout_s`` runs out (each bound gets what is left). ``on_result`` hears of each
    bound as it is decided, ``on_case(bound, done, total)`` of each case within a bound
    (progress for long runs). ``cells``, ``widths`` and ``length`` change the space from
    ``Space``'s defaults (one byte value, as the obligations use)."""
    shape = space_shape(cells, widths, length, waits)
    start = time.perf_counter()
    results: list[ProofResult] = []
    for n in range(min_bound, max_bound + 1):
        left = None if timeout_s is None else timeout_s - (time.perf_counter() - start)
        if left is not None and left <= 0:
            break
        progress = None if on_case is None else functools.partial(on_case, n)
        space = attrs.evolve(Space(n, values=1), **shape) if shape else None
        r = prove_exactly(theorem, model, n, left, rlimit=rlimit, progress=progress,
                          space=space)
        results.append(r)
        if on_result is not None:
            on_result(r)
        if r.status != "proved":
            break
    name = results[0].model if results else model.name
    return BoundedProof(theorem, name, tuple(results))
