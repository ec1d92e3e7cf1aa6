"""No traceback on any input (issue 13): each input that once escaped ``main`` as a Python
exception, each option accepted without complaint, each message without its position, and each
exit status that said nothing. Every test runs the real command line."""

import re
from pathlib import Path

import pytest

from metatheory.conformance import SeqMemory
from semantics.litmus.condition import MAX_DEPTH as COND_DEPTH
from semantics.memory.events import PAGE
from semantics.text.sexp import MAX_DEPTH, MAX_TOKEN
from semantics.wasm.syntax import MemType
from tests.common.cli import run

HEAD = "WASM t\n{ memory 1 1 shared; x = 0; }\n"
TRAP = "\nexists (0:trap=0)\n"


def _write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def _bad(path: str, code: int, err: str, line: int, col: int, expected: str) -> None:
    """Status 2 and the one message ``path:line:col: expected ...`` naming ``expected``."""
    assert code == 2, err
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: expected "), first
    assert expected in first and "found" in first, first
    assert "Traceback" not in err


def _thread(body: str) -> str:
    return HEAD + "thread 0 {\n" + body + "\n}" + TRAP


# --- tracebacks ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 330])
def test_folded_blocks_nested_past_the_limit(tmp_path: Path, depth: int) -> None:
    path = _write(tmp_path, "deep.litmus", _thread("(block\n" * depth + ")" * depth))
    code, _, err = run("litmus", path)
    # the thread's own '{' does not count: its body's parentheses start at line 4
    _bad(path, code, err, 4 + MAX_DEPTH, 1, f"at most {MAX_DEPTH} nested parentheses")


def test_flat_blocks_nested_past_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "flat.litmus", _thread("block\n" * 330 + "end\n" * 330))
    code, _, err = run("litmus", path)
    _bad(path, code, err, 4 + MAX_DEPTH, 1, f"at most {MAX_DEPTH} nested blocks")


def test_blocks_up_to_the_limit_still_run(tmp_path: Path) -> None:
    depth = MAX_DEPTH - 1  # the thread body itself is not a block
    body = "block\n" * depth + "(i32.atomic.store (i32.const x) (i32.const 1))\n" + "end\n" * depth
    path = _write(tmp_path, "ok.litmus", HEAD + "thread 0 {\n" + body + "}\nexists ([x]=1)\n")
    code, out, err = run("litmus", "--no-time", path)
    assert code == 0, err
    assert "Ok" in out.splitlines()


@pytest.mark.parametrize("prefix", ["(", "~"])
def test_condition_nested_past_the_limit(tmp_path: Path, prefix: str) -> None:
    n = 250
    prop = prefix * n + "0:trap=0" + (")" * n if prefix == "(" else "")
    path = _write(tmp_path, "cond.litmus", HEAD + "thread 0 { nop }\nexists " + prop + "\n")
    code, _, err = run("litmus", path)
    _bad(path, code, err, 4, 8 + COND_DEPTH + 1, f"nested at most {COND_DEPTH} deep")


def test_long_conjunction_is_a_deep_proposition(tmp_path: Path) -> None:
    prop = " /\\ ".join(["0:trap=0"] * 2000)  # left-nested: evaluate recurses once per /\
    path = _write(tmp_path, "chain.litmus", HEAD + "thread 0 { nop }\nexists (" + prop + ")\n")
    code, _, err = run("litmus", path)
    assert code == 2 and f"nested at most {COND_DEPTH} deep" in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["thread", "wast memory", "condition thread"])
