"""Mutants of the golden corpus and the threads scripts, run through the ``weakwasm`` command.

Used by ``tests/quality/test_fuzz_cli.py`` (a few hundred cases, Hypothesis drives the random
choices) and ``bench/fuzz_cli.py`` (10,000+ cases, ``random.Random`` seeded per case). A case
is a seed file, a list of mutations (among them herd's ``locations`` and ``filter`` clauses,
well- and ill-formed) and the command that reads the mutant (``litmus`` with a small
``--max-events`` and some of its output options, from a file or from stdin, or ``wast``);
``check_case`` runs it in-process and returns what broke
the command's promise (docs/litmus.md#bad-input): an exception escaping ``main``, an exit
status outside ``EXIT_CODES``, a bad-input status without a ``file:line:col: expected ...``
line, or more than ``LIMIT_S`` seconds of CPU time.
"""

from __future__ import annotations

import io
import os
import random
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

from metatheory.cli import main

EXIT_CODES = frozenset({0, 1, 2, 3})
"""The documented exit statuses (README "Exit status", ``metatheory.cli.EXIT_STATUS``): 0 as
expected, 1 a counterexample, mismatch or forbidden state observed, 2 bad input, 3 incomplete
(a bound was hit, or nothing was decided)."""

BAD_INPUT = 2
LIMIT_S = 10.0  # CPU seconds per case
WALL_FACTOR = 6
MAX_EVENTS = "6"

ROOT = Path(__file__).resolve().parents[2]


def corpus(shared: Path | None) -> list[Path]:
    """The seed files: the golden litmus tests, then the threads scripts if ``shared`` has them."""
    seeds = sorted((ROOT / "tests" / "litmus").rglob("*.litmus"))
    threads = shared / "external" / "wasm-threads-tests" if shared is not None else None
    if threads is not None and threads.is_dir():
        seeds += sorted(threads.glob("*.wast"))
    return seeds


# --- mutations: each takes the text (bytes) and a Random --------------------------------------

_TOKEN = re.compile(rb"\(|\)|\{|\}|\[|\]|[^\s(){}\[\]]+")
_NUMBER = re.compile(rb"(?<![\w$.])-?(?:0x[0-9a-fA-F]+|[0-9]+)(?![\w.])")
_TYPE = re.compile(rb"\b(i32|i64|f32|f64)\b")
_DEPTHS = (50, 99, 100, 101, 199, 200, 201, 330, 1000)


def _tokens(src: bytes) -> list[re.Match[bytes]]:
    return list(_TOKEN.finditer(src))


def byte_flip(src: bytes, rng: random.Random) -> bytes:
    if not src:
        return src
    i = rng.randrange(len(src))
    return src[:i] + bytes([src[i] ^ (1 << rng.randrange(8))]) + src[i + 1:]


def token_delete(src: bytes, rng: random.Random) -> bytes:
    toks = _tokens(src)
    if not toks:
        return src
    m = rng.choice(toks)
    return src[:m.start()] + src[m.end():]


def token_swap(src: bytes, rng: random.Random) -> bytes:
    toks = _tokens(src)
    if len(toks) < 2:
        return src
    a, b = sorted(rng.sample(range(len(toks)), 2))
    ma, mb = toks[a], toks[b]
    return (src[:ma.start()] + mb.group() + src[ma.end():mb.start()] + ma.group()
            + src[mb.end():])


def duplicate(src: bytes, rng: random.Random) -> bytes:
    """A line (or a few) written twice."""
    lines = src.split(b"\n")
    i = rng.randrange(len(lines))
    k = rng.randint(1, 3)
    return b"\n".join(lines[:i + k] + lines[i:i + k] + lines[i + k:])


def deep_nesting(src: bytes, rng: random.Random) -> bytes:
    """Parentheses, folded blocks, flat blocks, ``~`` or ``(`` of a condition, nested deep."""
    n = rng.choice(_DEPTHS)
    kind = rng.randrange(5)
    if kind == 0:
        open_, close = b"(" * n, b")" * n
    elif kind == 1:
        open_, close = b"(block " * n, b")" * n
    elif kind == 2:
        open_, close = b"block\n" * n, b"end\n" * n
    elif kind == 3:
        open_, close = b"~" * n, b""
    else:
        open_, close = b"(" * n + b"true", b")" * n
    toks = _tokens(src)
    if not toks:
        return open_ + close
    m = rng.choice(toks)
    if kind >= 3:
        return src[:m.start()] + open_ + close + b" /\\ " + src[m.start():]
    return src[:m.start()] + open_ + src[m.start():m.end()] + close + src[m.end():]


