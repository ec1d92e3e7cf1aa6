"""JS threads in litmus tests (docs/js.md): the subset's errors, its events (ECMA-262's, not
Wasm's), printing and hashing, and the commands that refuse JS threads."""

from __future__ import annotations

from pathlib import Path

import pytest

from semantics.js.syntax import VIEW_TYPES
from semantics.litmus.format import LitmusError, digest, parse_litmus, print_litmus
from semantics.litmus.loader import load_test
from semantics.litmus.result import run_test
from semantics.memory.events import Kind, Ord, value
from semantics.memory.model import get_model
from semantics.wasm.syntax import JS_ELEMENT_TYPES, JS_MEM_OPS, MEM_OPS, js_no_tear
from tests.common.cli import run

CORPUS = Path(__file__).resolve().parent.parent / "litmus"
HEAD = "WASM t\n{ memory 1 1 shared; x = 0; y = 4; }\n"


def _js(body: str, condition: str = "exists (0:trap=0)") -> str:
    return HEAD + "thread 0 js {\n" + body + "\n}\n" + condition + "\n"


# --- bad input: one message at its line and column ---------------------------------------

V = "  const v = new Int32Array(buffer, x, 1);\n"
F = "  const f = new Float64Array(buffer, 8, 1);\n"
BAD = [
    ("  const v = new Int33Array(buffer, x, 1);", 4, 17, "a typed array type"),
    (F + "  let r = Atomics.load(f, 0);", 5, 11, "an integer typed array for Atomics.load"),
    (V + "  let r = w[0];", 5, 11, "a typed-array view declared with const before, found 'w'"),
    (V + "  let r = q;", 5, 11, "a local declared with let before"),
    (V + "  let r = v[0]", 6, 1, "';' ending the statement"),
    (V + "  let r = v[1];", 5, 13, "an index inside the view v (0..0)"),
    ("  const v = new Int32Array(buffer, 2, 1);", 4, 36, "a multiple of 4"),
    ("  const b = new BigInt64Array(buffer, 0, 1);\n  b[0] = 1;", 5, 10, "a BigInt for the "
     "BigInt64Array b"),
    (V + "  v[0] = 1n;", 5, 10, "a Number for the Int32Array v"),
    (V + "  if (1) { let r = 1; }", 5, 12, "a statement (a 'let' at the thread's top level"),
    ("  const b = new Uint8Array(buffer, x, 4);\n  Atomics.wait(b, 0, 0);", 5, 3,
     "an Int32Array or a BigInt64Array for Atomics.wait"),
    (V + "  let w = Atomics.wait(v, 0, 0);", 5, 11, "(a string local is not observable)"),
    (V + "  Atomics.waitAsync(v, 0, 0);", 5, 11, "Atomics.waitAsync is not in it yet"),
    (V + "  let r = Atomics.store(v, 0);", 5, 29, "3 arguments to Atomics.store, found 2"),
    (V + "  let r = v[0] * 2;", 5, 16, "* / % are not in it"),
    (V + "  let x = 1;", 5, 7, "a name other than 'buffer', 'Atomics' and the init block's"),
    (F + "  let r = f[0] + 1;", 5, 11, "a Number operand of +, found a Float64"),
    ("  let trap = 1;", 4, 7, "a name other than 'trap' and 'blocked'"),
]


@pytest.mark.parametrize(("body", "line", "col", "expected"), BAD,
                         ids=[b[3][:30] for b in BAD])
def test_bad_js_is_one_message_at_its_place(body: str, line: int, col: int,
                                            expected: str) -> None:
    with pytest.raises(LitmusError) as e:
        parse_litmus(_js(body), "t.litmus")
    assert (e.value.line, e.value.col) == (line, col), str(e.value)
    assert e.value.message.startswith("expected ") and expected in e.value.message, str(e.value)


def test_a_condition_names_only_a_let_local_of_a_js_thread() -> None:
    with pytest.raises(LitmusError, match="a let local of the JS thread 0, found '1'"):
        parse_litmus(_js(V + "  let r = Atomics.add(v, 0, 1);", "exists (0:1=0)"))
    parse_litmus(_js(V + "  let r = Atomics.add(v, 0, 1);", "exists (0:r=0)"))


def test_bad_js_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.litmus"
    path.write_text(_js(F + "  Atomics.store(f, 0, 1);"), encoding="utf-8")
    code, out, err = run("litmus", str(path))
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith(f"{path}:5:3: expected an integer typed array"), err
    assert "Traceback" not in err and "TypeError in JS" in err


def test_unclosed_js_body_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "open.litmus"
    path.write_text(HEAD + "thread 0 js {\n  let r = 1;\n", encoding="utf-8")
    code, _, err = run("litmus", str(path))
    assert code == 2 and err.startswith(f"{path}:5:1: expected '}}' closing the thread's body")


def test_emit_wast_and_wasmtime_refuse_js_threads() -> None:
    mp = str(CORPUS / "js" / "MP+js.litmus")
    code, out, err = run("litmus", "--emit-wast", mp)
    assert code == 2 and out == "" and "thread 0 is a JS thread" in err
    code, _, err = run("run", "--engine", "wasmtime", mp)
    assert code == 2 and "expected a test without JS threads (wasmtime runs Wasm" in err, err


# --- events ---------------------------------------------------------------------------------


