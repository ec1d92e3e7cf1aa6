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
    small = mutant.SMALL_COUNTEREXAMPLE
    if isinstance(result.counterexample, Graph):
        found = skeleton(result.counterexample)
        assert same_up_to_renaming(found, parse_skeleton(small)), result.text()
    elif "wait" in small or "notify" in small:  # skeletons have no wait/notify rows
        assert _bodies(result.litmus()) == _bodies(small), result.text()
    else:  # a program-level theorem's Prog, through its litmus text
        found = parse_skeleton(result.text())
        assert same_up_to_renaming(found, parse_skeleton(small)), result.text()
    # the reference model does not fail the theorem on the same graph
    graph = result.counterexample
    assert not isinstance(theorem.predicate(graph, get_model("wasm")), Fails)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_small_counterexample_is_a_valid_litmus_test(name):
    test = parse_litmus(MUTANTS[name].SMALL_COUNTEREXAMPLE, file=f"<{name}>")
    threads = _bodies(MUTANTS[name].SMALL_COUNTEREXAMPLE)
    assert len(test.program.threads) == len(threads) >= 1


def test_the_mutant_without_suspensions_wakes_an_unnotified_wait_and_wasm_does_not():
    from semantics.litmus.result import run_test

    text = MUTANTS["wasm-no-suspensions"].SMALL_COUNTEREXAMPLE
    test = parse_litmus(text, file="<no-suspensions>")
    assert run_test(test, MUTANTS["wasm-no-suspensions"].model()).result.observation != "Never"
    assert run_test(test, get_model("wasm")).result.observation == "Never"


def _bodies(text):
    """Each thread's instruction lines, in order (locals and comments left out)."""
    out, rows = [], None
    for raw in text.splitlines():
        line = raw.split(";;")[0].strip()
        if line.startswith("thread "):
            rows = []
        elif line == "}" and rows is not None:
            out.append(tuple(rows))
            rows = None
        elif rows is not None and line and not line.startswith("(local "):
            rows.append(line)
    return out
