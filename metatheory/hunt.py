"""Search a theorem's domain for a counterexample with Hypothesis, shrink it, and print it as a
litmus test plus the offending execution (one line per event, the violated clause named).

Seeded and bounded: ``hunt(theorem, model, seed, max_examples)`` tries at most ``max_examples``
instances drawn from ``random.Random(seed)`` and is reproducible with the same seed, Hypothesis
version and model (whatever the caller's Hypothesis profile). Without a counterexample it says
how many instances it tried and how many of them met every hypothesis (the others say nothing
about the theorem). ``hunt_plan`` splits a budget into shards of independent seeds
(``metatheory.tasks.shards``) that run on several workers; ``merge`` puts them together as one
search, the same whatever ran where.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from metatheory.models import resolve_model
from metatheory.tasks import Batch, Call, Plan, shards
from metatheory.theorems import THEOREMS, Theorem, get_theorem
from properties.graphs import Graph
from properties.outcome import Fails, Outcome, Vacuous
from properties.programs import Prog, exists
from properties.render import graph_litmus, graph_names
from semantics.memory.check import check
from semantics.memory.events import show_execution
from semantics.memory.model import Model, get_model
from semantics.memory.verdict import Violation


@attrs.frozen
class HuntResult:
    theorem: str
    model: str
    seed: int
    max_examples: int
    tried: int  # instances generated before the first counterexample (or in all)
    satisfied: int  # of those, instances that met every hypothesis
    vacuous: tuple[tuple[str, int], ...]  # hypothesis -> instances failing it (first failure)
    shrink_steps: int
    seconds: float
    counterexample: Any = None
    outcome: Outcome | None = None
    reference: str = ""  # what the reference model says of the counterexample
    shards: int = 1  # the search was split into this many shards (``merge``)
    shard_seed: int | None = None  # the seed of the shard that found the counterexample
    shard_examples: int = 0  # and its instances

    @property
    def found(self) -> bool:
        return self.counterexample is not None

    def litmus(self) -> str:
        name = f"{self.theorem}-{self.model}"
        seed = self.seed if self.shard_seed is None else self.shard_seed  # what reproduces it
        comment = f"counterexample to {self.theorem} under {self.model} (seed {seed})"
        if isinstance(self.counterexample, Graph):
            return graph_litmus(self.counterexample, name, comment)
        if isinstance(self.counterexample, Prog):
            witness = self.outcome.witness if isinstance(self.outcome, Fails) else None
            cond = exists(witness) if witness is not None else "exists (true)"
            return self.counterexample.litmus(cond, name, comment)
        return ""

    def text(self, times: bool = True) -> str:
        head = f"hunt {self.theorem} --model {self.model} --seed {self.seed}"
        secs = f"; {self.seconds:.1f} s" if times else ""
        split = f" in {self.shards} shards" if self.shards > 1 else ""
        if not self.found:
            why = ", ".join(f"{n} {h}" for h, n in self.vacuous) or "none"
            return (f"{head}: no counterexample in {self.tried} instances{split} "
                    f"({self.satisfied} met every hypothesis; failed hypotheses: {why})"
                    f"{secs}\n")
        g = self.counterexample
        found = (f" (found by the shard --seed {self.shard_seed} --max-examples "
                 f"{self.shard_examples})" if self.shards > 1 and self.shard_seed != self.seed
                 else "")
        lines = [f"{head}: counterexample after {self.tried} instances{split}{found}, shrunk "
                 f"in {self.shrink_steps} steps{secs}", ""]
        if self.litmus():
            lines += [self.litmus().rstrip(), ""]
        lines.append("execution:" if isinstance(g, Graph) else "instance:" if not isinstance(
            g, Prog) else "outcome:")
        if isinstance(g, Graph):
            lines.append(show_execution(g.ex, graph_names(g), hide_len=True))
        elif not isinstance(g, Prog):
            lines.append(repr(g))
        if isinstance(self.outcome, Fails):
            lines.append(f"violated: {self.outcome.clause}: {self.outcome.detail}")
        if self.reference:
            lines.append(self.reference)
        return "\n".join(lines) + "\n"


def _reference(g: Any, model: Model) -> str:
    if not isinstance(g, Graph) or g.tot is None or model.name == "wasm":
        return ""
    v = check(g.ex, get_model("wasm"), g.tot)
    if isinstance(v, Violation):
        return f"under wasm this execution {v}"
    return "under wasm this execution is valid too"


def hunt(theorem: Theorem, model: Model, seed: int = 0, max_examples: int = 1000) -> HuntResult:
    stats: Counter[str] = Counter()
    found_at: list[int] = []

    def fails(inst: Any) -> bool:
        out = theorem.predicate(inst, model)
        if found_at:
            stats["shrink"] += 1
        else:
            stats["tried"] += 1
            if isinstance(out, Vacuous):
                stats["vacuous:" + out.hypothesis] += 1
            else:
                stats["satisfied"] += 1
        if isinstance(out, Fails) and not found_at:
            found_at.append(stats["tried"])
        return isinstance(out, Fails)

    conf = settings(settings.get_profile("default"), max_examples=max_examples, database=None,
                    deadline=None, derandomize=False,
                    phases=(Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck))
    start = time.perf_counter()
    try:
        g = find(theorem.instances(model), fails, settings=conf, random=random.Random(seed))
    except NoSuchExample:
        g = None
    seconds = time.perf_counter() - start
    vacuous = tuple(sorted((k.split(":", 1)[1], n) for k, n in stats.items()
                           if k.startswith("vacuous:")))
    outcome = theorem.predicate(g, model) if g is not None else None
    if isinstance(g, Graph) and isinstance(outcome, Fails) and outcome.tot is not None:
        g = g.with_tot(outcome.tot)
    return HuntResult(theorem.name, model.name, seed, max_examples, stats["tried"],
                      stats["satisfied"], vacuous, stats["shrink"], seconds, g, outcome,
                      _reference(g, model) if g is not None else "")


def hunt_command(theorem: str, model: str, seed: int = 0, max_examples: int = 1000) -> HuntResult:
    """``weakwasm hunt THEOREM --model M --seed S --max-examples N``; print ``.text()``.
    Unknown names raise ``ValueError`` subclasses whose message lists the known names; ``M`` is
    anything ``metatheory.models.resolve_model`` resolves but ``sc``."""
    return hunt(get_theorem(theorem), resolve_model(model), seed, max_examples)


def hunt_shard(theorem: str, model: str, seed: int, max_examples: int) -> HuntResult:
    """One shard of a search, by names (a task: ``metatheory.tasks``)."""
    return hunt(THEOREMS[theorem], resolve_model(model), seed, max_examples)


def merge(results: Sequence[HuntResult], seed: int, max_examples: int) -> HuntResult:
    """Shards, in order, as one search: the counterexample of the first shard that found one
    (the shards after it are not counted), the others' instances added up."""
    last = results[-1]
    vacuous: Counter[str] = Counter()
    for r in results:
        vacuous.update(dict(r.vacuous))
    return attrs.evolve(
        last, seed=seed, max_examples=max_examples, tried=sum(r.tried for r in results),
        satisfied=sum(r.satisfied for r in results), vacuous=tuple(sorted(vacuous.items())),
        seconds=sum(r.seconds for r in results), shard_seed=last.seed if last.found else None,
        shard_examples=last.max_examples if last.found else 0)


def hunt_plan(theorem: str, model: str, seed: int, max_examples: int,
              shard_size: int) -> Plan[HuntResult]:
    """``hunt`` as shards of at most ``shard_size`` instances (``metatheory.tasks.shards``)."""
    split = shards(seed, max_examples, shard_size)
    results = yield Batch(tuple(Call(hunt_shard, (theorem, model, s, n)) for s, n in split),
                          decides=lambda rs: rs[-1].found)
    return attrs.evolve(merge(results, seed, max_examples), shards=len(split))
