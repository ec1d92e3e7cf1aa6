"""Run a ``.wast`` script on weakwasm's reduction rules, in one sequentially consistent
interleaving of its threads.

Reads are served by a sequential memory: one per memory instance, which keeps only the pages
written; every read sees the latest write.
Where reduction is non-deterministic the runner takes the outcome a real engine takes:
``memory.grow`` succeeds when within the maximum; a ``notify`` wakes the oldest waiters of its
location's wait queue, as many as its count allows, and returns their number ([T] relaxed.rst
suspensionsconsistent); a suspended wait is woken only by such a notify.

``thread`` blocks run concurrently with the script (``(wait $T)`` waits for one to end): the
script and its threads take turns, one reduction step (or one command that does not invoke)
each, round robin. A suspended thread takes no turn until a notify wakes it. When no thread can
go on, the oldest wait with a finite timeout times out; if every waiting thread waits with no
timeout, each of their waits is reported as unsupported ("waits forever": a real engine would
hang), never as "woken". Each ``thread`` has its own registrations and module names, and sees
the instances its ``(shared (module $M))`` clauses name.

Module instances are the runner's own (mutable) objects; each invocation builds the semantics'
``Store`` for the instance (its memory as memory 0, its function index space) and copies an
unshared memory back afterwards. Imported *functions* are linked (so ``assert_unlinkable``
works) but instantiating a module that imports one is unsupported: the step rules run a callee in
its caller's store, which is only right within one instance.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import TextIO

import attrs

from semantics.litmus.format import LitmusError
from semantics.litmus.loader import read_source
from semantics.memory.events import LEN, PAGE, Action, Fill, Kind, Payload
from semantics.text import wast
from semantics.text.sexp import ParseError
from semantics.wasm.runtime import (
    Crash,
    FuncInst,
    MemInst,
    Store,
    Thread,
    Value,
    WasmFunc,
    start_func,
    thread_results,
    thread_status,
)
from semantics.wasm.step import MAX_WOKEN, Emit, Hole, settle, thread_steps
from semantics.wasm.syntax import F32, F64, FuncType, MemType, Module
from semantics.wasm.validation import ValidationError, module_ok

DEFAULT_MAX_STEPS = 200_000

# Trap messages of the spec interpreter, by the suffix of the trapping rule's name.
TRAP_MESSAGES = (
    ("-oob", "out of bounds memory access"),
    ("-unaligned", "unaligned atomic"),
    ("-unshared", "expected shared memory"),
    ("/unreachable", "unreachable executed"),
    ("/host-trap", "host trap"),
)

ASSERTIONS = (wast.AssertReturn, wast.AssertTrap, wast.AssertExhaustion, wast.AssertInvalid,
              wast.AssertMalformed, wast.AssertUnlinkable)


def trap_message(rule: str) -> str:
    for suffix, message in TRAP_MESSAGES:
        if rule.endswith(suffix):
            return message
    return f"trap ({rule})"


# --- errors ----------------------------------------------------------------------------------


class LinkError(Exception):
    """An import cannot be resolved: the message starts as the spec interpreter's does."""


class InstantiationTrap(Exception):
    """A data segment does not fit its memory."""


class Unsupported(Exception):
    """A command this runner does not run."""


