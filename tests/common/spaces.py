"""What the tests of the Z3 spaces beyond the base one (``Space(length=True)``,
``Space(waits=k)``) share: a solver over a fresh symbolic execution with hb's definitional
indicators, executions drawn by their shape (the solver completes the rest), truth in a model."""

from __future__ import annotations

from collections.abc import Sequence

import z3
from hypothesis import settings
from hypothesis import strategies as st

from proofs.concrete import decode
from proofs.encoding import SUSPENSIONS, Encoding, encode
from proofs.obligations import solver
from proofs.space import Space
from proofs.symbolic import SymExec, fresh
from semantics.memory import check as C
from semantics.memory import model as M
from semantics.memory.events import Execution

MODEL_NAMES = ("wasm", "wasm-oopsla19", "es2017", "es2020")
EXAMPLES = max(5, settings().max_examples // 20)  # each builds and evaluates an encoding

Shape = tuple[int, list[int], list[int], list[int], int]


def setup(sp: Space, m: M.Model) -> tuple[SymExec, Encoding, z3.Solver]:
    """A solver over a fresh execution of ``sp``, well formed, with the indicators that are
    part of hb's definition under ``m`` (not checks)."""
    sym = fresh(sp)
    enc = encode(m, sym)
    s = solver()
    s.add(sym.well_formed())
    for name in ("init-hb", SUSPENSIONS):
        if name in m.axiom_names:
            s.add(enc.indicator(name))
    return sym, enc, s


def true(mod: z3.ModelRef, x: z3.BoolRef) -> bool:
    return z3.is_true(mod.eval(x, model_completion=True))


@st.composite
def shapes(draw: st.DrawFn, kinds: Sequence[int], least: int, most: int) -> Shape:
    """Between ``least`` and ``most`` events: a kind of ``kinds`` per event, a thread per
    event (sorted), a tot (a permutation of the events, #0 first or not), and a seed for what
    the solver chooses (cells, bytes, writers, ...)."""
    n = draw(st.integers(least, most))
    ks = draw(st.lists(st.sampled_from(kinds), min_size=n, max_size=n))
    threads = sorted(draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n)))
    renum = {t: i for i, t in enumerate(dict.fromkeys(threads))}
    tot = draw(st.permutations(list(range(n + 1))))
    return n, ks, [renum[t] for t in threads], tot, draw(st.integers(0, 2 ** 16))


def pin(s: z3.Solver, sym: SymExec, enc: Encoding, shape: Shape) -> None:
    """Fix the drawn shape's kinds, threads and tot in ``s``, seeded by its seed."""
    _, kinds, threads, tot, seed = shape
    s.set("random_seed", seed)
    s.add([sym.kind[i] == k for i, k in enumerate(kinds, start=1)])
    s.add([sym.thread[i] == t for i, t in enumerate(threads, start=1)])
    s.add([enc.clk[e] == pos for pos, e in enumerate(tot)])


def decoded(s: z3.Solver, sym: SymExec, enc: Encoding, m: M.Model
            ) -> tuple[z3.ModelRef, Execution, set[str]] | None:
    """A model of ``s``, the execution it decodes to (with its tot) and the axioms of ``m`` the
    explicit checker finds violated there; None when the pinned shape has no model."""
    if s.check() != z3.sat:
        return None
    mod = s.model()
    ex = decode(mod, sym, enc.clk)
    assert ex.tot is not None
    return mod, ex, {v.axiom for v in C.violations(ex, m, ex.tot)}
