"""Theorems as data, and their predicates on pinned graphs (computed, not tabled)."""

import pytest

from metatheory.theorems import (
    CONFIGURATIONS,
    SC_DRF,
    THEOREMS,
    WASM_EQ_JS,
    UnknownTheorem,
    get_theorem,
)
from properties.outcome import Fails, Holds, Vacuous
from properties.pinned import DAGGER, ISSUE_1354
from properties.totsearch import non_sc_tot
from semantics.memory.check import check, is_seqcst
from semantics.memory.model import MODELS, get_model
from semantics.memory.verdict import Ok


def test_every_theorem_names_its_hypotheses_reference_and_expectations():
    for t in THEOREMS.values():
        assert t.reference and t.statement and t.domain
        if t.domain == CONFIGURATIONS:
            assert {"WF", "WT"} <= set(t.hypotheses)
        else:
            assert {"WF", "VC", "CNST"} <= set(t.hypotheses)
        assert t.models and all(isinstance(h, bool) for _, h in t.expected)
    assert SC_DRF.models == tuple(MODELS) and SC_DRF.expect("es2017") is False


def test_unknown_theorem():
    with pytest.raises(UnknownTheorem, match="sc_drf"):
        get_theorem("scdrf")


def test_issue_1354_fails_sc_drf_only_under_es2017():
    out = SC_DRF.predicate(ISSUE_1354, get_model("es2017"))
    assert isinstance(out, Fails) and out.clause == "is-seqcst"
    assert isinstance(check(ISSUE_1354.ex, get_model("es2017"), out.tot), Ok)
    assert not is_seqcst(ISSUE_1354.ex, out.tot)
    for m in ("wasm", "es2020"):
        verdict = SC_DRF.predicate(ISSUE_1354, get_model(m))
        assert isinstance(verdict, Vacuous) and verdict.hypothesis == "CNST"
        assert "sc-last-visible-ddagger" in verdict.detail


def test_every_valid_tot_is_considered():
    # valid under wasm and SC for the first tot the checker finds, so only the search over
    # every tot could report it; under wasm no valid tot is non-SC
    wasm = get_model("wasm")
    assert isinstance(SC_DRF.predicate(DAGGER, wasm), Holds)
    assert non_sc_tot(DAGGER.ex, wasm) is None
    assert non_sc_tot(DAGGER.ex, wasm.without("sc-last-visible-dagger")) is not None


def test_wasm_eq_js_compares_two_models():
    out = WASM_EQ_JS.predicate(ISSUE_1354, get_model("es2017"))
    assert isinstance(out, Holds | Vacuous | Fails)
    # #1354 is valid under both (neither has the daggers), so it does not separate them
    assert isinstance(out, Holds)


def test_program_and_configuration_theorems_are_registered():
    names = {"sc_drf_program", "operational_eq_axiomatic", "sc_machine_eq_seqcst",
             "wasm_eq_js_program", "preservation", "progress"}
    assert names <= set(THEOREMS)
    assert all(THEOREMS["sc_drf_program"].expect(m) is False for m in MODELS)
    assert all(THEOREMS["operational_eq_axiomatic"].expect(m) for m in MODELS)

