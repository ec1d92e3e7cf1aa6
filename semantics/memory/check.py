"""Deciding the model of ``semantics.memory.model`` on one execution: its happens-before and
facts, the checker against a given tot, the tot search, data races and is-seqcst ([P] Fig.17).

What each function answers, and in which order it reports, is in docs/model.md ("Checking").
"""

from __future__ import annotations

from collections.abc import Sequence

from semantics.memory.axioms import Before, Constraint, Facts, NotBetween
from semantics.memory.events import Execution, Region, Rf, access_range, overlap, sync, writing
from semantics.memory.model import Model
from semantics.memory.relations import Rel, plus, union
from semantics.memory.totsearch import core_witness, describe, find_tot, minimal_core
from semantics.memory.verdict import Ok, Verdict, Violation

# --- happens-before and facts -----------------------------------------------------------------

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
    n = len(ex.events)
    reads: dict[tuple[int, Region], dict[int, tuple[int, ...]]] = {}
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[2], t[3], t[0])):
        if not (0 <= w < n and 0 <= r < n):
            raise ValueError(f"rf edge {(w, r, reg, k)} names an event that is not in the "
                             f"execution (events #0..#{n - 1})")
        cells = reads.setdefault((r, reg), {})
        cells[k] = (*cells.get(k, ()), w)
    writers: dict[Region, list[int]] = {}
    for e in ex.events:
        for reg in e.regions:
            a = e.access(reg)
            if a is not None and writing(a):
                writers.setdefault(reg, []).append(e.eid)
    return Facts(ex, full, gen, contributed, model.tearfree, reads,
                 {reg: tuple(ws) for reg, ws in writers.items()})


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


def seqcst_order(ex: Execution) -> dict[Rf, tuple[Constraint, ...]]:
    """What [P] Fig.17 is-seqcst asks of tot, per rf edge ``(W, R, region, k)`` (sorted by R,
    region, k, W): W tot-before R, and no other write V of the cell tot-between them (V by
    event id). The one statement of is-seqcst that ``is_seqcst`` and the tot searches read."""
    out: dict[Rf, tuple[Constraint, ...]] = {}
    for w, r, reg, k in sorted(ex.rf, key=lambda t: (t[1], t[2], t[3], t[0])):
        cs: list[Constraint] = [
            Before(w, r, (w, r), f"#{r} reads cell {k} from #{w}, which is later in tot")]
        for v in ex.events:
            av = v.access(reg)
            if v.eid not in (w, r) and av is not None and writing(av) and k in access_range(av):
                cs.append(NotBetween(
                    w, v.eid, r, (w, v.eid, r),
                    f"#{r} reads cell {k} from #{w}, but #{v.eid} writes it in between in tot "
                    f"(#{w} < #{v.eid} < #{r})"))
        out[(w, r, reg, k)] = tuple(cs)
    return out


def is_seqcst(ex: Execution, tot: Sequence[int]) -> bool:
    """[P] Fig.17: every read cell reads, with the value written, from the tot-latest write to
    that cell that is tot-before the read (``seqcst_order``)."""
    pos = {e: i for i, e in enumerate(tot)}
    order = seqcst_order(ex)
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
                if len(ws) != 1:
                    return False
                w = ws[0]
                aw = ex.events[w].access(reg)
                if (aw is None or k not in access_range(aw)
                        or not all(c.holds(pos) for c in order[(w, e.eid, reg, k)])
                        or aw.write[k - aw.offset] != a.read[k - a.offset]):
                    return False
    return True
