"""weakwasm's litmus engine side by side with herd7 on uni-size tests (issues #11, #17).

Each weakwasm test is translated into a herd C litmus test (bench/herd/README.md gives the
mapping), run by herd7 under bench/herd/wasm.cat and by weakwasm's enumerator under the
matching model; the final-state sets and verdicts are compared.

    python bench/herd_compare.py [--herd PATH] [--repeat 3] [--model wasm] [TESTS...]
    python bench/herd_compare.py --families            # SB ring, IRIW, CoRR, n writers
    python bench/herd_compare.py --generate 500 --seed 1

herd7 is found by --herd, then $HERD7, then PATH; without it the script says so and exits 0.
Translated tests are written to a temporary directory, never into the repository.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from semantics.litmus import condition as cond  # noqa: E402
from semantics.litmus.format import LitmusTest, parse_litmus  # noqa: E402
from semantics.litmus.loader import load_test  # noqa: E402
from semantics.litmus.result import run_test  # noqa: E402
from semantics.memory.model import get_model  # noqa: E402
from semantics.wasm.syntax import Instr, MemArg  # noqa: E402

CATS = {"wasm": ROOT / "bench" / "herd" / "wasm.cat",
        "es2017": ROOT / "bench" / "herd" / "es2017.cat"}
CLASSIC = ROOT / "tests" / "litmus" / "classic"

# Wasm memory instruction -> (kind, width in bytes, seq_cst?)
_LOADS = {"i32.load": 4, "i32.load8_u": 1, "i32.atomic.load": 4, "i32.atomic.load8_u": 1}
_STORES = {"i32.store": 4, "i32.store8": 1, "i32.atomic.store": 4, "i32.atomic.store8": 1}

State = frozenset[str]


class Unsupported(Exception):
    """The test is outside the uni-size fragment the translation handles."""


# --- weakwasm -> herd C ---------------------------------------------------------------------


@attrs.frozen
class _Reg:
    name: str


@attrs.frozen
class _Load:
    loc: str
    sc: bool


def _access(loc: str, sc: bool) -> str:
    return f"atomic_load_explicit({loc}, memory_order_seq_cst)" if sc else f"*{loc}"


def translate(test: LitmusTest) -> str:
    """The herd C litmus test of a uni-size weakwasm test; Unsupported outside the fragment."""
    by_addr = {a: n for n, a in test.names}
    widths: dict[str, set[int]] = {}
    bodies: list[list[str]] = []
    used: list[set[str]] = []

    def loc_of(addr: object, width: int) -> str:
        if not isinstance(addr, int) or addr not in by_addr:
            raise Unsupported(f"address {addr!r} is not a named location")
        if addr % width:
            raise Unsupported(f"unaligned access at {addr}")
        name = by_addr[addr]
        widths.setdefault(name, set()).add(width)
        return name

    for t, fi in enumerate(test.program.threads):
        f = test.program.funcs[fi]
        names = [n.lstrip("$") if n else f"l{i}" for i, n in enumerate(f.local_names)]
        names += [f"l{i}" for i in range(len(names), len(f.locals))]
        stack: list[int | _Reg | _Load] = []
        lines: list[str] = []
        declared: set[str] = set()
        locs: set[str] = set()
        for ins in f.body:
            if not isinstance(ins, Instr):
                raise Unsupported(f"thread {t}: control flow ({type(ins).__name__})")
            op = ins.op
            arg = ins.args[0] if ins.args else None
            if op in _LOADS or op in _STORES:
                if not isinstance(arg, MemArg) or arg.offset:
                    raise Unsupported("memarg offset")
            elif op in ("i32.const", "local.get", "local.set") and not isinstance(arg, int):
                raise Unsupported(f"{op} {arg!r}")
            if op == "i32.const" and isinstance(arg, int):
                stack.append(arg)
            elif op == "local.get" and isinstance(arg, int):
                stack.append(_Reg(names[arg]))
            elif op in _LOADS:
                loc = loc_of(stack.pop(), _LOADS[op])
                locs.add(loc)
                stack.append(_Load(loc, ".atomic." in op))
            elif op in _STORES:
                val = stack.pop()
                loc = loc_of(stack.pop(), _STORES[op])
                locs.add(loc)
                if isinstance(val, _Load):
                    raise Unsupported("a store of a loaded value not through a local")
                v = str(val) if isinstance(val, int) else val.name
                # A plain 1-byte store is tagged RLX, which the cat files read as plain: only
                # es2017.cat asks, since a wider plain store may tear with INIT (its README).
                lines.append(f"atomic_store_explicit({loc}, {v}, memory_order_seq_cst);"
                             if ".atomic." in op else
                             f"atomic_store_explicit({loc}, {v}, memory_order_relaxed);"
                             if _STORES[op] == 1 else f"*{loc} = {v};")
            elif op == "local.set" and isinstance(arg, int):
                val = stack.pop()
                reg = names[arg]
                rhs = (_access(val.loc, val.sc) if isinstance(val, _Load)
                       else str(val) if isinstance(val, int) else val.name)
                lines.append(f"{'' if reg in declared else 'int '}{reg} = {rhs};")
                declared.add(reg)
            else:
                raise Unsupported(f"thread {t}: instruction {op}")
        bodies.append(lines)
        used.append(locs)
    for name, ws in widths.items():
        if len(ws) > 1:
            raise Unsupported(f"mixed sizes on {name}")
    if test.observer is not None or test.program.data:
        raise Unsupported("observer function or data segment")
    for o in test.observables:
        if isinstance(o, cond.Trap):
            raise Unsupported("trap observable")
        if isinstance(o, cond.Mem):
            if o.name not in widths:
                widths[o.name] = {o.width}
            elif widths[o.name] != {o.width}:
                raise Unsupported(f"observer reads {o} with another size")
    init = {v.name: v.value for v in test.init}
    all_locs = [n for n, _ in sorted(test.names, key=lambda na: na[1])]
    out = [f"C {_herd_name(test.name)}",
           "{ " + " ".join(f"{n}={init.get(n, 0)};" for n in all_locs) + " }"]
    for t, lines in enumerate(bodies):
        params = ", ".join(f"int* {n}" for n in all_locs if n in used[t]) or "int* _unused"
        out.append(f"P{t}({params}) {{")
        out += [f"  {s}" for s in lines]
        out.append("}")
    if test.extra:
        out.append("locations [" + " ".join(f"{_herd_obs(o)};" for o in test.extra) + "]")
    out.append(f"{test.condition.quantifier} ({_herd_prop(test.condition.prop)})")
    return "\n".join(out) + "\n"


def _herd_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_+.-]", "_", name)


def _herd_obs(o: cond.Observable) -> str:
    return f"[{o.name}]" if isinstance(o, cond.Mem) else str(o)


def _herd_prop(p: cond.Prop) -> str:
    if isinstance(p, cond.Atom):
        return f"{_herd_obs(p.loc)}={p.value}"
    if isinstance(p, cond.Const):
        return "true" if p.value else "false"
    if isinstance(p, cond.Not):
        return f"~({_herd_prop(p.arg)})"
    sym = {cond.And: "/\\", cond.Or: "\\/", cond.Implies: "=>"}[type(p)]
    return f"({_herd_prop(p.left)} {sym} {_herd_prop(p.right)})"


# --- running both -----------------------------------------------------------------------------


@attrs.frozen
class Outcome:
    states: frozenset[State]
    ok: bool
    seconds: float


def _norm_weakwasm(o: cond.Observable, v: int) -> str:
    return f"{_herd_obs(o)}={v}"


class WeakwasmTimeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise WeakwasmTimeout


def run_weakwasm(test: LitmusTest, model: str, timeout: float) -> Outcome:
    """weakwasm's enumeration, stopped by SIGALRM after ``timeout`` seconds (the enumerator
    is pure Python, in this process)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    t0 = time.perf_counter()
    try:
        r = run_test(test, get_model(model)).result
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - t0
    states = frozenset(frozenset(_norm_weakwasm(o, v) for o, v in s) for s in r.states)
    return Outcome(states, r.ok, seconds)