def test_literals_past_pythons_digit_limit(tmp_path: Path, where: str) -> None:
    digits = "9" * 5000
    if where == "thread":
        path = _write(tmp_path, "big.litmus", _thread(f"(drop (i32.const {digits}))"))
        code, _, err = run("litmus", path)
        _bad(path, code, err, 4, 18, f"a token of at most {MAX_TOKEN} characters")
    elif where == "wast memory":
        path = _write(tmp_path, "big.wast", f"(module (memory {digits}))\n")
        code, _, err = run("wast", path)
        _bad(path, code, err, 1, 17, f"a token of at most {MAX_TOKEN} characters")
    else:
        path = _write(tmp_path, "big.litmus",
                      HEAD + f"thread 0 {{ nop }}\nexists ({digits}:trap=0)\n")
        code, _, err = run("litmus", path)
        _bad(path, code, err, 4, 9, "a word of at most 1000 characters")
    assert len(err) < 400  # the literal is cut in the message


def test_superscript_digits_are_not_a_thread_number(tmp_path: Path) -> None:
    path = _write(tmp_path, "sup.litmus", HEAD + "thread 0 { nop }\nexists (\u00b9:trap=0)\n")
    code, _, err = run("litmus", path)
    assert code == 2 and err.startswith(f"{path}:4:9: expected an observable"), err


