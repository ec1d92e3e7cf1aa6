"""Tasks and where they run: one layer for ``weakwasm check``, ``hunt`` and ``prove``
(docs/scale.md).

A *plan* computes one result (a report row, a hunt, a bounded proof) as a generator: it yields
a ``Batch`` of ``Call``s, gets back their results, and returns its value. A call is a top-level
function and picklable arguments (names of theorems and models, never a model object: a worker
resolves them itself), so that it runs anywhere: in this process (``jobs=1``), on a local
process pool (``jobs=N``) or on a Dask distributed cluster (``cluster=ADDRESS``). ``Workers.run``
drives many plans at once and keeps every worker busy, the highest ``priority`` first.

Results do not depend on where or in which order the calls ran: each call is deterministic (a
Hypothesis shard has its own seed, a Z3 counterexample is the least model of its case), the
split of a search into calls is a function of its budget alone (``shards``), and a batch's
result is the shortest prefix of its calls, in order, that decides it (``Batch.decides``) or
all of them: what an in-order run would have computed. Calls after a deciding one are
cancelled (those already running finish, and their results are dropped).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import heapq
import os
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Call:
    """``fn(*args, **local)``; ``local`` (progress callbacks) is passed only in this process."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    local: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Batch:
    """Calls whose results the plan gets back together. ``decides(prefix)``: these first
    results, in order, decide the batch. ``heard(k, value)`` runs in this process as call
    ``k``'s result comes in (progress). With ``budget_s``, each call gets the keyword
    ``deadline``: the ``time.time()`` at which the batch's budget, counted from when its first
    call went out, ends."""

    calls: tuple[Call, ...]
    decides: Callable[[list[Any]], bool] | None = None
    heard: Callable[[int, Any], object] | None = None
    budget_s: float | None = None


Plan = Generator[Batch, list[Any], T]


