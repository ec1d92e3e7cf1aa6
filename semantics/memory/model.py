"""The WebAssembly relaxed memory model and its variants, written like a herd ``.cat`` file: the
axioms (one line of cat each), the hb generators, then each variant as a list of them. The
hooks each axiom names are in ``semantics.memory.predicates``; ``semantics.memory.check`` decides
a model on an execution. docs/model.md explains the choices, docs/errata.md the errata E1-E9.

[T] threads proposal relaxed.rst (axiom names as there); [P] Watt, Rossberg, Pichon-Pharabod,
OOPSLA'19, Fig.16; [ES17]/[ES] the ECMAScript memory model before/after tc39/ecma262 PR #1511.

Notation: a formula holds on each region r (a memory's ``len`` or ``data``), where
  R, W, Init, SC, TF  the events reading / writing r, with an INIT / SEQCST / tear-free access
  rf                  W -> R when R reads some cell of r from W; rf_k, R_k, W_k for the cell k
  same, overlap       accesses to the same / overlapping ranges of r; sync = same & (SC * SC)
  val_k               W -> R when W writes to the cell k the byte that R reads there
  po, spawn           program order; host and thread-creation edges (``Execution.spawn``)
  Alloc, mem          events allocating a memory (``wr`` of its len, or INIT); acting on it
  gen, init, hb, tot  the variant's hb generators; init-hb's edges; hb = (gen | init | sq)+,
                      the least hb; the total order
  S_l, sq_l, sq       the events with a wait/woken/timeout/notify action on the location l;
                      the witness's order of them (``Execution.suspensions``); its edges
A witness is what ``check`` reports; ``consistent`` reports, for an axiom on tot, the events
of a minimal set of its constraints that no tot meets.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from semantics.memory import predicates
from semantics.memory.axioms import Axiom, Generator
from semantics.memory.events import Action, tearfree_paper, tearfree_spec
from semantics.memory.hb import (
    alloc_edges,
    init_edges,
    po_edges,
    spawn_edges,
    suspension_edges,
    sync_edges,
)

# --- axioms: name, source, cat, witness (the events its Violation lists), hooks ---------------

VALUE_CONSISTENT = Axiom(
    "value-consistent", "[P] Fig.16 ReadsEachFrom/ReadsFrom/ValueCons; [T] readseachfrom",
    r"forall k. rf_k^-1 is a total function from R_k, and rf_k <= val_k \ id",
    "R and its writers (none, or several); or the rf edge W, R; or R reading itself",
    static=predicates.value_consistent,
    per_read=predicates.value_consistent_per_read)
HB_ACYCLIC = Axiom(
    "hb-acyclic", "[P] §5 (hb a partial order); [T] runtime.rst time stamps",
    "acyclic gen",
    "a cycle of gen, in cycle order", static=predicates.hb_acyclic, rf_blind=True)
INIT_HB = Axiom(
    "init-hb", "[T] relaxed.rst ConsistentWith; [ES] happens-before (init clause)",
    r"init <= hb, and acyclic (gen | init), where init = ([Init] ; overlap) \ id",
    "a cycle of gen | init, in cycle order", static=predicates.init_hb, hb_edges=init_edges,
    rf_blind=True)
HB_CONSISTENT = Axiom(
    "hb-consistent", "[P] Fig.16 HbCons; [T] hbconsistent; [ES] Coherent Reads",
    "irreflexive (hb ; rf), rf & sync <= hb, and forall k. empty (rf_k & (hb ; [W_k] ; hb))",
    "R, W (R hb W); or W, R (sync, not hb); or W, W', R (W' overwrites)",
    static=predicates.hb_consistent, prune=predicates.hb_consistent_prune,
    per_read=predicates.hb_consistent_per_read)
NO_TEAR = Axiom(
    "no-tear", "[P] Fig.16 NoTear; [T] notear; [ES] Tear Free Reads",
    r"empty ((tfrf ; tfrf^-1) \ id), where tfrf = [TF] ; (rf & same) ; [TF]",
    "R and its same-range tear-free writers",
    static=predicates.no_tear, prune=predicates.no_tear_prune,
    per_read=predicates.no_tear_per_read)
TOT_TOTAL = Axiom(
    "tot-total", "[P] §5; [T] pre-execution (erratum E2)",
    "tot is a strict total order of all events",
    "the event tot names wrongly or twice, or the events it misses", given=predicates.tot_total,
    rf_blind=True)
HB_IN_TOT = Axiom(
    "hb-in-tot", "[P] §5 p.16 'hb ⊆ tot' (erratum E3); [ES] memory-order",
    r"empty (hb \ tot)",
    "the hb edge tot reverses", order=predicates.hb_in_tot, rf_blind=True)
SC_LAST_VISIBLE = Axiom(
    "sc-last-visible", "[P] Fig.16 ScLastVisible (1); [ES2020] (a)",
    "empty (rf & hb & sync & (tot ; [W] ; (tot & sync)))",
    "W, W', R", order=predicates.sc_last_visible,
    per_read=predicates.sc_last_visible_per_read)
SC_LAST_VISIBLE_DAGGER = Axiom(
    "sc-last-visible-dagger", "[P] Fig.16 ScLastVisible (†); [ES2020] (c)",
    "empty (rf & hb & (hb ; [W] ; (tot & sync)))",
    "W, W', R", order=predicates.sc_last_visible_dagger,
    per_read=predicates.sc_last_visible_dagger_per_read)
SC_LAST_VISIBLE_DDAGGER = Axiom(
    "sc-last-visible-ddagger", "[P] Fig.16 ScLastVisible (‡); [ES2020] (b)",
    "empty (rf & hb & ((tot & sync) ; [W] ; hb))",
    "W, W', R", order=predicates.sc_last_visible_ddagger,
    per_read=predicates.sc_last_visible_ddagger_per_read)
ES2017_MEMORY_ORDER = Axiom(
    "es2017-memory-order", "[ES17] Sequentially Consistent Atomics; docs/model.md (Init sw)",
    "empty (sw & (tot ; [W] ; (tot & same))), where "
    r"sw = (rf & sync) | ([Init] ; rf ; [SC \ range ([~Init] ; rf)])",
    "W, V, R with V tot-between", order=predicates.es2017_memory_order,
    per_read=predicates.es2017_memory_order_per_read)
SUSPENSIONS_CONSISTENT = Axiom(
    "suspensions-consistent", "[T] relaxed.rst suspensionsconsistent, suspensionsconsistentwith; "
    "[T] instructions.rst WAITX (timeout iff n >= 0); erratum E9",
    r"forall l. sq_l is a strict total order of S_l, sq_l <= hb (so sq_l = tot & (S_l * S_l)), "
    "and the queue of l accepts sq_l: wait enqueues, timeout dequeues its (finite) wait, "
    "notify n k is followed at once by the woken of the n oldest waiters and n < k => no "
    "waiter is left, woken only so",
    "the location's events when they are not ordered; the events the queue run rejects at; "
    "or a cycle of hb with sq",
    static=predicates.suspensions_consistent, hb_edges=suspension_edges, rf_blind=True)

AXIOMS: dict[str, Axiom] = {a.name: a for a in (
    VALUE_CONSISTENT, HB_ACYCLIC, INIT_HB, HB_CONSISTENT, NO_TEAR, TOT_TOTAL, HB_IN_TOT,
    SC_LAST_VISIBLE, SC_LAST_VISIBLE_DAGGER, SC_LAST_VISIBLE_DDAGGER, ES2017_MEMORY_ORDER,
    SUSPENSIONS_CONSISTENT)}

# --- hb generators (and init, the edges of init-hb, in the variants that have it) ------------

PO = Generator("po", "[P] Fig.11 h hb h'; [T] global step", "po", po_edges, per_read=True)
SPAWN = Generator("spawn", "[T] runtime.rst spawn rule", "spawn", spawn_edges, per_read=True)
SYNC = Generator("sync", "[P] Fig.16 HbCons; [P] §5 p.19", "rf & sync", sync_edges, per_read=True)
ALLOC = Generator("alloc", "[P] Fig.11, §4 p.14", r"([Alloc] ; mem) \ id", alloc_edges,
                  per_read=True)

GENERATORS: dict[str, Generator] = {g.name: g for g in (PO, SPAWN, SYNC, ALLOC)}
GEN = (PO, SPAWN, SYNC)  # wasm, es2017, es2020: gen = po | spawn | (rf & sync)
GEN_OOPSLA19 = (PO, SPAWN, SYNC, ALLOC)  # wasm-oopsla19: gen = po | spawn | (rf & sync) | alloc


# --- variants ---------------------------------------------------------------------------------

@attrs.frozen(repr=False)
class Model:
    """A variant: its axioms in checking order, its tear-free predicate, its hb generators.
    Mutants are ``attrs.evolve(get_model('wasm'), name=..., axioms=...)`` or ``without``."""

    name: str
    source: str
    description: str
    axioms: tuple[Axiom, ...]
    tearfree: Callable[[Action], bool]
    hb_generators: tuple[Generator, ...] = GEN
    hb_transitive: bool = True  # False only in the "hb not closed" mutant

    def __repr__(self) -> str:
        return f"<model {self.name}: {', '.join(self.axiom_names)}>"

    @property
    def axiom_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axioms)

    def without(self, *names: str, name: str | None = None) -> Model:
        """This model minus the named axioms (a mutant)."""
        unknown = set(names) - set(self.axiom_names)
        if unknown:
            raise ValueError(f"model {self.name!r} has no axiom {', '.join(sorted(unknown))}; "
                             f"it has {', '.join(self.axiom_names)}")
        return attrs.evolve(self, name=name or f"{self.name}-without-{'-'.join(names)}",
                            axioms=tuple(a for a in self.axioms if a.name not in names))


_CORE = (VALUE_CONSISTENT, HB_ACYCLIC, INIT_HB, HB_CONSISTENT, NO_TEAR, TOT_TOTAL, HB_IN_TOT,
         SUSPENSIONS_CONSISTENT)

WASM = Model(
    "wasm", "[T] WebAssembly/threads document/core/exec/relaxed.rst, errata E1-E9 fixed",
    "the threads proposal's model: NOTEARS tear-freedom, INIT happens before overlapping events",
    (*_CORE, SC_LAST_VISIBLE, SC_LAST_VISIBLE_DAGGER, SC_LAST_VISIBLE_DDAGGER), tearfree_spec)

WASM_OOPSLA19 = attrs.evolve(
    WASM, name="wasm-oopsla19", source="[P] Watt, Rossberg, Pichon-Pharabod, OOPSLA 2019, Fig.16",
    description="the paper's model: tear-free = seqcst or aligned and at most 4 bytes; "
                "allocation-time hb instead of the INIT axiom",
    axioms=tuple(a for a in WASM.axioms if a is not INIT_HB), tearfree=tearfree_paper,
    hb_generators=GEN_OOPSLA19)

ES2017 = attrs.evolve(
    WASM, name="es2017", source="[ES17] proposal-ecmascript-sharedmem, MemoryModel clauses",
    description="ECMAScript 2017-2019: no (†)/(‡); a write of any order between W sw R breaks it",
    axioms=(*_CORE, ES2017_MEMORY_ORDER))

ES2020 = attrs.evolve(
    WASM, name="es2020", source="[ES] sec-memory-model after tc39/ecma262 PR #1511",
    description="repaired ECMAScript: seq-cst V only, clauses (a)(b)(c) = (1)(‡)(†)")

MODELS: dict[str, Model] = {m.name: m for m in (WASM, WASM_OOPSLA19, ES2017, ES2020)}


class UnknownModel(ValueError):
    pass


def get_model(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None
