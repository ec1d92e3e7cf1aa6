"""``preservation`` ([T] appendix/properties.rst): a well-typed configuration steps only to
well-typed configurations, and the store only grows (``soundness.extend_store``).

Checked along a ``configs.Walk``: at every configuration of the walk, *every* successor (each
global step of each thread, each read answered with each offered value) is checked, then the
chosen one is followed. A ``runtime.Crash`` (no rule applies) is a failure too: the term was
well-typed. Hypotheses: ``WF`` (valid code, by construction) and ``WT`` (the walk's first
configuration is well-typed under the typing table, by construction, and checked).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from hypothesis import given

from properties.configs import SOUND, Retype, Walk, config_typing, successors, walks
from properties.outcome import Fails, Holds, Outcome, Vacuous
from semantics.wasm.runtime import Config, Crash, IllTyped
from semantics.wasm.soundness import extend_store


@attrs.frozen
class Checked:
    outcome: Outcome
    configs: int  # configurations checked (the walk's and all their successors)


def walk_preservation(w: Walk, retype: Retype = SOUND) -> Checked:
    typing = config_typing(retype)
    c: Config = w.config
    try:
        typing(c)
    except IllTyped as e:
        return Checked(Vacuous("WT", str(e)), 0)
    n = 1
    for choice in (*w.choices, 0):
        try:
            succ = successors(c)
        except Crash as e:
            return Checked(Fails("no-crash", f"a well-typed configuration is stuck: {e}"), n)
        for rule, c2 in succ:
            n += 1
            try:
                typing(c2)
            except IllTyped as e:
                return Checked(Fails("preservation", f"after {rule}: {e}"), n)
            if not extend_store(c.store, c2.store):
                return Checked(Fails("store-extension", f"{rule} does not extend the store"), n)
        if not succ:
            break
        c = succ[choice % len(succ)][1]
    return Checked(Holds(f"{n} configurations"), n)


def preservation(w: Walk, retype: Retype | None = None) -> Outcome:
    return walk_preservation(w, w.retype if retype is None else retype).outcome


def preservation_property(retype: Retype = SOUND) -> Callable[[], None]:
    @given(walks(retype))
    def prop(w: Walk) -> None:
        out = preservation(w, retype)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
