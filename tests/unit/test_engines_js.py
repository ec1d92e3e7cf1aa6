"""``weakwasm run`` on litmus tests with JS threads (docs/engines.md, "JS threads"): node runs
them as JS agents over the test's shared memory, wasmtime refuses them; what node shows is
within what the model allows, and a state the model forbids is caught."""

from __future__ import annotations

import argparse
import io
import re
import shutil
from pathlib import Path

import pytest
import wasmtime

from metatheory.cli import main
from metatheory.engines.command import run_command
from metatheory.engines.compile import Unsupported, compile_test
from metatheory.engines.wasmtime_shim import threads_engine
from semantics.litmus.format import parse_litmus
from semantics.litmus.loader import load_test
from semantics.memory.model import MODELS
from tests.common.corpus import CORPUS

JS = CORPUS / "js"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node missing: python -m "
                                "metatheory.engines.setup_system installs it")

# One JS thread, run alone (so at full speed): every iteration must read its own stride's
# initial values (a view at a name, one at a literal offset), see the init names as the
# test's addresses, and its locals as the model has them: negative Numbers and BigInts as
# their 64 bits, a float element as its bits.
STRIDES = """WASM Strides+js
{ memory 1 1 shared; x = 0; y = 8; [y] = 5; }
thread 0 js {
  const vx = new Int32Array(buffer, x, 1);
  const vy = new Int32Array(buffer, 8, 1);
  const g = new BigInt64Array(buffer, 16, 1);
  const f = new Float32Array(buffer, 24, 1);
  let r0 = vx[0];
  vx[0] = r0 + 1;
  let r1 = Atomics.add(vy, 0, 1);
  let r2 = x + y;
  g[0] = -5n;
  let r3 = g[0];
  f[0] = -2.25;
  let r4 = f[0];
  let r5 = -4;
}
forall (0:r0=0 /\\ 0:r1=5 /\\ 0:r2=8 /\\ 0:r3=0xfffffffffffffffb /\\ 0:r4=0xc0100000
        /\\ 0:r5=0xfffffffffffffffc /\\ [x]=1 /\\ [y]=6)
"""


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _blocks(out: str) -> dict[str, tuple[int, int]]:
    """Per test: the iterations its histogram counts, and its positive plus negative."""
    found = {}
    for block in out.split("\nTest "):
        name = block.removeprefix("Test ").split(" ", 1)[0]
        hist = sum(int(m) for m in re.findall(r"^(\d+)\s*[*:]>", block, re.M))
        w = re.search(r"Positive: (\d+), Negative: (\d+)", block)
        if w:
            found[name] = (hist, int(w[1]) + int(w[2]))
    return found


def test_a_mixed_test_compiles_its_wasm_threads_and_makes_its_js_threads_agents() -> None:
    c = compile_test(load_test(str(JS / "SB+js+wasm.litmus")), 8)
    wasmtime.Module(threads_engine(), wasmtime.wat2wasm(c.wat))
    assert '(export "t0")' in c.wat and '(export "t1")' not in c.wat
    assert [a.thread for a in c.agents] == [1]
    body = c.agents[0].body
    assert body.startswith("let r1 = 0;\ntry {") and "let r1 = Atomics" not in body
    assert "    r1 = Atomics.load(vx, 0);" in body  # the keyword blanked, the column kept


def test_the_footprint_covers_a_js_view_beyond_the_constants() -> None:
    test = parse_litmus(
        "WASM Wide\n{ memory 1 1 shared; x = 0; }\n"
        "thread 0 js {\n  const v = new Int32Array(buffer, x, 100);\n  let i = 99;\n"
        "  let r = Atomics.load(v, i);\n}\nexists (0:r=0)\n", "wide.litmus")
    assert compile_test(test, 4).layout.footprint >= 400


def test_a_length_tracking_view_reaches_the_memory_end_and_byte_length_is_refused() -> None:
    tracking = ("WASM Tracking\n{ memory 1 2 shared; x = 0; }\n"
                "thread 0 js {\n  const v = new Int32Array(buffer);\n  v[1] = 5;\n%s}\n"
                "exists (0:n=0)\n")
    test = parse_litmus(tracking % "  let n = 0;\n", "tracking.litmus")
    assert compile_test(test, 1).layout.footprint == 65536  # the initial memory, every byte
    test = parse_litmus(tracking % "  let n = buffer.byteLength;\n", "length.litmus")
    with pytest.raises(Unsupported, match="buffer.byteLength .every iteration's locations"):
        compile_test(test, 1)


@needs_node
def test_js_and_mixed_tests_on_node_show_only_allowed_states(tmp_path: Path) -> None:
    strides = tmp_path / "Strides+js.litmus"
    strides.write_text(STRIDES, encoding="utf-8")
    # WRC+wasm: two Wasm threads and a JS one, more threads than this machine's two cores
    files = [str(JS / f) for f in ("MP+atomics+js.litmus", "MP+js+wasm.litmus", "SB+js.litmus",
                                   "WRC+js+wasm.litmus", "OOB+js.litmus")]
    code, out, err = _run(*files, str(strides), "--engine", "node", "--iterations", "40",
                          "--batch", "20")
    assert code == 0, err
    assert "FORBIDDEN" not in out and "0 forbidden-but-observed" in out
    blocks = _blocks(out)
    assert set(blocks) == {load_test(f).name for f in files} | {"Strides+js"}
    assert all(b == (40, 40) for b in blocks.values()), blocks
    # the trapped thread keeps its locals (r1 was set before the throw), and every iteration
    # of Strides+js read its own stride's initial values
    assert "40      *>0:r0=0; 0:r1=2; 0:trap=1; [y]=0;" in out
    assert "Observation Strides+js Always 40 0" in out


@needs_node
def test_a_state_the_model_forbids_on_a_js_thread_exits_1() -> None:
    args = argparse.Namespace(engine="node", iterations=20, seed=0, batch=20)
    out, err = io.StringIO(), io.StringIO()
    path = str(JS / "OOB+js.litmus")
    code = run_command(args, [(path, True)], out, err, MODELS["es2020"],
                       allowed=lambda t, m: frozenset())
    assert code == 1
    assert err.getvalue() == (f"{path}: node showed 0:r0=0; 0:r1=2; 0:trap=1; [y]=0; in 20 of "
                              "20 iterations (seed 0); es2020 forbids it\n")
    assert "FORBIDDEN by es2020" in out.getvalue()


def test_wasmtime_refuses_a_named_js_test_and_skips_one_found_in_a_directory(
        tmp_path: Path) -> None:
    path = JS / "SB+js+wasm.litmus"
    code, out, err = _run(str(path), "--engine", "wasmtime", "--iterations", "10")
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if " js {" in s)
    assert code == 2
    assert err == (f"{path}:{line}: expected a test without JS threads (wasmtime runs Wasm "
                   "threads only)\n")
    (tmp_path / "SB+js+wasm.litmus").write_text(path.read_text())
    twin = JS / "twins" / "Tear+f64+wasm.litmus"
    (tmp_path / twin.name).write_text(twin.read_text())
    code, out, err = _run(str(tmp_path), "--engine", "wasmtime", "--iterations", "10")
    assert code == 0, err
    name = load_test(str(path)).name
    assert re.search(rf"^{re.escape(name)} +skipped: JS threads \(wasmtime runs Wasm threads "
                     r"only\)$", out, re.M), out
    assert out.endswith("1 run, 1 skipped, 0 forbidden-but-observed\n")
