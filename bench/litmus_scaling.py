"""How far weakwasm and herd7 scale on the test families of issue #11, and the uni-size classics
in one process, side by side.

    python bench/litmus_scaling.py [--herd PATH] [--limit 10] [--cap 10] [--repeat 3]
                                   [--no-families] [--no-classics] [--family NAME]

Families (bench/herd_compare.py's makers): SB ring over n threads, IRIW with n readers, CoRR
with n reads, n writers to one location; flavours plain i32, plain i8 and atomic (SeqCst i32).
For each, n grows from 2 up to ``--cap`` while a run of a tool takes under ``--limit``
seconds; each tool stops growing on its own. weakwasm runs in this process (one warm-up run
excluded, then the median of ``--repeat``; stopped by SIGALRM at the limit); herd7 runs as a
subprocess on the same test translated (median of ``--repeat``; a process is how herd runs).
One table: per n both times (once a tool passes the limit, its later n are not run and show
``>LIMIT``), then the largest n within the limit for each tool, and the line
``weakwasm ahead at every n``.

Classics: every uni-size test of tests/litmus/classic and bench/litmus that the translation
takes, plus a mixed variant of each ``+sc`` classic (thread 0 SeqCst, the other threads
plain). weakwasm's total in one process (in-process, after a warm-up; and ``weakwasm litmus``
on all files as one command, start-up included) beside herd7's total with one process per
test and with all files in one invocation (which amortises its start-up).
"""

from __future__ import annotations

import argparse
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import herd_compare as hc  # noqa: E402

from semantics.litmus.format import LitmusTest  # noqa: E402
from semantics.litmus.loader import load_test  # noqa: E402
from semantics.litmus.result import run_test  # noqa: E402

FAMILIES: tuple[tuple[str, Callable[[int, str], LitmusTest]], ...] = (
    ("SB ring", hc.sb_ring), ("IRIW", hc.iriw), ("CoRR", hc.corr), ("writers", hc.writers))
FLAVOURS = (("i32", "plain i32"), ("i8", "plain i8"), ("sc", "atomic"))


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


# With --cpu, runs are stopped only at this many times the limit in wall time (a loaded
# machine stretches wall time), and compared with the limit in CPU seconds.
WALL_SLACK = 10.0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def weakwasm_time(test: LitmusTest, repeat: int, limit: float, cpu: bool = False) -> float | None:
    """Median time (wall, or CPU with ``cpu``) of ``run_test`` after one warm-up run, or None
    past ``limit``."""
    clock = time.process_time if cpu else time.perf_counter
    old = signal.signal(signal.SIGALRM, _alarm)
    times = []
    try:
        for i in range(repeat + 1):
            signal.setitimer(signal.ITIMER_REAL, limit * (WALL_SLACK if cpu else 1))
            t0 = clock()
            try:
                run_test(test)
            except _Timeout:
                return None
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if i:
                times.append(clock() - t0)
    finally:
        signal.signal(signal.SIGALRM, old)
    s = statistics.median(times)
    return s if s < limit else None


def herd_run(herd: str, path: Path, limit: float, cpu: bool) -> float:
    """One herd7 run: its wall time, or with ``cpu`` its user + system time."""
    c0 = _children_cpu()
    s = hc.run_herd(herd, hc.CATS["wasm"], path, limit * (WALL_SLACK if cpu else 1)).seconds
    return _children_cpu() - c0 if cpu else s


def herd_time(herd: str, test: LitmusTest, work: Path, repeat: int,
              limit: float, cpu: bool = False) -> float | None | str:
    """herd7's median time (wall, or CPU with ``cpu``) on ``test`` translated; None past
    ``limit``; a string when herd7 cannot run it (untranslatable, or an error)."""
    try:
        src = hc.translate(test)
    except hc.Unsupported as e:
        return f"n/a ({e})"
    path = work / f"{hc._herd_name(test.name)}.litmus"
    path.write_text(src, encoding="utf-8")
    try:
        s = statistics.median(herd_run(herd, path, limit, cpu) for _ in range(repeat))
    except hc.HerdError as e:
        return None if "timed out" in str(e) else f"error ({e})"
    return s if s < limit else None


def _cell(s: float | None | str, limit: float) -> str:
    if s is None:
        return f">{limit:g}"
    if isinstance(s, str):
        return s.split()[0]
    return f"{s:.2f}"


