"""The task layer (metatheory/tasks.py): shards depend on the budget only, a batch's result is
the prefix an in-order run computes, and a process pool gives what this process gives."""

from __future__ import annotations

import time
from typing import Any

import pytest

from metatheory.tasks import Batch, Call, Plan, Workers, derived_seed, shards

RAN: list[int] = []


def _echo(x: int) -> int:
    RAN.append(x)
    return x


def _plan(values: list[int], stop: int | None) -> Plan[list[int]]:
    first = yield Batch(tuple(Call(_echo, (v,)) for v in values),
                        decides=None if stop is None else (lambda rs: rs[-1] == stop))
    second = yield Batch((Call(_echo, (sum(first),)),))
    return first + second


@pytest.mark.parametrize("examples, size", [(2000, 500), (2001, 500), (300, 100), (7, 500),
                                            (1, 1), (10000, 500)])
def test_shards_split_the_budget_evenly_with_independent_seeds(examples: int, size: int) -> None:
    split = shards(3, examples, size)
    assert sum(n for _, n in split) == examples
    assert max(n for _, n in split) <= size and max(n for _, n in split) - min(
        n for _, n in split) <= 1
    assert split[0][0] == 3  # one shard is the plain search with the given seed
    assert len({s for s, _ in split}) == len(split)
    assert split == shards(3, examples, size)  # a function of the budget only
    assert derived_seed(3, 1) != derived_seed(4, 1)


def test_a_batch_stops_at_the_first_deciding_call_in_order() -> None:
    RAN.clear()
    with Workers(1) as w:
        assert w.in_process and w.describe() == "1 worker (this process)"
        assert w.one(_plan([1, 2, 3, 4], stop=2)) == [1, 2, 3]  # 1 + 2 = 3
    assert RAN == [1, 2, 3]  # calls 3 and 4 were never run


def test_priorities_order_the_calls_and_values_keep_the_plans_order() -> None:
    RAN.clear()
    done: list[int] = []
    with Workers(1) as w:
        values = w.run([_plan([1, 2], None), _plan([10, 20], None)], [1, 0],
                       lambda i, _: done.append(i))
    assert values == [[1, 2, 3], [10, 20, 30]]
    assert RAN[:2] == [10, 20] and done == [1, 0]


def test_a_process_pool_computes_what_this_process_computes() -> None:
    plans: list[Any] = [(_plan, ([5, 6, 7, 8, 9], 7)), (_plan, ([1, 2, 3], None)),
                        (_plan, ([4], 4))]
    with Workers(1) as one:
        here = one.run([f(*a) for f, a in plans])
    with Workers(2) as pool:
        assert not pool.in_process and pool.describe() == "2 local worker processes"
        there = pool.run([f(*a) for f, a in plans])
        assert pool.cpu_seconds >= 0
    assert here == there == [[5, 6, 7, 18], [1, 2, 3, 6], [4, 4]]


def _deadline(_: int, deadline: float | None = None) -> float | None:
    return deadline


def _budgeted(heard: list[int]) -> Plan[list[Any]]:
    got = yield Batch(tuple(Call(_deadline, (i,)) for i in range(3)), budget_s=60,
                      heard=lambda k, _: heard.append(k))
    return got


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_budget_is_one_deadline_for_all_its_calls_and_each_result_is_heard(
        jobs: int) -> None:
    heard: list[int] = []
    before = time.time()
    with Workers(jobs) as w:
        got = w.one(_budgeted(heard))
    assert len(set(got)) == 1 and before + 60 <= got[0] <= time.time() + 60
    assert sorted(heard) == [0, 1, 2]
