"""What a theorem's predicate says of one instance of its domain (docs/metatheory.md):

- ``Holds``: every hypothesis and the conclusion hold;
- ``Vacuous(hypothesis, ...)``: the named hypothesis fails (the instance says nothing);
- ``Fails(clause, ...)``: the hypotheses hold and the named clause of the conclusion does not.

Hypotheses, by name: ``WF`` well-formed graph (or valid program), ``VC`` value-consistent
reads-from (both by construction of the strategies), ``CNST`` the execution is valid under the
model with its tot, ``DRF`` no data race (for programs: in no SC execution), ``1T`` a single
thread, ``TF`` the read and its writers are tear-free and of one range, ``FIN`` the program's
enumerations completed within their bounds, ``IB`` in bounds (no grow, no access beyond the
first page), ``WT`` a well-typed configuration (``soundness.config_ok``).
"""

from __future__ import annotations

from typing import Any, Union

import attrs


@attrs.frozen
class Holds:
    note: str = ""


@attrs.frozen
class Vacuous:
    hypothesis: str
    detail: str


@attrs.frozen
class Fails:
    clause: str
    detail: str
    tot: tuple[int, ...] | None = None  # the tot under which the conclusion fails
    witness: Any = None  # program-level theorems: the outcome (final state) that separates


Outcome = Union[Holds, Vacuous, Fails]
