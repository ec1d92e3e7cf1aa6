"""Start-up of ``weakwasm litmus`` on one small test, beside herd7's on the same test and
Python's own start-up (issue #11: under 0.15 s).

    python bench/startup.py [--herd PATH] [--repeat 11] [--test tests/litmus/classic/MP.litmus]
                            [--imports 15] [--python PATH]

Each figure is the median of ``--repeat`` processes, wall and CPU (user + system) seconds; the
machine may be shared, so CPU is the steadier one. The processes run with byte-code caching on
(``PYTHONDONTWRITEBYTECODE`` removed from their environment, one warm-up run first), as an
installed package runs: compiling the sources is not start-up. ``--imports N`` also prints the
N modules with the largest cumulative import time (``python -X importtime``, one run).
``--python`` times another interpreter on this checkout's code, e.g. that of a scratch
environment made with ``python3 -m venv /tmp/v && /tmp/v/bin/pip install .``: without the
editable install's import finder, as a user's installed package starts.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: Sequence[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs of ``cmd`` (after one warm-up run)."""
    subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, check=False)
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
    return statistics.median(walls), statistics.median(cpus)


def imports(cmd: Sequence[str], top: int) -> list[tuple[int, int, str]]:
    """The ``top`` modules by cumulative import time (microseconds): (self, cumulative, name)."""
    p = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, env=ENV,
                       capture_output=True, text=True, check=False)
    rows = []
    for line in p.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    return sorted(rows, key=lambda r: -r[1])[:top]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--herd", help="herd7 binary (default: $HERD7, then PATH)")
    p.add_argument("--repeat", type=int, default=11, help="processes per figure (default 11)")
    p.add_argument("--test", default="tests/litmus/classic/MP.litmus")
    p.add_argument("--imports", type=int, default=0, metavar="N",
                   help="also list the N slowest imports (cumulative)")
    p.add_argument("--python", default=sys.executable,
                   help="the interpreter to time (default: this one). An environment with "
                        "weakwasm installed in editable mode imports setuptools' finder at "
                        "every start; one made with `pip install .` (as the README's "
                        "'Exploring programs' does) does not")
    args = p.parse_args(argv)
    py = args.python
    rows = [("python -c pass", [py, "-c", "pass"]),
            ("python -c 'import attrs'", [py, "-c", "import attrs"]),
            ("weakwasm litmus --no-time TEST",
             [py, "-m", "metatheory.cli", "litmus", "--no-time", args.test]),
            ("weakwasm --help", [py, "-m", "metatheory.cli", "--help"])]
    import herd_compare as hc

    herd = hc.find_herd(args.herd)
    with tempfile.TemporaryDirectory(prefix="startup_") as tmp:
        if herd is not None:
            from semantics.litmus.loader import load_test

            test = load_test(str(ROOT / args.test))
            path = Path(tmp) / f"{hc._herd_name(test.name)}.litmus"
            path.write_text(hc.translate(test), encoding="utf-8")
            rows.append(("herd7 on TEST translated", [herd, "-model", str(hc.CATS["wasm"]),
                                                      str(path)]))
        print(f"start-up, TEST = {args.test}; median of {args.repeat} processes")
        print(f"{'command':<34} {'wall s':>7} {'CPU s':>7}")
        for name, cmd in rows:
            wall, cpu = timed(cmd, args.repeat)
            print(f"{name:<34} {wall:7.3f} {cpu:7.3f}", flush=True)
    if args.imports:
        print("\nslowest imports of weakwasm litmus (ms, self / cumulative):")
        for own, cum, name in imports(rows[2][1], args.imports):
            print(f"{own / 1000:7.1f} {cum / 1000:7.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
