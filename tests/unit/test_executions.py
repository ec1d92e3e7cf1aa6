"""The enumerator: thread paths, candidate values, rf by construction, bounds, pruning."""

import inspect

from semantics.litmus import engine
from semantics.litmus.condition import Reg
from semantics.litmus.engine import (
    Bounds,
    ThreadPath,
    assemble,
    await_order,
    combine,
    enumerate_executions,
    explore_thread,
    thread_runs,
)
from semantics.litmus.engine import _initial_offer as initial_offer
from semantics.litmus.format import parse_litmus
from semantics.litmus.result import SC, observe_of, run_test
from semantics.memory.events import DATA, INIT_THREAD, MEM_DATA, is_memory, reading, writing
from semantics.memory.model import AXIOMS, Model, get_model
from semantics.wasm.runtime import instantiate

WASM = get_model("wasm")
DATA_X = MEM_DATA

LB_DATA = """WASM LB+data
{ x = 0; y = 4; }
thread 0 { (local $r i32) (local.set $r (i32.load (i32.const x)))
           (i32.store (i32.const y) (local.get $r)) }
thread 1 { (local $r i32) (local.set $r (i32.load (i32.const y)))
           (i32.store (i32.const x) (local.get $r)) }
exists (0:r=42 /\\ 1:r=42)
"""


def test_thread_paths_offer_written_values_and_keep_locals_at_a_trap() -> None:
    t = parse_litmus("""WASM T
{ x = 0; [x] = 9; }
thread 0 { (local $r i32) (local $k i32)
  (local.set $r (i32.load (i32.const x)))
  (local.set $k (i32.const 5))
  (if (i32.eq (local.get $r) (i32.const 9)) (then unreachable))
  (local.set $k (i32.const 6)) }
exists (0:trap=1)
""")
    store = instantiate(t.program).store
    only_init = explore_thread(t.program, store, 0, 0, initial_offer(t.program, (), {}),
                               Bounds())
    assert [p.final for p in only_init.paths] == [(("r", 9), ("k", 5), ("trap", 1),
                                                   ("blocked", 0))]
    # a byte some write may put at x (here: seeded) is offered too, per cell
    offer = initial_offer(t.program, (), {(DATA_X, 0): {0}})
    x = explore_thread(t.program, store, 0, 0, offer, Bounds())
    assert not x.reports("thread 0", Bounds())
    finals = sorted(p.final for p in x.paths)
    assert finals == [(("r", 0), ("k", 6), ("trap", 0), ("blocked", 0)),
                      (("r", 9), ("k", 5), ("trap", 1), ("blocked", 0))]
    assert all(isinstance(p, ThreadPath) and p.thread == 0 for p in x.paths)
    for p in x.paths:
        assert [e.index for e in p.events] == list(range(len(p.events)))
        assert all(e.actions for e in p.events)


def test_rf_is_value_consistent_and_executions_are_distinct() -> None:
    t = parse_litmus(LB_DATA)
    en = enumerate_executions(t.program, WASM, seeds=(42,))
    assert en.complete and en.candidates >= len(en.valid) > 0
    assert len({(v.execution.events, v.execution.rf) for v in en.valid}) == len(en.valid)
    for v in en.valid:
        ex = v.execution
        writers = {}
        for w, r, reg, k in ex.rf:
            assert (r, reg, k) not in writers
            writers[(r, reg, k)] = w
            a_r, a_w = ex.events[r].access(reg), ex.events[w].access(reg)
            assert a_r is not None and a_w is not None and w != r
            assert a_r.read[k - a_r.offset] == a_w.write[k - a_w.offset]
        for e in ex.events:
            for a in e.actions:
                if a.region is not None and is_memory(a) and reading(a):
                    assert all((e.eid, a.region, a.offset + i) in writers
                               for i in range(len(a.read)))
        assert ex.tot is not None and set(ex.tot) == set(range(len(ex.events)))


