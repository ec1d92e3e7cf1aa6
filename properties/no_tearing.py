"""``no_tearing`` over programs: an aligned i32 load never returns the bytes of two different
aligned i32 stores of its location; the predicate, its instances and the Hypothesis test
factory.

The property runs through the whole pipeline, not the axiom alone: the reduction
(``semantics.wasm.step`` marks an access NOTEARS by ``_tearing``, [T] ``tearing``), the litmus
engine's enumeration of the program's executions, and the model's no-tear axiom ([P] Fig.16
NoTear). So a wrong NOTEARS flag in the reduction, as well as a model without no-tear, makes
it fail (tests/properties/test_properties_no_tearing.py shows both).

Each store ``k`` of a program writes ``k`` into every byte (``0x0k0k0k0k``), so a load's value
says where each byte came from: a zero byte from the allocation, byte ``k`` from store ``k``.
The conclusion is that the non-zero bytes of each load are all equal. Mixing the allocation's
zeroes with one store's bytes is allowed: the allocation's write covers the whole page, so it
is not same-range with the load and no-tear does not apply to it ([P] Fig.16; docs/model.md).

Hypotheses: ``WF`` (valid program, by construction), ``TF`` (some load has two stores of its
location that it could mix, one of them in another thread), ``FIN`` (the enumeration is
complete within its bounds). An instance failing ``TF`` or ``FIN`` is vacuous and counted as
such, never as one that holds.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from properties.outcome import Fails, Holds, Outcome, Vacuous
from properties.programs import Op, Prog, observe, outcomes, show_outcome
from semantics.litmus.engine import enumerate_executions
from semantics.memory.model import Model

WIDTH = 4  # aligned i32 accesses, NOTEARS in [T] (aligned, at most 4 bytes)
SPREAD = 0x01010101  # store k writes k into each of its 4 bytes

def spread(p: Prog) -> Prog:
    """Store ``k`` writes ``k`` into every byte (stores are numbered 1, 2, ... by ``programs``)."""
    return Prog(tuple(tuple(attrs.evolve(op, value=op.value * SPREAD) if op.kind == "store"
                            else op for op in t) for t in p.threads))


def could_mix(p: Prog) -> bool:
    """``TF``: a load of a location written by two stores, one of them in another thread."""
    for t, ops in enumerate(p.threads):
        for op in ops:
            if op.kind != "load":
                continue
            stores = [u for u, us in enumerate(p.threads) for s in us
                      if s.kind == "store" and s.loc == op.loc]
            if len(stores) >= 2 and any(u != t for u in stores):
                return True
    return False


def mixture(value: int) -> tuple[int, ...]:
    """The distinct non-zero bytes of a loaded value: more than one is a tear."""
    return tuple(sorted({b for b in value.to_bytes(WIDTH, "little") if b}))


def no_tearing(p: Prog, model: Model) -> Outcome:
    """Every load of every outcome the engine finds under ``model`` reads its non-zero bytes
    from one store."""
    if not could_mix(p):
        return Vacuous("TF", "no load could mix two stores of its location")
    en = enumerate_executions(p.test.program, model, observe=observe(p), seeds=p.seeds)
    if not en.complete:
        return Vacuous("FIN", "; ".join(en.bound_reports))
    for o in sorted(outcomes(p, en)):
        for name, value in o:
            if ":r" in name and len(mixture(value)) > 1:  # registers, not [x] or traps
                return Fails("single-copy", f"{name}={value:#x} mixes the bytes of stores "
                             f"{' and '.join(map(str, mixture(value)))} in the outcome "
                             f"{show_outcome(o)}", witness=o)
    return Holds()


@st.composite
def tearing_programs(draw: st.DrawFn, model: Model) -> Prog:
    """Programs meeting ``TF`` by construction, 2-3 threads and at most 4 accesses of one
    location: a thread whose load may be preceded or followed by a store, and one or two
    threads of one store each, so that some load has two stores to mix, one of them in
    another thread. Each access is plain or atomic. Shrinks towards table/NoTear."""
    atomic = st.booleans()
    own = draw(st.sampled_from(((), ("store", "load"), ("load", "store"))))
    others = draw(st.integers(1 if own else 2, 2))
    shapes = [own or ("load",)] + [("store",)] * others
    counter = iter(range(1, 5))
    threads = tuple(tuple(Op(k, atomic=draw(atomic), value=next(counter) if k == "store" else 0)
                          for k in shape) for shape in shapes)
    return spread(Prog(threads))


TEAR = spread(Prog((
    (Op("load"),),
    (Op("store", value=1),),
    (Op("store", value=2),),
)))
"""table/NoTear as a program: a load racing with two aligned plain stores."""


def no_tearing_property(model: Model) -> Callable[[], None]:
    @example(TEAR)
    @given(tearing_programs(model))
    def prop(p: Prog) -> None:
        out = no_tearing(p, model)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
