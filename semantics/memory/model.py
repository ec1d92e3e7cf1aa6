"""The relaxed memory model as data: a ``Model`` is a list of named axioms plus the parameters
that generate happens-before, in the spirit of a herd ``.cat`` file.

Variants ([T] = threads spec, [P] = OOPSLA'19 paper, [ES] = ECMAScript; docs/model.md):

- ``wasm``: [T] with errata fixed (docs/errata.md); tear-freedom by the NOTEARS flag; INIT
  writes happen before every overlapping event (``init-hb``).
- ``wasm-oopsla19``: [P]; tear-freedom by alignment and size; no INIT axiom, instead the
  allocation event happens before every event that touches the memory (generator ``alloc``).
- ``es2017``: ECMAScript before PR #1511: no (†)/(‡); the old memory-order clause, with
  synchronizes-with from Init writes.
- ``es2020``: repaired ECMAScript: (a)(b)(c) = (1)(‡)(†), init events ordered by hb.

Mutants are ``attrs.evolve(get_model('wasm'), name=..., axioms=...)`` or ``Model.without``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from semantics.memory.axioms import (
    AXIOMS,
    ES2017_MEMORY_ORDER,
    HB_ACYCLIC,
    HB_CONSISTENT,
    HB_IN_TOT,
    INIT_HB,
    NO_TEAR,
    SC_LAST_VISIBLE,
    SC_LAST_VISIBLE_DAGGER,
    SC_LAST_VISIBLE_DDAGGER,
    TOT_TOTAL,
    VALUE_CONSISTENT,
    Axiom,
    Constraint,
    Facts,
    make_facts,
)
from semantics.memory.events import (
    Action,
    Execution,
    access_range,
    overlap,
    sync,
    tearfree_paper,
    tearfree_spec,
    writing,
)
from semantics.memory.hb import ALLOC, PO, SPAWN, SYNC, Generator
from semantics.memory.relations import Rel, plus, union
from semantics.memory.totsearch import core_witness, describe, find_tot, minimal_core
from semantics.memory.verdict import Ok, Verdict, Violation

__all__ = [
    "AXIOMS", "MODELS", "Axiom", "Model", "Ok", "UnknownModel", "Verdict", "Violation",
    "check", "consistent", "data_race", "get_model", "hb", "is_seqcst", "violations",
]


@attrs.frozen(repr=False)
class Model:
    name: str
    source: str
    description: str
    axioms: tuple[Axiom, ...]
    tearfree: Callable[[Action], bool]
    hb_generators: tuple[Generator, ...] = (PO, SPAWN, SYNC)
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


class UnknownModel(ValueError):
    pass


_CORE = (VALUE_CONSISTENT, HB_ACYCLIC, INIT_HB, HB_CONSISTENT, NO_TEAR, TOT_TOTAL, HB_IN_TOT)

WASM = Model(
    "wasm", "[T] WebAssembly/threads document/core/exec/relaxed.rst, errata E1-E7 fixed",
    "the threads proposal's model: NOTEARS tear-freedom, INIT happens before overlapping events",
    (*_CORE, SC_LAST_VISIBLE, SC_LAST_VISIBLE_DAGGER, SC_LAST_VISIBLE_DDAGGER), tearfree_spec)

WASM_OOPSLA19 = attrs.evolve(
    WASM, name="wasm-oopsla19", source="[P] Watt, Rossberg, Pichon-Pharabod, OOPSLA 2019, Fig.16",
    description="the paper's model: tear-free = seqcst or aligned and at most 4 bytes; "
                "allocation-time hb instead of the INIT axiom",
    axioms=tuple(a for a in WASM.axioms if a is not INIT_HB), tearfree=tearfree_paper,
    hb_generators=(PO, SPAWN, SYNC, ALLOC))

ES2017 = attrs.evolve(
    WASM, name="es2017", source="[ES17] proposal-ecmascript-sharedmem, MemoryModel clauses",
    description="ECMAScript 2017-2019: no (†)/(‡); a write of any order between W sw R breaks it",
    axioms=(*_CORE, ES2017_MEMORY_ORDER))

ES2020 = attrs.evolve(
    WASM, name="es2020", source="[ES] sec-memory-model after tc39/ecma262 PR #1511",
    description="repaired ECMAScript: seq-cst V only, clauses (a)(b)(c) = (1)(‡)(†)")

MODELS: dict[str, Model] = {m.name: m for m in (WASM, WASM_OOPSLA19, ES2017, ES2020)}


def get_model(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


# --- happens-before ---------------------------------------------------------------------------

def _generated(ex: Execution, model: Model) -> tuple[Rel, tuple[tuple[str, Rel], ...]]:
    gen = union(*(g.edges(ex) for g in model.hb_generators))
    contributed = tuple((a.name, a.hb_edges(ex)) for a in model.axioms if a.hb_edges)
    return gen, contributed


def _close(r: Rel, model: Model) -> Rel:
    return plus(r) if model.hb_transitive else r


def hb(ex: Execution, model: Model) -> Rel:
    """The least happens-before of ``ex`` under ``model``."""
    gen, contributed = _generated(ex, model)
    return _close(union(gen, *(e for _, e in contributed)), model)


def facts(ex: Execution, model: Model) -> Facts:
    """The derived relations every axiom reads (hb and its generators, writers per cell); public
    so that searches over tot (properties/totsearch.py) read the same facts as ``check``."""
    gen, contributed = _generated(ex, model)
    full = _close(union(gen, *(e for _, e in contributed)), model)
    return make_facts(ex, full, gen, contributed, model.tearfree)


# --- consistency ------------------------------------------------------------------------------

def _static(f: Facts, model: Model) -> Violation | None:
    for ax in model.axioms:
        if ax.static is not None:
            v = ax.static(f)
            if v is not None:
                return v
    return None


def _order_violations(f: Facts, model: Model, tot: Sequence[int],
                      first_only: bool) -> list[Violation]:
    pos: dict[int, int] = {}
    for i, e in enumerate(tot):
        pos.setdefault(e, i)
    out = []
    for ax in model.axioms:
        v = ax.given(f, tot) if ax.given is not None else None
        if v is None and ax.order is not None:
            bad = next((c for c in ax.order(f) if not c.holds(pos)), None)
            if bad is not None:
                v = Violation(ax.name, bad.witness, bad.detail)
        if v is not None:
            out.append(v)
            if first_only:
                break
    return out


def check(ex: Execution, model: Model, tot: Sequence[int]) -> Verdict:
    """Is ``ex`` consistent under ``model`` with this total order? The first violated axiom
    in the model's order (tot-independent axioms first)."""
    f = facts(ex, model)
    v = _static(f, model)
    if v is not None:
        return v
    bad = _order_violations(f, model, tot, first_only=True)
    return bad[0] if bad else Ok(tuple(tot))


