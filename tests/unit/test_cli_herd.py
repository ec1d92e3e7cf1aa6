"""herd parity of ``weakwasm litmus`` (docs/litmus.md): the ``locations`` and ``filter``
clauses, ``Hash=``, ``--json``, ``--hex``, ``-`` and ``@LIST``, several ``--model`` as one
table, ``--version``, the hints between ``litmus`` and ``wast``, ``--show`` and its options,
and the progress line of a single long test."""

import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from metatheory import cli
from properties.render import dot_graph, dot_quote
from semantics.litmus import condition as cond
from semantics.litmus.format import LitmusError, digest, parse_litmus, print_litmus
from semantics.litmus.loader import load_test
from semantics.litmus.result import run_test
from tests.common.cli import run
from tests.common.corpus import CORPUS

HERD = CORPUS / "herd"
MP_SC = CORPUS / "classic" / "MP+sc.litmus"
MP_SC_TEXT = MP_SC.read_text(encoding="utf-8")


def _with(tail: str) -> str:
    """MP+sc with ``tail`` in the place of its condition."""
    return MP_SC_TEXT[:MP_SC_TEXT.index("exists")] + tail


# --- locations and filter ----------------------------------------------------------------------


def test_clauses_parse_and_print_back() -> None:
    for path in sorted(HERD.glob("*.litmus")):
        t = load_test(str(path))
        assert t.extra or t.filter is not None
        assert parse_litmus(print_litmus(t), str(path)) == t


def test_locations_are_printed_in_states_and_change_no_count() -> None:
    plain = run_test(load_test(str(MP_SC))).result
    located = run_test(parse_litmus(_with("locations [x; 1:r0; [y:i8];]\nexists (1:r0=1 /\\ "
                                          "1:r1=0)\n"))).result
    assert (located.positive, located.negative) == (plain.positive, plain.negative)
    assert {tuple(str(o) for o, _ in s) for s in located.states} == {
        ("1:r0", "1:r1", "[x]", "[y:i8]")}


def test_filter_discards_before_the_condition() -> None:
    r = run_test(load_test(str(HERD / "MP+filter.litmus"))).result
    assert (r.positive, r.negative, r.filtered) == (1, 0, 2)
    assert r.verdict == "Ok" and r.observation == "Always"


def test_a_filter_that_discards_everything_is_vacuous_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "t.litmus"
    path.write_text(_with("filter (1:r0=1 /\\ 1:r1=0)\nexists (true)\n"), encoding="utf-8")
    code, out, _ = run("litmus", "--no-time", str(path))
    assert code == 3
    assert "Vacuous: no valid execution passes the filter\nStates 0\n" in out


@pytest.mark.parametrize(("tail", "line", "col", "expected"), [
    ("locations [x; 2:r0;]\nexists (true)\n", 13, 15, "a thread between 0 and 1"),
    ("locations [x 1:r0]\nexists (true)\n", 13, 14, "';' or ']' in the locations clause"),
    ("locations [z;]\nexists (true)\n", 13, 12, "an observable"),
    ("filter (1:nope=1)\nexists (true)\n", 13, 9, "a local of thread 1"),
    ("filter (true)\nfilter (true)\nexists (true)\n", 14, 1, "one 'filter' clause"),
    ("locations [x;]\n", 14, 1, "'exists', '~exists' or 'forall'"),
])
def test_clause_errors_are_placed(tail: str, line: int, col: int, expected: str) -> None:
    with pytest.raises(LitmusError) as e:
        parse_litmus(_with(tail), "t.litmus")
    assert (e.value.line, e.value.col) == (line, col), str(e.value)
    assert e.value.message.startswith(f"expected {expected}"), str(e.value)


def test_emit_wast_expresses_the_filter(tmp_path: Path) -> None:
    code, _, _ = run("litmus", "--emit-wast", "--out", str(tmp_path),
                     str(HERD / "MP+filter.litmus"))
    assert code == 0
    code, out, _ = run("litmus", "--no-time", str(tmp_path / "MP+filter.wast"))
    assert code == 0 and "Positive: 3 Negative: 0" in out  # F => P: the 2 filtered pass too


# --- Hash, --json, --hex ---------------------------------------------------------------------


def test_hash_ignores_name_comment_and_layout_but_not_meaning() -> None:
    t = load_test(str(MP_SC))
    renamed = parse_litmus(MP_SC_TEXT.replace("WASM MP+sc", "WASM Other").replace(
        "(i32.atomic.store (i32.const x)", ";; a comment\n   (i32.atomic.store   (i32.const x)"))
    assert digest(renamed) == digest(t)
    changed = parse_litmus(MP_SC_TEXT.replace("(i32.const 42)", "(i32.const 43)"))
    assert digest(changed) != digest(t)
    assert re.fullmatch(r"[0-9a-f]{32}", digest(t))


