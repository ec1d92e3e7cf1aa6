"""preservation and progress over generated well-typed configurations; the stuck host call that
runtime's typing admits is reported. The broken typing rule: tests/quality/test_typing_mutant.py."""

import contextlib

from hypothesis import Phase, given, settings

from metatheory.theorems import PRESERVATION, PROGRESS
from properties.configs import (
    HOST_PAST_END,
    configs,
    successors,
    walks,
)
from properties.outcome import Fails, Vacuous
from properties.preservation import preservation_property
from properties.progress import progress, progress_property
from semantics.wasm.soundness import config_ok


@settings(max_examples=80)
@given(configs())
def test_generated_configurations_are_well_typed(c):
    config_ok(c)  # raises IllTyped otherwise
    assert 1 <= len(c.threads) <= 2 and c.store.mems


def test_preservation_holds():
    assert PRESERVATION.expect("wasm")
    settings(max_examples=150)(preservation_property())()


def test_progress_holds():
    assert PROGRESS.expect("wasm")
    settings(max_examples=150)(progress_property())()


def test_walks_reach_administrative_and_host_rules():
    rules: set[str] = set()
    wanted = {
        "spawn": {"step/host-spawn"}, "allocation": {"step/host-alloc"},
        "host call": {"step_read/call-host"}, "host memory": {"step/host-store",
                                                             "step_read/host-load"},
        "label": {"step_pure/label-vals"}, "frame": {"step_pure/frame-vals"},
        "grow": {"step/memory.grow"},
    }

    def missing() -> list[str]:
        traps = {r for r in rules if r.endswith(("-oob", "-unaligned", "trap", "unreachable"))}
        return [what for what, rs in {**wanted, "trap": traps}.items() if not rs & rules]

    class Seen(Exception):
        """Every wanted rule was reached: the search stops (generating walks is what costs)."""

    # host allocation is the rarest rule in the stream (at 800 walks it was missed once in
    # CI; this function's walks reach it at 313): a budget of 2000, stopped when all were seen
    @settings(max_examples=2000, database=None, derandomize=True, phases=[Phase.generate])
    @given(walks())
    def collect(w):
        if not missing():
            raise Seen
        c = w.config
        for choice in (*w.choices, 0):
            succ = successors(c)
            rules.update(r for r, _ in succ)
            if not succ:
                return
            c = succ[choice % len(succ)][1]

    with contextlib.suppress(Seen):
        collect()
    assert not missing(), missing()


def test_host_call_past_the_end_is_not_a_sound_configuration():
    # runtime's HostCall rule admits pc = len(effects) for a host function with results; no
    # step applies. Until the rule is fixed this is a progress failure; afterwards it is
    # ill-typed (Vacuous). Either way progress must not claim it holds.
    out = progress(HOST_PAST_END)
    assert isinstance(out, Fails) or (isinstance(out, Vacuous) and out.hypothesis == "WT")
    if isinstance(out, Fails):
        assert "ended without returning" in out.detail
