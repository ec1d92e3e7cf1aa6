"""Honest bounds of ``weakwasm litmus`` (docs/litmus.md#bounds, #exit-status): every bound is an
option checked at parse time, a cut names the bound that cut and its option in the block, the
verdict of an incomplete or vacuous run is not presented as definite, and the exit status says
so (0 complete, 2 bad input, 3 incomplete or vacuous)."""

import re
from pathlib import Path

import pytest

from semantics.litmus.condition import Condition, Const
from semantics.litmus.engine import Bounds
from semantics.litmus.result import Result, herd_block
from tests.common.cli import run
from tests.common.corpus import CORPUS

# thread 1 reads x three times while thread 0 stores 1..5 there: 6^3 paths of offered values
READS = """WASM Reads
{ memory 1 1 shared; x = 0; }
thread 0 {
  (i32.store (i32.const x) (i32.const 1)) (i32.store (i32.const x) (i32.const 2))
  (i32.store (i32.const x) (i32.const 3)) (i32.store (i32.const x) (i32.const 4))
  (i32.store (i32.const x) (i32.const 5))
}
thread 1 {
  (local $a i32) (local $b i32) (local $c i32)
  (local.set $a (i32.load8_u (i32.const x))) (local.set $b (i32.load8_u (i32.const x)))
  (local.set $c (i32.load8_u (i32.const x)))
}
exists (1:a=5 /\\ 1:b=1)
"""

# z's value 1 is offered only once y's 1 has been read: two rounds of offered values
CHAIN = """WASM Chain
{ memory 1 1 shared; x = 0; y = 4; }
thread 0 { (i32.store (i32.const y) (i32.const 1)) }
thread 1 { (i32.store (i32.const x) (i32.load (i32.const y))) }
thread 2 { (local $r i32) (local.set $r (i32.load (i32.const x))) }
exists (2:r=1)
"""


LOOP = (CORPUS / "bounds" / "Count+unroll.litmus").read_text()  # 20 entries, a store in each

COUNT = """WASM Count
{ memory 1 1 shared; x = 0; }
thread 0 {
  (local $n i32)
  (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1)))
           (br_if $l (i32.lt_u (local.get $n) (i32.const 20))))
  (i32.atomic.store (i32.const x) (local.get $n))
}
forall ([x]=20)
"""


def _file(tmp_path: Path, name: str, src: str) -> str:
    f = tmp_path / f"{name}.litmus"
    f.write_text(src)
    return str(f)


def _block(out: str) -> list[str]:
    return out.split("\n\n")[0].splitlines()


def _verdict(lines: list[str]) -> str:
    return lines[lines.index("Witnesses") - 1]


def test_a_path_cap_is_reported_as_max_paths_and_raising_it_completes(tmp_path: Path) -> None:
    f = _file(tmp_path, "Reads", READS)
    code, out, err = run("litmus", "--no-time", "--max-paths", "2", f)
    lines = _block(out)
    assert code == 3
    assert lines[:2] == ["Test Reads Allowed",
                         "Incomplete: thread 1: more than 2 paths (raise --max-paths)"]
    assert "events" not in out and "steps" not in out  # the old misreport
    assert "bound hit: thread 1: more than 2 paths (raise --max-paths)" in err
    code, out, _ = run("litmus", "--no-time", "--max-paths", "216", f)
    assert code == 0
    assert "Observation Reads Sometimes" in out


@pytest.mark.parametrize("options, report", [
    (("--max-events", "6", "--unroll", "30"),
     "thread 0: 1 paths cut at 6 events (raise --max-events)"),
    (("--max-steps", "30", "--unroll", "30"),
     "thread 0: 1 paths cut at 30 steps (raise --max-steps)"),
    ((), "thread 0: 1 paths cut at 8 entries of a loop body (raise --unroll)"),
])
def test_a_cut_names_its_bound(tmp_path: Path, options: tuple[str, ...], report: str) -> None:
    f = _file(tmp_path, "Loop", LOOP)
    code, out, _ = run("litmus", "--no-time", *options, f)
    assert code == 3
    assert _block(out)[1] == f"Incomplete: {report}"
    code, out, _ = run("litmus", "--no-time", "--unroll", "30", f)
    assert code == 0 and "Observation Count+unroll Always 1 0" in out


