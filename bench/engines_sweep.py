"""The engines sweep (docs/engines.md): the golden corpus and the threads proposal's litmus
scripts on wasmtime and on node, one table per engine (test, allowed states, observed states,
forbidden-but-observed, iterations per second), then SB's weak outcome: how many iterations
each engine took to show it first (up to --sb-max), and that SB with SeqCst atomics does not
show it in --sc-iterations.

    python bench/engines_sweep.py [--iterations 2000] [--seed 0] [--sb-max 1000000]
                                  [--sc-iterations 100000] [--engine wasmtime --engine node]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metatheory.cli import main as weakwasm  # noqa: E402
from metatheory.engines.command import run_engine  # noqa: E402
from semantics.litmus.condition import evaluate  # noqa: E402
from semantics.litmus.loader import load_test  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WEAKWASM_SHARED", ROOT / ".." / "shared"))
SCRIPTS = ("LB", "LB_atomic", "MP", "MP_atomic", "SB", "SB_atomic")


def first_weak(engine: str, path: str, limit: int, seed: int, step: int = 10_000) -> str:
    """Iterations (in steps) until the test's ``exists`` proposition is first seen."""
    test = load_test(path)
    done = 0
    start = time.perf_counter()
    while done < limit:
        seen = run_engine(test, engine, step, seed + done, 1000)
        hits = [c for s, c in seen.counts if evaluate(test.condition.prop, dict(s))]
        done += step
        if hits:
            return (f"{engine}: {test.name} weak outcome first seen within {done} iterations "
                    f"({sum(hits)} in the last {step}; {time.perf_counter() - start:.1f}s)")
    return f"{engine}: {test.name} weak outcome NOT seen in {done} iterations"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--iterations", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sb-max", type=int, default=1_000_000)
    p.add_argument("--sc-iterations", type=int, default=100_000)
    p.add_argument("--engine", action="append", choices=["wasmtime", "node"])
    args = p.parse_args()
    engines = args.engine or ["wasmtime", "node"]
    files = [str(ROOT / "tests" / "litmus")]
    files += [str(SHARED / "external" / "wasm-threads-tests" / f"{s}.wast") for s in SCRIPTS]
    for engine in engines:
        if engine == "node" and shutil.which("node") is None:
            print("node: not on PATH (python -m metatheory.engines.setup_system)")
            continue
        out, err = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        code = weakwasm(["run", *files, "--engine", engine, "--iterations",
                         str(args.iterations), "--seed", str(args.seed)], out, err)
        table = out.getvalue()[out.getvalue().index(f"engine {engine}\n"):]
        print(table + f"exit status {code}; {time.perf_counter() - start:.0f}s\n")
    for engine in engines:
        for name, limit in (("SB", args.sb_max), ("SB+sc", args.sc_iterations)):
            path = str(ROOT / "tests" / "litmus" / "classic" / f"{name}.litmus")
            print(first_weak(engine, path, limit, args.seed), flush=True)


if __name__ == "__main__":
    main()