def families(herd: str | None, args: argparse.Namespace, work: Path) -> None:
    ns = list(range(2, args.cap + 1))
    head = f"{'family':<8} {'flavour':<9} " + " ".join(f"{'n=' + str(n):>11}" for n in ns) \
        + f"  {'max n ww':>8} {'max n herd':>10}"
    print(f"families: weakwasm/herd7 {'CPU' if args.cpu else 'wall'} seconds per n (median of "
          f"{args.repeat}; weakwasm after one warm-up), limit {args.limit:g} s, n up to "
          f"{args.cap}")
    print(head)
    behind: list[str] = []
    for fam, make in FAMILIES:
        if args.family and fam not in args.family:
            continue
        for fl, flname in FLAVOURS:
            cells, best_w, best_h = [], 0, 0
            w_on = h_on = True
            for n in ns:
                if not w_on and not h_on:
                    cells.append(f"{'-':>11}")
                    continue
                test = make(n, fl)
                w = weakwasm_time(test, args.repeat, args.limit, args.cpu) if w_on else None
                h: float | None | str = None
                if herd is None:
                    h = "-"
                elif h_on:
                    h = herd_time(herd, test, work, args.repeat, args.limit, args.cpu)
                w_on = w_on and w is not None
                h_on = h_on and isinstance(h, float)
                if w is not None:
                    best_w = n
                if isinstance(h, float):
                    best_h = n
                cells.append(f"{_cell(w, args.limit) + '/' + _cell(h, args.limit):>11}")
                if herd is not None and not isinstance(h, str) and (
                        w is None and h is not None or
                        w is not None and h is not None and w >= h):
                    behind.append(f"{fam} {flname} n={n} ({_cell(w, args.limit)} s vs "
                                  f"{_cell(h, args.limit)} s)")
                print(f"\r{fam:<8} {flname:<9} " + " ".join(cells), end="", file=sys.stderr,
                      flush=True)
            print("\r", end="", file=sys.stderr)
            print(f"{fam:<8} {flname:<9} " + " ".join(cells) + " " * (12 * (len(ns) - len(cells)))
                  + f"  {best_w:>8} {best_h if herd else '-':>10}", flush=True)
    if herd is not None:
        print("weakwasm ahead at every n: " + ("yes" if not behind else
                                                "no (where not: " + "; ".join(behind) + ")"))


def _mixed(text: str) -> str:
    """A ``+sc`` classic's text with every thread but thread 0 plain, named ``+mixed``."""
    parts = re.split(r"(?m)^(?=thread \d+)", text)
    out = parts[0] + parts[1] + "".join(p.replace(".atomic.", ".") for p in parts[2:])
    return re.sub(r"(?m)^(WASM \S+)\+sc", r"\1+mixed", out, count=1)


def classics(herd: str | None, args: argparse.Namespace, work: Path) -> None:
    files = sorted((ROOT / "tests" / "litmus" / "classic").glob("*.litmus")) + \
        sorted((HERE / "litmus").glob("*.litmus"))
    texts = {f.stem: f.read_text(encoding="utf-8") for f in files}
    texts.update({k.replace("+sc", "+mixed"): _mixed(v) for k, v in list(texts.items())
                  if k.endswith("+sc")})
    (work / "ww").mkdir()
    kept: list[tuple[LitmusTest, Path, Path]] = []
    for stem, text in texts.items():
        wpath = work / "ww" / f"{stem}.litmus"
        wpath.write_text(text, encoding="utf-8")
        t = load_test(str(wpath))
        try:
            src = hc.translate(t)
        except hc.Unsupported:
            continue
        hpath = work / f"{hc._herd_name(t.name)}.litmus"
        hpath.write_text(src, encoding="utf-8")
        kept.append((t, wpath, hpath))
    names = " ".join(t.name for t, _, _ in kept)
    print(f"\nuni-size classics ({len(kept)} tests: {names}), median of {args.repeat}")

    cpu = args.cpu
    clock = time.process_time if cpu else time.perf_counter

    def ww_all() -> float:
        t0 = clock()
        for t, _, _ in kept:
            run_test(t)
        return clock() - t0

    ww_all()  # warm-up
    ww = statistics.median(ww_all() for _ in range(args.repeat))
    wfiles = [str(w) for _, w, _ in kept]

    def child(cmd: list[str], cwd: Path | None = None) -> float:
        """Wall time of one process, or with --cpu its user + system time."""
        t0, c0 = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        return _children_cpu() - c0 if cpu else time.perf_counter() - t0

    ww_cli = statistics.median(
        child([sys.executable, "-m", "metatheory.cli", "litmus", "--no-time", *wfiles], ROOT)
        for _ in range(args.repeat))
    unit = "CPU s" if cpu else "s"
    print(f"weakwasm, in process (warm):             {ww:7.2f} {unit}")
    print(f"weakwasm litmus FILES (one command):     {ww_cli:7.2f} {unit}")
    if herd is None:
        return
    per = [statistics.median(herd_run(herd, p, 600, cpu) for _ in range(args.repeat))
           for _, _, p in kept]
    one = statistics.median(
        child([herd, "-model", str(hc.CATS["wasm"]), *(str(p) for _, _, p in kept)])
        for _ in range(args.repeat))
    print(f"herd7, one process per test (sum):       {sum(per):7.2f} {unit}")
    print(f"herd7, all files in one invocation:      {one:7.2f} {unit}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--herd", help="herd7 binary (default: $HERD7, then PATH)")
    p.add_argument("--limit", type=float, default=10.0, help="seconds per run (default 10)")
    p.add_argument("--cap", type=int, default=10, help="largest n tried (default 10)")
    p.add_argument("--repeat", type=int, default=3, help="runs per point; times are medians")
    p.add_argument("--cpu", action="store_true",
                   help="CPU seconds (weakwasm's process time, herd7's user + system) instead "
                        "of wall time: steadier on a loaded machine")
    p.add_argument("--no-families", action="store_true")
    p.add_argument("--no-classics", action="store_true")
    p.add_argument("--family", action="append", choices=[f for f, _ in FAMILIES],
                   help="run only this family (repeatable; default all)")
    args = p.parse_args(argv)
    herd = hc.find_herd(args.herd)
    if herd is None:
        print("herd7 not found (give --herd PATH or set $HERD7): weakwasm only")
    with tempfile.TemporaryDirectory(prefix="litmus_scaling_") as tmp:
        work = Path(tmp)
        if not args.no_families:
            families(herd, args, work)
        if not args.no_classics:
            classics(herd, args, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