def test_thin_air_needs_the_condition_values() -> None:
    t = parse_litmus(LB_DATA)
    plain = enumerate_executions(t.program, WASM)
    seeded = enumerate_executions(t.program, WASM, seeds=(42,))
    finals = {tuple(p.final_map["r"] for p in v.paths) for v in plain.valid}
    assert finals == {(0, 0)}
    assert (42, 42) in {tuple(p.final_map["r"] for p in v.paths) for v in seeded.valid}
    assert run_test(t).result.ok


def test_written_values_reach_a_fixed_point() -> None:
    t = parse_litmus("""WASM ADD
{ x = 0; }
thread 0 { (local $r i32) (local.set $r (i32.atomic.rmw.add (i32.const x) (i32.const 1))) }
thread 1 { (local $r i32) (local.set $r (i32.atomic.rmw.add (i32.const x) (i32.const 1))) }
forall ([x]=2)
""")
    run = run_test(t)
    assert run.enumeration.complete
    assert run.result.ok and run.result.positive == 2


SPIN = """WASM Spin
{ x = 0; }
thread 0 { (loop $l (br_if $l (i32.eqz (i32.atomic.load (i32.const x))))) }
thread 1 { (i32.atomic.store (i32.const x) (i32.const 1)) }
exists (0:blocked=1)
"""


def test_a_spin_loop_is_an_await_not_a_cut_loop() -> None:
    t = parse_litmus(SPIN)
    for model in (WASM, SC):
        run = run_test(t, model, bounds=Bounds(max_events=6))
        assert run.enumeration.complete
        # the failed iterations are no executions: one, reading the flag's 1
        assert (run.result.positive, run.result.negative) == (0, 1)
    # the failed iteration alone is a blocked path, the successful one a complete path
    paths = thread_runs(t.program).per_thread[0]
    assert sorted((p.final_map["blocked"], p.spin, len(p.events)) for p in paths) == [
        (0, None, 1), (1, 0, 1)]


def test_a_spin_nobody_ends_is_blocked_and_a_plain_spin_may_be() -> None:
    never = parse_litmus(SPIN.replace("(i32.atomic.store (i32.const x) (i32.const 1))", "nop"))
    assert run_test(never).result.observation == "Always"
    plain = parse_litmus(SPIN.replace("atomic.", ""))
    assert run_test(plain).result.observation == "Sometimes"


def test_a_blocked_seqcst_read_follows_every_write_in_tot() -> None:
    t = parse_litmus(SPIN)
    runs = thread_runs(t.program)
    (blocked,) = [c for c in runs.combos if c[0].spin is not None]
    asm = assemble(t.program, blocked)
    assert asm.spins == (1,)  # thread 0's read, after the allocation
    assert {(b.first, b.then) for b in await_order(asm)} == {(0, 1), (2, 1)}
    found, _ = combine(t.program, WASM, blocked)
    assert found == []  # the read would read the initial 0 after the store of 1


def test_a_loop_that_changes_state_is_unrolled_and_the_cut_reported() -> None:
    t = parse_litmus("""WASM Count
{ x = 0; }
thread 0 { (local $n i32)
  (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br_if $l (i32.eqz (i32.atomic.load (i32.const x))))) }
thread 1 { (i32.atomic.store (i32.const x) (i32.const 1)) }
forall (0:n=1)
""")
    run = run_test(t, bounds=Bounds(unroll=3))
    assert any("--unroll" in r and "thread 0" in r for r in run.enumeration.bound_reports)
    states = {dict(s)[Reg(0, "n")] for s in run.result.states}
    assert states == {1, 2, 3}