def test_the_steps_bound_cuts_silent_steps(tmp_path: Path) -> None:
    f = _file(tmp_path, "Count", COUNT)
    code, out, _ = run("litmus", "--no-time", "--max-steps", "30", "--unroll", "30", f)
    assert code == 3
    assert _block(out)[1] == "Incomplete: thread 0: 1 paths cut at 30 steps (raise --max-steps)"
    assert _verdict(_block(out)) == "??" and "Observation Count Unknown 0 0" in out
    code, out, _ = run("litmus", "--no-time", "--unroll", "30", f)
    assert code == 0 and "Observation Count Always 1 0" in out


def test_the_rounds_bound(tmp_path: Path) -> None:
    code, out, _ = run("litmus", "--no-time", "--max-rounds", "1", _file(tmp_path, "Chain", CHAIN))
    assert code == 3
    assert _block(out)[1] == ("Incomplete: values: no fixed point of the offered values in "
                              "1 rounds (raise --max-rounds)")


def test_the_sc_machine_names_its_bound(tmp_path: Path) -> None:
    f = _file(tmp_path, "Loop", LOOP)
    code, out, _ = run("litmus", "--no-time", "--model", "sc", "--max-events", "6", f)
    assert code == 3
    assert _block(out)[1] == ("Incomplete: 1 interleavings (one per trace) cut at 6 events in a "
                              "thread (raise --max-events)")


# thread 0 ends if it reads 0, else counts to 20 (cut at the default --unroll 8)
CUT_IF_ONE = """WASM Spin
{ memory 1 1 shared; x = 0; y = 4; }
thread 0 {
  (local $r i32) (local $n i32)
  (local.set $r (i32.atomic.load (i32.const x)))
  (if (local.get $r) (then
    (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1)))
             (i32.atomic.store (i32.const y) (local.get $n))
             (br_if $l (i32.lt_u (local.get $n) (i32.const 20))))))
}
thread 1 { (i32.atomic.store (i32.const x) (i32.const 1)) }
COND
"""


@pytest.mark.parametrize("cond, verdict", [
    ("exists (0:r=0)", "Ok"),  # a witness found is a real execution
    ("~exists (0:r=0)", "No"),
    ("forall (0:r=1)", "No"),  # so is a counterexample
    ("forall (0:r=0)", "??"),  # but every execution found satisfying it decides nothing
])
def test_an_execution_found_by_an_incomplete_run_decides(tmp_path: Path, cond: str,
                                                          verdict: str) -> None:
    f = _file(tmp_path, "Spin", CUT_IF_ONE.replace("COND", cond))
    code, out, _ = run("litmus", "--no-time", f)
    lines = _block(out)
    assert code == 3 and lines[1].startswith("Incomplete: thread 0: ")
    assert _verdict(lines) == verdict
    assert re.fullmatch(r"Observation Spin Unknown \d+ \d+", lines[-1]) and "0 0" not in lines[-1]


def test_golden_bounds_tests_exit_3() -> None:
    code, out, err = run("litmus", "--no-time", str(CORPUS / "bounds" / "Count+unroll.litmus"))
    assert code == 3
    assert out == (CORPUS / "bounds" / "Count+unroll.litmus.expected").read_text() + "\n"
    assert "raise --unroll" in err


def test_a_complete_run_exits_0_whatever_its_verdict() -> None:
    files = [str(CORPUS / "classic" / "MP+sc.litmus"), str(CORPUS / "classic" / "SB.litmus")]
    code, out, _ = run("litmus", *files)
    assert code == 0 and "\nNo\n" in out and "Incomplete" not in out and "Vacuous" not in out


VACUOUS_MODEL = """import attrs
from semantics.memory.axioms import Axiom
from semantics.memory.model import get_model
from semantics.memory.verdict import Violation

NOTHING = Axiom("nothing", "a test", "empty", static=lambda f: Violation("nothing", (), "no"))
MODEL = attrs.evolve(get_model("wasm"), name="nothing", axioms=(NOTHING,))
"""


def test_zero_executions_is_vacuous_and_exits_3(tmp_path: Path) -> None:
    model = tmp_path / "nothing.py"
    model.write_text(VACUOUS_MODEL)
    code, out, _ = run("litmus", "--no-time", "--model", str(model),
                       str(CORPUS / "classic" / "MP+sc.litmus"))
    assert code == 3
    assert _block(out)[:3] == ["Test MP+sc Allowed", "Vacuous: no valid execution", "States 0"]


