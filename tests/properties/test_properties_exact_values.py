"""Exact read values (docs/litmus.md, "Thin air") against a brute force that knows nothing of
unknowns, terms or offered values: on small random programs whose every stored byte is in
{0, 1, 2, 3} (constants, registers and their sums masked with 3, under data and control
dependencies, plain and atomic), each thread is run with every assignment of that domain to
its reads, every choice of a writer with the same byte per byte read is judged by
``check.consistent``, and the final register states must be exactly the engine's: every
state the brute force finds is admitted by the engine (``result.admits``), every state the
engine lists is one the brute force finds, and the Observation is the one the brute-force
states give. The domain is closed (no write can produce a byte outside it), so the brute
force sees every execution.

The second test shows the comparison failing on a broken engine: one that never switches to
symbolic executions (the offered-values engine on its own) misses the thin air of LB+data."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from semantics.litmus import symbolic
from semantics.litmus.condition import evaluate, observation
from semantics.litmus.format import LitmusTest, parse_litmus
from semantics.litmus.result import admits, run_test
from semantics.memory.check import consistent
from semantics.memory.events import Event, Execution, is_memory, reading, writing
from semantics.memory.model import MODELS, Model
from semantics.memory.verdict import Ok
from semantics.wasm import runtime
from semantics.wasm.step import Emit, Read, thread_steps

DOMAIN = (0, 1, 2, 3)
LOCS = ("x", "y")


@st.composite
def _expr(draw: st.DrawFn, regs: Sequence[str]) -> str:
    c = draw(st.sampled_from(DOMAIN))
    if not regs or draw(st.booleans()):
        return f"(i32.const {c})"
    r = draw(st.sampled_from(regs))
    if draw(st.booleans()):  # a copy, masked: out of thin air it could be any byte
        return f"(i32.and (local.get ${r}) (i32.const 3))"
    return f"(i32.and (i32.add (local.get ${r}) (i32.const {c})) (i32.const 3))"


@st.composite
def _thread(draw: st.DrawFn, no: int) -> tuple[list[str], list[str]]:
    regs: list[str] = []
    body: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        loc = draw(st.sampled_from(LOCS))
        atomic = draw(st.integers(0, 3)) == 0
        kind = draw(st.sampled_from(("load", "store", "if")) if regs else
                    st.sampled_from(("load", "store")))
        if kind == "load":
            r = f"r{no}{len(regs)}"
            op = "i32.atomic.load8_u" if atomic else "i32.load8_u"
            body.append(f"(local.set ${r} ({op} (i32.const {loc})))")
            regs.append(r)
            continue
        op = "i32.atomic.store8" if atomic else "i32.store8"
        store = f"({op} (i32.const {loc}) {draw(_expr(regs))})"
        if kind == "if":
            r, c = draw(st.sampled_from(regs)), draw(st.sampled_from(DOMAIN))
            store = f"(if (i32.eq (local.get ${r}) (i32.const {c})) (then {store}))"
        body.append(store)
    return regs, body


@st.composite
def programs(draw: st.DrawFn) -> LitmusTest:
    threads = [draw(_thread(i)) for i in range(draw(st.integers(2, 3)))]
    regs = [(i, r) for i, (rs, _) in enumerate(threads) for r in rs]
    atoms = [f"{i}:{r}={draw(st.sampled_from(DOMAIN))}"
             for i, r in draw(st.lists(st.sampled_from(regs), min_size=1, max_size=2,
                                       unique=True))] if regs else ["true"]
    text = "WASM Random\n{ memory 1 1 shared; x = 0; y = 1; }\n"
    for i, (rs, body) in enumerate(threads):
        local = " ".join(f"(local ${r} i32)" for r in rs)
        text += f"thread {i} {{\n  {local}\n  " + "\n  ".join(body) + "\n}\n"
    conj = " /\\ ".join(atoms)
    text += f"exists ({conj})\n"
    return parse_litmus(text)


# --- the brute force ------------------------------------------------------------------------


@attrs.frozen
class _Run:
    events: tuple[Event, ...]
    final: dict[str, int] = attrs.field(eq=False)


def _runs(test: LitmusTest, thread_no: int) -> Iterator[_Run]:
    """Every run of one thread, each byte read taking every value of the domain (the length
    read by a bounds check: the memory's, nothing grows)."""
    program = test.program
    store = runtime.instantiate(program).store
    length = program.memory.min * 65536

    def go(st_: runtime.Store, th: runtime.Thread, evs: tuple[Event, ...]) -> Iterator[_Run]:
        steps = thread_steps(st_, th)
        if not steps:
            names = program.funcs[program.threads[thread_no]].local_names
            final = {(n or str(i)).removeprefix("$"): v.bits
                     for i, (n, v) in enumerate(zip(names, runtime.thread_locals(th),
                                                    strict=False))}
            yield _Run(evs, final)
            return
        for t in steps:
            for e in _answered(t, length):
                s2, th2 = e.after  # type: ignore[misc]
                ev = evs + ((Event(len(evs), thread_no, len(evs), e.actions, e.rule),)
                            if e.actions else ())
                yield from go(s2, th2, ev)

    yield from go(store, runtime.thread_start(program, program.threads[thread_no]), ())


def _answered(t: object, length: int) -> Iterator[Emit]:
    if t is None:
        return
    if isinstance(t, Emit):
        yield t
        return
    assert isinstance(t, Read)
    values = [(length,)] if t.hole.region.fld == "len" else \
        [tuple(v) for v in itertools.product(DOMAIN, repeat=t.hole.width)]
    for v in values:
        yield from _answered(t.resume(v), length)


def brute_states(test: LitmusTest, model: Model) -> set[tuple[int, ...]]:
    from semantics.litmus.engine import allocation_event

    alloc = allocation_event(test.program)
    per_thread = [list(_runs(test, i)) for i in range(len(test.program.threads))]
    out: set[tuple[int, ...]] = set()
    for combo in itertools.product(*per_thread):
        events, spawn = [alloc], set()
        for run in combo:
            base = len(events)
            events += [attrs.evolve(e, eid=base + e.index) for e in run.events]
            if run.events:
                spawn.add((0, base))
        choices = []
        for e in events[1:]:
            for a in e.actions:
                if a.region is None or not is_memory(a) or not reading(a):
                    continue
                for k, b in enumerate(a.read):
                    cell = a.offset + k
                    ws = [w.eid for w in events if w.eid != e.eid for aw in w.actions
                          if aw.region == a.region and is_memory(aw) and writing(aw)
                          and aw.offset <= cell < aw.offset + len(aw.write)
                          and aw.write[cell - aw.offset] == b]
                    choices.append([(w, e.eid, a.region, cell) for w in ws])
        for rf in itertools.product(*choices):
            ex = Execution(tuple(events), frozenset(rf), frozenset(spawn))
            if isinstance(consistent(ex, model), Ok):
                finals = [run.final for run in combo]
                out.add(tuple(finals[o.thread][o.name] for o in test.observables))
                break  # one valid execution per combination of runs shows its state
    return out


def _compare(test: LitmusTest, model: Model) -> None:
    brute = brute_states(test, model)
    run = run_test(test, model)
    assert run.enumeration.complete
    listed = {tuple(v for _, v in s) for s in run.result.states}
    assert listed <= brute, f"listed but impossible: {listed - brute}\n{test}"
    for s in brute:
        assert admits(test, run, tuple(zip(test.observables, s, strict=True))), \
            f"missing {s}\n{test.observables}"
    pos = sum(1 for s in brute if evaluate(test.condition.prop,
                                           dict(zip(test.observables, s, strict=True))))
    assert run.result.observation == observation(pos, len(brute) - pos)


@settings(max_examples=30, deadline=None)
@given(programs())
def test_the_engine_has_every_value_of_the_brute_force(test: LitmusTest) -> None:
    _compare(test, MODELS["wasm"])


LB_DATA = """WASM LB+data+byte
{ memory 1 1 shared; x = 0; y = 1; }
thread 0 { (local $r00 i32)
  (local.set $r00 (i32.load8_u (i32.const x)))
  (i32.store8 (i32.const y) (i32.and (local.get $r00) (i32.const 3))) }
thread 1 { (local $r10 i32)
  (local.set $r10 (i32.load8_u (i32.const y)))
  (i32.store8 (i32.const x) (i32.and (local.get $r10) (i32.const 3))) }
exists (0:r00=0)
"""


def test_an_engine_without_symbolic_executions_fails_the_comparison(monkeypatch) -> None:
    test = parse_litmus(LB_DATA)
    _compare(test, MODELS["wasm"])
    monkeypatch.setattr(symbolic, "has_cycle", lambda edges: False)
    try:
        _compare(test, MODELS["wasm"])
    except AssertionError as e:
        assert "missing" in str(e)
    else:
        raise AssertionError("the offered-values engine alone should miss LB+data's thin air")
