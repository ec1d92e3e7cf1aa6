"""What more workers buy (docs/scale.md): ``weakwasm check`` and ``prove`` on 1 and 2 local
workers and on a local Dask cluster of 2 worker processes.

    python bench/scale.py [--check-args "..."] [--no-check] [--speedup-bound 7]
                          [--prove-timeout 600] [--max-bound 12] [--model wasm]

Prints, each measured by running the real command in a fresh process:
- the wall time of ``weakwasm check ARGS`` with ``--jobs 1``, ``--jobs 2`` and ``--cluster``
  (a ``distributed.LocalCluster`` of 2 single-threaded worker processes on loopback), and
  whether the three reports agree (``Report.text(times=False)``); ARGS default to none, the
  full budget, about 45 minutes with one worker: give a smaller budget to run it shorter;
- the speed-up of a proof row: ``prove sc_drf --model M --bound B`` with 1 and 2 workers;
- the largest ``sc_drf`` bound proved for M within ``--prove-timeout`` seconds with 1 and
  with 2 workers.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
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


def check(args: list[str]) -> None:
    from distributed import LocalCluster

    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            for label, where in (("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]),
                                 ("Dask, 2 workers", ["--cluster", cluster.scheduler_address])):
                out = Path(tmp) / label.replace(" ", "_")
                secs, _, code = weakwasm("check", *args, *where, "--out", str(out))
                texts.append(reproducible(out))
                run = json.loads((out / "report.json").read_text())["run"]["time"]
                print(f"check {shlex.join(args)} {label}: {secs:.0f} s wall, report: {run} "
                      f"(exit {code})", flush=True)
    print(f"the three reports agree (times aside): {len(set(texts)) == 1}", flush=True)


def proved(stdout: str) -> int:
    m = re.search(r"largest bound proved: (\d+)", stdout)
    return int(m.group(1)) if m else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check-args", default="", help="options of weakwasm check (quoted)")
    p.add_argument("--no-check", action="store_true", help="skip the check runs")
    p.add_argument("--model", default="wasm")
    p.add_argument("--speedup-bound", type=int, default=7)
    p.add_argument("--prove-timeout", type=float, default=600.0)
    p.add_argument("--max-bound", type=int, default=12)
    args = p.parse_args(argv)
    if not args.no_check:
        check(shlex.split(args.check_args))
    if args.speedup_bound:
        walls = {}
        for jobs in (1, 2):
            cpu = cpu_of_children()
            walls[jobs], _, _ = weakwasm("prove", "sc_drf", "--model", args.model, "--bound",
                                         str(args.speedup_bound), "--jobs", str(jobs))
            print(f"prove sc_drf --model {args.model} --bound {args.speedup_bound} --jobs "
                  f"{jobs}: {walls[jobs]:.1f} s wall, {cpu_of_children() - cpu:.1f} s CPU",
                  flush=True)
        print(f"proof-row speed-up with 2 workers: {walls[1] / walls[2]:.2f}x", flush=True)
    for jobs in (1, 2):
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
