"""Property benchmarks: instances/second per theorem and model, the time hunt takes to find
and shrink the es2017 SC-DRF counterexample (median over 5 seeds), and the number of
configurations preservation and progress were checked on.

    python bench/property_bench.py [--examples N] [--program-examples N] [--walks N]
                                   [--hunt-max N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from metatheory.hunt import hunt  # noqa: E402
from metatheory.theorems import EXECUTIONS, THEOREMS  # noqa: E402
from properties.configs import walks  # noqa: E402
from properties.outcome import Fails  # noqa: E402
from properties.preservation import walk_preservation  # noqa: E402
from properties.progress import walk_progress  # noqa: E402
from semantics.memory.model import get_model  # noqa: E402


def soundness(n_walks: int, seed: int) -> None:
    """Walks through generated configurations; every configuration checked is counted."""
    stats = {"walks": 0, "preservation": 0, "progress": 0, "fails": 0}

    @settings(max_examples=n_walks, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(walks())
    def run(w: object) -> None:
        pres = walk_preservation(w)  # type: ignore[arg-type]
        prog, n = walk_progress(w)  # type: ignore[arg-type]
        stats["walks"] += 1
        stats["preservation"] += pres.configs
        stats["progress"] += n
        stats["fails"] += isinstance(pres.outcome, Fails) + isinstance(prog, Fails)

    start = time.perf_counter()
    random.seed(seed)
    run()
    secs = time.perf_counter() - start
    print(f"preservation/progress: {stats['walks']} walks, {stats['preservation']} "
          f"configurations checked by preservation (each successor of each visited one), "
          f"{stats['progress']} by progress, {stats['fails']} failures, {secs:.1f} s "
          f"({stats['preservation'] / secs:.0f} configurations/s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=500, help="graph instances per row")
    ap.add_argument("--program-examples", type=int, default=50, help="programs per row")
    ap.add_argument("--walks", type=int, default=2500, help="configuration walks")
    ap.add_argument("--hunt-max", type=int, default=20000)
    args = ap.parse_args(argv)
    print(f"{'theorem':26} {'model':14} {'instances':>9} {'met hyp.':>8} {'inst/s':>8}")
    for t in THEOREMS.values():
        if t.name in ("preservation", "progress"):
            continue
        n = args.examples if t.domain == EXECUTIONS else args.program_examples
        for m, _ in t.expected:
            r = hunt(t, get_model(m), seed=0, max_examples=n)
            found = " (counterexample found)" if r.found else ""
            print(f"{t.name:26} {m:14} {r.tried:9} {r.satisfied:8} "
                  f"{r.tried / r.seconds:8.1f}{found}")
    soundness(args.walks, 0)
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