class BadScript(Exception):
    """A ``module`` command whose module is invalid: the script itself is bad input."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


class StepLimit(Exception):
    """The invocation did not end within the step bound."""


# --- memory and instances --------------------------------------------------------------------


UNSHARED_PAGES = 256
"""Largest unshared memory (in pages, 16 MiB) the runner runs: the semantics keeps an unshared
memory as bytes in the store and copies them on every write."""


class SeqMemory:
    """A memory instance of a sequential run: answers reads with the latest write.

    Its bytes are a dict of the pages written so far; every other byte is 0, so a 65,536-page
    memory costs nothing until it is touched.
    """

    def __init__(self, type: MemType) -> None:
        self.type = type
        self.size = type.min * PAGE
        self.written: dict[int, bytearray] = {}

    @property
    def pages(self) -> int:
        return self.size // PAGE

    def current_type(self) -> MemType:
        return attrs.evolve(self.type, min=self.pages)

    @property
    def data(self) -> bytes:
        """Every byte, materialised (for small memories)."""
        return self.load(0, self.size)

    def load(self, offset: int, n: int) -> bytes:
        out = bytearray()
        while n > 0:
            page, at = divmod(offset, PAGE)
            k = min(n, PAGE - at)
            data = self.written.get(page)
            out += data[at:at + k] if data is not None else bytes(k)
            offset, n = offset + k, n - k
        return bytes(out)

    def store(self, offset: int, data: bytes) -> None:
        i = 0
        while i < len(data):
            page, at = divmod(offset + i, PAGE)
            k = min(len(data) - i, PAGE - at)
            self.written.setdefault(page, bytearray(PAGE))[at:at + k] = data[i:i + k]
            i += k

    def zero(self, offset: int, n: int) -> None:
        """Bytes ``offset .. offset + n - 1`` become 0 (only the pages written so far change)."""
        for page, data in self.written.items():
            lo, hi = max(offset, page * PAGE), min(offset + n, (page + 1) * PAGE)
            if lo < hi:
                data[lo - page * PAGE:hi - page * PAGE] = bytes(hi - lo)

    def read(self, hole: Hole) -> Payload:
        if hole.region.fld == LEN:
            return (self.size,)
        return tuple(self.load(hole.offset, hole.width))

    def apply(self, actions: tuple[Action, ...]) -> None:
        """Perform the writes of a step on a shared memory (its contents live in events)."""
        for a in actions:
            if a.region is None or not a.write or a.region.addr != 0:
                continue
            if a.region.fld == LEN:
                self.size = a.write[0]
            elif isinstance(a.write, Fill):
                self.zero(a.offset, a.write.n)
                for i, v in a.write.patches:
                    self.store(a.offset + i, bytes((v,)))
            else:
                self.store(a.offset, bytes(a.write))

    def inst(self) -> MemInst:
        if self.type.shared:
            return MemInst(self.type, None)
        if self.pages > UNSHARED_PAGES:
            raise Unsupported(f"an unshared memory of {self.pages} pages (the runner runs at "
                              f"most {UNSHARED_PAGES})")
        return MemInst(self.current_type(), self.load(0, self.size))

    def take(self, mem: MemInst) -> None:
        """Copy back an unshared memory from the store after a run."""
        if mem.data is not None:
            self.size = len(mem.data)
            self.written = {p: bytearray(mem.data[p * PAGE:(p + 1) * PAGE])
                            for p in range(self.pages) if any(mem.data[p * PAGE:(p + 1) * PAGE])}


@attrs.define
class Instance:
    module: Module
    memory: SeqMemory | None

    def store(self) -> Store:
        funcs: tuple[FuncInst, ...] = tuple(WasmFunc(f.type, f) for f in self.module.funcs)
        return Store((self.memory.inst(),) if self.memory else (), funcs)


@attrs.frozen
class Outcome:
    """How an invocation ended: ``results`` when it returned, else ``trap`` (a message)."""

    results: tuple[Value, ...] = ()
    trap: str | None = None
    rule: str | None = None  # the trapping rule
    steps: int = 0


def _choose(emits: list[Emit]) -> list[Emit]:
    """The steps a thread may take: no woken step (a notify wakes it, ``Scheduler.take``), a
    successful grow when there is one."""
    live = [e for e in emits if not e.rule.endswith("waitx-woken")]
    if any(e.rule == "step/memory.grow" for e in live):
        live = [e for e in live if not e.rule.endswith("grow-fail")]
    return live


class WaitsForever(Unsupported):
    """Thrown into a thread that waits with no timeout when no thread can notify it."""

    def __init__(self) -> None:
        super().__init__("the thread waits forever: no other thread can notify it")


@attrs.define(eq=False)
class Waiter:
    """A Wasm thread's place in the scheduler: woken or timed out by another thread's step."""

    name: str
    woken: bool = False
    timed_out: bool = False
    suspended: tuple[int, int, int] | None = None  # (memory id, offset, timeout) while waiting


@attrs.define
class Queues:
    """The wait queues of every location: (memory id, offset) -> waiters, oldest first."""

    queues: dict[tuple[int, int], list[Waiter]] = attrs.field(factory=dict)

    def take(self, me: Waiter, mem: SeqMemory | None, choices: list[Emit]) -> Emit | None:
        """The step ``me`` takes among ``choices``, and its effect on the queues; None while
        ``me`` is suspended and nobody has woken it or timed it out."""
        def key_of(a: Action) -> tuple[int, int]:
            return id(mem), a.offset

        if me.suspended is not None:
            want = "waitx-woken" if me.woken else "waitx-timeout" if me.timed_out else None
            if want is None:
                return None
            me.woken = me.timed_out = False
            loc = me.suspended[:2]
            me.suspended = None
            q = self.queues.get(loc, [])
            if me in q:
                q.remove(me)
            return next(e for e in choices if e.rule.endswith(want))
        live = []
        for e in _choose(choices):
            n = next((a for a in e.actions if a.kind is Kind.NOTIFY), None)
            if n is None or n.args[0] == min(n.args[1], len(self.queues.get(key_of(n), []))):
                live.append(e)
        if len(live) > 1:
            raise Crash("a thread has several steps: " + ", ".join(e.rule for e in live))
        if not live:
            raise Unsupported(f"a notify waking more than {MAX_WOKEN} waiters "
                              "(semantics/wasm/step.py, MAX_WOKEN)")
        e = live[0]
        for a in e.actions:
            if a.kind is Kind.WAIT:
                me.suspended = (*key_of(a), a.args[0])
                self.queues.setdefault(key_of(a), []).append(me)
            elif a.kind is Kind.NOTIFY and a.args[0]:
                q = self.queues[key_of(a)]
                for w in q[:a.args[0]]:
                    w.woken = True
                del q[:a.args[0]]
        return e

    def leave(self, me: Waiter) -> None:
        """``me``'s invocation ended (or was abandoned): it waits no more."""
        for q in self.queues.values():
            if me in q:
                q.remove(me)
        me.suspended, me.woken, me.timed_out = None, False, False

    def time_out(self) -> bool:
        """No thread can go on: time out the oldest wait with a finite timeout, if any."""
        waits = [w for q in self.queues.values() for w in q
                 if w.suspended is not None and w.suspended[2] >= 0 and not w.timed_out]
        if not waits:
            return False
        waits[0].timed_out = True
        return True


