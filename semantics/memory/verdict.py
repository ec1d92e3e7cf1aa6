"""The answer of a consistency check: ``Ok`` (with a witness total order) or a ``Violation``
that names the axiom, the events that witness it, and why."""

from __future__ import annotations

import attrs


@attrs.frozen
class Ok:
    """The execution is consistent; ``tot`` is a witness total order (event ids, earliest
    first), or None when no order was asked for."""

    tot: tuple[int, ...] | None = None

    @property
    def ok(self) -> bool:
        return True


@attrs.frozen
class Violation:
    """``axiom`` (a canonical axiom name) fails; ``witness`` lists the events involved (a cycle
    in cycle order, else the events of the offending pattern)."""

    axiom: str
    witness: tuple[int, ...]
    detail: str

    @property
    def ok(self) -> bool:
        return False

    def __str__(self) -> str:
        events = ", ".join(f"#{e}" for e in self.witness)
        return f"violates {self.axiom}: {self.detail} (events {events})"


Verdict = Ok | Violation
