"""The metatheorems as data: statement, reference, named hypotheses, predicate, domain, and the
verdict DESIGN.md section 4 expects per model variant.

The expected verdicts are only what the report compares against; a verdict always comes from
running the predicate. A predicate takes one instance of its domain and a model and says whether
the instance satisfies the hypotheses and, if so, the conclusion:

- ``Holds``: every hypothesis and the conclusion hold;
- ``Vacuous(hypothesis, ...)``: the named hypothesis fails (the instance says nothing);
- ``Fails(clause, ...)``: the hypotheses hold and the named clause of the conclusion does not.

Hypotheses, by name: ``WF`` well-formed graph (or valid program), ``VC`` value-consistent
reads-from (both by construction of the strategies), ``CNST`` the execution is valid under the
model with its tot, ``DRF`` no data race (for programs: in no SC execution), ``1T`` a single
thread, ``TF`` the read and its writers are tear-free and of one range, ``FIN`` the program's
enumerations completed within their bounds, ``IB`` in bounds (no grow, no access beyond the
first page), ``WT`` a well-typed configuration (``soundness.config_ok``).

The program- and configuration-level predicates live in ``properties/<theorem>.py``; the
functions below import them when called, because those modules import the outcome classes
defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Union

import attrs
from hypothesis import strategies as st

from properties.graphs import Graph
from properties.strategies import (
    ONE_THREAD,
    SC_DRF_BOUNDS,
    STEPHEN,
    TEARING,
    graphs,
)
from properties.totsearch import non_sc_tot
from semantics.memory.axioms import NotBetween
from semantics.memory.check import check, consistent, data_race, is_seqcst, seqcst_order
from semantics.memory.events import MEM_DATA, Event, same
from semantics.memory.model import Model, get_model
from semantics.memory.verdict import Violation

EXECUTIONS = "execution graphs (events, rf, tot)"
PROGRAMS = "litmus programs"
CONFIGURATIONS = "configurations"

VARIANTS = ("wasm", "wasm-oopsla19", "es2017", "es2020")


@attrs.frozen
class Holds:
    note: str = ""


@attrs.frozen
class Vacuous:
    hypothesis: str
    detail: str


@attrs.frozen
class Fails:
    clause: str
    detail: str
    tot: tuple[int, ...] | None = None  # the tot under which the conclusion fails
    witness: Any = None  # program-level theorems: the outcome (final state) that separates


Outcome = Union[Holds, Vacuous, Fails]


@attrs.frozen
class Theorem:
    name: str
    statement: str
    reference: str
    hypotheses: tuple[str, ...]
    domain: str
    expected: tuple[tuple[str, bool], ...]  # (model name, the theorem holds for it)
    predicate: Callable[[Any, Model], Outcome]
    instances: Callable[[Model], st.SearchStrategy[Any]]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.expected)

    def expect(self, model: str) -> bool | None:
        return dict(self.expected).get(model)


# --- helpers shared by the predicates --------------------------------------------------------


def _valid(g: Graph, model: Model) -> Violation | None:
    """CNST: with the graph's tot if it has one, else for some tot."""
    v = consistent(g.ex, model) if g.tot is None else check(g.ex, model, g.tot)
    return v if isinstance(v, Violation) else None


def _seqcst(g: Graph, model: Model) -> Outcome:
    """The conclusion is-seqcst, for the graph's tot or else for every valid tot."""
    if g.tot is not None:
        if is_seqcst(g.ex, g.tot):
            return Holds()
        return Fails("is-seqcst", not_seqcst_witness(g) or "not is-seqcst", g.tot)
    tot = non_sc_tot(g.ex, model)
    if tot is None:
        return Holds("is-seqcst under every valid tot")
    return Fails("is-seqcst", not_seqcst_witness(g.with_tot(tot)) or "not is-seqcst", tot)


def not_seqcst_witness(g: Graph) -> str | None:
    """A read cell that does not take the tot-latest earlier write of it ([P] Fig.17), or None:
    the first constraint of ``seqcst_order`` on the data that tot breaks, by the read's place
    in tot, then the cell, then the place of the write in between.
    (Only for explanations: the verdict comes from ``is_seqcst``.)"""
    if g.tot is None:
        return None
    pos = {e: i for i, e in enumerate(g.tot)}
    order = seqcst_order(g.ex)
    for w, r, reg, k in sorted((e for e in order if e[2] == MEM_DATA),
                               key=lambda e: (pos[e[1]], e[3])):
        broken = [c for c in order[(w, r, reg, k)] if not c.holds(pos)]
        if broken:
            return min(broken, key=lambda c: pos[c.mid] if isinstance(c, NotBetween) else -1).detail
    return None


# --- predicates --------------------------------------------------------------------------------


def sc_drf(g: Graph, model: Model) -> Outcome:
    """[P] Prop 6.1: valid and data-race-free implies is-seqcst with the valid execution's tot."""
    bad = _valid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    race = data_race(g.ex, model)
    if race is not None:
        return Vacuous("DRF", f"#{race[0]} and #{race[1]} race")
    return _seqcst(g, model)


