"""Largest bound at which Z3 proves an obligation within a time budget (docs/proofs.md).

    python bench/prove_bounds.py [--theorem sc_drf] [--models wasm es2020] [--budget 600]
                                 [--max-bound 12] [--length]

Per model: bounds 1, 2, ... each decided over executions of exactly that many events, until the
budget (wall clock, one core: Z3 runs single-threaded) runs out or a counterexample appears.
Prints seconds per bound and the largest bound up to which every bound is proved, then the
table of docs/proofs.md (cases and seconds per bound, one row per model). ``--length`` decides
over the length space (bounds checks, traps, memory.size, memory.grow, fences, spawn edges).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from proofs.obligations import BoundedProof, prove_up_to  # noqa: E402
from semantics.memory.model import get_model  # noqa: E402


def _seconds(s: float) -> str:
    return f"{s:.2f}" if s < 1 else f"{s:.1f}" if s < 10 else f"{s:.0f}"


def table(runs: list[BoundedProof]) -> str:
    """The markdown table: one column per bound, a row of cases, a row of seconds per model
    (blank where the run stopped, "cex" at a counterexample)."""
    n = max((r.bound for run in runs for r in run.results), default=0)
    cases = {r.bound: r.cases for run in runs for r in run.results if r.cases}
    lines = ["| events | " + " | ".join(map(str, range(1, n + 1))) + " |",
             "|---|" + "---|" * n]
    if cases:
        lines.append("| cases | " + " | ".join(str(cases.get(b, "")) for b in range(1, n + 1))
                     + " |")
    for run in runs:
        by = {r.bound: r for r in run.results}
        cells = ["" if b not in by else _seconds(by[b].seconds) if by[b].status == "proved"
                 else "cex" if by[b].status == "counterexample" else "unknown"
                 for b in range(1, n + 1)]
        lines.append(f"| {run.model}, s | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--theorem", default="sc_drf")
    p.add_argument("--models", nargs="+", default=["wasm", "es2020"])
    p.add_argument("--budget", type=float, default=600.0, help="seconds per model")
    p.add_argument("--max-bound", type=int, default=12)
    p.add_argument("--length", action="store_true", help="over the length space")
    args = p.parse_args(argv)
    runs = []
    for name in args.models:
        run = prove_up_to(args.theorem, get_model(name), args.max_bound, args.budget,
                          length=args.length,
                          on_result=lambda r: print(
                              f"{args.theorem} {r.model} bound={r.bound} {r.status} "
                              f"{r.seconds:.2f}s ({r.detail})", flush=True))
        runs.append(run)
        cex = run.counterexample
        tail = f"; counterexample at {cex.bound}" if cex else ""
        proved = sum(r.seconds for r in run.results if r.status == "proved")
        print(f"{args.theorem} {run.model}: largest bound proved within {args.budget:.0f}s: "
              f"{run.largest_proved} (bounds 1..{run.largest_proved} took {proved:.0f}s)"
              f"{tail}", flush=True)
        print(run.scope_line(), flush=True)
    print(table(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