Steps = Generator[str, None, tuple[Store, Thread, "Emit | None", int]]
"""A thread's run, one step at a time: it yields ``"step"`` after each step and ``"blocked"``
while it waits; it returns the final store, thread, last step and number of steps."""


def thread_run(store: Store, thread: Thread, mem: SeqMemory | None,
               max_steps: int = DEFAULT_MAX_STEPS, me: Waiter | None = None,
               queues: Queues | None = None,
               on_step: Callable[[Emit], None] | None = None) -> Steps:
    """Run ``thread`` to its end, taking turns (see ``run_thread``)."""
    read: Callable[[Hole], Payload] = mem.read if mem is not None else _no_memory
    me = Waiter("lone") if me is None else me
    queues = Queues() if queues is None else queues
    last: Emit | None = None
    for n in range(max_steps):
        emits = [e for e in (settle(t, read) for t in thread_steps(store, thread))
                 if e is not None]
        if not emits:
            return store, thread, last, n
        e = queues.take(me, mem, emits)
        while e is None:
            yield "blocked"
            e = queues.take(me, mem, emits)
        if mem is not None and mem.type.shared:
            mem.apply(e.actions)
        store, thread = e.after  # type: ignore[misc]
        last = e
        if on_step is not None:
            on_step(e)
        yield "step"
    raise StepLimit(f"no end after {max_steps} steps")


def run_thread(store: Store, thread: Thread, mem: SeqMemory | None,
               max_steps: int = DEFAULT_MAX_STEPS,
               on_step: Callable[[Emit], None] | None = None,
               ) -> tuple[Store, Thread, Emit | None, int]:
    """Run a lone ``thread`` to its end; the final store, thread, last step, and number of
    steps. ``on_step`` sees every step taken (a trace). A wait times out if it can; with no
    timeout, nobody can wake it (``Unsupported``)."""
    queues = Queues()
    run = thread_run(store, thread, mem, max_steps, Waiter("lone"), queues, on_step)
    try:
        while True:
            if next(run) == "blocked" and not queues.time_out():
                raise WaitsForever()
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def _no_memory(hole: Hole) -> Payload:
    raise Crash(f"a read of {hole!r} without a memory")