def test_no_tear_is_ecma262s_and_agrees_with_wasm_for_aligned_accesses() -> None:
    """IsNoTearConfiguration (ES2020+) per element type and order; a JS access is always
    aligned, and there [T]'s ``tearing`` gives the same flag (docs/js.md, "Differences")."""
    want = {"Int8": (True, True), "Uint8": (True, True), "Int16": (True, True),
            "Uint16": (True, True), "Int32": (True, True), "Uint32": (True, True),
            "BigInt64": (False, True), "BigUint64": (False, True),
            "Float32": (False, False), "Float64": (False, False)}
    assert set(want) == set(VIEW_TYPES) == set(JS_ELEMENT_TYPES)
    for e, (plain, atomic) in want.items():
        assert (js_no_tear(e, False), js_no_tear(e, True)) == (plain, atomic), e
        assert JS_MEM_OPS[f"js.{e}.load"].notears is plain
        t, w, _ = JS_ELEMENT_TYPES[e]
        wasm_notears = t.is_int and w <= 32  # [T] tearing, aligned
        assert plain == wasm_notears, e
    assert not set(JS_MEM_OPS) & set(MEM_OPS)


def _events(path: str, model: str = "wasm") -> list[tuple[str, tuple[Kind, Ord, bool]]]:
    test = load_test(path)
    evs = {(e.rule, (a.kind, a.ord, a.read == a.write))
           for v in run_test(test, get_model(model)).enumeration.valid
           for e in v.execution.events if e.thread == 0 for a in e.actions}
    return sorted(evs, key=str)


def test_a_failed_compare_exchange_is_an_rmw_and_a_failed_cmpxchg_a_read() -> None:
    js = _events(str(CORPUS / "js" / "CAS+fail+js.litmus"))
    wasm = _events(str(CORPUS / "js" / "twins" / "CAS+fail+wasm.litmus"))
    assert js == [("js/compareExchange-fail", (Kind.RMW, Ord.SEQCST, True))]
    assert ("step_read/cmpxchg-fail", (Kind.RD, Ord.SEQCST, False)) in wasm
    assert any(k is Kind.RD and r.startswith("step_read") for r, (k, _, _) in wasm)


def test_a_js_access_reads_no_length_and_lands_at_offset_plus_index_times_size() -> None:
    src = _js("  const h = new Int16Array(buffer, y, 2);\n  h[1] = -2;\n"
              "  let r = Atomics.exchange(h, 0, 7);", "forall (0:r=0 /\\ [y:i16]=7)")
    test = parse_litmus(src)
    r = run_test(test, get_model("es2020"))
    assert r.result.positive == 1 and r.result.negative == 0
    (v,) = r.enumeration.valid
    acts = [a for e in v.execution.events if e.thread == 0 for a in e.actions]
    assert [(a.kind, a.offset, a.ord, a.notears) for a in acts] == [
        (Kind.WR, 6, Ord.UNORD, True), (Kind.RMW, 4, Ord.SEQCST, False)]
    assert value(acts[0].write) == 0xFFFE


def test_atomics_return_the_old_element_value_and_store_its_argument() -> None:
    body = (V + "  const b = new Int8Array(buffer, y, 1);\n"
            "  let f = Atomics.or(v, 0, 6);\n  let g = Atomics.and(v, 0, 3);\n"
            "  let h = Atomics.xor(v, 0, 1);\n  let k = Atomics.sub(v, 0, 1);\n"
            "  let m = Atomics.load(v, 0);\n  let t = Atomics.store(b, 0, 255);\n"
            "  let s = Atomics.exchange(b, 0, 0);\n"
            "  let c = Atomics.compareExchange(v, 0, 2, 9);")
    cond = ("forall (0:f=0 /\\ 0:g=6 /\\ 0:h=2 /\\ 0:k=3 /\\ 0:m=2 /\\ 0:t=255 /\\ 0:s=-1"
            " /\\ 0:c=2 /\\ [x]=9)")
    r = run_test(parse_litmus(_js(body, cond)))
    assert r.result.positive == 1 and r.result.negative == 0


def test_js_values_are_exact_numbers_and_int32_bit_operations() -> None:
    body = (V + "  let a = 4294967295 + 1;\n  let b = -1 >>> 0;\n  let c = (1 << 31) >> 31;\n"
            "  let d = ~5 ^ 3;\n  let e = 0;\n  if (a === 4294967296) { e = 1; } else { e = 2; }")
    cond = "forall (0:a=4294967296 /\\ 0:b=4294967295 /\\ 0:c=-1 /\\ 0:d=-7 /\\ 0:e=1)"
    r = run_test(parse_litmus(_js(body, cond)))
    assert r.result.positive == 1 and r.result.negative == 0


# --- printing and hashing -------------------------------------------------------------------


def test_print_keeps_the_js_source_and_parses_back() -> None:
    t = load_test(str(CORPUS / "js" / "WRC+js+wasm.litmus"))
    assert [s.lang for s in t.threads] == ["wasm", "js", "wasm"]
    assert t.threads[1].locals == ("r0",)
    assert "Atomics.store(vy, 0, 1);" in t.threads[1].source
    back = parse_litmus(print_litmus(t))
    assert back == t and back.threads[1] == t.threads[1]
    assert [s.lang for s in back.threads] == [s.lang for s in t.threads]


def test_the_hash_ignores_js_layout_but_not_js_meaning() -> None:
    a = _js(V + "  let r = Atomics.load(v, 0);")
    b = _js(V.replace(" = ", "=") + "  // a comment\n  let r=Atomics.load( v,0 ) ;")
    c = _js(V + "  let r = v[0];")
    assert digest(parse_litmus(a)) == digest(parse_litmus(b)) != digest(parse_litmus(c))
