"""The SC machine's speed (``--model sc``): median-of-3 CPU seconds of ``run_test`` on

- n independent threads, each storing once to its own location (n = 2..10), the final values
  observed;
- IRIW with SeqCst accesses and 2..6 readers (two writers, readers alternating x-then-y and
  y-then-x);
- the golden corpus (tests/litmus) as one batch;

for the machine as it is (``semantics.litmus.sc``, one interleaving per trace) and, with
``--before``, for the exploration of every interleaving that it replaced
(``tests/common/sc_reference.py``), each run stopped after ``--timeout`` CPU seconds.

    python bench/sc_machine.py [--before] [--timeout 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metatheory.cli import expand  # noqa: E402
from semantics.litmus import sc  # noqa: E402
from semantics.litmus.format import LitmusTest, parse_litmus  # noqa: E402
from semantics.litmus.loader import load_test  # noqa: E402
from semantics.litmus.result import SC, run_test  # noqa: E402
from tests.common.sc_reference import reference_sc_executions  # noqa: E402


def independent_stores(n: int) -> LitmusTest:
    names = "; ".join(f"x{i} = {4 * i}" for i in range(n))
    threads = "\n".join(f"thread {i} {{ (i32.store (i32.const x{i}) (i32.const 1)) }}"
                        for i in range(n))
    cond = " /\\ ".join(f"[x{i}]=1" for i in range(n))
    return parse_litmus(f"WASM Stores{n}\n{{ memory 1 1 shared; {names}; }}\n{threads}\n"
                        f"forall ({cond})\n")


def iriw(readers: int) -> LitmusTest:
    threads = ["thread 0 { (i32.atomic.store (i32.const x) (i32.const 1)) }",
               "thread 1 { (i32.atomic.store (i32.const y) (i32.const 1)) }"]
    for k in range(readers):
        a, b = ("x", "y") if k % 2 == 0 else ("y", "x")
        threads.append(f"thread {k + 2} {{ (local $r0 i32) (local $r1 i32)\n"
                       f"  (local.set $r0 (i32.atomic.load (i32.const {a})))\n"
                       f"  (local.set $r1 (i32.atomic.load (i32.const {b}))) }}")
    cond = " /\\ ".join(f"{k}:r0=1 /\\ {k}:r1=0" for k in (2, 3))
    return parse_litmus(f"WASM IRIW{readers}\n{{ memory 1 1 shared; x = 0; y = 4; }}\n"
                        + "\n".join(threads) + f"\nexists ({cond})\n")


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def timed(work: Callable[[], object], repeat: int, timeout: float) -> str:
    """Median CPU seconds of ``repeat`` runs (CPU, not wall: the machines this runs on are
    shared), or ``> timeout`` when a run is cut."""
    times = []
    for _ in range(repeat):
        signal.setitimer(signal.ITIMER_PROF, timeout)
        start = time.process_time()
        try:
            work()
        except _Timeout:
            return f"> {timeout:g}"
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        times.append(time.process_time() - start)
    return f"{statistics.median(times):.3f}"


def batch(tests: Sequence[LitmusTest]) -> Callable[[], object]:
    return lambda: [run_test(t, SC) for t in tests]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--before", action="store_true", help="also time the unreduced exploration")
    p.add_argument("--timeout", type=float, default=20.0, help="CPU seconds per run (default 20)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    signal.signal(signal.SIGPROF, _alarm)
    rows: list[tuple[str, LitmusTest | list[LitmusTest]]] = []
    rows += [(f"{n} independent stores", independent_stores(n)) for n in range(2, 11)]
    rows += [(f"IRIW, {k} readers", iriw(k)) for k in range(2, 7)]
    corpus = [load_test(f) for f in expand([str(ROOT / "tests" / "litmus")])]
    rows.append((f"corpus ({len(corpus)} tests)", corpus))
    original = sc.sc_executions
    machines = [("after", original)]
    if args.before:
        machines.insert(0, ("before", reference_sc_executions))
    print(f"{'test':28} {'executions':>10}" + "".join(f" {m + ' (s)':>12}" for m, _ in machines))
    for name, tests in rows:
        ts = tests if isinstance(tests, list) else [tests]
        cols = []
        for _, machine in machines:
            sc.sc_executions = machine  # run_test's SC machine (it imports it when it runs)
            cols.append(timed(batch(ts), args.repeat, args.timeout))
            sc.sc_executions = original
        count = sum(len(run_test(t, SC).enumeration.valid) for t in ts)
        print(f"{name:28} {count:>10}" + "".join(f" {c:>12}" for c in cols), flush=True)


if __name__ == "__main__":
    main()
