"""Counting a plain read's writer choices byte by byte (``semantics.litmus.bytewise``) against
judging them pick by pick: the same outcomes, multiplicities and candidates on the whole corpus,
under wasm and es2017; and the comparison catches a broken count."""

from collections import Counter
from pathlib import Path

import attrs
import pytest

from semantics.litmus import bytewise
from semantics.litmus.engine import Enumeration, enumerate_executions
from semantics.litmus.format import LitmusTest
from semantics.litmus.loader import load_test
from semantics.litmus.result import observe_of, outcome_of, seeds_of
from semantics.memory.model import Model, get_model

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "litmus").rglob("*.litmus")) + \
    sorted((ROOT / "bench" / "litmus").glob("*.litmus"))


def pick_by_pick(model: Model) -> Model:
    """``model`` with its per_read hooks wrapped: the same axioms, which ``bytewise`` does not
    recognise, so that every choice is judged on its own."""
    def wrap(ax):  # type: ignore[no-untyped-def]
        if ax.per_read is None:
            return ax
        hook = ax.per_read
        return attrs.evolve(ax, per_read=lambda f, r: hook(f, r))
    return attrs.evolve(model, axioms=tuple(wrap(ax) for ax in model.axioms))


def _enumerate(t: LitmusTest, model: Model) -> Enumeration:
    seeds, cells = seeds_of(t)
    return enumerate_executions(t.program, model, observe=observe_of(t), observer=t.observer,
                                seeds=seeds, cell_seeds=cells)


def _summary(en: Enumeration) -> tuple[int, Counter]:
    out: Counter = Counter()
    for v in en.valid:
        out[outcome_of(v)] += v.multiplicity
    return en.candidates, out


def test_the_reference_is_judged_pick_by_pick() -> None:
    assert bytewise.applies(get_model("wasm")) and bytewise.applies(get_model("es2017"))
    assert not bytewise.applies(pick_by_pick(get_model("wasm")))


@pytest.mark.parametrize("name", ["wasm", "es2017"])
def test_byte_by_byte_counts_what_pick_by_pick_counts_on_the_corpus(name: str) -> None:
    model = get_model(name)
    reference = pick_by_pick(model)
    for f in CORPUS:
        t = load_test(str(f))
        if t.name.startswith(("Incr8", "LB+data")):  # no plain read to count; seconds each
            continue
        assert _summary(_enumerate(t, model)) == _summary(_enumerate(t, reference)), f.name


def test_a_count_that_ignores_no_tear_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """CoRR2+i32: two same-range writers, so no-tear limits the choices of each read."""
    t = load_test(str(ROOT / "bench" / "litmus" / "CoRR2+i32.litmus"))
    model = get_model("wasm")
    good = _summary(_enumerate(t, model))
    assert good == _summary(_enumerate(t, pick_by_pick(model)))
    monkeypatch.setattr(bytewise, "torn_of", lambda *args: (None, frozenset()))
    candidates, counts = _summary(_enumerate(t, model))
    assert candidates > good[0] and sum(counts.values()) > sum(good[1].values())