def sc_single_thread(g: Graph, model: Model) -> Outcome:
    """One thread alone behaves as in the sequential semantics."""
    if len(g.shape.threads) != 1:
        return Vacuous("1T", "more than one thread")
    bad = _valid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    return _seqcst(g, model)


def _writers(g: Graph, read: int) -> tuple[Event, ...]:
    ws = sorted({w for (w, r, reg, _) in g.ex.rf if r == read and reg == MEM_DATA})
    return tuple(g.ex.events[w] for w in ws)


def no_tearing(g: Graph, model: Model) -> Outcome:
    """A tear-free read whose bytes all come from tear-free writes of its own range reads them
    all from one write (single-copy atomicity of tear-free accesses)."""
    bad = _valid(g, model)
    if bad is not None:
        return Vacuous("CNST", str(bad))
    seen = False
    for e in g.ex.events:
        r = e.access(MEM_DATA)
        if r is None or not r.read or not model.tearfree(r):
            continue
        ws = _writers(g, e.eid)
        acts = [w.access(MEM_DATA) for w in ws]
        if not all(a is not None and same(a, r) and model.tearfree(a) for a in acts):
            continue
        seen = True
        if len(ws) > 1:
            return Fails("single-copy", f"#{e.eid} reads bytes of "
                         + " and ".join(f"#{w.eid}" for w in ws))
    return Holds() if seen else Vacuous("TF", "no tear-free read of same-range tear-free writes")


WITHOUT_DAGGERS = ("sc-last-visible-dagger", "sc-last-visible-ddagger")


def wasm_without_daggers() -> Model:
    wasm = get_model("wasm")
    return attrs.evolve(wasm, name="wasm-no-daggers",
                        axioms=tuple(a for a in wasm.axioms if a.name not in WITHOUT_DAGGERS))


def wasm_eq_js(g: Graph, model: Model) -> Outcome:
    """[P] Prop 6.2: Wasm without (dagger)(ddagger) and ``model`` (ES2017) allow the same
    executions of in-bounds programs (each with a tot of its own)."""
    ours = consistent(g.ex, wasm_without_daggers())
    theirs = consistent(g.ex, model)
    if isinstance(ours, Violation) and isinstance(theirs, Violation):
        return Vacuous("CNST", "invalid under both")
    if isinstance(ours, Violation) != isinstance(theirs, Violation):
        which = (f"valid under {model.name} only; wasm-no-daggers: {ours}"
                 if isinstance(ours, Violation) else
                 f"valid under wasm-no-daggers only; {model.name}: {theirs}")
        return Fails("same-executions", which)
    return Holds()


# --- the theorems ----------------------------------------------------------------------------

SC_DRF = Theorem(
    name="sc_drf",
    statement="valid execution and no data race implies is-seqcst (with the execution's tot)",
    reference="[P] Prop 6.1, Fig.17, App. C (Thm C.4); ecma262 #1354",
    hypotheses=("WF", "VC", "CNST", "DRF"),
    domain=EXECUTIONS,
    expected=(("wasm", True), ("wasm-oopsla19", True), ("es2017", False), ("es2020", True)),
    predicate=sc_drf,
    instances=lambda m: graphs(SC_DRF_BOUNDS, race_free=m),
)

SC_SINGLE_THREAD = Theorem(
    name="sc_single_thread",
    statement="a valid execution of one thread is is-seqcst (the sequential semantics embeds)",
    reference="[P] Prop 6.1 specialised to one thread; [T] INIT, [P] allocation time stamps",
    hypotheses=("WF", "VC", "1T", "CNST"),
    domain=EXECUTIONS,
    expected=tuple((m, True) for m in VARIANTS),
    predicate=sc_single_thread,
    instances=lambda m: graphs(ONE_THREAD),
)

NO_TEARING = Theorem(
    name="no_tearing",
    statement="a tear-free read of same-range tear-free writes reads all its bytes from one",
    reference="[P] Fig.16 NoTear, §5 p.19; [T] relaxed.rst notear; memory-model.md §5 row 23",
    hypotheses=("WF", "VC", "CNST", "TF"),
    domain=EXECUTIONS,
    expected=tuple((m, True) for m in VARIANTS),
    predicate=no_tearing,
    instances=lambda m: graphs(TEARING),
)

WASM_EQ_JS = Theorem(
    name="wasm_eq_js",
    statement="Wasm without (dagger)(ddagger) and ES2017 allow the same in-bounds executions",
    reference="[P] Prop 6.2 (checked on 21 tests only); ARMv8 'Stephen' test, ecma262 PR #1511",
    hypotheses=("WF", "VC", "CNST"),
    domain=EXECUTIONS,
    expected=(("es2017", False),),
    predicate=wasm_eq_js,
    instances=lambda m: graphs(STEPHEN),
)

# --- program and configuration theorems (predicates in properties/) -------------------------


def sc_drf_program(p: Any, model: Model) -> Outcome:
    from properties.sc_drf_program import sc_drf_program as pred

    return pred(p, model)