def test_litmus_on_a_script_whose_check_traps(threads_tests: Path, tmp_path: Path) -> None:
    src = (threads_tests / "MP.wast").read_text().replace("(local i32 i32)",
                                                          "(local i32 i32) unreachable")
    path = _write(tmp_path, "trapcheck.wast", src)
    code, out, err = run("litmus", "--no-time", path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == ["Test trapcheck Required", "States 1"]
    assert lines[2].endswith("2:result=-1;") and lines[3] == "No"  # the check returned nothing


def test_wast_on_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.wast", b"(module)\n  (module \xff)\n")
    code, _, err = run("wast", path)
    _bad(path, code, err, 2, 11, "UTF-8")
    code, _, err = run("litmus", path)
    _bad(path, code, err, 2, 11, "UTF-8")


def test_wast_on_a_65536_page_memory_allocates_only_what_is_written(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.wast", """
(module (memory (export "m") 65536 65536 shared)
  (func (export "f") (result i32)
    (i32.store (i32.const 0xfffffff0) (i32.const 7))
    (i32.load (i32.const 0xfffffff0))))
(assert_return (invoke "f") (i32.const 7))
(module (memory 65536) (func (export "g") (result i32) (i32.const 1)))
(assert_return (invoke "g") (i32.const 1))
""")
    code, out, err = run("wast", "--verbose", path)
    assert code == 0, err
    assert out.splitlines()[-1] == "1 passed, 0 failed, 1 unsupported"
    assert "unsupported: an unshared memory of 65536 pages" in out
    mem = SeqMemory(MemType(65536, 65536, True))
    mem.store(PAGE - 2, b"\x01\x02\x03\x04")
    assert mem.load(PAGE - 3, 6) == b"\x00\x01\x02\x03\x04\x00"
    assert sorted(mem.written) == [0, 1] and mem.size == 65536 * PAGE


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, option", [
    (["prove", "--timeout", "inf"], "--timeout"),
    (["prove", "--timeout", "nan"], "--timeout"),
    (["prove", "--timeout", "0"], "--timeout"),
    (["prove", "--bound", "0"], "--bound"),
    (["prove", "--bound", "-1"], "--bound"),
    (["prove", "--rlimit", "0"], "--rlimit"),
    (["prove", "--cells", "0"], "--cells"),
    (["prove", "--widths", "0,1"], "--widths"),
    (["hunt", "sc_drf", "--max-examples", "0"], "--max-examples"),
    (["hunt", "sc_drf", "--max-examples", "-1"], "--max-examples"),
    (["check", "--max-examples", "0"], "--max-examples"),
    (["check", "--program-examples", "-1"], "--program-examples"),
    (["check", "--proof-bound", "0"], "--proof-bound"),
    (["check", "--proof-timeout", "inf"], "--proof-timeout"),
])
def test_options_are_checked_when_parsed(argv: list[str], option: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert f"argument {option}: expected " in err


def test_cells_narrower_than_the_default_widths_names_cells() -> None:
    code, _, err = run("prove", "--cells", "2", "--bound", "1")
    assert code == 2
    assert err.startswith("weakwasm: --cells 2 is narrower than the access widths 1,2,4")


@pytest.mark.parametrize("command", [["check"], ["litmus", "--show", "dot"]])
def test_out_into_a_non_directory_fails_before_any_work(tmp_path: Path, command: list[str]) -> None:
    afile = _write(tmp_path, "file", "")
    test = str(Path(__file__).parents[1] / "litmus" / "classic" / "MP.litmus")
    for out in (afile, afile + "/sub"):
        argv = [*command, "--out", out] + ([test] if command[0] == "litmus" else [])
        code, stdout, err = run(*argv)
        assert code == 2 and stdout == "", err
        assert "argument --out: expected a directory" in err


# --- messages -----------------------------------------------------------------------------


def test_type_error_is_placed_at_its_instruction(tmp_path: Path) -> None:
    body = ("  nop\n  block\n    nop\n    (if (i32.const 1)\n"
            "      (then (drop (i64.add (i32.const 1) (i64.const 1)))))\n  end")
    path = _write(tmp_path, "type.litmus", _thread(body))
    code, _, err = run("litmus", path)
    _bad(path, code, err, 8, 20, "a well-typed thread")
    assert "i64.add expects [i64 i64]" in err


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.litmus", "\ufeff" + HEAD + "thread 0 { nop }" + TRAP)
    code, out, err = run("litmus", "--no-time", path)
    assert code == 0 and out.startswith("Test t Allowed"), err
    wast = _write(tmp_path, "bom.wast", '\ufeff(module (func (export "f") (result i32) '
                  '(i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))\n')
    code, out, err = run("wast", wast)
    assert code == 0 and out == "1 passed, 0 failed\n", err
    bad = _write(tmp_path, "bom2.litmus", "\ufeff" + HEAD + "thread 0 { nop ) }" + TRAP)
    code, _, err = run("litmus", bad)
    _bad(bad, code, err, 3, 16, "an instruction")  # columns do not count the mark


def test_wast_validation_error_under_litmus_is_at_its_thread(threads_tests: Path,
                                                              tmp_path: Path) -> None:
    src = (threads_tests / "MP.wast").read_text()
    lines = src.splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.startswith("(thread $T2"))
    src = src.replace("(local.set 0)", "(local.set 7)", 1)  # in $T2, an unknown local
    path = _write(tmp_path, "MP.wast", src)
    code, _, err = run("litmus", path)
    _bad(path, code, err, n + 1, 1, "well-typed functions")
    assert "unknown local" in err


def test_invalid_wast_module_is_bad_input_on_stderr(tmp_path: Path) -> None:
    path = _write(tmp_path, "invalid.wast", "\n  (module (func (result i32)))\n")
    code, out, err = run("wast", path)
    assert out == ""
    _bad(path, code, err, 2, 3, "a valid module")


def test_script_messages_say_what_was_found(tmp_path: Path) -> None:
    path = _write(tmp_path, "nomem.wast", "(module)\n")
    code, _, err = run("litmus", path)
    _bad(path, code, err, 1, 1, "a module defining a shared memory")


# --- exit status --------------------------------------------------------------------------


def test_wast_with_nothing_checked_is_status_3(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.wast", '(module (memory 1 1 shared) (func (export "w") (result i32)'
                  ' (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))\n'
                  '(assert_return (invoke "w") (i32.const 0))\n(invoke "w")\n')
    code, out, err = run("wast", path)
    assert code == 3
    assert out == "0 passed, 0 failed, 2 unsupported\n"
    assert re.fullmatch(r"weakwasm: nothing was checked: no assertion ran \(2 commands .*\n"
                        rf"{re.escape(path)}: hint: .*`weakwasm litmus {re.escape(path)}`.*\n",
                        err)


def test_litmus_on_a_directory_without_tests(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run("litmus", str(tmp_path / "empty"))
    assert code == 2 and out == ""
    assert err == f"{tmp_path / 'empty'}: expected a directory holding .litmus files, found none\n"
