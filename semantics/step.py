"""Local and global reduction, labelled with the actions of [T] instructions.rst.

A step that reads shared memory does not pick the value itself: it returns a ``Read`` naming the
cells it reads (a ``Hole``) and a ``resume`` function to call with the values read. ``resume``
returns the next ``Transition`` (another ``Read`` when a step reads twice, e.g. the bounds check
and then the data), or ``None`` when the rule does not apply to that value (e.g. a successful
``memory.grow`` beyond the maximum). An ``Emit`` is a complete step: its rule name, the actions
of its event (reads filled in), and the thread (and store) after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

import attrs

from semantics.events import Action, Ord, Payload, Region


@attrs.frozen
class Hole:
    """``width`` cells of ``region`` from ``offset``, read with ordering ``ord``."""

    region: Region
    offset: int
    width: int
    ord: Ord


@attrs.frozen
class Emit:
    rule: str
    actions: tuple[Action, ...]
    after: object  # the thread (or configuration) after the step
    spawned: tuple[object, ...] = ()  # threads created by this step ([T] spawn)


@attrs.frozen(eq=False)
class Read:
    rule: str
    hole: Hole
    resume: Callable[[Payload], Union["Read", Emit, None]]


Transition = Union[Read, Emit]
