"""What an engine showed for one test, and litmus7's kind of block for it."""

from __future__ import annotations

import attrs

from semantics.litmus.condition import Condition, evaluate, holds, observation, state_line
from semantics.litmus.result import StateT


class EngineError(RuntimeError):
    """An engine run that did not finish (a thread died, the harness failed): ``str()`` says
    what happened."""


@attrs.frozen
class Observed:
    """A histogram of the final states an engine showed in ``iterations`` runs."""

    name: str
    engine: str
    condition: Condition
    counts: tuple[tuple[StateT, int], ...]
    iterations: int
    seconds: float
    seed: int

    @property
    def positive(self) -> int:
        return sum(c for s, c in self.counts if evaluate(self.condition.prop, dict(s)))

    @property
    def negative(self) -> int:
        return self.iterations - self.positive

    @property
    def ok(self) -> bool:
        return holds(self.condition.quantifier, self.positive, self.negative)

    @property
    def observation(self) -> str:
        return observation(self.positive, self.negative)

    def forbidden(self, allowed: frozenset[StateT]) -> tuple[tuple[StateT, int], ...]:
        return tuple((s, c) for s, c in self.counts if s not in allowed)

    @property
    def per_second(self) -> float:
        return self.iterations / self.seconds if self.seconds > 0 else 0.0


def _key(s: StateT) -> tuple[int, ...]:
    return tuple(v for _, v in s)


def engine_block(o: Observed, allowed: frozenset[StateT], model: str) -> str:
    """litmus7's block: the histogram (``count*>`` marks a state satisfying the condition's
    proposition, ``:>`` one that does not), then per state what the model says, the verdict
    on what was seen, and the iteration count and rate."""
    lines = [f"Test {o.name} {o.condition.verdict_word} ({o.engine}, seed {o.seed})",
             f"Histogram ({len(o.counts)} states)"]
    for s, c in sorted(o.counts, key=lambda sc: _key(sc[0])):
        mark = "*>" if evaluate(o.condition.prop, dict(s)) else ":>"
        verdict = "allowed" if s in allowed else f"FORBIDDEN by {model}"
        lines.append(f"{c:<8}{mark}{state_line(s)}  ({verdict})")
    lines += [
        "Ok" if o.ok else "No",
        f"Witnesses\nPositive: {o.positive}, Negative: {o.negative}",
        f"Condition {o.condition}",
        f"Observation {o.name} {o.observation} {o.positive} {o.negative}",
        f"Allowed by {model}: {len(allowed)} states"
        f"{' listed, and values out of thin air' if hasattr(allowed, 'run') else ''}, "
        f"observed {len(o.counts)}, "
        f"forbidden-but-observed {len(o.forbidden(allowed))}",
        f"Time {o.name} {o.seconds:.2f} ({o.per_second:.0f} iterations/s)",
    ]
    return "\n".join(lines) + "\n"