def test_bad_input_beats_incomplete(tmp_path: Path) -> None:
    bad = _file(tmp_path, "bad", "WASM T\n{ }\n")
    loop = _file(tmp_path, "Loop", LOOP)
    code, _, err = run("litmus", loop, bad)
    assert code == 2
    assert "1 incomplete, 1 rejected" in err


@pytest.mark.parametrize("option", ["--max-events", "--max-steps", "--max-rounds",
                                    "--max-paths", "--unroll"])
@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "9" * 5000])
def test_bound_options_are_positive_integers(option: str, value: str) -> None:
    code, out, err = run("litmus", f"{option}={value}", str(CORPUS / "classic" / "MP.litmus"))
    assert code == 2 and out == ""
    # argparse's usage, then its one error line
    last = err.splitlines()[-1]
    assert err.startswith("usage: weakwasm litmus"), err
    assert last.startswith(f"weakwasm litmus: error: argument {option}: expected a positive "
                           f"integer"), err


def test_bounds_are_positive() -> None:
    with pytest.raises(ValueError):
        Bounds(max_paths=0)


def test_help_documents_every_bound_and_the_exit_status() -> None:
    code, text, _ = run("litmus", "--help")
    assert code == 0
    for option in ("--max-events", "--max-steps", "--max-rounds", "--max-paths", "--unroll"):
        assert option in text
    assert "exit status:" in text and "  3  " in text and "  2  " in text


@pytest.mark.parametrize("pos, neg, quantifier, verdict, observation", [
    (0, 0, "forall", "??", "Unknown"),
    (0, 0, "exists", "??", "Unknown"),
    (2, 0, "exists", "Ok", "Unknown"),
    (2, 0, "~exists", "No", "Unknown"),
    (2, 0, "forall", "??", "Unknown"),
    (2, 1, "forall", "No", "Sometimes"),
])
def test_incomplete_block(pos: int, neg: int, quantifier: str, verdict: str,
                          observation: str) -> None:
    r = Result("T", Condition(quantifier, Const(True)), (), pos, neg,
               incomplete=("thread 0: more than 5 paths (raise --max-paths)",))
    lines = herd_block(r, time=False).splitlines()
    assert lines[1] == "Incomplete: thread 0: more than 5 paths (raise --max-paths)"
    assert lines[3] == verdict
    assert lines[-1] == f"Observation T {observation} {pos} {neg}"


# the address thread 1 loads depends on the byte it read: 256 values, more than --max-values 64
ADDR = """WASM Addr
{ memory 1 1 shared; x = 0; }
thread 0 { (i32.store8 (i32.const x) (i32.const 9)) }
thread 1 {
  (local $r i32) (local $s i32)
  (local.set $r (i32.load8_u (i32.const x)))
  (local.set $s (i32.load8_u (i32.add (i32.const 16) (local.get $r))))
}
exists (1:r=9)
"""


def test_an_address_read_from_memory_names_max_values(tmp_path: Path) -> None:
    f = _file(tmp_path, "Addr", ADDR)
    code, out, _ = run("litmus", "--no-time", f)
    assert code == 3
    assert _block(out)[1] == ("Incomplete: thread 1: 1 paths cut where a value read decides "
                              "more than 64 addresses or counts (raise --max-values)")
    code, out, _ = run("litmus", "--no-time", "--max-values", "256", f)
    assert code == 0 and "Observation Addr Sometimes" in out


def test_a_notify_of_more_waiters_than_offered_is_reported(tmp_path: Path) -> None:
    waiter = "thread {n} { (local $w i32) (local.set $w (memory.atomic.wait32 (i32.const x) " \
             "(i32.const 0) (i64.const -1))) }\n"
    src = ("WASM Notify5\n{ memory 1 1 shared; x = 0; }\n"
           "thread 0 { (local $n i32) (local.set $n (memory.atomic.notify (i32.const x) "
           "(i32.const 5))) }\n" + "".join(waiter.replace("{n}", str(i)) for i in range(1, 6))
           + "exists (0:n=5)\n")
    code, out, _ = run("litmus", "--no-time", _file(tmp_path, "Notify5", src))
    assert code == 3
    assert "Incomplete: notify: up to 5 threads may wait, but a notify wakes at most 4" in out
