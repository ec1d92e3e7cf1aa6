"""hunt: seeded, reproducible, reports what it tried; rendering round-trips."""

import pytest
from hypothesis import given, settings

from metatheory.hunt import hunt_command
from properties.render import (
    RenderError,
    canonical,
    graph_litmus,
    parse_skeleton,
    same_up_to_renaming,
    skeleton,
)
from properties.strategies import SC_DRF_BOUNDS, graphs
from semantics.litmus.format import parse_litmus


def test_es2017_counterexample_is_small_and_reproducible():
    a = hunt_command("sc_drf", "es2017", seed=1, max_examples=2000)
    b = hunt_command("sc_drf", "es2017", seed=1, max_examples=2000)
    assert a.found and b.found
    assert a.tried == b.tried
    assert skeleton(a.counterexample) == skeleton(b.counterexample)
    sk = skeleton(a.counterexample)
    assert len(sk) <= 2 and sum(len(t) for t in sk) <= 6
    text = a.text()
    assert "violated: is-seqcst" in text and "tot:" in text
    assert "under wasm this execution violates sc-last-visible-ddagger" in text


def test_no_counterexample_reports_instances_tried():
    r = hunt_command("sc_drf", "wasm", seed=0, max_examples=150)
    assert not r.found
    assert r.tried == 150
    assert r.satisfied + sum(n for _, n in r.vacuous) == r.tried
    assert "no counterexample in 150 instances" in r.text()


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="sc_drf"):
        hunt_command("sc-drf", "wasm")
    with pytest.raises(ValueError, match="wasm-no-tear"):
        hunt_command("sc_drf", "wasm-no-such")


@settings(max_examples=40)
@given(graphs(SC_DRF_BOUNDS))
def test_render_round_trips_and_parses(g):
    text = graph_litmus(g)
    assert parse_skeleton(text) == skeleton(g)
    parsed = parse_litmus(text)
    assert len(parsed.program.threads) == len(g.shape.threads)


def test_canonical_ignores_thread_order_locations_and_values():
    a = ((("store", "sc", 0, 4, (1, 0, 0, 0), ()),),
         (("load", "sc", 4, 4, (), (1, 0, 0, 0)),))
    b = ((("load", "sc", 0, 4, (), (7, 0, 0, 0)),),
         (("store", "sc", 4, 4, (7, 0, 0, 0), ()),))
    assert same_up_to_renaming(a, b)
    c = ((("store", "sc", 0, 4, (1, 0, 0, 0), ()),),
         (("load", "unord", 4, 4, (), (1, 0, 0, 0)),))
    assert canonical(a) != canonical(c)


def test_parse_skeleton_rejects_other_instructions():
    bad = "WASM t\n{ x = 0; }\nthread 0 {\n  (i32.atomic.fence)\n}\nexists (true)\n"
    with pytest.raises(RenderError, match="line 4"):
        parse_skeleton(bad)
