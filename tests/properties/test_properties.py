"""The execution-graph properties under every variant (Hypothesis profile from conftest)."""

import pytest

from metatheory.theorems import NO_TEARING, SC_DRF, SC_SINGLE_THREAD
from properties.no_tearing import no_tearing_property
from properties.sc_drf import sc_drf_property
from properties.single_thread import single_thread_property
from semantics.memory.model import MODELS, get_model

HOLDS = [m for m in MODELS if SC_DRF.expect(m)]


@pytest.mark.parametrize("model", HOLDS)
def test_sc_drf_holds(model):
    sc_drf_property(get_model(model))()


def test_sc_drf_fails_for_es2017():
    assert SC_DRF.expect("es2017") is False
    with pytest.raises(AssertionError, match="is-seqcst"):
        sc_drf_property(get_model("es2017"))()


@pytest.mark.parametrize("model", list(MODELS))
def test_single_thread_holds(model):
    assert SC_SINGLE_THREAD.expect(model)
    single_thread_property(get_model(model))()


@pytest.mark.parametrize("model", list(MODELS))
def test_no_tearing_holds(model):
    assert NO_TEARING.expect(model)
    no_tearing_property(get_model(model))()
