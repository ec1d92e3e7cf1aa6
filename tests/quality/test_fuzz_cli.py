"""The command line keeps its promise on mutated input: a few hundred seeded mutants of the
golden corpus and the threads scripts (byte flips, token deletions and swaps, duplicated lines,
deep nesting, huge literals, bad UTF-8, wrong types; ``tests/common/fuzz.py``), each run through
``metatheory.cli.main`` in-process. A case fails on an exception escaping ``main``, an exit
status outside the documented set, bad input without ``file:line:col: expected ...`` on stderr,
or more than ``LIMIT_S`` CPU seconds (three times that under coverage). ``bench/fuzz_cli.py``
runs 10,000+ of them."""

import io
import random
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.common.fuzz import LIMIT_S, check_case, corpus, describe, make_case

CASES = 250
# coverage's tracer (tox's coverage run) makes the engine about three times slower: a case
# that takes 3.7 s of CPU alone (LB+data+shift with a load duplicated, 225 Z3 problems) must
# not count as a hang there
_COVERAGE = sys.modules.get("coverage")
TRACED = sys.gettrace() is not None or (
    _COVERAGE is not None and _COVERAGE.Coverage.current() is not None)
LIMIT = LIMIT_S * (3 if TRACED else 1)


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
def test_no_mutant_breaks_the_command_line(threads_tests: Path, rng: random.Random) -> None:
    seeds = corpus(threads_tests.parents[1])
    case = make_case(seeds, rng)
    with tempfile.TemporaryDirectory() as d:
        outcome = check_case(case, d, LIMIT)
    assert outcome.problem is None, describe(case, outcome)


def test_the_corpus_has_both_kinds_of_seed(threads_tests: Path) -> None:
    seeds = corpus(threads_tests.parents[1])
    assert sum(s.suffix == ".litmus" for s in seeds) >= 70
    assert sum(s.suffix == ".wast" for s in seeds) >= 10


def test_the_check_sees_a_traceback_a_bad_status_and_a_missing_position(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle itself can fail: each kind of broken promise is reported."""
    import tests.common.fuzz as fuzz

    case = fuzz.Case(Path("x.litmus"), ("none",), b"WASM t\n", "litmus", ".litmus")

    def crash(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
        raise RecursionError("deep")

    def status(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
        return 7

    def unplaced(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
        err.write("weakwasm: something was wrong\n")
        return 2

    def slow(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
        while True:
            pass

    kinds = []
    for fake in (crash, status, unplaced, slow):
        monkeypatch.setattr(fuzz, "main", fake)
        kinds.append(fuzz.check_case(case, str(tmp_path), limit_s=0.2).kind)
    assert kinds == ["traceback", "exit", "position", "hang"]


def test_the_herd_clauses_are_mutated_both_ways() -> None:
    """``herd_clause`` writes clauses the parser takes and clauses it rejects, with a
    position: both sides of the ``locations``/``filter`` grammar are fuzzed."""
    from semantics.litmus.format import LitmusError, parse_litmus
    from tests.common.corpus import CORPUS
    from tests.common.fuzz import herd_clause

    src = (CORPUS / "classic" / "MP+sc.litmus").read_bytes()
    taken = rejected = 0
    for i in range(200):
        text = herd_clause(src, random.Random(i)).decode("utf-8")
        try:
            t = parse_litmus(text, "m.litmus")
        except LitmusError as e:
            rejected += 1
            assert e.line >= 1 and e.col >= 1
            continue
        taken += bool(t.extra or t.filter is not None)  # (not when put inside a comment)
    assert taken >= 20 and rejected >= 40, (taken, rejected)


def test_cases_vary_the_options_and_read_stdin_too(threads_tests: Path) -> None:
    from tests.common.fuzz import OPTIONS

    seeds = corpus(threads_tests.parents[1])
    cases = [make_case(seeds, random.Random(i)) for i in range(300)]
    litmus = [c for c in cases if c.command == "litmus"]
    assert {c.options for c in litmus} == set(OPTIONS)
    assert any(c.stdin for c in litmus)
