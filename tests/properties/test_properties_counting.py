"""The counting engine (``combine`` on a model that factorises) against the listing one
(``explicit=True``, every candidate judged by ``consistent``): on random programs (plain and
atomic, i8/i16/i32, 2-3 threads, rmw and grow), the same outcomes with the same number of valid
executions each, and the same number of candidates, under every variant and the hb-not-closed
mutant."""

from collections import Counter

import attrs
from hypothesis import given, settings

from properties.programs import DEFAULT, Prog, observe, outcome, programs
from semantics.litmus.engine import Enumeration, enumerate_executions
from semantics.memory.model import MODELS, Model, get_model

VARIANTS = (*MODELS.values(),
            attrs.evolve(get_model("wasm"), name="wasm-hb-not-closed", hb_transitive=False))


def _counts(p: Prog, en: Enumeration) -> Counter:
    out: Counter = Counter()
    for v in en.valid:
        out[outcome(p, v)] += v.multiplicity
    return out


def _agree(p: Prog, model: Model) -> None:
    program = p.test.program
    counted = enumerate_executions(program, model, observe=observe(p), seeds=p.seeds)
    listed = enumerate_executions(program, model, observe=observe(p), seeds=p.seeds,
                                  explicit=True)
    assert all(v.multiplicity == 1 for v in listed.valid)
    assert counted.bound_reports == listed.bound_reports
    assert counted.candidates == listed.candidates, model.name
    assert _counts(p, counted) == _counts(p, listed), f"{model.name}\n{p.litmus()}"


# small programs: the listing side enumerates the product of every byte's writers
SMALL = attrs.evolve(DEFAULT, max_events=4)


@settings(max_examples=15, deadline=None)
@given(programs(SMALL))
def test_counting_equals_listing_under_every_variant(p: Prog) -> None:
    for model in VARIANTS:
        _agree(p, model)
