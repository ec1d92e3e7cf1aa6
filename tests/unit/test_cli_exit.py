"""The exit-status convention (README "Exit status"): 0 as expected, 1 a counterexample, a
mismatch or a forbidden state observed, 2 bad input, 3 incomplete. Each command's ``--help``
lists its rows, the README has the same table, and each status a command documents is reached
here through ``main``."""

import argparse
import io
import re
from pathlib import Path

import pytest

import metatheory.report
from metatheory import cli
from metatheory.engines.command import run_command
from metatheory.hunt import HuntResult
from proofs.encoding import UnknownAxiom
from semantics.memory.model import MODELS
from tests.common.cli import run
from tests.common.corpus import CORPUS

ROOT = Path(__file__).resolve().parents[2]
MP_SC = str(CORPUS / "classic" / "MP+sc.litmus")


def test_every_command_documents_its_statuses_in_its_help() -> None:
    assert set(cli.EXIT_STATUS) == {name for name, *_ in cli.SUBCOMMANDS}
    for name, rows in cli.EXIT_STATUS.items():
        code, out, _ = run(name, "--help")
        assert code == 0
        epilog = out[out.index("exit status:"):]
        for status, text in enumerate(rows):
            if text is not None:
                assert re.search(rf"^  {status}  {re.escape(text[:30])}", epilog, re.M), (name,
                                                                                          status)


def test_the_readme_table_says_the_same() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Exit status"):]
    table = next(b for b in section.split("\n\n") if b.startswith("| command |"))
    for name in cli.EXIT_STATUS:
        row = next(r for r in table.splitlines() if r.startswith(f"| `{name}`"))
        cells = [c.strip() for c in row.strip("|").split("|")][1:]
        assert len(cells) == 4, row
        for status, text in enumerate(cli.EXIT_STATUS[name]):
            assert (cells[status] == "-") == (text is None), (name, status)


# --- litmus: 0, 2, 3 ---------------------------------------------------------------------------


def test_litmus_statuses() -> None:
    assert run("litmus", "--no-time", MP_SC)[0] == 0  # No is information
    assert run("litmus", "/nonexistent.litmus")[0] == 2
    assert run("litmus", MP_SC, "--max-events", "0")[0] == 2
    assert run("litmus", str(CORPUS / "bounds" / "Count+unroll.litmus"))[0] == 3


# --- wast: 0, 1, 2, 3 --------------------------------------------------------------------------


def _wast(tmp_path: Path, text: str) -> str:
    path = tmp_path / "t.wast"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_wast_statuses(tmp_path: Path) -> None:
    func = '(module (func (export "f") (result i32) (i32.const 1)))\n'
    assert run("wast", _wast(tmp_path, func + '(assert_return (invoke "f") (i32.const 1))\n'))[
        0] == 0
    assert run("wast", _wast(tmp_path, func + '(assert_return (invoke "f") (i32.const 2))\n'))[
        0] == 1
    assert run("wast", _wast(tmp_path, "(module (func (result i32)))\n"))[0] == 2
    forever = ('(module (memory 1 1 shared) (func (export "w") (result i32) '
               '(memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))\n')
    assert run("wast", _wast(tmp_path, forever + '(invoke "w")\n'))[0] == 3


# --- hunt: 0, 1, 2, 3 --------------------------------------------------------------------------


def test_hunt_exits_1_on_a_counterexample_and_0_without() -> None:
    code, out, _ = run("hunt", "sc_drf", "--model", "wasm-no-sc-last-visible",
                       "--max-examples", "500")
    assert code == 1 and "counterexample after" in out and "WASM sc_drf-" in out
    code, out, _ = run("hunt", "sc_drf", "--model", "wasm", "--max-examples", "20")
    assert code == 0 and "no counterexample in 20 instances" in out