def huge_literal(src: bytes, rng: random.Random) -> bytes:
    nums = list(_NUMBER.finditer(src))
    digits = b"9" * rng.choice((20, 310, 1000, 1001, 4301, 6000))
    if rng.random() < 0.3:
        digits = b"0x" + b"f" * rng.choice((9, 17, 1001, 5000))
    if not nums:
        return src + b" " + digits
    m = rng.choice(nums)
    return src[:m.start()] + digits + src[m.end():]


def bad_utf8(src: bytes, rng: random.Random) -> bytes:
    junk = rng.choice((b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xef\xbb\xbf",
                       b"\x00", "\u00e9\u2200".encode()))
    if junk == b"\xef\xbb\xbf" and rng.random() < 0.7:
        return junk + src  # a byte order mark, where it belongs
    i = rng.randrange(len(src) + 1)
    return src[:i] + junk + src[i:]


def wrong_type(src: bytes, rng: random.Random) -> bytes:
    types = list(_TYPE.finditer(src))
    if not types:
        return src
    m = rng.choice(types)
    other = rng.choice([t for t in (b"i32", b"i64", b"f32", b"f64") if t != m.group()])
    return src[:m.start()] + other + src[m.end():]


_OBSERVABLE = re.compile(rb"\d+:\$?\w+|\[\w+(?::i\d+)?\]")
_QUANTIFIER = re.compile(rb"(?m)^\s*(?:~\s*exists|exists|forall)\b")


def herd_clause(src: bytes, rng: random.Random) -> bytes:
    """A ``locations [...]`` or ``filter (...)`` clause before the condition (or anywhere):
    over the test's own observables mostly, sometimes unknown ones, unclosed, doubled, empty or
    nested deep."""
    seen = [m.group() for m in _OBSERVABLE.finditer(src)] or [b"0:r0", b"[x]"]
    picks = [rng.choice(seen) for _ in range(rng.randint(0, 4))]
    junk = rng.choice((b"", b"", b"", b"9:r0", b"[nope]", b"0:zz", b"1:trap", b"x",
                       b"[x:i7]", b";", b"]", b"(", b"99999999999999999999:r"))
    if junk:
        picks.insert(rng.randrange(len(picks) + 1), junk)
    if rng.random() < 0.5:
        sep = rng.choice((b"; ", b";", b" "))
        clause = b"locations [" + sep.join(picks) + (b";]" if rng.random() < 0.8 else b"")
    else:
        values = rng.choice((b"0", b"1", b"42", b"-1", b"0x1", b"z", b"9" * 30))
        atoms = [p + b"=" + values for p in picks] or [b"true"]
        prop = rng.choice((rb" /\ ", rb" \/ ", b" => ")).join(atoms)
        if rng.random() < 0.1:
            n = rng.choice(_DEPTHS)
            prop = b"(" * n + prop + b")" * n
        clause = b"filter (" + prop + (b")" if rng.random() < 0.9 else b"")
    if rng.random() < 0.1:
        clause += b"\n" + clause  # twice
    m = _QUANTIFIER.search(src)
    at = m.start() if m is not None and rng.random() < 0.85 else rng.randrange(len(src) + 1)
    return src[:at] + clause + b"\n" + src[at:]


MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    byte_flip, token_delete, token_swap, duplicate, deep_nesting, huge_literal, bad_utf8,
    wrong_type, herd_clause, herd_clause)
"""``herd_clause`` twice: the clauses are the newest syntax."""

OPTIONS: tuple[tuple[str, ...], ...] = (
    (), (), (), ("--json",), ("--hex", "--hash"), ("--model", "wasm", "--model", "sc"),
    ("--json", "--model", "sc", "--model", "es2017"), ("--show", "dot"),
    ("--show", "dot", "--graphs", "all", "--edges", "po,rf,hb,sync,tot,spawn", "--show-len"),
    ("--show", "dot", "--graphs", "neg", "--out", "{dir}"), ("--emit-wast",),
    ("--emit-wast", "--out", "{dir}"))
"""Output options of ``weakwasm litmus`` a case may add (``{dir}``: the case's directory)."""


# --- cases ----------------------------------------------------------------------------------


