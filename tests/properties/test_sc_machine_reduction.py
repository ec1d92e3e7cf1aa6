"""The SC machine's partial-order reduction loses nothing: on random programs it finds the same
executions as the exploration of every interleaving (tests/common/sc_reference.py), the same
representatives in the same order (so the same counts, states and witnesses), and completes no
more interleavings than that."""

import attrs
from hypothesis import given, settings

from properties.programs import DEFAULT, Prog, observe, programs
from semantics.litmus.sc import sc_executions
from tests.common.sc_reference import reference_sc_executions

# more threads, fewer operations each: where the reduction has the most to do
WIDE = attrs.evolve(DEFAULT, threads=(3, 4), ops=2, max_events=6)


def agree(p: Prog) -> None:
    program = p.test.program
    new = sc_executions(program, observe=observe(p))
    ref = reference_sc_executions(program, observe=observe(p))
    assert new.valid == ref.valid
    assert new.paths == ref.paths
    assert bool(new.bound_reports) == bool(ref.bound_reports)
    assert 0 < new.candidates <= ref.candidates or not ref.valid


@settings(max_examples=60)
@given(programs(DEFAULT))
def test_reduced_machine_equals_full_exploration(p):
    agree(p)


@settings(max_examples=40)
@given(programs(WIDE))
def test_reduced_machine_equals_full_exploration_on_wider_programs(p):
    agree(p)
