"""The metatheorems as data: statement, reference, named hypotheses, predicate, domain, and the
verdict expected per model variant (docs/metatheory.md).

The expected verdicts are only what the report compares against; a verdict always comes from
running the predicate. A predicate takes one instance of its domain and a model and says whether
the instance satisfies the hypotheses and, if so, the conclusion (``properties.outcome``). The
predicates and the strategies drawing their instances live in ``properties/<theorem>.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from properties.configs import walks
from properties.no_tearing import no_tearing, tearing_programs
from properties.operational_eq_axiomatic import OPERATIONAL, operational_eq_axiomatic
from properties.outcome import Outcome
from properties.preservation import preservation
from properties.programs import IN_BOUNDS, WAITS, programs
from properties.progress import progress
from properties.sc_drf import sc_drf, sc_drf_graphs
from properties.sc_drf_program import drf_programs, sc_drf_program
from properties.sc_machine_eq_seqcst import sc_machine_eq_seqcst
from properties.single_thread import one_thread_graphs, sc_single_thread
from properties.wasm_eq_js import stephen_graphs, wasm_eq_js
from properties.wasm_eq_js_program import wasm_eq_js_program
from semantics.memory.model import MODELS, Model

EXECUTIONS = "execution graphs (events, rf, tot)"
PROGRAMS = "litmus programs"
CONFIGURATIONS = "configurations"


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
    # the part of its domain's budget a row of it gets: a costly predicate gets fewer instances
    share: float = 1.0
    # (model, seed) for an expected failure the search reaches only rarely: the seed its
    # ``weakwasm check`` row runs at, as a mutant's (metatheory/mutants.py), said in the header
    seeds: tuple[tuple[str, int], ...] = ()

    def budget(self, n: int) -> int:
        return max(1, round(n * self.share))

    def seed_for(self, model: str, default: int) -> int:
        return dict(self.seeds).get(model, default)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.expected)

    def expect(self, model: str) -> bool | None:
        return dict(self.expected).get(model)


# --- the theorems ----------------------------------------------------------------------------

SC_DRF = Theorem(
    name="sc_drf",
    statement="valid execution and no data race implies is-seqcst (with the execution's tot)",
    reference="[P] Prop 6.1, Fig.17, App. C (Thm C.4); ecma262 #1354",
    hypotheses=("WF", "VC", "CNST", "DRF"),
    domain=EXECUTIONS,
    expected=(("wasm", True), ("wasm-oopsla19", True), ("es2017", False), ("es2020", True)),
    predicate=sc_drf,
    instances=sc_drf_graphs,
    # es2017's counterexamples are four particular accesses, about one graph in 17,000 of the
    # strategy: seed 0 meets none in the 10,000 instances of the row (docs/metatheory.md)
    seeds=(("es2017", 1),),
)

SC_SINGLE_THREAD = Theorem(
    name="sc_single_thread",
    statement="a valid execution of one thread is is-seqcst (the sequential semantics embeds)",
    reference="[P] Prop 6.1 specialised to one thread; [T] INIT, [P] allocation time stamps",
    hypotheses=("WF", "VC", "1T", "CNST"),
    domain=EXECUTIONS,
    expected=tuple((m, True) for m in MODELS),
    predicate=sc_single_thread,
    instances=one_thread_graphs,
)

NO_TEARING = Theorem(
    name="no_tearing",
    statement="in every outcome of a program of aligned i32 loads and stores (plain or "
              "atomic) of one location, each load reads its non-zero bytes from one store "
              "(through the reduction's NOTEARS flags, the engine and the axiom)",
    reference="[P] Fig.16 NoTear, §5 p.19; [T] relaxed.rst notear, exec tearing; litmus test "
              "table/NoTear",
    hypotheses=("WF", "VC", "CNST", "TF", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, True) for m in MODELS),
    predicate=no_tearing,
    instances=tearing_programs,
)

WASM_EQ_JS = Theorem(
    name="wasm_eq_js",
    statement="Wasm without (dagger)(ddagger) and ES2017 allow the same in-bounds executions",
    reference="[P] Prop 6.2 (checked on 21 tests only); ARMv8 'Stephen' test, ecma262 PR #1511",
    hypotheses=("WF", "VC", "CNST"),
    domain=EXECUTIONS,
    expected=(("es2017", False),),
    predicate=wasm_eq_js,
    instances=stephen_graphs,
)

SC_DRF_PROGRAM = Theorem(
    name="sc_drf_program",
    statement="if no SC execution of a program races, every outcome the model allows is an "
              "outcome of the SC machine (the 'ideal' SC-DRF)",
    reference="docs/metatheory.md; WebAssembly/threads PR #169 (Watt: 'technically false, "
              "because of a corner to do with thin-air'); [P] §8",
    hypotheses=("WF", "VC", "CNST", "DRF", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, False) for m in MODELS),
    predicate=sc_drf_program,
    instances=drf_programs,
)

OPERATIONAL_EQ_AXIOMATIC = Theorem(
    name="operational_eq_axiomatic",
    statement="the outcomes of consistent pre-executions (the reduction step by step, tot = the "
              "step order, read values flowing through it; semantics/litmus/timestamped.py) "
              "equal the litmus engine's (tot searched); both directions, programs of <= 4 "
              "events, values read from later writes bounded by a fixed-point domain and seeds",
    reference="[T] exec/relaxed.rst Traces (pre-executions, stamps in reduction order) and "
              "Consistency; [T] exec/runtime.rst Time Stamps, global reduction; erratum E2",
    hypotheses=("WF", "VC", "CNST", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, True) for m in MODELS),
    predicate=operational_eq_axiomatic,
    instances=lambda _: programs(OPERATIONAL),
    share=1 / 3,  # the machine takes about 1 s per program, ten times the other program rows
)

SC_MACHINE_EQ_SEQCST = Theorem(
    name="sc_machine_eq_seqcst",
    statement="the SC interleaving machine's outcomes are those of valid executions that are "
              "is-seqcst for some valid tot",
    reference="[P] Fig.17 (is-seqcst), §6.1; semantics/litmus/sc.py",
    hypotheses=("WF", "VC", "CNST", "FIN"),
    domain=PROGRAMS,
    expected=tuple((m, True) for m in MODELS),
    predicate=sc_machine_eq_seqcst,
    instances=lambda _: programs(WAITS),
)

WASM_EQ_JS_PROGRAM = Theorem(
    name="wasm_eq_js_program",
    statement="Wasm without (dagger)(ddagger) and ES2017 give in-bounds programs the same "
              "outcomes",
    reference="[P] Prop 6.2; the ARMv8 'Stephen' test (table/Stephen), ecma262 PR #1511",
    hypotheses=("WF", "VC", "CNST", "IB", "FIN"),
    domain=PROGRAMS,
    expected=(("es2017", False),),
    predicate=wasm_eq_js_program,
    instances=lambda _: programs(IN_BOUNDS),
)

PRESERVATION = Theorem(
    name="preservation",
    statement="a well-typed configuration steps (any global step, reads given any offered "
              "value) only to well-typed configurations, and the store is extended",
    reference="[T] appendix/properties.rst (Soundness: preservation, store extension)",
    hypotheses=("WF", "WT"),
    domain=CONFIGURATIONS,
    expected=(("wasm", True),),
    predicate=lambda c, _: preservation(c),
    instances=lambda _: walks(),
)

PROGRESS = Theorem(
    name="progress",
    statement="a well-typed configuration is terminal or can take a global step",
    reference="[T] appendix/properties.rst (Soundness: progress)",
    hypotheses=("WF", "WT"),
    domain=CONFIGURATIONS,
    expected=(("wasm", True),),
    predicate=lambda c, _: progress(c),
    instances=lambda _: walks(),
)

THEOREMS: dict[str, Theorem] = {t.name: t for t in (
    SC_DRF, SC_SINGLE_THREAD, NO_TEARING, WASM_EQ_JS, SC_DRF_PROGRAM, OPERATIONAL_EQ_AXIOMATIC,
    SC_MACHINE_EQ_SEQCST, WASM_EQ_JS_PROGRAM, PRESERVATION, PROGRESS)}


@attrs.frozen
class Obligation:
    """A bounded Z3 obligation (``proofs.obligations``, ``weakwasm prove NAME``): the statement
    it decides up to N events over its scope (``ProofResult.scope``), and the verdict expected
    per model. Its rows in the report stand beside the theorem's hunts, never for them."""

    name: str
    theorem: str  # the theorem of THEOREMS it bounds
    statement: str
    reference: str
    expected: tuple[tuple[str, bool], ...]
    length: bool = False  # over the length space (``weakwasm prove --length``)

    @property
    def proves(self) -> str:
        """The ``proofs.obligations`` obligation it runs (``weakwasm prove`` NAME)."""
        return self.name.removesuffix("_length") if self.length else self.name

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.expected)

    def expect(self, model: str) -> bool | None:
        return dict(self.expected).get(model)


