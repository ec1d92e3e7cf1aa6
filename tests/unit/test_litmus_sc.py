"""The SC machine against the axiomatic model: on tests whose data accesses are all SeqCst with
equal ranges (and no grow), the outcomes under ``wasm`` are the SC machine's outcomes."""

from pathlib import Path

import pytest

from semantics.litmus.engine import ValidExecution
from semantics.litmus.format import LitmusTest, parse_litmus
from semantics.litmus.loader import load_test
from semantics.litmus.result import SC, run_test
from semantics.memory.events import DATA, INIT_THREAD, LEN, Ord, Region, is_memory, same, writing
from semantics.memory.model import get_model
from tests.common.corpus import CORPUS


def _actions(vs: tuple[ValidExecution, ...]):
    for v in vs:
        for e in v.execution.events:
            if e.thread != INIT_THREAD:
                yield from (a for a in e.actions if a.region is not None and is_memory(a))


def sc_only(test: LitmusTest) -> bool:
    """All data accesses SeqCst, overlapping ones with equal ranges, the length never written."""
    acts = list(_actions(run_test(test, SC).enumeration.valid))
    data = [a for a in acts if a.region == Region(0, DATA)]
    if any(a.ord is not Ord.SEQCST for a in data):
        return False
    if any(a.region == Region(0, LEN) and writing(a) for a in acts):
        return False
    return all(same(a, b) or not set(range(a.offset, a.offset + len(a.read or a.write)))
               & set(range(b.offset, b.offset + len(b.read or b.write)))
               for a in data for b in data)


def outcomes(test: LitmusTest, model: str) -> set[tuple]:
    run = run_test(test, SC if model == "sc" else get_model(model))
    assert run.enumeration.complete and run.result.thin_air is None
    return set(run.result.states)


SC_TESTS = [p for p in sorted(CORPUS.rglob("*.litmus"))  # bounds/: incomplete on purpose
            if p.parent.name != "bounds" and sc_only(load_test(str(p)))]


def test_enough_sc_tests() -> None:
    assert len(SC_TESTS) >= 15


@pytest.mark.parametrize("path", SC_TESTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_wasm_equals_sc_on_seqcst_tests(path: Path) -> None:
    test = load_test(str(path))
    assert outcomes(test, "wasm") == outcomes(test, "sc")


def test_sc_machine_is_strictly_stronger_on_plain_sb() -> None:
    t = load_test(str(CORPUS / "classic" / "SB.litmus"))
    assert outcomes(t, "sc") < outcomes(t, "wasm")
    assert run_test(t, SC).result.positive == 0


def test_sc_machine_reads_latest_write_and_records_rf() -> None:
    t = parse_litmus("""WASM W+R
{ memory 1 1 shared; x = 0; }
thread 0 { (local $r i32) (i32.store (i32.const x) (i32.const 3))
           (local.set $r (i32.load (i32.const x))) }
forall (0:r=3 /\\ [x]=3)
""")
    run = run_test(t, SC)
    assert run.result.ok and len(run.enumeration.valid) == 1
    ex = run.enumeration.valid[0].execution
    store = next(e.eid for e in ex.events if e.rule and "store" in e.rule)
    load_reads = {(w, k) for w, r, reg, k in ex.rf if reg.fld == DATA and r == store + 1}
    assert load_reads == {(store, k) for k in range(4)}
    assert ex.tot is not None and sorted(ex.tot) == list(range(len(ex.events)))


def _stores(n: int) -> LitmusTest:
    names = "; ".join(f"x{i} = {4 * i}" for i in range(n))
    threads = "\n".join(f"thread {i} {{ (i32.store (i32.const x{i}) (i32.const 1)) }}"
                        for i in range(n))
    cond = " /\\ ".join(f"[x{i}]=1" for i in range(n))
    return parse_litmus(f"WASM S{n}\n{{ memory 1 1 shared; {names}; }}\n{threads}\n"
                        f"forall ({cond})\n")


def test_independent_steps_are_interleaved_once() -> None:
    """Eight threads storing to eight locations: one trace, so one interleaving completed (not
    8!), one execution, its tot the threads in order."""
    run = run_test(_stores(8), SC)
    en = run.enumeration
    assert en.complete and en.candidates == 1 and len(en.valid) == 1
    assert run.result.ok and run.result.positive == 1
    ex = en.valid[0].execution
    assert ex.tot == tuple(range(len(ex.events))) and len(ex.events) == 1 + 8 + 8


@pytest.mark.parametrize("name", ["IRIW+sc", "SB", "2+2W", "CoRR"])
def test_reduction_keeps_every_execution_of_the_classics(name: str) -> None:
    test = load_test(str(CORPUS / "classic" / f"{name}.litmus"))
    from semantics.litmus.result import observe_of
    from semantics.litmus.sc import sc_executions
    from tests.common.sc_reference import reference_sc_executions
    args = dict(observe=observe_of(test), observer=test.observer)
    new, ref = sc_executions(test.program, **args), reference_sc_executions(test.program, **args)
    assert new.valid == ref.valid and new.candidates <= ref.candidates


def test_reduction_reports_the_same_cuts() -> None:
    """A spin loop counting its iterations (so no iteration is a stutter) cut by
    ``max_events``: the reduced machine says it was cut, as the full exploration does, and keeps
    the same complete executions."""
    from semantics.litmus.engine import Bounds
    from semantics.litmus.sc import sc_executions
    from tests.common.sc_reference import reference_sc_executions
    t = parse_litmus("""WASM Spin
{ memory 1 1 shared; x = 0; }
thread 0 { (local $r i32) (local $n i32)
  (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (local.set $r (i32.atomic.load (i32.const x))) (br_if $l (i32.eqz (local.get $r)))) }
thread 1 { (i32.atomic.store (i32.const x) (i32.const 1)) }
exists (0:r=1)
""")
    bounds = Bounds(max_events=4)
    new = sc_executions(t.program, bounds=bounds)
    ref = reference_sc_executions(t.program, bounds=bounds)
    assert not new.complete and not ref.complete
    assert "cut at 4 events" in new.bound_reports[0]
    assert new.valid == ref.valid and len(new.valid) == 4  # the store before the 1st..4th load


def test_reduction_prunes_the_same_stutters() -> None:
    """A spin loop whose failed iteration comes back to its state: the reduced machine prunes
    it as the full exploration does, so both complete with the same executions."""
    from semantics.litmus.sc import sc_executions
    from tests.common.sc_reference import reference_sc_executions
    t = parse_litmus("""WASM Await
{ memory 1 1 shared; x = 0; y = 4; }
thread 0 { (local $r i32)
  (loop $l (local.set $r (i32.atomic.load (i32.const x))) (br_if $l (i32.eqz (local.get $r)))) }
thread 1 { (i32.atomic.store (i32.const y) (i32.const 1))
  (i32.atomic.store (i32.const x) (i32.const 1)) }
exists (0:r=1)
""")
    new = sc_executions(t.program)
    ref = reference_sc_executions(t.program)
    assert new.complete and ref.complete
    assert new.valid == ref.valid and len(new.valid) == 1
