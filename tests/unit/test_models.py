"""``--model``: variants, mutants, ``sc`` and a user's ``FILE.py``, for litmus, hunt and prove
(metatheory/models.py, docs/models.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from metatheory.cli import main
from metatheory.models import BadModel, resolve_model
from metatheory.mutants import MUTANTS
from metatheory.report import check_command
from semantics.litmus.result import SC
from semantics.memory.model import MODELS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "docs" / "examples" / "no_dagger.py")
DAGGER = str(ROOT / "tests" / "litmus" / "table" / "Dagger.litmus")


COMMANDS = [("litmus", DAGGER), ("hunt", "sc_drf"), ("prove", "sc_drf"), ("check", "--no-proofs")]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def verdict(block: str) -> tuple[str, str]:
    """The Ok/No line and the Observation line of a herd block."""
    lines = block.splitlines()
    return lines[lines.index("Witnesses") - 1], next(
        ln for ln in lines if ln.startswith("Observation"))


def test_resolve_model_names_variants_mutants_sc_and_files() -> None:
    assert all(resolve_model(name) is m for name, m in MODELS.items())
    assert all(resolve_model(name) == m.model() for name, m in MUTANTS.items())
    assert resolve_model("sc", sc=True) is SC
    mine = resolve_model(EXAMPLE)
    assert mine.name == "no-dagger"
    assert mine.axiom_names == MODELS["wasm"].without("sc-last-visible-dagger").axiom_names


def test_litmus_runs_a_mutant_by_name() -> None:
    assert verdict(run("litmus", "--no-time", DAGGER)[1]) == ("No", "Observation Dagger Never 0 9")
    code, out, err = run("litmus", "--no-time", "--model", "wasm-no-dagger", DAGGER)
    assert code == 0, err
    assert verdict(out) == ("Ok", "Observation Dagger Sometimes 1 9")


def test_litmus_runs_the_documented_variant_file() -> None:
    code, out, err = run("litmus", "--no-time", "--model", EXAMPLE, DAGGER)
    assert code == 0, err
    assert verdict(out) == ("Ok", "Observation Dagger Sometimes 1 9")
    assert out == run("litmus", "--no-time", "--model", "wasm-no-dagger", DAGGER)[1]


def test_hunt_finds_what_wasm_does_not_under_the_documented_variant_file() -> None:
    code, out, err = run("hunt", "sc_drf", "--model", EXAMPLE, "--max-examples", "300")
    assert code == 1, err  # a counterexample (README "Exit status")
    assert out.startswith("hunt sc_drf --model no-dagger --seed 0: counterexample after")
    assert "violated: is-seqcst" in out
    assert "under wasm this execution violates sc-last-visible-dagger" in out
    code, out, err = run("hunt", "sc_drf", "--model", "wasm", "--max-examples", "300")
    assert code == 0 and "no counterexample in 300 instances" in out


def test_prove_takes_the_documented_variant_file() -> None:
    code, out, err = run("prove", "sc_drf", "--model", EXAMPLE, "--bound", "3")
    assert code == 1, err  # bound 2 refuted
    assert "sc_drf [no-dagger]: largest bound proved: 1 events" in out
    assert "counterexample with 2 events" in out and "WASM sc_drf-no-dagger" in out


def test_check_checks_only_the_documented_variant_file(tmp_path: Path) -> None:
    report = check_command(tmp_path, max_examples=100, program_examples=5, proofs=False,
                           model=EXAMPLE, theorems=["sc_drf", "no_tearing", "preservation"])
    rows = [(r.theorem, r.model, r.result, r.expected) for r in report.rows]
    assert rows == [("sc_drf", "no-dagger", "counterexample", "-"),
                    ("no_tearing", "no-dagger", "tested", "-")]
    assert (tmp_path / "report.json").is_file()


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("weakwasm: ") and "Traceback" not in err
    return err


@pytest.mark.parametrize(("text", "why"), [
    ("X = 1\n", "defines no MODEL"),
    ("MODEL = 'wasm'\n", "MODEL is a str, not a Model"),
    ("MODEL = (\n", "SyntaxError"),
    ("from semantics.memory.model import get_model\n"
     "MODEL = get_model('wasm').without('no-such-axiom')\n",
     "ValueError: model 'wasm' has no axiom no-such-axiom"),
    (None, "no such file"),
])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_model_file_is_one_line_naming_the_file_and_what_was_expected(
        tmp_path: Path, text: str | None, why: str, command: tuple[str, str]) -> None:
    bad = tmp_path / "mine.py"
    if text is not None:
        bad.write_text(text)
    err = _one_line(*run(*command, "--model", str(bad)))
    assert f"weakwasm: {bad}: " in err and why in err
    assert "expected a Python file that defines MODEL, a semantics.memory.model.Model" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_the_unknown_model_message_lists_variants_mutants_sc_and_files(
        command: tuple[str, str]) -> None:
    err = _one_line(*run(*command, "--model", "tso"))
    assert "unknown model 'tso'" in err
    assert all(name in err for name in [*MODELS, *MUTANTS])
    assert "sc (the SC machine" in err and "FILE.py" in err


def test_hunt_and_prove_refuse_the_sc_machine() -> None:
    for command in (("hunt", "sc_drf"), ("prove", "sc_drf")):
        err = _one_line(*run(*command, "--model", "sc"))
        assert "'sc' is the SC machine" in err
    with pytest.raises(BadModel, match="only weakwasm litmus runs it"):
        resolve_model("sc")
