"""Litmus enumerator benchmark: runs the golden corpus and prints tests/second, valid
executions/second and candidate executions explored per valid execution (ideal: close to 1).

    python bench/litmus_bench.py [--model wasm] [--repeat 3] [DIR_OR_FILES...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metatheory.cli import expand  # noqa: E402
from metatheory.models import resolve_model  # noqa: E402
from semantics.litmus.loader import load_test  # noqa: E402
from semantics.litmus.result import run_test  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("paths", nargs="*",
                   default=[str(Path(__file__).resolve().parents[1] / "tests" / "litmus")])
    p.add_argument("--model", default="wasm")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    model = resolve_model(args.model, sc=True)
    tests = [load_test(f) for f in expand(args.paths)]
    times: list[float] = []
    valid = candidates = 0
    slowest: list[tuple[float, str]] = []
    for _ in range(args.repeat):
        valid = candidates = 0
        slowest = []
        start = time.perf_counter()
        for t in tests:
            t0 = time.perf_counter()
            run = run_test(t, model)
            slowest.append((time.perf_counter() - t0, t.name))
            valid += sum(v.multiplicity for v in run.enumeration.valid)
            candidates += run.enumeration.candidates
        times.append(time.perf_counter() - start)
    secs = statistics.median(times)
    print(f"model {args.model}: {len(tests)} tests in {secs:.2f}s (median of {args.repeat})")
    print(f"tests/second:                      {len(tests) / secs:10.1f}")
    print(f"valid executions/second:           {valid / secs:10.1f}  ({valid} valid)")
    print(f"candidates per valid execution:    {candidates / max(valid, 1):10.2f}  "
          f"({candidates} candidates)")
    print("slowest: " + ", ".join(f"{n} {s:.2f}s" for s, n in sorted(slowest, reverse=True)[:5]))


if __name__ == "__main__":
    main()
