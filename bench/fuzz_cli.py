"""Fuzz the ``weakwasm`` command line: N mutants of the golden corpus and the threads scripts.

    python bench/fuzz_cli.py --cases 10000 [--seed 0] [--jobs 2] [--limit 10]

Case i is ``tests/common/fuzz.make_case`` under ``random.Random(f"{seed}:{i}")`` (reproducible
one by one), run in-process through ``metatheory.cli.main`` (``litmus --max-events 6`` or
``wast``). Prints the counts: cases, tracebacks, hangs (past ``--limit`` CPU seconds), exit
statuses outside the documented set, bad input without ``file:line:col``, and cases per exit
status; then one example of each failure. Exit status 1 if anything failed. The threads scripts
are found through ``WEAKWASM_SHARED`` (default ``../shared``).

Result (2 cores, loaded machine, seed 0, 10,000 cases, 333 s), with the ``locations`` /
``filter`` mutations, the litmus output options (``--json``, ``--hex --hash``, several
``--model``, ``--show dot`` with ``--graphs``/``--edges``/``--show-len``/``--out``,
``--emit-wast``) and stdin cases of ``tests/common/fuzz.py``: 0 tracebacks, 0 hangs, 0
undocumented statuses, 0 bad input without a position; exit status 0: 508, 1: 6, 2: 9,401,
3: 85; slowest case 13.2 s on the clock. The run recorded here before them (same seed, 698 s): 0
tracebacks, exit status 0: 495, 1: 3, 2: 9,410, 3: 91; one case over the limit (case 884,
NoTear.litmus with its load line written twice, about 6 CPU s, past the 60 s wall-clock
backstop under load). The fuzzer run on the code before the parser fixes (main at b08ca24):
13 tracebacks in 400 cases of seed 5.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.common.fuzz import Outcome, check_case, corpus, describe, make_case  # noqa: E402

SHARED = Path(os.environ.get("WEAKWASM_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _run(task: tuple[int, int, float]) -> tuple[int, Outcome, str]:
    seed, i, limit = task
    seeds = corpus(SHARED)
    case = make_case(seeds, random.Random(f"{seed}:{i}"))
    with tempfile.TemporaryDirectory() as d:
        outcome = check_case(case, d, limit)
    return i, outcome, describe(case, outcome) if outcome.problem else ""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, default=10000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--limit", type=float, default=10.0,
                   help="CPU seconds per case (and 6 times as long on the clock)")
    args = p.parse_args()
    print(f"seeds: {len(corpus(SHARED))} files ({SHARED})", file=sys.stderr)
    kinds: collections.Counter[str] = collections.Counter()
    codes: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    slowest = 0.0
    start = time.perf_counter()
    tasks = [(args.seed, i, args.limit) for i in range(args.cases)]
    with multiprocessing.Pool(args.jobs, maxtasksperchild=200) as pool:
        for n, (i, outcome, text) in enumerate(pool.imap_unordered(_run, tasks, chunksize=8), 1):
            kinds[outcome.kind] += 1
            codes["none" if outcome.code is None else str(outcome.code)] += 1
            slowest = max(slowest, outcome.seconds)
            if outcome.problem and outcome.kind not in examples:
                examples[outcome.kind] = f"case {i}: {text}"
            if n % 500 == 0:
                print(f"[{n}/{args.cases}] {dict(kinds)} {time.perf_counter() - start:.0f} s",
                      file=sys.stderr, flush=True)
    print(f"cases: {args.cases} (seed {args.seed}, {args.jobs} jobs, "
          f"{time.perf_counter() - start:.0f} s, slowest case {slowest:.1f} s)")
    print(f"tracebacks: {kinds['traceback']}")
    print(f"hangs (over {args.limit:g} CPU s): {kinds['hang']}")
    print(f"undocumented exit status: {kinds['exit']}")
    print(f"bad input without file:line:col: {kinds['position']}")
    print("exit status: " + ", ".join(f"{c}: {codes[c]}" for c in sorted(codes)))
    for kind, text in sorted(examples.items()):
        print(f"\n--- {kind} ---\n{text}")
    return 1 if examples else 0


if __name__ == "__main__":
    sys.exit(main())
