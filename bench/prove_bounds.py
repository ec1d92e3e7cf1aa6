"""Largest bound at which Z3 proves an obligation within a time budget (docs/proofs.md).

    python bench/prove_bounds.py [--theorem sc_drf] [--models wasm es2020] [--budget 600]
                                 [--max-bound 12]

Per model: bounds 1, 2, ... each decided over executions of exactly that many events, until the
budget (wall clock, one core: Z3 runs single-threaded) runs out or a counterexample appears.
Prints seconds per bound and the largest bound up to which every bound is proved.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from proofs.obligations import prove_up_to  # noqa: E402
from semantics.memory.model import get_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--theorem", default="sc_drf")
    p.add_argument("--models", nargs="+", default=["wasm", "es2020"])
    p.add_argument("--budget", type=float, default=600.0, help="seconds per model")
    p.add_argument("--max-bound", type=int, default=12)
    args = p.parse_args(argv)
    for name in args.models:
        run = prove_up_to(args.theorem, get_model(name), args.max_bound, args.budget,
                          on_result=lambda r: print(
                              f"{args.theorem} {r.model} bound={r.bound} {r.status} "
                              f"{r.seconds:.2f}s ({r.detail})", flush=True))
        cex = run.counterexample
        tail = f"; counterexample at {cex.bound}" if cex else ""
        proved = sum(r.seconds for r in run.results if r.status == "proved")
        print(f"{args.theorem} {run.model}: largest bound proved within {args.budget:.0f}s: "
              f"{run.largest_proved} (bounds 1..{run.largest_proved} took {proved:.0f}s)"
              f"{tail}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
