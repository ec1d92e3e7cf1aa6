"""Wait queues ([T] suspensionsconsistent): the queue run, the orders the engine pairs, the
blocked-forever run, the hb edge from a notify to the waiter it wakes, the SC machine's queue."""

import attrs
import pytest

from semantics.litmus.engine import thread_runs
from semantics.litmus.loader import load_test
from semantics.litmus.result import SC, run_test
from semantics.memory.check import check, consistent, hb
from semantics.memory.events import MEM_DATA, Action, Event, Execution, Kind, show_execution
from semantics.memory.model import MODELS, get_model
from semantics.memory.suspension import queue_orders, run_queue
from tests.common.corpus import CORPUS

WASM = get_model("wasm")
WAITS = sorted(p.stem for p in (CORPUS / "wait").glob("*.litmus"))


def _ev(eid: int, thread: int, index: int, kind: Kind, *args: int) -> Event:
    return Event(eid, thread, index, (Action(kind, MEM_DATA, 0, args=args),))


def _two_waiters_one_notify(n: int, k: int) -> tuple[Event, ...]:
    """#0 alloc stand-in, T0: notify n k; T1: wait, woken; T2: wait (blocked)."""
    return (Event(0, -1, 0, ()), _ev(1, 0, 0, Kind.NOTIFY, n, k),
            _ev(2, 1, 0, Kind.WAIT, -1), _ev(3, 1, 1, Kind.WOKEN), _ev(4, 2, 0, Kind.WAIT, -1))


def test_a_notify_wakes_the_oldest_waiter_and_leaves_the_younger_one() -> None:
    evs = _two_waiters_one_notify(1, 1)
    assert run_queue(evs, (2, 4, 1, 3)) is None
    why = run_queue(evs, (4, 2, 1, 3))  # T2 waited first: the notify must wake it, not T1
    assert why is not None and "whose woken events do not follow it" in why[0]
    assert list(queue_orders(evs)) == [((2, 1, 3, 4),), ((2, 4, 1, 3),)]


def test_a_notify_below_its_count_wakes_every_waiter() -> None:
    evs = _two_waiters_one_notify(1, 2)  # count 2, one woken: no waiter may be left
    assert run_queue(evs, (2, 4, 1, 3)) is not None
    assert list(queue_orders(evs)) == [((2, 1, 3, 4),)]


def test_woken_only_after_its_notify_and_timeout_only_when_finite() -> None:
    woken = (Event(0, -1, 0, ()), _ev(1, 0, 0, Kind.WAIT, -1), _ev(2, 0, 1, Kind.WOKEN))
    assert run_queue(woken, (1, 2)) is not None and list(queue_orders(woken)) == []
    forever = (Event(0, -1, 0, ()), _ev(1, 0, 0, Kind.WAIT, -1), _ev(2, 0, 1, Kind.TIMEOUT))
    assert "no timeout" in run_queue(forever, (1, 2))[0]  # type: ignore[index]
    finite = (Event(0, -1, 0, ()), _ev(1, 0, 0, Kind.WAIT, 5), _ev(2, 0, 1, Kind.TIMEOUT))
    assert run_queue(finite, (1, 2)) is None and list(queue_orders(finite)) == [((1, 2),)]


def test_the_witness_must_order_every_suspension_event() -> None:
    evs = _two_waiters_one_notify(1, 1)
    ex = Execution(evs, frozenset(), suspensions=((2, 1, 3),))
    v = consistent(ex, WASM)
    assert not v.ok and v.axiom == "suspensions-consistent"  # type: ignore[union-attr]
    good = attrs.evolve(ex, suspensions=((2, 4, 1, 3),))
    assert "queue: #2 < #4 < #1 < #3" in show_execution(good)
    assert (2, 3) in hb(good, WASM) and (1, 3) in hb(good, WASM)  # the chain is in hb
    assert check(good, WASM, (0, 2, 4, 1, 3)).ok
    assert not check(good, WASM, (0, 1, 2, 4, 3)).ok  # tot must follow the queue's order


def test_an_infinite_wait_ends_its_run_blocked_and_is_woken_only_by_a_notify() -> None:
    runs = thread_runs(load_test(str(CORPUS / "wait" / "Wait+forever.litmus")).program)
    (paths,) = runs.per_thread
    blocked = [p for p in paths if p.final_map["blocked"]]
    assert len(blocked) == 1 and blocked[0].spin == len(blocked[0].events)
    assert blocked[0].events[-1].rule == "step/wait-suspend"
    # the run that is woken exists, but no execution has it: nobody notifies
    assert any(e.rule == "step/waitx-woken" for p in paths for e in p.events)


def test_a_woken_reader_reads_what_the_notifier_wrote_before_the_notify() -> None:
    test = load_test(str(CORPUS / "wait" / "MP+notify.litmus"))
    run = run_test(test, WASM)
    woken = [v for v in run.enumeration.valid if not v.paths[1].final_map["blocked"]]
    assert woken and all(v.paths[1].final_map["r"] == 42 for v in woken)
    for v in woken:
        ex = v.execution
        notify = next(e.eid for e in ex.events if any(a.kind is Kind.NOTIFY for a in e.actions))
        wake = next(e.eid for e in ex.events if any(a.kind is Kind.WOKEN for a in e.actions))
        assert (notify, wake) in hb(ex, WASM)
    mutant = run_test(test, WASM.without("suspensions-consistent"))
    assert mutant.result.observation != "Never"  # without the axiom a woken reader reads 0


@pytest.mark.parametrize("name", WAITS)
def test_every_variant_and_the_sc_machine_agree_on_the_wait_tests(name: str) -> None:
    test = load_test(str(CORPUS / "wait" / f"{name}.litmus"))
    states = {m: run_test(test, MODELS[m]).result.states for m in MODELS}
    states["sc"] = run_test(test, SC).result.states
    assert len({frozenset(s) for s in states.values()}) == 1, states
