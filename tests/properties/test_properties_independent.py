"""Reads valued by their writers (``semantics.litmus.independent``) against the offered values
(``engine.enumerate_executions``): on every test of the corpus whose reads decide nothing, and on
random programs, the same outcomes with the same number of valid executions each, the same
number of candidates and the same cuts, under every variant, counted and listed."""

from collections import Counter
from pathlib import Path

import attrs
import pytest
from hypothesis import event, given, settings

from properties.programs import DEFAULT, Prog, observe, outcome, programs
from semantics.litmus.engine import (
    DEFAULT_BOUNDS,
    Bounds,
    Enumeration,
    enumerate_executions,
    thread_runs,
)
from semantics.litmus.format import LitmusTest
from semantics.litmus.independent import enumerate_independent, independent
from semantics.litmus.loader import load_test
from semantics.litmus.result import observe_of, outcome_of, seeds_of
from semantics.litmus.symbolic import dependencies, has_cycle
from semantics.memory.model import MODELS, Model, get_model
from semantics.wasm.syntax import Program

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "litmus").rglob("*.litmus")) + \
    sorted((ROOT / "bench" / "litmus").glob("*.litmus"))
VARIANTS = (*MODELS.values(),
            attrs.evolve(get_model("wasm"), name="wasm-hb-not-closed", hb_transitive=False))


def _counts(en: Enumeration) -> Counter:
    out: Counter = Counter()
    for v in en.valid:
        out[outcome_of(v)] += v.multiplicity
    return out


def _direct(program: Program, model: Model, observe: tuple[tuple[int, int], ...],
            observer: int | None = None, bounds: Bounds = DEFAULT_BOUNDS,
            explicit: bool = False) -> Enumeration | None:
    """``enumerate_independent`` as ``enumerate_exact`` calls it; None where it does not apply."""
    runs = thread_runs(program, observer=observer, bounds=bounds, unknown=True)
    if has_cycle(dependencies(runs.per_thread)) or not independent(runs.per_thread):
        return None
    return enumerate_independent(program, model, runs, observe=observe, observer=observer,
                                 bounds=bounds, explicit=explicit)


def _agree(direct: Enumeration, offered: Enumeration, what: str) -> None:
    assert direct.bound_reports == offered.bound_reports, what
    assert direct.candidates == offered.candidates, what
    assert _counts(direct) == _counts(offered), what


def _test_agrees(t: LitmusTest, model: Model) -> bool:
    observe = observe_of(t)
    direct = _direct(t.program, model, observe, t.observer)
    if direct is None:
        return False
    seeds, cells = seeds_of(t)
    offered = enumerate_executions(t.program, model, observe=observe, observer=t.observer,
                                   seeds=seeds, cell_seeds=cells)
    _agree(direct, offered, f"{t.name} under {model.name}")
    return True


@pytest.mark.parametrize("model", ["wasm", "es2017"])
def test_the_corpus_reads_valued_by_their_writers_as_offered(model: str) -> None:
    tests = [load_test(str(f)) for f in CORPUS]
    applies = [t.name for t in tests if _test_agrees(t, get_model(model))]
    # the classics and most of the corpus decide nothing by a value read
    assert len(applies) >= 100, len(applies)


def test_which_runs_decide_nothing() -> None:
    def runs_of(name: str) -> bool:
        t = load_test(str(ROOT / "tests" / "litmus" / name))
        return independent(thread_runs(t.program, observer=t.observer,
                                       unknown=True).per_thread)

    assert runs_of("classic/MP.litmus") and runs_of("classic/IRIW+sc.litmus")
    assert not runs_of("control/LB+data.litmus")  # a value read is stored
    assert not runs_of("control/Incr8.litmus")  # and added to
    assert not runs_of("control/MP+spin.litmus")  # decides a branch
    assert not runs_of("wait/" + sorted(p.name for p in (ROOT / "tests/litmus/wait")
                                        .glob("*.litmus"))[0])


def test_a_thread_with_more_read_values_than_paths_is_left_to_the_offered_values() -> None:
    t = load_test(str(ROOT / "bench" / "litmus" / "CoRR2+i32.litmus"))
    observe = observe_of(t)
    assert _direct(t.program, get_model("wasm"), observe) is not None
    assert _direct(t.program, get_model("wasm"), observe,
                   bounds=attrs.evolve(DEFAULT_BOUNDS, max_paths=2)) is None


def test_the_comparison_fails_on_a_broken_engine() -> None:
    """Counting each class once (multiplicity 1) is caught."""
    t = load_test(str(ROOT / "tests" / "litmus" / "classic" / "MP.litmus"))
    model = get_model("wasm")
    direct = _direct(t.program, model, observe_of(t))
    assert direct is not None
    broken = attrs.evolve(direct, valid=tuple(attrs.evolve(v, multiplicity=1)
                                              for v in direct.valid))
    offered = enumerate_executions(t.program, model, observe=observe_of(t))
    _agree(direct, offered, "MP")
    with pytest.raises(AssertionError):
        _agree(broken, offered, "MP")


SMALL = attrs.evolve(DEFAULT, max_events=4)


def _prog_counts(p: Prog, en: Enumeration) -> Counter:
    out: Counter = Counter()
    for v in en.valid:
        out[outcome(p, v)] += v.multiplicity
    return out


@settings(max_examples=25, deadline=None)
@given(programs(SMALL))
def test_random_programs_reads_valued_by_their_writers_as_offered(p: Prog) -> None:
    program = p.test.program
    for model in VARIANTS:
        for explicit in (False, True):
            direct = _direct(program, model, observe(p), explicit=explicit)
            if direct is None:
                event("a value read decides something")
                return
            offered = enumerate_executions(program, model, observe=observe(p), seeds=p.seeds,
                                           explicit=explicit)
            what = f"{model.name} explicit={explicit}\n{p.litmus()}"
            assert direct.bound_reports == offered.bound_reports, what
            assert direct.candidates == offered.candidates, what
            assert _prog_counts(p, direct) == _prog_counts(p, offered), what
    event("reads decide nothing")
