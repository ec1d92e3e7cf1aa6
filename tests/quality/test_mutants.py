"""Each mutant breaks its theorem, and hunt shrinks to its SMALL_COUNTEREXAMPLE."""

import pytest

from metatheory.hunt import hunt
from metatheory.mutants import MUTANTS
from metatheory.theorems import get_theorem
from properties.graphs import Graph
from properties.outcome import Fails
from properties.render import parse_skeleton, same_up_to_renaming, skeleton
from semantics.litmus.format import parse_litmus
from semantics.memory.model import get_model


def test_at_least_six_mutants_with_distinct_models():
    assert len(MUTANTS) >= 6
    axiom_lists = {(m.model().axiom_names, m.model().hb_transitive) for m in MUTANTS.values()}
    assert len(axiom_lists) == len(MUTANTS)
    assert all(m.model().axiom_names != get_model("wasm").axiom_names for m in MUTANTS.values())


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_hunt_shrinks_to_the_small_counterexample(name):
    mutant = MUTANTS[name]
    theorem = get_theorem(mutant.breaks)
    result = hunt(theorem, mutant.model(), seed=mutant.seed, max_examples=2000)
    assert result.found, result.text()
    assert isinstance(result.outcome, Fails)
    expected = parse_skeleton(mutant.SMALL_COUNTEREXAMPLE)
    found = (skeleton(result.counterexample) if isinstance(result.counterexample, Graph)
             else parse_skeleton(result.text()))  # a program-level theorem's Prog
    assert same_up_to_renaming(found, expected), result.text()
    # the reference model does not fail the theorem on the same graph
    graph = result.counterexample
    assert not isinstance(theorem.predicate(graph, get_model("wasm")), Fails)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_small_counterexample_is_a_valid_litmus_test(name):
    test = parse_litmus(MUTANTS[name].SMALL_COUNTEREXAMPLE, file=f"<{name}>")
    assert len(test.program.threads) == len(parse_skeleton(MUTANTS[name].SMALL_COUNTEREXAMPLE))
