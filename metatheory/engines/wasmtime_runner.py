"""Running a compiled test on wasmtime (the PyPI bindings): one Store and instance per litmus
thread, each on its own Python thread (calls into wasm release the GIL, so they run in
parallel), all importing one shared memory."""

from __future__ import annotations

import collections
import ctypes
import struct
import threading
import time

import wasmtime

from metatheory.engines.compile import (
    ABORT,
    COUNTER,
    DEPART,
    GENERATION,
    TABLE,
    Compiled,
    stride_order,
)
from metatheory.engines.observed import EngineError, Observed
from metatheory.engines.wasmtime_shim import shared_memory, threads_engine


def prepare_batch(addr: int, c: Compiled, seed: int, batch_no: int, k: int) -> None:
    """Zero the strides and records, write the test's initial bytes into every stride, the
    stride table, and reset the barrier and the abort flag (the host does this before the
    threads start, which orders it before everything they do)."""
    lay = c.layout
    ctypes.memset(addr + lay.loc, 0, lay.rec + lay.batch * lay.record_size - lay.loc)
    bases = [lay.base(i) for i in stride_order(seed, batch_no, k)]
    table = struct.pack(f"<{k}I", *bases)
    ctypes.memmove(addr + TABLE, table, len(table))
    for b in bases:
        for off, bs in c.init:
            ctypes.memmove(addr + b + off, bs, len(bs))
    for word in (COUNTER, GENERATION, ABORT, DEPART):
        ctypes.memset(addr + word, 0, 4)


def run_wasmtime(c: Compiled, iterations: int, seed: int) -> Observed:
    if c.agents:
        raise EngineError("wasmtime runs Wasm threads only, not the JS threads "
                          + ", ".join(str(a.thread) for a in c.agents))
    engine = threads_engine()
    module = wasmtime.Module(engine, bytes(wasmtime.wat2wasm(c.wat)))
    mem = shared_memory(engine, c.layout.pages)
    addr = mem.address()
    n = c.threads
    start = threading.Barrier(n + 1)
    done = threading.Barrier(n + 1)
    todo: list[int] = [0]  # the batch size; 0 ends the workers
    errors: list[str] = []

    def worker(i: int) -> None:
        store = wasmtime.Store(engine)
        run = wasmtime.Instance(store, module, [mem]).exports(store)[f"t{i}"]
        assert isinstance(run, wasmtime.Func)
        while True:
            start.wait()
            if todo[0] == 0:
                return
            try:
                run(store, todo[0])
            except wasmtime.Trap as e:
                errors.append(f"thread {i} trapped: {str(e).splitlines()[0]}")
                ctypes.memset(addr + ABORT, 1, 1)
            done.wait()

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for w in workers:
        w.start()
    store = wasmtime.Store(engine)
    observe = wasmtime.Instance(store, module, [mem]).exports(store)["observe"]
    assert isinstance(observe, wasmtime.Func)
    counts: collections.Counter[bytes] = collections.Counter()
    size = c.layout.record_size
    seconds = 0.0
    batch_no = 0
    left = iterations
    try:
        while left > 0 and not errors:
            k = min(left, c.layout.batch)
            prepare_batch(addr, c, seed, batch_no, k)
            todo[0] = k
            t0 = time.perf_counter()
            start.wait()
            done.wait()
            seconds += time.perf_counter() - t0
            if errors:
                break
            observe(store, k)
            recs = ctypes.string_at(addr + c.layout.rec, k * size)
            counts.update(recs[j:j + size] for j in range(0, k * size, size))
            left -= k
            batch_no += 1
    finally:
        todo[0] = 0
        start.wait()
        for w in workers:
            w.join()
    if errors:
        raise EngineError("; ".join(errors) + _trap_hint(c))
    states = tuple((c.decode(r), m) for r, m in counts.items())
    return Observed(c.test.name, "wasmtime", c.test.condition, states, iterations, seconds, seed)


def _trap_hint(c: Compiled) -> str:
    return (f" (the compiled test emulates its own traps, so a real one means an access beyond "
            f"the {c.layout.footprint} bytes the compiler gave each iteration)")