def test_hash_line_only_behind_its_option() -> None:
    code, out, _ = run("litmus", "--no-time", "--hash", str(MP_SC))
    hashed = digest(load_test(str(MP_SC)))
    assert code == 0 and out.endswith(f"Observation MP+sc Never 0 3\nHash={hashed}\n\n")
    assert "Hash=" not in run("litmus", "--no-time", str(MP_SC))[1]


def test_json_is_one_object_a_test() -> None:
    code, out, _ = run("litmus", "--json", str(MP_SC), str(HERD / "MP+filter.litmus"),
                       str(CORPUS / "bounds" / "Count+unroll.litmus"))
    assert code == 3
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["test"] for o in objs] == ["MP+sc", "MP+filter", "Count+unroll"]
    mp = objs[0]
    assert mp["model"] == "wasm" and mp["verdict"] == "No" and mp["observation"] == "Never"
    assert (mp["positive"], mp["negative"], mp["complete"]) == (3 - 3, 3, True)
    assert mp["states"][0] == {"values": {"1:r0": 0, "1:r1": 0}, "witness": False}
    assert mp["bounds"]["max_events"] == 24 and mp["hash"] == digest(load_test(str(MP_SC)))
    assert isinstance(mp["seconds"], float) and mp["condition"] == "exists (1:r0=1 /\\ 1:r1=0)"
    assert objs[1]["filtered"] == 2
    cut = objs[2]
    assert not cut["complete"] and cut["verdict"] == "??" and "--unroll" in cut["incomplete"][0]
    assert "seconds" not in json.loads(run("litmus", "--json", "--no-time", str(MP_SC))[1])


def test_hex_states() -> None:
    out = run("litmus", "--no-time", "--hex", str(MP_SC))[1]
    assert "1:r0=0x1; 1:r1=0x2a;\n" in out and "Condition exists (1:r0=1 /\\ 1:r1=0)" in out


# --- inputs: -, @LIST --------------------------------------------------------------------------


def test_dash_reads_one_test_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(MP_SC_TEXT))
    code, out, _ = run("litmus", "--no-time", "-")
    assert code == 0 and out.startswith("Test MP+sc Allowed\nStates 3\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("WASM t\n{ memory 1 1; }\n"))
    code, _, err = run("litmus", "-")
    assert code == 2 and err.startswith("<stdin>:2:3: expected a shared memory")


def test_a_list_of_test_names(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "MP+sc.litmus").write_text(MP_SC_TEXT, encoding="utf-8")
    listing = tmp_path / "tests.txt"
    listing.write_text(f"# a comment\nsub/MP+sc.litmus\n\n{HERD}  # a directory\n  nope.litmus\n",
                       encoding="utf-8")
    code, out, err = run("litmus", "--no-time", f"@{listing}")
    assert code == 2
    assert [ln.split()[1] for ln in out.splitlines() if ln.startswith("Test ")] == [
        "MP+sc", "MP+filter", "MP+locations", "SB+filter+locations"]
    assert (f"{listing}:5:3: expected the name of a test file or directory, found "
            "'nope.litmus'") in err
    code, _, err = run("litmus", f"@{tmp_path / 'missing.txt'}")
    assert code == 2 and err.startswith(f"{tmp_path / 'missing.txt'}:1:1: expected a readable")


# --- several models ------------------------------------------------------------------------


def test_several_models_print_one_table() -> None:
    fig18 = str(CORPUS / "table" / "Fig18.litmus")
    code, out, err = run("litmus", str(MP_SC), fig18, "--model", "wasm", "--model", "es2017")
    assert code == 0 and "Test " not in out
    lines = out.splitlines()
    assert lines[0].split() == ["test", "wasm", "es2017"]
    assert lines[1].split() == ["MP+sc", "No", "Never", "No", "Never"]
    assert lines[2].split() == ["Fig18", "No", "Never", "Ok", "Sometimes", "*"]
    assert lines[3] == "2 tests, 1 with verdicts that differ"
    assert "model wasm" in err and "model es2017" in err
    code, out, _ = run("litmus", "--json", str(MP_SC), "--model", "wasm", "--model", "sc")
    assert [json.loads(x)["model"] for x in out.splitlines()] == ["wasm", "sc"]


def test_options_that_take_one_model() -> None:
    code, _, err = run("litmus", str(MP_SC), "--model", "wasm", "--model", "sc", "--show", "dot")
    assert code == 2 and "--show takes one --model, found 2" in err


# --- version and hints -----------------------------------------------------------------------


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and re.fullmatch(r"weakwasm \S+\n", out)


def test_litmus_on_a_conformance_script_hints_at_wast(tmp_path: Path) -> None:
    path = tmp_path / "c.wast"
    path.write_text('(module (func (export "f") (result i32) (i32.const 1)))\n'
                    '(assert_return (invoke "f") (i32.const 1))\n', encoding="utf-8")
    code, _, err = run("litmus", str(path))
    assert code == 2
    assert err.splitlines()[1] == (f"{path}: hint: a script without threads is a conformance "
                                   f"test: run it with `weakwasm wast {path}`")


# --- --show --------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "message"), [
    (["--show", "svg"], "--show svg writes files: give --out DIR"),
    (["--show", "dot", "--edges", "po,nope"], "argument --edges: expected edge kinds"),
    (["--show", "dot", "--edges", "hb", "--model", "sc"], "--edges hb needs an axiomatic"),
    (["--show", "gif"], "argument --show: invalid choice"),
    (["--show", "dot", "--json"], "--show dot with --json needs --out DIR"),
])
def test_show_options_are_checked_first(argv: list[str], message: str) -> None:
    code, out, err = run("litmus", str(MP_SC), *argv)
    assert code == 2 and out == "" and message in err