def derived_seed(seed: int, shard: int) -> int:
    """Shard 0 keeps ``seed`` (one shard is the plain run); the others get independent ones."""
    if shard == 0:
        return seed
    digest = hashlib.sha256(f"weakwasm shard {seed} {shard}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def shards(seed: int, examples: int, size: int) -> list[tuple[int, int]]:
    """``examples`` instances as (seed, instances) shards of at most ``size``, as even as can
    be: a function of the budget only, never of the number of workers."""
    k = max(1, -(-examples // size))
    return [(derived_seed(seed, j), examples // k + (j < examples % k)) for j in range(k)]


def _timed(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
           ) -> tuple[Any, float]:
    """The call's result and the CPU seconds of the thread that ran it (Z3 runs in it)."""
    start = time.thread_time()
    value = fn(*args, **kwargs)
    return value, time.thread_time() - start


class _InProcess(cf.Executor):
    """Runs each call at once, in order, in this process: ``--jobs 1``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # re-raised by the driver, as a pool would
            future.set_exception(e)
        return future


@attrs.define
class _BatchState:
    plan: int
    batch: Batch
    results: dict[int, Any] = attrs.field(factory=dict)
    futures: dict[int, cf.Future[Any]] = attrs.field(factory=dict)
    settled: bool = False  # decided: later calls are dropped, or cancelled when running
    deadline: float | None = None  # Batch.budget_s, set when the first call goes out

    def decided(self) -> list[Any] | None:
        out = []
        for i in range(len(self.batch.calls)):
            if i not in self.results:
                return None
            out.append(self.results[i])
            if self.batch.decides is not None and self.batch.decides(out):
                return out
        return out

    def kwargs(self, k: int, in_process: bool) -> dict[str, Any]:
        kw = dict(self.batch.calls[k].local) if in_process else {}
        if self.batch.budget_s is not None:
            if self.deadline is None:
                self.deadline = time.time() + self.batch.budget_s
            kw["deadline"] = self.deadline
        return kw


class Workers:
    """Where calls run: ``jobs`` local processes (1: this process), or the Dask cluster at
    ``cluster`` (a scheduler's address, e.g. ``tcp://10.0.0.1:8786``)."""

    def __init__(self, jobs: int | None = None, cluster: str | None = None) -> None:
        self.cluster = cluster
        self.cpu_seconds = 0.0
        self._client: Any = None
        if cluster is not None:
            from distributed import Client

            self._client = Client(cluster, set_as_default=False, timeout=10)
            info = self._client.scheduler_info()["workers"]
            self.count = max(1, sum(w.get("nthreads", 1) for w in info.values()))
            self._executor: cf.Executor = self._client.get_executor(pure=False)
        else:
            self.count = jobs or os.cpu_count() or 1
            self._executor = (_InProcess() if self.count == 1
                              else cf.ProcessPoolExecutor(self.count))

    @property
    def in_process(self) -> bool:
        return isinstance(self._executor, _InProcess)

    def describe(self) -> str:
        if self.cluster is not None:
            return f"Dask cluster {self.cluster}, {self.count} worker threads"
        if self.in_process:
            return "1 worker (this process)"
        return f"{self.count} local worker processes"

    def close(self) -> None:
        if self._client is not None:
            self._executor.shutdown(wait=True)
            self._client.close()
        else:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def one(self, plan: Plan[T]) -> T:
        value: T = self.run([plan])[0]
        return value

    def run(self, plans: Sequence[Plan[Any]], priorities: Sequence[int] | None = None,
            on_done: Callable[[int, Any], object] | None = None) -> list[Any]:
        """Every plan's value, in the plans' order; ``on_done(i, value)`` as each finishes.
        Ready calls go out lowest ``priorities[i]`` first, then in plan and call order."""
        prio = list(priorities) if priorities is not None else [0] * len(plans)
        values: dict[int, Any] = {}
        ready: list[tuple[int, int, int, int, _BatchState]] = []
        running: dict[cf.Future[Any], tuple[_BatchState, int]] = {}
        seq = iter(range(1 << 62))

        def advance(i: int, results: list[Any] | None) -> None:
            plan = plans[i]
            try:
                batch = next(plan) if results is None else plan.send(results)
            except StopIteration as stop:
                values[i] = stop.value
                if on_done is not None:
                    on_done(i, stop.value)
                return
            state = _BatchState(i, batch)
            if not batch.calls:
                advance(i, [])
                return
            for k in range(len(batch.calls)):
                heapq.heappush(ready, (prio[i], i, next(seq), k, state))

        def settle(state: _BatchState) -> None:
            results = state.decided()
            if results is None:
                return
            state.settled = True
            for f in state.futures.values():
                f.cancel()
            advance(state.plan, results)

        for i in range(len(plans)):
            advance(i, None)
        while ready or running:
            while ready and len(running) < self.count:
                *_, k, state = heapq.heappop(ready)
                if state.settled:
                    continue
                call = state.batch.calls[k]
                future = self._executor.submit(_timed, call.fn, call.args,
                                               state.kwargs(k, self.in_process))
                state.futures[k] = future
                running[future] = (state, k)
                if self.in_process:
                    break  # one call at a time: settle it before the next
            done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
            for future in done:
                state, k = running.pop(future)
                if future.cancelled():
                    continue
                value, cpu = future.result()
                self.cpu_seconds += cpu
                if state.settled:
                    continue
                del state.futures[k]
                state.results[k] = value
                if state.batch.heard is not None:
                    state.batch.heard(k, value)
                settle(state)
        return [values[i] for i in range(len(plans))]


@contextmanager
def workers(jobs: int | None = None, cluster: str | None = None) -> Iterator[Workers]:
    w = Workers(jobs, cluster)
    try:
        yield w
    finally:
        w.close()


# --- Z3: a bound's cases as parts (proofs.obligations.sc_drf_part) -----------------------------

SPLIT_FROM = 6
"""Bounds below this are one call: they take a few seconds, the larger bounds run beside
them, and each part encodes the obligation again (0.2 s at 4 events, 0.8 s at 7)."""


def prove_part(theorem: str, model: str, bound: int, part: int, parts: int,
               rlimit: int | None = None, cells: int | None = None,
               widths: tuple[int, ...] | None = None, length: bool = False,
               waits: int = 0, deadline: float | None = None, progress: Any = None) -> Any:
    """Part ``part`` of ``parts`` of one bound of an obligation, by names (a task), to be
    decided by ``deadline`` (``time.time()``); past it, "unknown" without encoding anything."""
    import z3

    from metatheory.models import resolve_model
    from proofs.obligations import ProofResult, prove_exactly, sc_drf_part, space_shape
    from proofs.space import Space

    space = attrs.evolve(Space(bound, values=1), **space_shape(cells, widths, length, waits))
    given = resolve_model(model)
    timeout_s = None if deadline is None else deadline - time.time()
    if timeout_s is not None and timeout_s <= 0:
        return ProofResult(theorem, given.name, bound, "unknown", 0.0, z3.get_version_string(),
                           detail="out of time", space=space)
    if theorem == "sc_drf":
        return sc_drf_part(given, bound, part, parts, space=space, timeout_s=timeout_s,
                           rlimit=rlimit, progress=progress)
    return prove_exactly(theorem, given, bound, timeout_s, rlimit=rlimit, space=space)


def proof_plan(theorem: str, model: str, max_bound: int, timeout_s: float | None, *,
               parts: int = 1, rlimit: int | None = None, cells: int | None = None,
               widths: tuple[int, ...] | None = None, length: bool = False,
               waits: int = 0, on_result: Callable[[Any], object] | None = None,
               on_case: Callable[[int, int, int], object] | None = None) -> Plan[Any]:
    """``proofs.obligations.prove_up_to`` as a plan: bounds 1 .. ``max_bound`` until one is
    not proved or the total ``timeout_s`` runs out, counted from when the first call goes out;
    ``sc_drf``'s bounds from ``SPLIT_FROM`` on are decided in ``parts`` parts, on as many
    workers. The bounds are one batch, in order, so that a worker that is done with its part
    of a bound takes up the next bound rather than wait for the others' parts; a bound that is
    not proved cancels the larger ones. ``on_result`` hears of each bound as it is decided, in
    order; ``on_case(bound, done, total)`` of the cases as they are decided in this process, or
    of each bound's cases at once elsewhere. Returns a ``BoundedProof``."""
    from proofs.obligations import BoundedProof, merge_parts

    spans: list[range] = []  # the calls of each bound
    calls: list[Call] = []
    counted = [False] * (max_bound + 1)  # the bound ran here and told of its cases itself
    for n in range(1, max_bound + 1):
        k = parts if theorem == "sc_drf" and n >= SPLIT_FROM else 1

        def progress(done: int, total: int, n: int = n) -> None:
            counted[n] = True
            if on_case is not None:
                on_case(n, done, total)

        local = {"progress": progress} if theorem == "sc_drf" and k == 1 else {}
        spans.append(range(len(calls), len(calls) + k))
        calls.extend(Call(prove_part, (theorem, model, n, i, k, rlimit, cells, widths, length,
                                       waits), local) for i in range(k))

    def bound_of(got: list[Any]) -> Any:
        return merge_parts(got) if theorem == "sc_drf" else got[0]  # seconds: added up

    heard: dict[int, Any] = {}
    told: list[Any] = []  # the bounds on_result heard of, in order

    def tell(r: Any) -> None:
        n = len(told) + 1
        told.append(r)
        if on_case is not None and not counted[n] and r.cases:
            on_case(n, r.cases, r.cases)
        if on_result is not None:
            on_result(r)

    def hear(k: int, value: Any) -> None:
        heard[k] = value
        while len(told) < max_bound and (not told or told[-1].status == "proved"):
            span = spans[len(told)]
            if any(j not in heard for j in span):
                return
            tell(bound_of([heard[j] for j in span]))

    # parts are consecutive blocks of cases: the first result that is not proved decides
    got = yield Batch(tuple(calls), decides=lambda rs: rs[-1].status != "proved", heard=hear,
                      budget_s=timeout_s)
    for span in spans[len(told):]:  # the bound that decided, if some of its parts are out
        if told and told[-1].status != "proved" or span.start >= len(got):
            break
        tell(bound_of(got[span.start:span.stop]))
    name = told[0].model if told else model
    return BoundedProof(theorem, name, tuple(told))
