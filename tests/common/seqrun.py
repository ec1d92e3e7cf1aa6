"""A sequential runner: one thread run to its end by ``settle`` over the script runner's
sequential memory (``metatheory.conformance.SeqMemory``)."""

from __future__ import annotations

from collections.abc import Callable

from metatheory import conformance as script
from semantics.wasm.runtime import Store, Thread
from semantics.wasm.step import Emit, settle, thread_steps
from semantics.wasm.syntax import MemType

AVOID = ("grow-fail", "waitx-woken")  # a lone thread prefers success and timeouts


def SeqMemory(pages: int = 1) -> script.SeqMemory:  # noqa: N802 (stands for the class)
    """The script runner's sequential memory, ``pages`` pages of a shared memory."""
    return script.SeqMemory(MemType(pages, None, True))


def run(store: Store, thread: Thread, mem: SeqMemory, max_steps: int = 10_000,
        choose: Callable[[list[Emit]], Emit] | None = None) -> tuple[Store, Thread, list[Emit]]:
    """Run one thread to the end; at a choice take ``choose(emits)`` (default: the first emit
    whose rule is not in AVOID, else the first)."""
    trace: list[Emit] = []
    for _ in range(max_steps):
        emits = [e for e in (settle(t, mem.read) for t in thread_steps(store, thread))
                 if e is not None]
        if not emits:
            return store, thread, trace
        if choose is not None:
            e = choose(emits)
        else:
            e = next((e for e in emits if not e.rule.endswith(AVOID)), emits[0])
        mem.apply(e.actions)
        store, thread = e.after  # type: ignore[misc]
        trace.append(e)
    raise AssertionError(f"no end after {max_steps} steps")
