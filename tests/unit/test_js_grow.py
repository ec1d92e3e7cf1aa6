"""JS threads and memory growth (docs/js.md#growth): ``buffer.byteLength`` and length-tracking
views read the memory's length location, SeqCst and Unordered; bad input is one message."""

from __future__ import annotations

import pytest

from semantics.litmus.format import LitmusError, parse_litmus
from semantics.litmus.result import run_test
from semantics.memory.events import LEN, Kind, Ord
from semantics.memory.model import get_model

HEAD = "WASM t\n{ memory 1 2 shared; x = 0; }\n"
GROW = "thread 1 {\n  (drop (memory.grow (i32.const 1)))\n}\n"


def _js(body: str, condition: str, grow: bool = False) -> str:
    return HEAD + "thread 0 js {\n" + body + "\n}\n" + (GROW if grow else "") + condition + "\n"


def _thread0_actions(src: str) -> list[tuple[Kind, bool, Ord]]:
    """The actions of thread 0 in the one valid execution: kind, on len?, order."""
    r = run_test(parse_litmus(src), get_model("es2020"))
    (v,) = r.enumeration.valid
    return [(a.kind, a.region.fld == LEN, a.ord)
            for e in v.execution.events if e.thread == 0 for a in e.actions]


def test_byte_length_is_a_seqcst_read_of_the_length() -> None:
    acts = _thread0_actions(_js("  let n = buffer.byteLength;", "forall (0:n=65536)"))
    assert acts == [(Kind.RD, True, Ord.SEQCST)]


def test_a_length_tracking_view_reads_the_length_unordered_before_each_access() -> None:
    body = ("  const v = new Int32Array(buffer);\n  const w = new Int32Array(buffer, x, 1);\n"
            "  v[1] = 3;\n  let r = v[1];\n  w[0] = 2;\n"
            "  let s = Atomics.exchange(v, 0, Atomics.load(w, 0));")
    acts = _thread0_actions(_js(body, "forall (0:r=3 /\\ 0:s=2)"))
    length, data_sc = (Kind.RD, True, Ord.UNORD), (Kind.RD, False, Ord.SEQCST)
    assert acts == [length, (Kind.WR, False, Ord.UNORD),   # v[1] = 3
                    length, (Kind.RD, False, Ord.UNORD),   # v[1]
                    (Kind.WR, False, Ord.UNORD),           # w[0] = 2: a fixed view reads none
                    length, data_sc,                       # validated before its argument
                    (Kind.RMW, False, Ord.SEQCST)]


def test_a_tracking_view_past_the_initial_memory_depends_on_the_grow() -> None:
    body = "  const v = new Int32Array(buffer);\n  let r = 5;\n  r = Atomics.load(v, 16384);"
    r = run_test(parse_litmus(_js(body, "exists (0:trap=1)", grow=True)))
    assert r.result.positive and r.result.negative  # it throws, or it reads the new zero
    body = "  const v = new Int32Array(buffer, 65532);\n  v[1] = 7;\n  let r = buffer.byteLength;"
    r = run_test(parse_litmus(_js(body, "forall (0:trap=0 /\\ 0:r=65536)")))
    assert r.result.negative == 0  # no grow: the set is a no-op, and nothing traps


T = "  const v = new Int32Array(buffer);\n"
BAD = [
    ("  buffer.byteLength = 5;", 4, 3, "buffer.byteLength is read-only"),
    ("  let n = buffer.length;", 4, 18, "'byteLength' (the only property of buffer"),
    ("  let n = buffer;", 4, 17, "'.byteLength' after buffer"),
    (T + "  let r = v[16384];", 5, 13, "may be (the view tracks a length"),
    ("  let k = 1;\n  const v = new Int32Array(buffer, 0, k);", 5, 39,
     "a length in elements (an integer)"),
    ("  const v = new Int32Array(buffer, 0, 1, 2);", 4, 40, "')' closing the view's arguments"),
]


@pytest.mark.parametrize(("body", "line", "col", "expected"), BAD,
                         ids=[b[3][:30] for b in BAD])
def test_bad_growth_input_is_one_message_at_its_place(body: str, line: int, col: int,
                                                      expected: str) -> None:
    with pytest.raises(LitmusError) as e:
        parse_litmus(_js(body, "exists (0:trap=0)"), "t.litmus")
    assert str(e.value).startswith(f"t.litmus:{line}:{col}: expected ")
    assert expected in str(e.value)