def _drf_programs(model: Model) -> st.SearchStrategy[Any]:
    from properties.sc_drf_program import drf_programs

    return drf_programs(model)


def operational_eq_axiomatic(p: Any, model: Model) -> Outcome:
    from properties.operational_eq_axiomatic import operational_eq_axiomatic as pred

    return pred(p, model)


def _operational_programs(model: Model) -> st.SearchStrategy[Any]:
    from properties.operational_eq_axiomatic import OPERATIONAL
    from properties.programs import programs

    return programs(OPERATIONAL)


def sc_machine_eq_seqcst(p: Any, model: Model) -> Outcome:
    from properties.sc_machine_eq_seqcst import sc_machine_eq_seqcst as pred

    return pred(p, model)


def _programs(model: Model) -> st.SearchStrategy[Any]:
    from properties.programs import programs

    return programs()


def _in_bounds_programs(model: Model) -> st.SearchStrategy[Any]:
    from properties.programs import IN_BOUNDS, programs

    return programs(IN_BOUNDS)


def wasm_eq_js_program(p: Any, model: Model) -> Outcome:
    from properties.wasm_eq_js_program import wasm_eq_js_program as pred

    return pred(p, model)


def preservation(c: Any, model: Model) -> Outcome:
    from properties.preservation import preservation as pred

    return pred(c)


def progress(c: Any, model: Model) -> Outcome:
    from properties.progress import progress as pred

    return pred(c)


def _walks(model: Model) -> st.SearchStrategy[Any]:
    from properties.configs import walks

    return walks()


SC_DRF_PROGRAM = Theorem(
    name="sc_drf_program",
    statement="if no SC execution of a program races, every outcome the model allows is an "
              "outcome of the SC machine (the 'ideal' SC-DRF)",
    reference="DESIGN.md §4; memory-model.md §4.1 (Watt on PR #169: 'technically false, "
              "because of a corner to do with thin-air'); [P] §8",
    hypotheses=("WF", "VC", "CNST", "DRF", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, False) for m in VARIANTS),
    predicate=sc_drf_program,
    instances=_drf_programs,
)

OPERATIONAL_EQ_AXIOMATIC = Theorem(
    name="operational_eq_axiomatic",
    statement="outcomes with tot = an interleaving of the threads' steps (model.check per "
              "interleaving) equal outcomes with tot existential (model.consistent)",
    reference="[T] exec/relaxed.rst (traces of the global reduction); [P] §5; erratum E2",
    hypotheses=("WF", "VC", "CNST", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, True) for m in VARIANTS),
    predicate=operational_eq_axiomatic,
    instances=_operational_programs,
)

SC_MACHINE_EQ_SEQCST = Theorem(
    name="sc_machine_eq_seqcst",
    statement="the SC interleaving machine's outcomes are those of valid executions that are "
              "is-seqcst for some valid tot",
    reference="[P] Fig.17 (is-seqcst), §6.1; semantics/sc.py",
    hypotheses=("WF", "VC", "CNST", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, True) for m in VARIANTS),
    predicate=sc_machine_eq_seqcst,
    instances=_programs,
)

WASM_EQ_JS_PROGRAM = Theorem(
    name="wasm_eq_js_program",
    statement="Wasm without (dagger)(ddagger) and ES2017 give in-bounds programs the same "
              "outcomes",
    reference="[P] Prop 6.2; memory-model.md §5 row 15 ('Stephen'), ecma262 PR #1511",
    hypotheses=("WF", "VC", "CNST", "IB", "FIN"),
    domain=PROGRAMS,
    expected=(("es2017", False),),
    predicate=wasm_eq_js_program,
    instances=_in_bounds_programs,
)

PRESERVATION = Theorem(
    name="preservation",
    statement="a well-typed configuration steps (any global step, reads given any offered "
              "value) only to well-typed configurations, and the store is extended",
    reference="[T] appendix/properties.rst (Soundness: preservation, store extension)",
    hypotheses=("WF", "WT"),
    domain=CONFIGURATIONS,
    expected=(("wasm", True),),
    predicate=preservation,
    instances=_walks,
)

PROGRESS = Theorem(
    name="progress",
    statement="a well-typed configuration is terminal or can take a global step",
    reference="[T] appendix/properties.rst (Soundness: progress)",
    hypotheses=("WF", "WT"),
    domain=CONFIGURATIONS,
    expected=(("wasm", True),),
    predicate=progress,
    instances=_walks,
)

THEOREMS: dict[str, Theorem] = {t.name: t for t in (
    SC_DRF, SC_SINGLE_THREAD, NO_TEARING, WASM_EQ_JS, SC_DRF_PROGRAM, OPERATIONAL_EQ_AXIOMATIC,
    SC_MACHINE_EQ_SEQCST, WASM_EQ_JS_PROGRAM, PRESERVATION, PROGRESS)}


class UnknownTheorem(ValueError):
    pass


def get_theorem(name: str) -> Theorem:
    try:
        return THEOREMS[name]
    except KeyError:
        raise UnknownTheorem(f"unknown theorem {name!r}; known: "
                             + ", ".join(sorted(THEOREMS))) from None