def test_hunt_bad_input_and_vacuous_search(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("hunt", "no_such_theorem")[0] == 2
    assert run("hunt", "sc_drf", "--max-examples", "0")[0] == 2
    import metatheory.hunt

    def nothing_met(theorem: object, model: object, seed: int, n: int) -> HuntResult:
        return HuntResult("sc_drf", "wasm", seed, n, n, 0, (("DRF", n),), 0, 0.0)

    monkeypatch.setattr(metatheory.hunt, "hunt", nothing_met)
    code, out, _ = run("hunt", "sc_drf", "--max-examples", "7")
    assert code == 3 and "0 met every hypothesis" in out


# --- prove: 0, 1, 2, 3 -------------------------------------------------------------------------


def test_prove_statuses() -> None:
    code, out, _ = run("prove", "sc_drf", "--bound", "2")
    assert code == 0 and "largest bound proved: 2 events" in out
    code, out, _ = run("prove", "sc_drf", "--model", "wasm-no-sc-last-visible", "--bound", "4")
    assert code == 1 and "counterexample with 3 events" in out
    code, out, _ = run("prove", "sc_drf", "--bound", "3", "--rlimit", "1")
    assert code == 3 and "bound 1: unknown" in out and "largest bound proved: 0" in out


@pytest.mark.parametrize("option", [
    ("--bound", "0"), ("--bound", "-1"), ("--timeout", "0"), ("--timeout", "inf"),
    ("--timeout", "nan"), ("--rlimit", "0"), ("--cells", "0"), ("--widths", "0")])
def test_prove_options_are_checked_before_any_work(option: tuple[str, str]) -> None:
    code, out, err = run("prove", "sc_drf", *option)
    assert code == 2 and out == "" and f"argument {option[0]}" in err
    assert "Traceback" not in err


def test_a_model_without_an_smt_encoding_is_one_line_for_prove(tmp_path: Path) -> None:
    path = tmp_path / "odd.py"
    path.write_text("import attrs\nfrom semantics.memory.axioms import Axiom\n"
                    "from semantics.memory.model import get_model\n"
                    "W = get_model('wasm')\n"
                    "MODEL = attrs.evolve(W, name='odd', axioms=(*W.axioms, "
                    "Axiom('made-up', '', '')))\n", encoding="utf-8")
    code, out, err = run("prove", "sc_drf", "--model", str(path), "--bound", "2")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no SMT encoding for axiom made-up" in err


# --- check: 2 on a model without an SMT encoding (the rest is the report's) --------------------


def test_check_on_a_model_without_an_smt_encoding_is_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def unknown(*args: object, **kwargs: object) -> object:
        raise UnknownAxiom("model 'odd': no SMT encoding for axiom made-up")

    monkeypatch.setattr(metatheory.report, "check_command", unknown)
    code, out, err = run("check", "--out", str(tmp_path / "r"))
    assert code == 2 and out == ""
    assert err == "weakwasm: model 'odd': no SMT encoding for axiom made-up\n"


def test_check_options_are_checked_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("", encoding="utf-8")
    for option in (("--max-examples", "0"), ("--proof-timeout", "inf"),
                   ("--out", str(tmp_path / "f"))):
        code, _, err = run("check", *option)
        assert code == 2 and f"argument {option[0]}" in err


# --- run: 0, 1, 2, 3 ---------------------------------------------------------------------------


def _engine_run(files: list[tuple[str, bool]], allowed: object = None) -> int:
    args = argparse.Namespace(engine="wasmtime", iterations=50, seed=0, batch=50)
    kwargs = {} if allowed is None else {"allowed": allowed}
    return run_command(args, files, io.StringIO(), io.StringIO(), MODELS["wasm"], **kwargs)


def test_run_statuses() -> None:
    pytest.importorskip("wasmtime")
    sb = str(CORPUS / "classic" / "SB+sc.litmus")
    assert _engine_run([(sb, True)]) == 0
    assert _engine_run([(sb, True)], allowed=lambda t, m: frozenset()) == 1
    assert _engine_run([("/nonexistent.litmus", True)]) == 2
    assert _engine_run([(str(CORPUS / "bounds" / "Count+unroll.litmus"), True)]) == 3