def violations(ex: Execution, model: Model, tot: Sequence[int]) -> tuple[Violation, ...]:
    """Every axiom of ``model`` that ``ex`` with ``tot`` violates (one witness each)."""
    f = facts(ex, model)
    out = []
    for ax in model.axioms:
        if ax.static is not None:
            v = ax.static(f)
            if v is not None:
                out.append(v)
    out.extend(_order_violations(f, model, tot, first_only=False))
    rank = {n: i for i, n in enumerate(model.axiom_names)}
    return tuple(sorted(out, key=lambda v: rank[v.axiom]))


def consistent(ex: Execution, model: Model) -> Verdict:
    """Is there a tot making ``ex`` consistent? ``Ok(tot)`` with a witness, or the first
    violated tot-independent axiom, or else the first axiom (in model order) whose tot
    constraints cannot be met together with those of the axioms before it; its witness is a
    minimal set of its constraints (a cycle when the mandatory edges form one)."""
    f = facts(ex, model)
    v = _static(f, model)
    if v is not None:
        return v
    n = len(ex.events)
    per_axiom = [(ax, ax.order(f)) for ax in model.axioms if ax.order is not None]
    everything = [c for _, cs in per_axiom for c in cs]
    tot = find_tot(n, everything)
    if tot is not None:
        return Ok(tot)
    kept: list[Constraint] = []
    for ax, cs in per_axiom:
        if find_tot(n, [*kept, *cs]) is None:
            core = minimal_core(n, kept, cs)
            return Violation(ax.name, core_witness(kept, core), describe(core))
        kept.extend(cs)
    raise RuntimeError("unreachable: every prefix of the constraints was satisfiable")


# --- races and sequential consistency ([P] Fig.17) ------------------------------------------

def data_race(ex: Execution, model: Model) -> tuple[int, int] | None:
    """A pair of distinct events (erratum E5) that are hb-unordered and, on some region,
    overlap with at least one writing and do not sync; None if race-free."""
    h = hb(ex, model)
    evs = ex.events
    for a in evs:
        for b in evs[a.eid + 1:]:
            if (a.eid, b.eid) in h or (b.eid, a.eid) in h:
                continue
            for reg in set(a.regions) & set(b.regions):
                x, y = a.access(reg), b.access(reg)
                if (x is not None and y is not None and overlap(x, y)
                        and (writing(x) or writing(y)) and not sync(x, y)):
                    return (a.eid, b.eid)
    return None


def is_seqcst(ex: Execution, tot: Sequence[int]) -> bool:
    """[P] Fig.17: every read cell reads, with the value written, from the tot-latest write to
    that cell that is tot-before the read."""
    pos = {e: i for i, e in enumerate(tot)}
    per_cell: dict[tuple[int, object, int], list[int]] = {}
    for w, r, reg, k in ex.rf:
        per_cell.setdefault((r, reg, k), []).append(w)
    for e in ex.events:
        for reg in e.regions:
            a = e.access(reg)
            if a is None or not a.read:
                continue
            for k in access_range(a):
                ws = per_cell.get((e.eid, reg, k), [])
                if len(ws) != 1 or ws[0] not in pos or e.eid not in pos:
                    return False
                w = ws[0]
                aw = ex.events[w].access(reg)
                if (aw is None or k not in access_range(aw) or pos[w] >= pos[e.eid]
                        or aw.write[k - aw.offset] != a.read[k - a.offset]):
                    return False
                for v in ex.events:
                    av = v.access(reg)
                    if (v.eid != w and av is not None and writing(av) and v.eid in pos
                            and k in access_range(av) and pos[w] < pos[v.eid] < pos[e.eid]):
                        return False
    return True
