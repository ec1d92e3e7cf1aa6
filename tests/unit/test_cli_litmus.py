"""The ``weakwasm litmus`` command, through ``main([...])``."""

import re
from pathlib import Path

import pytest

from semantics.litmus.loader import load_test
from tests.common.cli import run
from tests.common.corpus import CORPUS


@pytest.mark.parametrize("script, states", [
    ("MP.wast", 4), ("SB.wast", 4), ("LB.wast", 4),
    ("MP_atomic.wast", 3), ("SB_atomic.wast", 3), ("LB_atomic.wast", 3),
])
def test_threads_proposal_scripts_always_pass(threads_tests: Path, script: str,
                                              states: int) -> None:
    code, out, err = run("litmus", str(threads_tests / script))
    assert code == 0, err
    lines = out.splitlines()
    name = script.removesuffix(".wast")
    assert lines[0] == f"Test {name} Required"
    assert lines[1] == f"States {states}"
    assert all(ln.endswith("2:result=1;") for ln in lines[2:2 + states])
    assert lines[2 + states] == "Ok"
    assert re.fullmatch(rf"Observation {re.escape(name)} Always \d+ 0", lines[6 + states])


def test_herd_block_and_batch_summary() -> None:
    files = [str(CORPUS / "classic" / "MP+sc.litmus"), str(CORPUS / "classic" / "SB.litmus")]
    code, out, err = run("litmus", *files)
    assert code == 0
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[0] == "Test MP+sc Allowed"
    assert re.fullmatch(r"Time MP\+sc \d+\.\d\d", blocks[0].splitlines()[-1])
    assert "Observation SB Sometimes" in blocks[1]
    assert re.fullmatch(r"2 tests, 1 Ok, 1 No; model wasm; \d+\.\d\ds\n", err)


def test_directory_expands_to_sorted_litmus_files() -> None:
    code, out, _ = run("litmus", "--no-time", str(CORPUS / "rmw"))
    names = [ln.split()[1] for ln in out.splitlines() if ln.startswith("Test ")]
    files = sorted((CORPUS / "rmw").glob("*.litmus"))
    assert code == 0
    assert names == [load_test(str(f)).name for f in files]


def test_model_option_changes_verdict() -> None:
    f = str(CORPUS / "table" / "Fig18.litmus")
    assert "\nNo\n" in run("litmus", f)[1]
    assert "\nOk\n" in run("litmus", f, "--model", "es2017")[1]


def test_unknown_model_is_one_line_and_status_2() -> None:
    code, out, err = run("litmus", str(CORPUS / "classic" / "MP.litmus"), "--model", "tso")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown model 'tso'" in err and "wasm" in err


def test_show_dot(tmp_path: Path) -> None:
    """One file per execution drawn; ``--graphs all`` draws MP+sc's 3, the default only the
    witnesses of its condition, of which it has none."""
    f = str(CORPUS / "classic" / "MP+sc.litmus")
    code, out, err = run("litmus", f, "--show", "dot", "--out", str(tmp_path))
    assert code == 0 and out.startswith("Test MP+sc")
    assert list(tmp_path.iterdir()) == [] and "no execution to draw" in err
    code, out, _ = run("litmus", f, "--show", "dot", "--graphs", "all", "--out", str(tmp_path))
    assert code == 0
    dots = sorted(tmp_path.glob("MP+sc-*.dot"))
    assert len(dots) == 3
    dot = dots[0].read_text()
    assert dot.startswith('digraph "MP+sc execution 0: ') and dot.rstrip().endswith("}")
    assert '[xlabel="rf" color=red' in dot and '[label="po"' in dot
    assert 'subgraph "cluster_T0"' in dot and 'subgraph "cluster_T1"' in dot


def test_emit_wast_round_trips_the_verdict(tmp_path: Path) -> None:
    for name in ("classic/MP+sc", "classic/SB", "classic/2+2W+sc", "mixed/Init",
                 "table/Tear64"):
        src = CORPUS / f"{name}.litmus"
        code, out, err = run("litmus", "--emit-wast", "--out", str(tmp_path), str(src))
        assert code == 0 and out == "", err
        test = load_test(str(src))
        wast = next(tmp_path.glob(f"{test.name}.wast"))
        _, original, _ = run("litmus", "--no-time", str(src))
        _, again, _ = run("litmus", "--no-time", str(wast))
        pos, neg = re.search(r"Positive: (\d+) Negative: (\d+)", original).groups()
        # the script asserts P for forall and ~P otherwise: its passing runs are P's
        # executions resp. the others
        passing = re.search(r"Positive: (\d+)", again).group(1)
        expected = pos if test.condition.quantifier == "forall" else neg
        assert passing == expected