class HerdError(Exception):
    pass


def run_herd(herd: str, cat: Path, path: Path, timeout: float) -> Outcome:
    t0 = time.perf_counter()
    try:
        p = subprocess.run([herd, "-model", str(cat), str(path)], capture_output=True,
                           text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise HerdError(f"herd7 timed out after {timeout:g} s") from e
    seconds = time.perf_counter() - t0
    lines = p.stdout.splitlines()
    try:
        i = next(k for k, ln in enumerate(lines) if ln.startswith("States "))
    except StopIteration:
        raise HerdError((p.stderr or p.stdout).strip()[-400:] or f"exit {p.returncode}") from None
    n = int(lines[i].split()[1])
    states = frozenset(frozenset(x.strip().replace(" ", "") for x in ln.split(";") if x.strip())
                       for ln in lines[i + 1:i + 1 + n])
    verdict = lines[i + 1 + n].strip()
    if verdict not in ("Ok", "No"):
        raise HerdError(f"unexpected herd7 output after the states: {verdict!r}")
    return Outcome(states, verdict == "Ok", seconds)


@attrs.frozen
class Row:
    name: str
    ww: Outcome | None
    herd: Outcome | None
    note: str = ""

    @property
    def equal(self) -> bool | None:
        if self.ww is None or self.herd is None:
            return None
        return self.ww.states == self.herd.states and self.ww.ok == self.herd.ok


def compare(test: LitmusTest, herd: str, model: str, workdir: Path, repeat: int,
            timeout: float) -> Row:
    try:
        src = translate(test)
    except Unsupported as e:
        return Row(test.name, None, None, f"not translated: {e}")
    path = workdir / f"{_herd_name(test.name)}.litmus"
    path.write_text(src, encoding="utf-8")
    try:
        ww_runs = [run_weakwasm(test, model, timeout) for _ in range(repeat)]
    except WeakwasmTimeout:
        return Row(test.name, None, None, f"weakwasm timed out after {timeout:g} s")
    ww = attrs.evolve(ww_runs[0], seconds=statistics.median(r.seconds for r in ww_runs))
    try:
        h_runs = [run_herd(herd, CATS[model], path, timeout) for _ in range(repeat)]
    except HerdError as e:
        return Row(test.name, ww, None, f"herd7: {e}")
    h = attrs.evolve(h_runs[0], seconds=statistics.median(r.seconds for r in h_runs))
    return Row(test.name, ww, h)


def _show_states(states: Iterable[State]) -> str:
    return "\n".join("    " + " ".join(sorted(s)) for s in sorted(states, key=sorted))


def print_table(rows: Sequence[Row]) -> None:
    w = max([len(r.name) for r in rows] + [4])
    print(f"{'test':<{w}}  {'weakwasm':>8}  {'herd7':>5}  {'equal':<5}  {'ww s':>8}  {'herd s':>7}")
    for r in rows:
        ws = str(len(r.ww.states)) if r.ww else "-"
        hs = str(len(r.herd.states)) if r.herd else "-"
        eq = {True: "yes", False: "NO", None: "-"}[r.equal]
        wt = f"{r.ww.seconds:.3f}" if r.ww else "-"
        ht = f"{r.herd.seconds:.3f}" if r.herd else "-"
        print(f"{r.name:<{w}}  {ws:>8}  {hs:>5}  {eq:<5}  {wt:>8}  {ht:>7}  {r.note}")


def print_disagreement(r: Row, workdir: Path) -> None:
    assert r.ww is not None and r.herd is not None
    print(f"--- {r.name}: weakwasm {'Ok' if r.ww.ok else 'No'}, "
          f"herd7 {'Ok' if r.herd.ok else 'No'}")
    print("  only weakwasm:\n" + _show_states(r.ww.states - r.herd.states))
    print("  only herd7:\n" + _show_states(r.herd.states - r.ww.states))
    print("  herd test:\n" + "".join(
        "    " + ln + "\n"
        for ln in (workdir / f"{_herd_name(r.name)}.litmus").read_text().splitlines()))


# --- test families --------------------------------------------------------------------------

_FLAVOURS = {  # name -> (store op, load op, width)
    "i32": ("i32.store", "i32.load", 4),
    "i8": ("i32.store8", "i32.load8_u", 1),
    "sc": ("i32.atomic.store", "i32.atomic.load", 4),
}


def _litmus(name: str, nlocs: int, threads: Sequence[Sequence[str]], regs: Sequence[int],
            condition: str) -> LitmusTest:
    """A weakwasm litmus test: locations x0.. at 4-byte spacing, thread t's body lines, with
    ``regs[t]`` i32 locals $r0.. declared."""
    decl = " ".join(f"x{i} = {4 * i};" for i in range(nlocs))
    out = [f"WASM {name}", "{ memory 1 1 shared; " + decl + " }"]
    for t, body in enumerate(threads):
        out.append(f"thread {t} {{")
        if regs[t]:
            out.append("  " + " ".join(f"(local $r{i} i32)" for i in range(regs[t])))
        out += [f"  {s}" for s in body]
        out.append("}")
    out.append(condition)
    return parse_litmus("\n".join(out) + "\n", name)


def _st(fl: str, loc: int, v: int) -> str:
    return f"({_FLAVOURS[fl][0]} (i32.const x{loc}) (i32.const {v}))"


def _ld(fl: str, reg: int, loc: int) -> str:
    return f"(local.set $r{reg} ({_FLAVOURS[fl][1]} (i32.const x{loc})))"


def sb_ring(n: int, fl: str) -> LitmusTest:
    threads = [[_st(fl, i, 1), _ld(fl, 0, (i + 1) % n)] for i in range(n)]
    c = " /\\ ".join(f"{i}:r0=0" for i in range(n))
    return _litmus(f"SB{n}-{fl}", n, threads, [1] * n, f"exists ({c})")


def iriw(n: int, fl: str) -> LitmusTest:
    threads = [[_st(fl, 0, 1)], [_st(fl, 1, 1)]]
    for j in range(n):
        a, b = (0, 1) if j % 2 == 0 else (1, 0)
        threads.append([_ld(fl, 0, a), _ld(fl, 1, b)])
    c = "2:r0=1 /\\ 2:r1=0 /\\ 3:r0=1 /\\ 3:r1=0"
    return _litmus(f"IRIW{n}-{fl}", 2, threads, [0, 0] + [2] * n, f"exists ({c})")


def corr(k: int, fl: str) -> LitmusTest:
    threads = [[_st(fl, 0, 1)], [_ld(fl, i, 0) for i in range(k)]]
    return _litmus(f"CoRR{k}-{fl}", 1, threads, [0, k], f"exists (1:r0=1 /\\ 1:r{k - 1}=0)")


def writers(n: int, fl: str) -> LitmusTest:
    threads = [[_st(fl, 0, i + 1)] for i in range(n)]
    mem = "[x0]" if _FLAVOURS[fl][2] == 4 else "[x0:i8]"
    return _litmus(f"W{n}-{fl}", 1, threads, [0] * n, f"exists ({mem}=1)")


FAMILIES: tuple[tuple[Callable[[int, str], LitmusTest], tuple[int, ...]], ...] = (
    (sb_ring, (2, 3, 4)), (iriw, (2, 3)), (corr, (2, 3, 4)), (writers, (2, 3, 4)))


def family_tests() -> list[LitmusTest]:
    return [make(n, fl) for make, sizes in FAMILIES for fl in _FLAVOURS for n in sizes]


# --- random uni-size tests ------------------------------------------------------------------


def random_test(rng: random.Random, idx: int, sc_share: float = 0.5) -> LitmusTest:
    """2-3 threads of 1-3 accesses over two locations; each location has one size (i32 or
    i8), each access is SeqCst with probability ``sc_share``, else plain; distinct stored
    values per location, each below 256 (so a read torn with INIT adds no state, README);
    the condition names every register and, sometimes, the final values, with values drawn
    at random."""
    nthreads = rng.randint(2, 3)
    sizes = [rng.choice(("i32", "i8")) for _ in range(2)]
    next_val = [1, 1]
    threads: list[list[str]] = []
    regs: list[int] = []
    atoms: list[str] = []
    for _ in range(nthreads):
        body: list[str] = []
        nr = 0
        for _ in range(rng.randint(1, 3)):
            loc = rng.randrange(2)
            fl = "sc" if rng.random() < sc_share else "i32"
            op = _FLAVOURS[fl]
            if sizes[loc] == "i8":
                op = (op[0] + "8", op[1] + "8_u", 1)
            if rng.random() < 0.5:
                body.append(f"({op[0]} (i32.const x{loc}) (i32.const {next_val[loc]}))")
                next_val[loc] += 1
            else:
                body.append(f"(local.set $r{nr} ({op[1]} (i32.const x{loc})))")
                nr += 1
        threads.append(body)
        regs.append(nr)
    for t, nr in enumerate(regs):
        atoms += [f"{t}:r{i}={rng.randrange(3)}" for i in range(nr)]
    for loc in range(2):
        if rng.random() < 0.4 or not atoms:
            mem = f"[x{loc}]" if sizes[loc] == "i32" else f"[x{loc}:i8]"
            atoms.append(f"{mem}={rng.randrange(next_val[loc])}")
    return _litmus(f"G{idx}", 2, threads, regs, "exists (" + " /\\ ".join(atoms) + ")")


# --- main -------------------------------------------------------------------------------------


def find_herd(arg: str | None) -> str | None:
    for cand in (arg, os.environ.get("HERD7"), shutil.which("herd7")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tests", nargs="*", help="weakwasm .litmus files (default: the classic ones)")
    p.add_argument("--herd", help="herd7 binary (default: $HERD7, then PATH)")
    p.add_argument("--model", choices=sorted(CATS), default="wasm")
    p.add_argument("--repeat", type=int, default=3, help="runs per test; times are medians")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds per run of either tool (over it: not compared)")
    p.add_argument("--families", action="store_true", help="the parametrised families")
    p.add_argument("--generate", type=int, metavar="N", help="N random uni-size tests")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sc-share", type=float, default=0.5,
                   help="probability that a generated access is SeqCst")
    p.add_argument("--show", type=int, default=5, help="disagreements printed in full")
    args = p.parse_args(argv)
    herd = find_herd(args.herd)
    if herd is None:
        print("herd7 not found (give --herd PATH or set $HERD7): skipping the comparison")
        return 0
    if args.generate:
        rng = random.Random(args.seed)
        tests = [random_test(rng, i, args.sc_share) for i in range(args.generate)]
        repeat = 1
    elif args.families:
        tests, repeat = family_tests(), args.repeat
    else:
        files = args.tests or sorted(str(f) for f in CLASSIC.glob("*.litmus"))
        tests, repeat = [load_test(f) for f in files], args.repeat
    with tempfile.TemporaryDirectory(prefix="herd_compare_") as tmp:
        work = Path(tmp)
        rows = []
        shown = 0
        for i, t in enumerate(tests, 1):
            row = compare(t, herd, args.model, work, repeat, args.timeout)
            rows.append(row)
            if row.equal is False and shown < args.show:
                print_disagreement(row, work)
                shown += 1
            if args.generate and i % 50 == 0:
                done = [r for r in rows if r.equal is not None]
                print(f"[{i}/{len(tests)}] agree {sum(1 for r in done if r.equal)} "
                      f"of {len(done)}", flush=True)
        if not args.generate:
            print_table(rows)
    compared = [r for r in rows if r.equal is not None]
    agree = sum(1 for r in compared if r.equal)
    skipped = len(rows) - len(compared)
    print(f"agreement: {agree} of {len(compared)} compared ({skipped} not compared); "
          f"herd7 = {herd}, model {args.model}")
    if skipped:
        for r in rows:
            if r.equal is None:
                print(f"  not compared: {r.name}: {r.note}")
    return 0 if agree == len(compared) else 1


if __name__ == "__main__":
    sys.exit(main())
