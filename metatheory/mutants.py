"""Broken models: each is ``wasm`` with one injected error, the error in words (``THE_ERROR``),
the theorem it breaks, and the small counterexample ``hunt`` shrinks to (``SMALL_COUNTEREXAMPLE``,
a litmus test (docs/litmus.md); the ``;; tot`` line gives the total order, because the
theorems quantify over executions with their tot and a litmus condition cannot name it).

The counterexamples were found by ``hunt`` and then checked by hand against [P] Fig.16 ([T]
relaxed.rst for ``wasm-no-suspensions``, whose theorem draws programs: its counterexample is a
program, compared instruction by instruction); the tests assert that hunt still shrinks to
them up to renaming (threads, locations, values).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from semantics.memory.model import ES2017_MEMORY_ORDER, Model, get_model

LAST_VISIBLE = ("sc-last-visible", "sc-last-visible-dagger", "sc-last-visible-ddagger")


@attrs.frozen
class Mutant:
    name: str
    THE_ERROR: str
    breaks: str  # the theorem it breaks
    SMALL_COUNTEREXAMPLE: str
    build: Callable[[str], Model]
    seed: int = 0  # a hunt seed that finds it within the CI budget

    def model(self) -> Model:
        return self.build(self.name)


def _without(*axioms: str) -> Callable[[str], Model]:
    return lambda name: get_model("wasm").without(*axioms, name=name)


def _es2017_clause(name: str) -> Model:
    wasm = get_model("wasm")
    kept = tuple(a for a in wasm.axioms if a.name not in LAST_VISIBLE)
    return attrs.evolve(wasm, name=name, axioms=(*kept, ES2017_MEMORY_ORDER))


NO_DAGGER = Mutant(
    "wasm-no-dagger",
    "drops (†) of sc-last-visible: an SC read may read a write W although an SC write of its "
    "range that W happens before lies tot-between them (C++'s SC-DRF fix, Batty et al.)",
    "sc_drf",
    """WASM no-dagger
"an SC read takes INIT although an SC write of x is tot-before it"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (i32.atomic.store (i32.const x) (i32.const 1))
}
thread 1 {
  (local $r0 i32)
  (local.set $r0 (i32.atomic.load (i32.const x)))
}
;; tot: INIT < T0's store < T1's load  (INIT hb the store, the store syncs with the load)
exists (1:r0=0)
""",
    _without("sc-last-visible-dagger"))

NO_DDAGGER = Mutant(
    "wasm-no-ddagger",
    "drops (‡) of sc-last-visible: a read may read a write W although an SC write that W syncs "
    "with (tot-after W) happens before the read: the ecma262 #1354 bug",
    "sc_drf",
    """WASM no-ddagger
"#1354 without the flag: the SC read of x synchronises directly"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (i32.atomic.store (i32.const x) (i32.const 1))
}
thread 1 {
  (local $r0 i32) (local $r1 i32)
  (i32.atomic.store (i32.const x) (i32.const 2))
  (local.set $r0 (i32.atomic.load (i32.const x)))
  (local.set $r1 (i32.load (i32.const x)))
}
;; tot: T1's store < T0's store < the two loads; no SC order explains r0=1, r1=2
exists (1:r0=1 /\\ 1:r1=2)
""",
    _without("sc-last-visible-ddagger"), seed=1)

ES2017_CLAUSE = Mutant(
    "wasm-es2017-mo",
    "replaces (1)(†)(‡) by ES2017's memory-order clause (only W sw R pairs are protected, "
    "against writes of any order): the pre-repair ECMAScript model",
    "sc_drf",
    NO_DDAGGER.SMALL_COUNTEREXAMPLE.replace("WASM no-ddagger", "WASM es2017-mo"),
    _es2017_clause, seed=1)

NO_SC_LAST_VISIBLE = Mutant(
    "wasm-no-sc-last-visible",
    "drops clause (1) of sc-last-visible: an SC read may read an SC write of its range that "
    "another such write follows in tot (no coherence for SC accesses)",
    "sc_drf",
    """WASM no-sc-last-visible
"an SC read skips the tot-later of two SC writes"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (i32.atomic.store (i32.const x) (i32.const 1))
}
thread 1 {
  (i32.atomic.store (i32.const x) (i32.const 2))
}
thread 2 {
  (local $r0 i32)
  (local.set $r0 (i32.atomic.load (i32.const x)))
}
;; tot: T1's store < T0's store < T2's load
exists (2:r0=2)
""",
    _without("sc-last-visible"))

NO_TEAR = Mutant(
    "wasm-no-tear",
    "drops no-tear: an aligned i32 read may mix the bytes of two aligned i32 writes",
    "no_tearing",
    """WASM no-tear
"table/NoTear ([P] Fig.16 NoTear): two aligned plain stores tear"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (local $r0 i32)
  (local.set $r0 (i32.load (i32.const x)))
}
thread 1 {
  (i32.store (i32.const x) (i32.const 0x1010101))
}
thread 2 {
  (i32.store (i32.const x) (i32.const 0x2020202))
}
exists (0:r0=0x102)
""",
    _without("no-tear"))

NO_INIT_HB = Mutant(
    "wasm-no-init-hb",
    "drops init-hb: INIT no longer happens before the memory's accesses, so tot may put the "
    "allocation after a read of it",
    "sc_single_thread",
    """WASM no-init-hb
"a read of the initial value, tot-before the allocation"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (local $r0 i32)
  (local.set $r0 (i32.load (i32.const x)))
}
;; tot: the load < INIT
exists (0:r0=0)
""",
    _without("init-hb"))

NO_HB_CONSISTENT = Mutant(
    "wasm-no-hb-consistent",
    "drops hb-consistent: a read may take a write that a happens-before-later write "
    "overwrote, even its own thread's last store",
    "sc_single_thread",
    """WASM no-hb-consistent
"a thread does not see its own store"
{ memory 1 1 shared; x = 0; }
thread 0 {
  (local $r0 i32)
  (i32.store (i32.const x) (i32.const 1))
  (local.set $r0 (i32.atomic.rmw.xchg (i32.const x) (i32.const 2)))
}
exists (0:r0=0)
""",
    _without("hb-consistent"))

NO_SUSPENSIONS = Mutant(
    "wasm-no-suspensions",
    "drops suspensions-consistent: a wait is woken with no notify, a notify reports any "
    "count, and no hb edge runs from a notify to the waiter it wakes",
    "sc_machine_eq_seqcst",
    """WASM no-suspensions
"a wait that nobody notifies returns 0 (woken): under wasm the waiter reads 1 and returns 1,
or reads 0 and is blocked forever"
{ memory 1 1 shared; x = 0; y = 8; z = 16; }
thread 0 {
  (i32.store (i32.const x) (i32.const 1))
}
thread 1 {
  (local $r0 i32)
  (local.set $r0 (memory.atomic.wait32 (i32.const x) (i32.const 0) (i64.const -1)))
}
exists (1:r0=0 /\\ 1:blocked=0)
""",
    _without("suspensions-consistent"))

MUTANTS: dict[str, Mutant] = {m.name: m for m in (
    NO_DAGGER, NO_DDAGGER, ES2017_CLAUSE, NO_SC_LAST_VISIBLE, NO_TEAR, NO_INIT_HB,
    NO_HB_CONSISTENT, NO_SUSPENSIONS)}