def test_observer_reads_after_every_thread() -> None:
    t = parse_litmus("""WASM Obs
{ x = 0; }
thread 0 { (i32.store (i32.const x) (i32.const 1)) }
thread 1 { (i32.store (i32.const x) (i32.const 2)) }
exists ([x]=1 /\\ [x:i8]=2)
""")
    run = run_test(t)
    # racy final memory: the observer's two loads need not agree (no coherence for plain writes)
    assert run.result.ok
    for v in run.enumeration.valid:
        ex = v.execution
        obs = [e for e in ex.events if e.rule == "observe"]
        assert [e.thread for e in obs] == [2, 2]
        lasts = {max(e.eid for e in ex.events if e.thread == th) for th in (0, 1)}
        firsts = {min(e.eid for e in ex.events if e.thread == th) for th in (0, 1, 2)}
        assert ex.spawn == {(a, obs[0].eid) for a in lasts} | {(0, b) for b in firsts}
        assert all(a.ord.value == "sc" for e in obs for a in e.actions)
    assert {tuple(v for _, v in s) for s in run.result.states} == {
        (1, 1), (1, 2), (2, 1), (2, 2)}
    assert [str(o) for o in t.observables] == ["[x:i8]", "[x]"]


def test_assemble_numbers_a_combination_and_spawns_around_the_threads() -> None:
    """Thread 1 has no memory event: nothing to spawn; the observer starts at its load."""
    t = parse_litmus("""WASM A
{ x = 0; }
thread 0 { (i32.store (i32.const x) (i32.const 1)) (i32.store (i32.const x) (i32.const 2)) }
thread 1 { (local $r i32) (local.set $r (i32.const 1)) }
forall ([x]=2)
""")
    (combo,) = thread_runs(t.program).combos
    asm = assemble(t.program, combo, observe_of(t))
    assert [e.eid for e in asm.events] == list(range(4))
    assert [(e.thread, e.index) for e in asm.events] == [(INIT_THREAD, 0), (0, 0), (0, 1), (2, 0)]
    assert asm.starts == (1, 3) and asm.load_base == 3 and asm.events[3].rule == "observe"
    assert asm.spawn == {(0, 1), (0, 3), (2, 3)}


def test_allocation_event_comes_first() -> None:
    t = parse_litmus("WASM A\n{ x = 0; }\nthread 0 { (i32.store (i32.const x) (i32.const 1)) }\n"
                     "forall ([x]=1)\n")
    (v,) = run_test(t).enumeration.valid
    e0 = v.execution.events[0]
    assert e0.thread == INIT_THREAD and e0.eid == 0
    assert any(a.region is not None and a.region.fld == DATA and writing(a)
               for a in e0.actions)


# --- pruning: each axiom prunes through its own hook, so a mutant without it prunes nothing ----

TORN = """WASM torn
{ x = 0; }
thread 0 { (i32.store (i32.const x) (i32.const 0x11111111)) }
thread 1 { (i32.store (i32.const x) (i32.const 0x22222222)) }
thread 2 { (local $r i32) (local.set $r (i32.load (i32.const x))) }
exists (2:r=0x22221111)
"""

OVERWRITTEN = """WASM overwritten
{ x = 0; }
thread 0 { (local $r i32)
  (i32.store (i32.const x) (i32.const 1))
  (i32.store (i32.const x) (i32.const 2))
  (local.set $r (i32.load (i32.const x))) }
exists (0:r=1)
"""


def _values(src: str, thread: int, model: Model) -> set[int]:
    t = parse_litmus(src)
    en = enumerate_executions(t.program, model)
    assert en.complete
    return {v.paths[thread].final_map["r"] for v in en.valid}


def test_a_model_without_no_tear_enumerates_torn_reads() -> None:
    assert 0x22221111 not in _values(TORN, 2, WASM)
    assert 0x22221111 in _values(TORN, 2, WASM.without("no-tear"))


def test_a_model_without_hb_consistent_admits_the_overwritten_read() -> None:
    assert _values(OVERWRITTEN, 0, WASM) == {2}
    assert _values(OVERWRITTEN, 0, WASM.without("hb-consistent")) == {0, 1, 2}


def test_the_enumerator_names_no_axiom() -> None:
    """It reads the model's hooks, never its axioms by name (docstrings may mention them)."""
    source = inspect.getsource(engine)
    assert [name for name in AXIOMS if f'"{name}"' in source or f"'{name}'" in source] == []