def invoke(inst: Instance, name: str, args: tuple[Value, ...],
           max_steps: int = DEFAULT_MAX_STEPS) -> Outcome:
    """Call export ``name`` of ``inst`` on ``args`` (raises ValueError for a bad call), alone."""
    return _drain(invoke_steps(inst, name, args, max_steps))


def _drain(run: Generator[str, None, Outcome]) -> Outcome:
    try:
        while True:
            next(run)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def invoke_steps(inst: Instance, name: str, args: tuple[Value, ...],
                 max_steps: int = DEFAULT_MAX_STEPS, me: Waiter | None = None,
                 queues: Queues | None = None) -> Generator[str, None, Outcome]:
    """``invoke``, taking turns (``thread_run``)."""
    export = inst.module.export(name)
    if export is None or export.kind != "func":
        raise ValueError(f"unknown function export {name!r}")
    func = inst.module.func(export.index)
    if func is None:
        raise Unsupported(f"export {name!r} is an imported function")
    if tuple(v.type for v in args) != func.type.params:
        raise ValueError(f"{name!r} expects arguments {_show_ft(func.type)}, got "
                         + (" ".join(show_value(v) for v in args) or "none"))
    thread = start_func(func, args)
    if me is None:
        store, thread, last, steps = run_thread(inst.store(), thread, inst.memory, max_steps)
    else:
        store, thread, last, steps = yield from thread_run(inst.store(), thread, inst.memory,
                                                           max_steps, me, queues)
    if inst.memory is not None and not inst.memory.type.shared:
        inst.memory.take(store.mems[0])
    if thread_status(thread) == "trapped":
        rule = last.rule if last is not None else "trap"
        return Outcome(trap=trap_message(rule), rule=rule, steps=steps)
    return Outcome(thread_results(thread), steps=steps)


# --- linking and instantiation ----------------------------------------------------------------


def _limits_match(actual: MemType, expected: MemType) -> bool:
    if actual.shared != expected.shared or actual.min < expected.min:
        return False
    return expected.max is None or (actual.max is not None and actual.max <= expected.max)


def _show_mem(t: MemType) -> str:
    return " ".join(str(x) for x in (t.min, t.max) if x is not None) + (" shared" if t.shared
                                                                        else "")


@attrs.define
class Runner:
    """The state of a script run: named and registered instances and the current one."""

    max_steps: int = DEFAULT_MAX_STEPS
    named: dict[str, Instance] = attrs.field(factory=dict)
    registered: dict[str, Instance] = attrs.field(factory=dict)
    current: Instance | None = None
    me: Waiter = attrs.field(factory=lambda: Waiter("main"))  # this script thread's Wasm thread
    queues: Queues = attrs.field(factory=Queues)  # shared by every thread of the script

    def link(self, module: Module) -> SeqMemory | None:
        """Resolve the imports (raises LinkError); the imported memory, if any."""
        memory: SeqMemory | None = None
        for imp in module.imports:
            where = f"{imp.module!r} {imp.name!r}"
            inst = self.registered.get(imp.module)
            export = inst.module.export(imp.name) if inst is not None else None
            if inst is None or export is None:
                raise LinkError(f"unknown import {where}")
            if isinstance(imp.desc, MemType):
                if export.kind != "memory" or inst.memory is None:
                    raise LinkError(f"incompatible import type: {where} is not a memory")
                actual = inst.memory.current_type()
                if not _limits_match(actual, imp.desc):
                    raise LinkError(f"incompatible import type: {where} is memory "
                                    f"{_show_mem(actual)}, expected {_show_mem(imp.desc)}")
                memory = inst.memory
            else:
                if export.kind != "func":
                    raise LinkError(f"incompatible import type: {where} is not a function")
                actual_ft = inst.module.func_types[export.index]
                if actual_ft != imp.desc:
                    raise LinkError(f"incompatible import type: {where} has type "
                                    f"{_show_ft(actual_ft)}, expected {_show_ft(imp.desc)}")
        return memory

    def instantiate(self, module: Module) -> Instance:
        """Validate, link, allocate, initialise (raises ValidationError, LinkError,
        InstantiationTrap or Unsupported); the new instance becomes current."""
        module_ok(module)
        memory = self.link(module)
        if module.func_imports:
            raise Unsupported("modules that import functions (cross-instance calls)")
        if memory is None and module.memories:
            memory = SeqMemory(module.memories[0])
        for addr, data in module.data:
            if memory is None or addr + len(data) > memory.size:
                raise InstantiationTrap("out of bounds memory access")
            memory.store(addr, bytes(data))
        inst = Instance(module, memory)
        if module.name is not None:
            self.named[module.name] = inst
        self.current = inst
        return inst

    def instance(self, name: str | None) -> Instance:
        inst = self.current if name is None else self.named.get(name)
        if inst is None:
            raise ValueError("no module defined yet" if name is None else f"unknown module {name}")
        return inst

    def action(self, act: wast.Invoke | wast.Get) -> Generator[str, None, Outcome]:
        """Run the action, taking turns with the script's other threads (``thread_run``)."""
        if isinstance(act, wast.Get):
            raise ValueError(f"unknown global export {act.name!r}: the fragment has no globals")
        inst = self.instance(act.module)
        args = tuple(Value(a.type, a.bits) for a in act.args)
        try:
            return (yield from invoke_steps(inst, act.name, args, self.max_steps, self.me,
                                            self.queues))
        finally:
            self.queues.leave(self.me)