@attrs.frozen
class Case:
    seed: Path
    mutations: tuple[str, ...]
    text: bytes
    command: str  # "litmus" or "wast"
    suffix: str
    options: tuple[str, ...] = ()  # of litmus, from ``OPTIONS``
    stdin: bool = False  # litmus reads the mutant from stdin (``-``)


def make_case(seeds: list[Path], rng: random.Random) -> Case:
    seed = rng.choice(seeds)
    text = seed.read_bytes()
    names = []
    for _ in range(rng.randint(1, 3)):
        mutation = rng.choice(MUTATIONS)
        names.append(mutation.__name__)
        text = mutation(text, rng)
    suffix = seed.suffix
    if suffix == ".wast":
        command = "wast" if rng.random() < 0.6 else "litmus"
    else:
        command = "litmus"
    options = rng.choice(OPTIONS) if command == "litmus" else ()
    stdin = command == "litmus" and suffix == ".litmus" and rng.random() < 0.1
    return Case(seed, tuple(names), text, command, suffix, options, stdin)


@attrs.frozen
class Outcome:
    code: int | None  # None: an exception escaped, or the time limit passed
    problem: str | None  # what broke the promise, None if nothing did
    seconds: float
    kind: str  # "ok", "traceback", "hang", "exit", "position"


class _Timeout(BaseException):
    """Raised by the alarm: a BaseException so that no ``except Exception`` swallows it."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """``seconds`` of CPU time (so that a loaded machine does not make a case "hang"), and
    ``WALL_FACTOR`` times as long on the clock (a case that blocks without computing)."""
    def ring(signum: int, frame: object) -> None:
        raise _Timeout

    timers = ((signal.SIGPROF, signal.ITIMER_PROF, seconds),
              (signal.SIGALRM, signal.ITIMER_REAL, seconds * WALL_FACTOR))
    old = [(sig, signal.signal(sig, ring)) for sig, _, _ in timers]
    for _, timer, s in timers:
        signal.setitimer(timer, s)
    try:
        yield
    finally:
        for (_, timer, _), (sig, handler) in zip(timers, old, strict=True):
            signal.setitimer(timer, 0)
            signal.signal(sig, handler)


STDIN_NAME = "<stdin>"


def argv(case: Case, path: str) -> list[str]:
    if case.command == "wast":
        return ["wast", path]
    options = [o.replace("{dir}", os.path.dirname(path) or ".") for o in case.options]
    return ["litmus", "--no-time", "--max-events", MAX_EVENTS, *options,
            "-" if case.stdin else path]


def check_case(case: Case, directory: str, limit_s: float = LIMIT_S) -> Outcome:
    """Run ``case`` from a file in ``directory``; what happened."""
    path = os.path.join(directory, f"mutant{case.suffix}")
    with open(path, "wb") as f:
        f.write(case.text)
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    saved = sys.stdin
    try:
        sys.stdin = io.TextIOWrapper(io.BytesIO(case.text), encoding="utf-8")
        with _deadline(limit_s):
            code = main(argv(case, path), out, err)
    except _Timeout:
        return Outcome(None, f"more than {limit_s} s", time.perf_counter() - start, "hang")
    except BaseException:  # noqa: BLE001 (any exception escaping main is the failure sought)
        return Outcome(None, traceback.format_exc(), time.perf_counter() - start, "traceback")
    finally:
        sys.stdin = saved
    seconds = time.perf_counter() - start
    if code not in EXIT_CODES:
        return Outcome(code, f"exit status {code}", seconds, "exit")
    if code == BAD_INPUT:
        name = STDIN_NAME if case.stdin else path
        where = re.compile(rf"^{re.escape(name)}:\d+:\d+: expected .+", re.M)
        if not where.search(err.getvalue()):
            return Outcome(code, f"bad input without file:line:col: expected ...: "
                           f"{err.getvalue()[:300]!r}", seconds, "position")
    return Outcome(code, None, seconds, "ok")


def describe(case: Case, outcome: Outcome) -> str:
    """A failure, with what it takes to reproduce it."""
    return (f"weakwasm {' '.join(argv(case, 'MUTANT' + case.suffix))}"
            f"{' < MUTANT' if case.stdin else ''} on {case.seed.name} "
            f"mutated by {', '.join(case.mutations)}: {outcome.problem}\n"
            f"mutant (first 600 bytes): {case.text[:600]!r}")
