"""The blow-up cases of issue #11 (plain multi-byte accesses) and the golden corpus: weakwasm's
time per test, median of ``--repeat`` runs, optionally beside herd7's on the uni-size ones.

    python bench/litmus_families.py [--repeat 3] [--timeout 120] [--herd PATH] [--root TREE]

The tests are bench/litmus/*.litmus (plain i32 IRIW, CoRR2 with two and three readers, SB over
four threads), then the threads proposal's litmus scripts (LB, MP, SB and their atomic forms,
read from ``$WEAKWASM_SHARED/external/wasm-threads-tests``, default ``../shared``); the corpus
is tests/litmus (every golden test, one process, with the slowest test). ``--root``
benchmarks the weakwasm code of another checkout (for a "before" column: ``--root
/work/main``) on this tree's tests. ``--herd`` runs herd7 on each test that
bench/herd_compare.py can translate, with its translation and its cat file (reused, not
copied). A run over ``--timeout`` seconds is reported as such, not timed.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = sorted((HERE / "litmus").glob("*.litmus"))
CORPUS = HERE.parent / "tests" / "litmus"
# the threads proposal's litmus scripts (test data beside the repository, not copied into it)
SHARED = Path(os.environ.get("WEAKWASM_SHARED", HERE.parent.parent / "shared"))
SCRIPTS = sorted((SHARED / "external" / "wasm-threads-tests").glob("[LMS][BP]*.wast"))


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Timeout


def timed(fn: Callable[[], object], repeat: int, timeout: float) -> float | None:
    """The median wall time of ``repeat`` calls of ``fn``, or None if one exceeds ``timeout``
    seconds (the code is pure Python in this process, so SIGALRM stops it)."""
    times = []
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for _ in range(repeat):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            t0 = time.perf_counter()
            try:
                fn()
            except Timeout:
                return None
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times.append(time.perf_counter() - t0)
    finally:
        signal.signal(signal.SIGALRM, old)
    return statistics.median(times)


def _show(s: float | None, timeout: float) -> str:
    return f"> {timeout:g}" if s is None else f"{s:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=3, help="runs per test; times are medians")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    p.add_argument("--herd", help="herd7 binary: also time herd7 on the uni-size tests")
    p.add_argument("--root", type=Path, default=HERE.parent,
                   help="the weakwasm checkout whose code is timed (default: this one)")
    p.add_argument("--no-corpus", action="store_true", help="skip the golden corpus")
    args = p.parse_args(argv)
    sys.path.insert(0, str(args.root.resolve()))
    from metatheory.cli import expand
    from semantics.litmus.loader import load_test
    from semantics.litmus.result import run_test

    herd_side = None
    if args.herd:
        sys.path.insert(0, str(HERE))
        import herd_compare
        herd_side = herd_compare

    print(f"weakwasm at {args.root.resolve()}, median of {args.repeat}, timeout {args.timeout:g} s")
    print(f"{'test':<16} {'weakwasm s':>10} {'herd7 s':>9}  positive/negative")
    with tempfile.TemporaryDirectory() as tmp:
        for path in [*TESTS, *SCRIPTS]:
            test = load_test(str(path))
            counts: list[str] = []

            def run(test: object = test, counts: list[str] = counts) -> None:
                r = run_test(test).result  # type: ignore[arg-type]
                counts[:] = [f"{r.positive}/{r.negative}"]

            ww = timed(run, args.repeat, args.timeout)
            hs = "-"
            if herd_side is not None:
                try:
                    src = herd_side.translate(test)
                except herd_side.Unsupported:
                    hs = "n/a"
                else:
                    hp = Path(tmp) / f"{herd_side._herd_name(test.name)}.litmus"
                    hp.write_text(src, encoding="utf-8")
                    cat = herd_side.CATS["wasm"]
                    try:
                        ht = statistics.median(
                            herd_side.run_herd(args.herd, cat, hp, args.timeout).seconds
                            for _ in range(args.repeat))
                        hs = f"{ht:.3f}"
                    except herd_side.HerdError as e:
                        hs = f"({e})"
            print(f"{test.name:<16} {_show(ww, args.timeout):>10} {hs:>9}  "
                  f"{counts[0] if counts else '-'}", flush=True)

    if not args.no_corpus:
        tests = [load_test(f) for f in expand([str(CORPUS)])]
        slowest: dict[str, float] = {}

        def corpus() -> None:
            for t in tests:
                t0 = time.perf_counter()
                run_test(t)
                s = time.perf_counter() - t0
                slowest[t.name] = min(slowest.get(t.name, s), s)

        total = timed(corpus, args.repeat, args.timeout * 10)
        worst = sorted(slowest.items(), key=lambda kv: -kv[1])[:3]
        print(f"{'golden corpus':<16} {_show(total, args.timeout * 10):>10} {'-':>9}  "
              f"{len(tests)} tests; slowest: " + ", ".join(f"{n} {s:.2f}s" for n, s in worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
