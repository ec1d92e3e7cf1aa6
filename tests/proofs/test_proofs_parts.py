"""sc_drf's cases in parts (``proofs.obligations.sc_drf_part``, ``merge_parts``): the result
does not depend on the number of parts nor on what the process asked Z3 before, so that a
proof split across workers is the proof decided in one process."""

from __future__ import annotations

from metatheory.tasks import Workers, proof_plan
from proofs.obligations import merge_parts, prove_up_to, sc_drf, sc_drf_part, wasm_eq_js
from semantics.memory.model import get_model


def test_the_parts_decide_what_the_whole_decides() -> None:
    es2017, wasm = get_model("es2017"), get_model("wasm")
    whole = sc_drf(es2017, 4)
    assert whole.status == "counterexample" and whole.cases == 128
    for parts in (2, 5):
        split = merge_parts([sc_drf_part(es2017, 4, i, parts) for i in range(parts)])
        assert (split.status, split.case, split.execution, split.detail) == (
            whole.status, whole.case, whole.execution, whole.detail)
    sizes: list[int] = []

    def block(done: int, total: int) -> None:
        if done == total:
            sizes.append(total)

    proved = [sc_drf_part(wasm, 3, i, 4, core=True, progress=block) for i in range(4)]
    assert sizes == [13, 14, 13, 14]  # the 54 cases, in 4 consecutive blocks
    merged = merge_parts(proved)
    assert merged.status == "proved" and merged.case == merged.cases == 54
    assert merged.core and set(merged.core) == {name for r in proved for name in r.core}


def test_a_counterexample_is_the_least_model_whatever_ran_before() -> None:
    es2017 = get_model("es2017")
    first = sc_drf(es2017, 4).execution
    eq_first = wasm_eq_js(2).execution
    prove_up_to("sc_drf", get_model("es2020"), 3)  # more terms and queries in this process
    assert sc_drf(es2017, 4, parts=2).execution == first
    assert wasm_eq_js(2).execution == eq_first


def test_the_bounds_in_one_batch_stop_at_the_first_not_proved_and_are_heard_in_order() -> None:
    """``metatheory.tasks.proof_plan`` sends every bound at once: es2017 fails at 4 events,
    so bounds 5 to 7 are cancelled (or run and dropped) and nobody hears of them."""
    heard: list[int] = []
    with Workers(2) as w:
        run = w.one(proof_plan("sc_drf", "es2017", 7, None, parts=2,
                               on_result=lambda r: heard.append(r.bound)))
    assert [r.bound for r in run.results] == heard == [1, 2, 3, 4]
    assert run.counterexample is not None and run.largest_proved == 3
    assert run.counterexample.execution == sc_drf(get_model("es2017"), 4).execution