def _show_ft(ft: FuncType) -> str:
    return (f"[{' '.join(t.value for t in ft.params)}] -> "
            f"[{' '.join(t.value for t in ft.results)}]")


# --- results ---------------------------------------------------------------------------------

_NAN = {F32: (0x7FC00000, 0x7FFFFFFF), F64: (0x7FF8000000000000, 0x7FFFFFFFFFFFFFFF)}


def _matches(expected: wast.Result, got: Value) -> bool:
    if isinstance(expected, wast.Either):
        return any(_matches(alt, got) for alt in expected.alternatives)
    if expected.type != got.type:
        return False
    if isinstance(expected, wast.NanPattern):
        quiet, magnitude = _NAN[expected.type]
        if expected.kind == "canonical":
            return got.bits & magnitude == quiet
        return got.bits & quiet == quiet  # exponent all ones, quiet bit set
    return got.bits == expected.bits


def show_value(v: Value) -> str:
    return f"({v.type.value}.const {v.bits:#x})"


def _show_result(r: wast.Result) -> str:
    if isinstance(r, wast.Either):
        return "(either " + " ".join(_show_result(a) for a in r.alternatives) + ")"
    if isinstance(r, wast.NanPattern):
        return f"({r.type.value}.const nan:{r.kind})"
    return show_value(Value(r.type, r.bits))


def _show_outcome(o: Outcome) -> str:
    if o.trap is not None:
        return f"trap {o.trap!r}"
    return " ".join(show_value(v) for v in o.results) or "no values"


# --- commands --------------------------------------------------------------------------------


@attrs.frozen
class Failure:
    line: int
    command: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.command}: {self.message}"


