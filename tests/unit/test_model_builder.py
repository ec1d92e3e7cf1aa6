"""The execution builder of tests/common/builder.py: the events it makes and how they print."""

from __future__ import annotations

from semantics.memory.events import MEM_DATA, MEM_LEN, show_execution
from tests.common.builder import NAMES, Exe, X


def test_builder_access_events_carry_a_bounds_check() -> None:
    b = Exe()
    w = b.store(0, X, 42, sc=True)
    r = b.load(1, X, 42, w, sc=True)
    ex = b.build()
    assert [a.region for a in ex.events[r].actions] == [MEM_LEN, MEM_DATA]
    assert (0, r, MEM_LEN, 0) in ex.rf and (w, r, MEM_DATA, 3) in ex.rf
    assert len(ex.rf) == 2 + 4


def test_show_execution_reads_like_litmus() -> None:
    b = Exe()
    w = b.store(0, X, 42, sc=True)
    b.load(1, X, 0, 0)
    b.load(1, X, 42, w, sc=True)
    text = show_execution(b.build(), NAMES)
    assert text.splitlines() == [
        "#0 init: W.sc len=65536 & W.init [0..65536)=Fill(65536)",
        "#1 T0: R len=65536 & W.sc x=42 (rf: #0)",
        "#2 T1: R len=65536 & R! x=0 (rf: #0)",
        "#3 T1: R len=65536 & R.sc x=42 (rf: #0, #1)",
    ]
