"""``no_tearing`` over programs fails on a broken reduction and on a model without no-tear,
holds on the real ones, and counts the instances that meet its hypotheses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from metatheory.mutants import MUTANTS
from metatheory.theorems import NO_TEARING, PROGRAMS
from properties.no_tearing import TEAR, mixture, no_tearing, spread, tearing_programs
from properties.outcome import Fails, Holds, Vacuous
from properties.programs import Op, Prog
from semantics.memory.model import get_model
from semantics.wasm import step

WASM = get_model("wasm")


def test_table_notear_holds_with_the_reduction_and_the_model_as_they_are() -> None:
    assert NO_TEARING.domain == PROGRAMS
    assert isinstance(no_tearing(TEAR, WASM), Holds)


def test_a_reduction_that_marks_no_access_notears_makes_it_fail(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """step.py's NOTEARS flag ([T] ``tearing``) is what the axiom reads: without it, the
    engine finds the load mixing the two stores."""
    monkeypatch.setattr(step, "_tearing", lambda t, width, ea: False)
    out = no_tearing(TEAR, WASM)
    assert isinstance(out, Fails) and out.clause == "single-copy"
    assert "mixes the bytes of stores 1 and 2" in out.detail


def test_a_reduction_that_tears_only_misaligned_accesses_still_holds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The property reads the flags of the accesses it draws (aligned i32): a change to
    the flags of other accesses leaves it holding."""
    monkeypatch.setattr(step, "_tearing", lambda t, width, ea: ea % width == 0)
    assert isinstance(no_tearing(TEAR, WASM), Holds)


def test_the_model_without_no_tear_fails_it() -> None:
    out = no_tearing(TEAR, MUTANTS["wasm-no-tear"].model())
    assert isinstance(out, Fails)


def test_mixing_the_allocation_with_one_store_is_not_a_tear() -> None:
    """[P] Fig.16: the allocation is not same-range with the load, so a load may take some
    bytes from it; the conclusion only forbids two stores' bytes."""
    one = spread(Prog(((Op("load"),), (Op("store", value=1),))))
    assert isinstance(no_tearing(one, WASM), Vacuous)  # one store: nothing to mix (TF)
    assert mixture(0x01000100) == (1,) and mixture(0x02000100) == (1, 2)


def test_a_program_with_nothing_to_mix_is_vacuous_not_holding() -> None:
    same_thread = spread(Prog(((Op("store", value=1), Op("store", value=2)),
                               (Op("store", value=3),))))
    out = no_tearing(same_thread, WASM)
    assert isinstance(out, Vacuous) and out.hypothesis == "TF"


def test_drawn_programs_meet_the_hypotheses_and_hold() -> None:
    seen: list[object] = []

    @settings(max_examples=15, deadline=None, database=None)
    @given(tearing_programs(WASM))
    def prop(p: Prog) -> None:
        out = no_tearing(p, WASM)
        seen.append(out)
        assert not isinstance(out, Fails), out

    prop()
    assert seen and all(isinstance(o, Holds) for o in seen)  # none vacuous