OBLIGATIONS: dict[str, Obligation] = {o.name: o for o in (
    Obligation("sc_drf", "sc_drf",
               "no execution of N events is valid, race-free and not is-seqcst, hb being the "
               "least order containing po and sync (and the allocation's edges)",
               SC_DRF.reference, SC_DRF.expected),
    Obligation("sc_drf_free_hb", "sc_drf",
               "no execution of N events is valid and race-free for some hb and not "
               "is-seqcst, hb being any order containing po and sync and contained in tot "
               "(the solver chooses it)",
               "[P] Prop 6.1 (traces: hb any such order), Fig.17; ecma262 #1354",
               SC_DRF.expected),
    Obligation("sc_drf_length", "sc_drf",
               "sc_drf over the length space: besides the data accesses, their bounds checks, "
               "traps, memory.size, memory.grow (with its zero writes, or failing), fences "
               "and spawn edges",
               SC_DRF.reference, tuple((m, e) for m, e in SC_DRF.expected
                                       if m in ("wasm", "es2020")), length=True),
    Obligation("wasm_eq_js", "wasm_eq_js",
               "no execution of N events is valid under Wasm without (dagger)(ddagger) for "
               "some tot and under ES2017 for none, or the other way round",
               WASM_EQ_JS.reference, WASM_EQ_JS.expected),
)}
"""The bounded obligations; ``sc_drf`` has three, one per reading of hb over the data space
and the least hb over the length space (its rows: the two variants the length space is
measured for, docs/proofs.md; ``weakwasm prove --length --model M`` for the others)."""


class UnknownTheorem(ValueError):
    pass


def get_theorem(name: str) -> Theorem:
    try:
        return THEOREMS[name]
    except KeyError:
        raise UnknownTheorem(f"unknown theorem {name!r}; known: "
                             + ", ".join(sorted(THEOREMS))) from None
