"""``progress`` ([T] appendix/properties.rst): a well-typed configuration is terminal (every
thread done or trapped) or has a global step, for some value of the reads it makes.

Checked at every configuration along a ``configs.Walk`` (see ``properties.preservation``).
Hypotheses: ``WF`` and ``WT`` (each configuration checked is well-typed).

A thread suspended in ``waitx`` is not terminal, and it is never stuck: it always has its
``woken`` step (and its timeout when the timeout is finite). Whether some notify lets it take
that step is for the memory model (``suspensions-consistent``) to say; an execution in which
none does ends with the thread blocked forever (``N:blocked=1``), an outcome, not a
configuration without a step.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given

from properties.configs import SOUND, Retype, Walk, config_typing, successors, walks
from properties.outcome import Fails, Holds, Outcome, Vacuous
from semantics.wasm.runtime import Config, Crash, IllTyped
from semantics.wasm.step import config_terminal


def walk_progress(w: Walk, retype: Retype = SOUND) -> tuple[Outcome, int]:
    typing = config_typing(retype)
    c: Config = w.config
    n = 0
    for choice in (*w.choices, 0):
        try:
            typing(c)
        except IllTyped as e:
            return (Vacuous("WT", str(e)) if n == 0 else Holds(f"{n} configurations")), n
        n += 1
        try:
            succ = successors(c)
        except Crash as e:
            return Fails("progress", f"a well-typed configuration is stuck: {e}"), n
        if not succ:
            if config_terminal(c):
                break
            return Fails("progress", "a well-typed configuration that is not terminal has "
                         "no step"), n
        c = succ[choice % len(succ)][1]
    return Holds(f"{n} configurations"), n


def progress(w: Walk, retype: Retype | None = None) -> Outcome:
    return walk_progress(w, w.retype if retype is None else retype)[0]


def progress_property(retype: Retype = SOUND) -> Callable[[], None]:
    @given(walks(retype))
    def prop(w: Walk) -> None:
        out = progress(w, retype)
        assert not isinstance(out, Fails), f"{out.clause}: {out.detail}"

    return prop
