"""What more workers buy (docs/scale.md): ``weakwasm check`` and ``prove`` on 1 and 2 local
workers and on a local Dask cluster of 2 worker processes.

    python bench/scale.py [--check-args "..."] [--no-check] [--speedup-bound 7] [--repeat 3]
                          [--prove-timeout 600] [--max-bound 12] [--model wasm]
                          [--workers 1,2,dask] [--keep DIR] [--no-prove]

Prints, each measured by running the real command in a fresh process:
- the wall time of ``weakwasm check ARGS`` with ``--jobs 1``, ``--jobs 2`` and ``--cluster``
  (a ``distributed.LocalCluster`` of 2 single-threaded worker processes on loopback), and
  whether the three reports agree (``Report.text(times=False)``); ARGS default to none, the
  full budget, about 20 minutes with one worker: give a smaller budget to run it shorter;
- the speed-up of a proof row: ``prove sc_drf --model M --bound B`` with 1 and 2 workers,
  the median of ``--repeat`` runs of each;
- the largest ``sc_drf`` bound proved for M within ``--prove-timeout`` seconds with 1 and
  with 2 workers (``--prove-timeout 0``: not run).

``--workers`` runs only some of the configurations (``1``, ``2``, ``dask``): each wants the
machine to itself, and the whole set at the full budget takes about an hour. With ``--keep
DIR`` each check's report stays in ``DIR/<configuration>``, and the agreement line compares
every report kept there, those of earlier invocations too.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metatheory.report import Report, Row  # noqa: E402


def weakwasm(*argv: str) -> tuple[float, str, int]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "metatheory.cli", *argv], cwd=ROOT,
                         capture_output=True, text=True)
    return time.perf_counter() - start, run.stdout, run.returncode


def cpu_of_children() -> float:
    """CPU seconds of the finished child processes (and theirs: a pool's workers)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def reproducible(out: Path) -> str:
    data = json.loads((out / "report.json").read_text())
    return Report(tuple(Row(**r) for r in data["rows"]), tuple(data["header"].items())).text(
        times=False)


def check(args: list[str], workers: list[str], keep: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) if "dask" in workers else nullcontext() as cluster:
        for w in workers:
            label, where = f"--jobs {w}", ["--jobs", w]
            if w == "dask":
                assert cluster is not None
                label, where = "Dask, 2 workers", ["--cluster", cluster.scheduler_address]
            out = keep / w
            secs, _, code = weakwasm("check", *args, *where, "--out", str(out))
            run = json.loads((out / "report.json").read_text())["run"]["time"]
            print(f"check {shlex.join(args)} {label}: {secs:.0f} s wall, report: {run} "
                  f"(exit {code})", flush=True)
    texts = {d.name: reproducible(d) for d in sorted(keep.iterdir())
             if (d / "report.json").exists()}
    print(f"the reports of {', '.join(texts)} agree (times aside): "
          f"{len(set(texts.values())) == 1}", flush=True)


def proved(stdout: str) -> int:
    m = re.search(r"largest bound proved: (\d+)", stdout)
    return int(m.group(1)) if m else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check-args", default="", help="options of weakwasm check (quoted)")
    p.add_argument("--no-check", action="store_true", help="skip the check runs")
    p.add_argument("--no-prove", action="store_true", help="skip the prove runs")
    p.add_argument("--model", default="wasm")
    p.add_argument("--speedup-bound", type=int, default=7)
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of each configuration for the speed-up (the median is printed)")
    p.add_argument("--prove-timeout", type=float, default=600.0)
    p.add_argument("--max-bound", type=int, default=12)
    p.add_argument("--workers", default="1,2,dask",
                   help="the configurations to run, of 1, 2 and dask (comma-separated)")
    p.add_argument("--keep", type=Path, help="keep the check reports here (see the doc)")
    args = p.parse_args(argv)
    workers = args.workers.split(",")
    if not set(workers) <= {"1", "2", "dask"}:
        p.error(f"--workers: expected some of 1,2,dask, got {args.workers}")
    jobs_list = [] if args.no_prove else [int(w) for w in workers if w != "dask"]
    if not args.no_check:
        if args.keep is None:
            with tempfile.TemporaryDirectory() as tmp:
                check(shlex.split(args.check_args), workers, Path(tmp))
        else:
            args.keep.mkdir(parents=True, exist_ok=True)
            check(shlex.split(args.check_args), workers, args.keep)
    if args.speedup_bound and jobs_list:
        walls: dict[int, list[float]] = {j: [] for j in jobs_list}
        cpus: dict[int, list[float]] = {j: [] for j in jobs_list}
        for _ in range(args.repeat):  # alternating, so that a slow spell hits both
            for jobs in jobs_list:
                cpu = cpu_of_children()
                secs, _, _ = weakwasm("prove", "sc_drf", "--model", args.model, "--bound",
                                      str(args.speedup_bound), "--jobs", str(jobs))
                walls[jobs].append(secs)
                cpus[jobs].append(cpu_of_children() - cpu)
        for jobs in jobs_list:
            print(f"prove sc_drf --model {args.model} --bound {args.speedup_bound} --jobs "
                  f"{jobs}: {statistics.median(walls[jobs]):.1f} s wall, "
                  f"{statistics.median(cpus[jobs]):.1f} s CPU (median of {args.repeat}; "
                  f"walls {', '.join(f'{w:.1f}' for w in walls[jobs])})", flush=True)
        if len(walls) == 2:
            print("proof-row speed-up with 2 workers: "
                  f"{statistics.median(walls[1]) / statistics.median(walls[2]):.2f}x",
                  flush=True)
    for jobs in jobs_list if args.prove_timeout else []:
        secs, out, _ = weakwasm("prove", "sc_drf", "--model", args.model, "--bound",
                                str(args.max_bound), "--timeout", f"{args.prove_timeout:g}",
                                "--jobs", str(jobs))
        bounds = " ".join(f"{b}:{s}s" for b, s in re.findall(
            r"bound (\d+): proved \(([\d.]+) s", out))
        print(f"prove sc_drf --model {args.model} --timeout {args.prove_timeout:g} --jobs "
              f"{jobs}: largest bound proved {proved(out)} ({secs:.0f} s wall; {bounds})",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