@attrs.frozen
class ScriptResult:
    """``passed``/``failed`` count assertions (a failing ``module``/``invoke``/``register`` is
    also a failure); ``unsupported`` counts commands not run, listed in ``skipped``."""

    passed: int = 0
    failed: int = 0
    unsupported: int = 0
    failures: tuple[Failure, ...] = ()
    skipped: tuple[Failure, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failed == 0


class _Fail(Exception):
    pass


def _command_name(cmd: wast.Command) -> str:
    return {wast.ModuleCmd: "module", wast.Register: "register", wast.Invoke: "invoke",
            wast.Get: "get", wast.AssertReturn: "assert_return", wast.AssertTrap: "assert_trap",
            wast.AssertExhaustion: "assert_exhaustion", wast.AssertInvalid: "assert_invalid",
            wast.AssertMalformed: "assert_malformed", wast.AssertUnlinkable: "assert_unlinkable",
            wast.Thread: "thread", wast.Wait: "wait"}[type(cmd)]


def _expect_message(kind: str, got: str, expected: str) -> None:
    if not got.startswith(expected):
        raise _Fail(f"{kind} {got!r}, expected a message starting with {expected!r}")


def _run_command(runner: Runner, cmd: wast.Command) -> Generator[str, None, None]:
    """Run one command, taking turns with the other threads; raises _Fail when it fails,
    Unsupported when it cannot be run."""
    if isinstance(cmd, wast.ModuleCmd):
        runner.instantiate(cmd.module)
    elif isinstance(cmd, wast.Register):
        runner.registered[cmd.as_name] = runner.instance(cmd.module)
    elif isinstance(cmd, (wast.Invoke, wast.Get)):
        out = yield from runner.action(cmd)
        if out.trap is not None:
            raise _Fail(f"trapped: {out.trap}")
    elif isinstance(cmd, wast.AssertReturn):
        out = yield from runner.action(cmd.action)
        if out.trap is not None or len(out.results) != len(cmd.results) or not all(
                _matches(e, g) for e, g in zip(cmd.results, out.results, strict=True)):
            want = " ".join(_show_result(r) for r in cmd.results) or "no values"
            raise _Fail(f"expected {want}, got {_show_outcome(out)}")
    elif isinstance(cmd, wast.AssertTrap):
        yield from _assert_trap(runner, cmd)
    elif isinstance(cmd, wast.AssertInvalid):
        try:
            module_ok(cmd.module)
        except ValidationError as e:
            _expect_message("invalid:", e.reason, cmd.message)
            return
        raise _Fail(f"the module validates, expected {cmd.message!r}")
    elif isinstance(cmd, wast.AssertMalformed):
        if not isinstance(cmd.module, ParseError):
            raise _Fail(f"the module parses, expected {cmd.message!r}")
    elif isinstance(cmd, wast.AssertUnlinkable):
        module_ok(cmd.module)
        try:
            runner.link(cmd.module)
        except LinkError as e:
            _expect_message("unlinkable:", str(e), cmd.message)
            return
        raise _Fail(f"the module links, expected {cmd.message!r}")
    else:
        raise Unsupported(f"{_command_name(cmd)} needs a resource bound or threads")


def _assert_trap(runner: Runner, cmd: wast.AssertTrap) -> Generator[str, None, None]:
    if isinstance(cmd.target, Module):
        try:
            runner.instantiate(cmd.target)
        except InstantiationTrap as e:
            _expect_message("trapped:", str(e), cmd.message)
            return
        raise _Fail(f"instantiation succeeded, expected trap {cmd.message!r}")
    out = yield from runner.action(cmd.target)
    if out.trap is None:
        raise _Fail(f"returned {_show_outcome(out)}, expected trap {cmd.message!r}")
    _expect_message("trapped:", out.trap, cmd.message)


@attrs.define
class _Tally:
    passed: int = 0
    failures: list[Failure] = attrs.field(factory=list)
    skipped: list[Failure] = attrs.field(factory=list)


@attrs.define
class _Scheduler:
    """The script's threads, taking turns (module doc)."""

    max_steps: int
    tally: _Tally = attrs.field(factory=_Tally)
    queues: Queues = attrs.field(factory=Queues)
    live: list[tuple[Runner, Generator[str, None, None]]] = attrs.field(factory=list)
    started: set[str] = attrs.field(factory=set)
    ended: set[str] = attrs.field(factory=set)

    def spawn(self, name: str, runner: Runner, commands: Sequence[wast.Command]) -> None:
        self.started.add(name)
        self.live.append((runner, self.script(name, runner, commands)))

    def script(self, name: str, runner: Runner,
               commands: Sequence[wast.Command]) -> Generator[str, None, None]:
        for cmd in commands:
            yield from self.command(runner, cmd)
        self.ended.add(name)

    def command(self, runner: Runner, cmd: wast.Command) -> Generator[str, None, None]:
        name, t = _command_name(cmd), self.tally
        if isinstance(cmd, wast.Thread):
            missing = [m for m in cmd.shared if m not in runner.named]
            if missing or cmd.name in self.started:
                why = (f"unknown module {missing[0]}" if missing
                       else f"thread {cmd.name} already exists")
                t.failures.append(Failure(cmd.line, name, why))
                return
            child = Runner(self.max_steps, {m: runner.named[m] for m in cmd.shared},
                           me=Waiter(cmd.name), queues=self.queues)
            self.spawn(cmd.name, child, cmd.commands)
            return
        if isinstance(cmd, wast.Wait):
            if cmd.thread not in self.started:
                t.failures.append(Failure(cmd.line, name, f"unknown thread {cmd.thread}"))
                return
            while cmd.thread not in self.ended:
                yield "blocked"
            return
        try:
            yield from _run_command(runner, cmd)
        except ValidationError as e:
            if isinstance(cmd, wast.ModuleCmd):
                raise BadScript(cmd.line, cmd.col, f"expected a valid module, found {e}") from e
            t.failures.append(Failure(cmd.line, name, str(e)))
            return
        except Unsupported as e:
            t.skipped.append(Failure(cmd.line, name, str(e)))
            return
        except (_Fail, LinkError, InstantiationTrap, StepLimit, ValueError,
                Crash) as e:
            prefix = "crash (a bug in the semantics): " if isinstance(e, Crash) else ""
            t.failures.append(Failure(cmd.line, name, prefix + str(e)))
            return
        if isinstance(cmd, ASSERTIONS):
            t.passed += 1

    def run(self) -> None:
        """Round robin until every thread has ended (module doc)."""
        throw: set[int] = set()
        while self.live:
            moved = False
            threads = len(self.started)
            for runner, g in list(self.live):
                try:
                    status = g.throw(WaitsForever()) if id(g) in throw else next(g)
                except StopIteration:
                    self.live.remove((runner, g))
                    moved = True
                    continue
                finally:
                    throw.discard(id(g))
                moved = moved or status != "blocked"
            if moved or len(self.started) > threads or self.queues.time_out():
                continue
            stuck = [g for r, g in self.live if r.me.suspended is not None]
            if not stuck:
                raise Crash("the script's threads wait for each other")
            throw = {id(g) for g in stuck}


def run_commands(commands: Sequence[wast.Command],
                 max_steps: int = DEFAULT_MAX_STEPS) -> ScriptResult:
    sched = _Scheduler(max_steps)
    sched.spawn("main", Runner(max_steps, queues=sched.queues), commands)
    sched.run()
    t = sched.tally
    return ScriptResult(t.passed, len(t.failures), len(t.skipped), tuple(t.failures),
                        tuple(t.skipped))


def run_script(src: str, max_steps: int = DEFAULT_MAX_STEPS) -> ScriptResult:
    """Parse and run a ``.wast`` script (raises ParseError with line and column if malformed)."""
    return run_commands(wast.parse_script(src).commands, max_steps)


def run_file(path: str | Path, max_steps: int = DEFAULT_MAX_STEPS) -> ScriptResult:
    """Raises ``LitmusError`` (an unreadable file, or not UTF-8), ``ParseError`` or
    ``BadScript``."""
    return run_script(read_source(str(path)), max_steps)


def render(result: ScriptResult, name: str = "<script>", verbose: bool = False) -> str:
    """One line per failure (``name:line: command: why``), then ``N passed, M failed``."""
    lines = [f"{name}:{f.line}: {f.command}: {f.message}" for f in result.failures]
    if verbose:
        lines += [f"{name}:{f.line}: {f.command}: unsupported: {f.message}"
                  for f in result.skipped]
    summary = f"{result.passed} passed, {result.failed} failed"
    if result.unsupported:
        summary += f", {result.unsupported} unsupported"
    return "\n".join([*lines, summary])


EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_NOTHING_CHECKED = 0, 1, 2, 3
"""``weakwasm wast``'s exit status: every assertion passed; some failed; some script was bad input
(``file:line:col: expected ...`` on stderr: unreadable, not UTF-8, malformed, an invalid
``module``); no assertion of any script was run (all unsupported). The worst one wins."""


def main(paths: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         verbose: bool = False) -> int:
    """Run each script; the exit status (``EXIT_*``) of the whole batch."""
    bad = failed = False
    checked = unsupported = 0
    for path in paths:
        try:
            result = run_file(path)
        except LitmusError as e:
            print(e, file=err)
            bad = True
            continue
        except ParseError as e:
            print(f"{path}:{e.line}:{e.col}: expected {e.expected}, found {e.found}", file=err)
            bad = True
            continue
        except BadScript as e:
            print(f"{path}:{e.line}:{e.col}: {e}", file=err)
            bad = True
            continue
        summary = render(result, path, verbose)
        print(f"{path}: {summary}" if len(paths) > 1 and "\n" not in summary else summary,
              file=out)
        failed = failed or not result.ok
        checked += result.passed + result.failed
        unsupported += result.unsupported
    if bad:
        return EXIT_BAD_INPUT
    if failed:
        return EXIT_FAILED
    if checked == 0:
        print(f"weakwasm: nothing was checked: no assertion ran ({unsupported} commands "
              "unsupported)", file=err)
        return EXIT_NOTHING_CHECKED
    return EXIT_PASSED