def test_svg_without_graphviz_is_one_message(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, out, err = run("litmus", str(MP_SC), "--show", "svg", "--out", str(tmp_path))
    assert code == 2 and out == ""
    assert err == ("weakwasm litmus: --show svg needs Graphviz's dot program on PATH (e.g. "
                   "`sudo apt-get install -y graphviz`); --show dot writes the text\n")


def test_graphs_choose_witnesses_counterexamples_or_all(tmp_path: Path) -> None:
    sb = str(CORPUS / "classic" / "SB.litmus")
    counts = {}
    for which in ("prop", "neg", "all"):
        d = tmp_path / which
        assert run("litmus", sb, "--show", "dot", "--graphs", which, "--out", str(d))[0] == 0
        counts[which] = len(list(d.glob("SB-*.dot")))
    assert counts["prop"] >= 1 and counts["neg"] >= 1
    assert counts["prop"] + counts["neg"] == counts["all"]


def test_edges_and_the_length_location() -> None:
    t = load_test(str(MP_SC))  # its accesses read the length too: "R len=65536 & R.sc x=..."
    v = run_test(t).enumeration.valid[0]
    names = {a: n for n, a in t.names}
    default = dot_graph(v.execution, "t", names)
    assert '"po"' in default and '"rf"' in default and '"tot"' not in default
    assert " len" not in default
    everything = dot_graph(v.execution, "t", names, edges=("tot", "spawn"), show_len=True)
    assert '"tot"' in everything and '"po"' not in everything and " len" in everything
    with pytest.raises(ValueError, match="unknown edge kinds"):
        dot_graph(v.execution, "t", names, edges=("po", "co"))


def test_every_label_is_quoted_so_any_name_is_valid_dot() -> None:
    assert dot_quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    t = parse_litmus(MP_SC_TEXT.replace("WASM MP+sc", 'WASM we"ird\\ {name} -> rf-len;'))
    text = dot_graph(run_test(t).enumeration.valid[0].execution, f"{t.name} execution 0")
    assert text.startswith('digraph "we\\"ird\\\\ {name} -> rf-len; execution 0" {')
    dot = shutil.which("dot")
    if dot is not None:
        done = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True,
                              check=False)
        assert done.returncode == 0 and not done.stderr, done.stderr


def test_svg_files_one_per_execution(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    code, _, _ = run("litmus", str(MP_SC), "--show", "svg", "--graphs", "all", "--out",
                     str(tmp_path))
    assert code == 0
    svgs = sorted(tmp_path.glob("MP+sc-*.svg"))
    assert len(svgs) == 3 and all(s.read_text().lstrip().startswith("<?xml") for s in svgs)


# --- progress inside one long test -------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_single_long_test_shows_a_counter_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    real = run_test

    def slow(test: object, model: object, bounds: object, progress: object) -> object:
        assert callable(progress)
        progress("round 1: 12 paths")
        time.sleep(1.3)
        return real(test, model, bounds)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "run_test", slow)
    err = _Terminal()
    code = cli.main(["litmus", "--no-time", str(MP_SC)], io.StringIO(), err)
    assert code == 0
    assert re.search(r"\rMP\+sc: 1s round 1: 12 paths\x1b\[K", err.getvalue())
    assert err.getvalue().endswith("\r\x1b[K")
    quiet = io.StringIO()
    assert cli.main(["litmus", "--no-time", str(MP_SC)], io.StringIO(), quiet) == 0
    assert quiet.getvalue() == ""


def test_condition_module_parses_the_clauses_alone() -> None:
    final = cond.parse_final("locations [x; 0:r;] filter (0:r=1) forall (true)",
                             names={"x": 0})
    assert [str(o) for o in final.locations] == ["[x]", "0:r"]
    assert final.filter == cond.Atom(cond.Reg(0, "r"), 1)
    assert str(final.condition) == "forall (true)"