BAD = {
    "no_header.litmus": ("{ memory 1 1 shared; }\nthread 0 { nop }\nexists (0:trap=0)\n",
                         1, 1, "expected 'WASM'"),
    "bad_instr.litmus": ("WASM T\n{ }\nthread 0 {\n  (i32.lod (i32.const 0))\n}\n"
                         "exists (0:trap=0)\n", 4, 4, "expected"),
    "ill_typed.litmus": ("WASM T\n{ }\nthread 0 {\n  (i32.add (i64.const 1) (i32.const 2))\n"
                         "  drop\n}\nexists (0:trap=0)\n", 4, 4, "i32.add"),
    "unknown_local.litmus": ("WASM T\n{ }\nthread 0 { (local $r i32) }\nexists (0:q=1)\n",
                             4, 9, "a local of thread 0"),
    "unknown_thread.litmus": ("WASM T\n{ }\nthread 0 { nop }\nexists (1:trap=1)\n",
                              4, 9, "a thread between 0 and 0"),
    "thread_order.litmus": ("WASM T\n{ }\nthread 1 { nop }\nexists (0:trap=0)\n",
                            3, 8, "expected thread 0"),
    "unknown_name.litmus": ("WASM T\n{ x = 0; [y] = 1; }\nthread 0 { nop }\n"
                            "exists (0:trap=0)\n", 2, 11, "declared with 'NAME = ADDR'"),
    "unclosed.litmus": ("WASM T\n{ }\nthread 0 { (nop)\nexists (0:trap=0)\n",
                        5, 1, "'}' closing the thread's body (opened at line 3"),
    "bad_condition.litmus": ("WASM T\n{ }\nthread 0 { nop }\nexists (0:trap=1 /\\ )\n",
                             4, 21, "expected an observable"),
    "value_too_big.litmus": ("WASM T\n{ x = 0; [x:i8] = 300; }\nthread 0 { nop }\n"
                             "exists (0:trap=0)\n", 2, 19, "fits in 8 bits"),
    "unshared.litmus": ("WASM T\n{ memory 1 1; }\nthread 0 { nop }\nexists (0:trap=0)\n",
                        2, 3, "expected a shared memory"),
    "misaligned_atomic_align.litmus": (
        "WASM T\n{ }\nthread 0 {\n  (drop (i32.atomic.load align=2 (i32.const 0)))\n}\n"
        "exists (0:trap=0)\n", 4, 10, "align"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_clear_line_and_status_2(tmp_path: Path, name: str) -> None:
    src, line, col, expected = BAD[name]
    f = tmp_path / name
    f.write_text(src)
    code, out, err = run("litmus", str(f))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"{f}:{line}:{col}: "), err
    assert expected in err


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    code, _, err = run("litmus", str(tmp_path / "nope.litmus"))
    assert code == 2 and err.startswith(f"{tmp_path / 'nope.litmus'}:1:1: expected a readable")


def test_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text("WASM T\n{ }\n")
    code, out, err = run("litmus", str(bad), str(CORPUS / "classic" / "MP+sc.litmus"))
    assert code == 2
    assert out.startswith("Test MP+sc Allowed")
    assert "1 rejected" in err


def test_emit_wast_rejects_trap_observables() -> None:
    code, out, err = run("litmus", "--emit-wast", str(CORPUS / "control" / "Trap+oob.litmus"))
    assert code == 2 and out == "" and "0:trap" in err and err.count("\n") == 1
    code, out, err = run("litmus", "--emit-wast", str(CORPUS / "control" / "Await+never.litmus"))
    assert code == 2 and out == "" and "1:blocked" in err and err.count("\n") == 1


def test_usage_error_is_status_2() -> None:
    assert run("litmus")[0] == 2
    assert run("frobnicate")[0] == 2
