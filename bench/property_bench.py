"""Property benchmarks: instances/second per theorem and model, and the time hunt takes to find
and shrink the es2017 SC-DRF counterexample (median over 5 seeds).

    python bench/property_bench.py [--examples N] [--hunt-max N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metatheory.hunt import hunt  # noqa: E402
from metatheory.theorems import THEOREMS  # noqa: E402
from semantics.model import get_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=500)
    ap.add_argument("--hunt-max", type=int, default=20000)
    args = ap.parse_args(argv)
    print(f"{'theorem':18} {'model':14} {'instances':>9} {'met hyp.':>8} {'inst/s':>8}")
    for t in THEOREMS.values():
        for m, holds in t.expected:
            if not holds:
                continue
            r = hunt(t, get_model(m), seed=0, max_examples=args.examples)
            print(f"{t.name:18} {m:14} {r.tried:9} {r.satisfied:8} "
                  f"{r.tried / r.seconds:8.0f}")
    times, tried = [], []
    for seed in range(5):
        r = hunt(THEOREMS["sc_drf"], get_model("es2017"), seed=seed, max_examples=args.hunt_max)
        status = "found" if r.found else "not found"
        print(f"es2017 sc_drf seed {seed}: {status} after {r.tried} instances, "
              f"{r.shrink_steps} shrink steps, {r.seconds:.1f} s")
        if r.found:
            times.append(r.seconds)
            tried.append(r.tried)
    if times:
        print(f"es2017 sc_drf find+shrink: median {statistics.median(times):.1f} s, "
              f"median {statistics.median(tried):.0f} instances ({len(times)}/5 seeds found)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
