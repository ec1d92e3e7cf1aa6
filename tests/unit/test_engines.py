"""``weakwasm run`` on real engines (docs/engines.md): the shim, the compiler, a short sweep on
wasmtime and on node with 0 forbidden-but-observed, and exit 1 when the allowed set is wrong."""

from __future__ import annotations

import argparse
import ctypes
import io
import shutil
import subprocess
import types
from pathlib import Path

import pytest
import wasmtime

from metatheory.cli import expand, main
from metatheory.engines import setup_system
from metatheory.engines.command import run_command
from metatheory.engines.compile import Unsupported, compile_test, stride_order
from metatheory.engines.observed import EngineError
from metatheory.engines.wasmtime_runner import run_wasmtime
from metatheory.engines.wasmtime_shim import (
    ImportableSharedMemory,
    shared_memory,
    threads_engine,
)
from semantics.litmus.format import parse_litmus
from semantics.litmus.loader import load_test
from semantics.memory.model import MODELS
from tests.common.corpus import CORPUS
from tests.conftest import THREADS_TESTS

SB = str(CORPUS / "classic" / "SB.litmus")
SCRIPTS = ("LB", "LB_atomic", "MP", "MP_atomic", "SB", "SB_atomic")
HAS_NODE = shutil.which("node") is not None
ENGINES = ["wasmtime", pytest.param("node", marks=pytest.mark.skipif(
    not HAS_NODE, reason="node missing: python -m metatheory.engines.setup_system installs it"))]

_IMPORTS_MEMORY = wasmtime.wat2wasm(
    '(module (memory (import "m" "mem") 1 1 shared)'
    ' (func (export "put") (i32.atomic.store (i32.const 8) (i32.const 7)))'
    ' (func (export "get") (result i32) (i32.atomic.load (i32.const 8))))')


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


# --- the wasmtime-py shim (issue 318) ----------------------------------------------------------


@pytest.mark.xfail(strict=True, raises=TypeError,
                   reason="wasmtime-py issue 318: SharedMemory._as_extern wraps its pointer "
                          "twice; when this passes, remove metatheory/engines/wasmtime_shim.py")
def test_the_bindings_cannot_import_a_shared_memory() -> None:
    engine = threads_engine()
    mem = wasmtime.SharedMemory(engine, wasmtime.MemoryType(wasmtime.Limits(1, 1), shared=True))
    store = wasmtime.Store(engine)
    wasmtime.Instance(store, wasmtime.Module(engine, _IMPORTS_MEMORY), [mem])


def test_the_shim_imports_one_memory_into_two_stores() -> None:
    engine = threads_engine()
    module = wasmtime.Module(engine, _IMPORTS_MEMORY)
    mem = shared_memory(engine, 1)
    assert isinstance(mem, ImportableSharedMemory)
    a, b = wasmtime.Store(engine), wasmtime.Store(engine)
    put = wasmtime.Instance(a, module, [mem]).exports(a)["put"]
    get = wasmtime.Instance(b, module, [mem]).exports(b)["get"]
    assert isinstance(put, wasmtime.Func) and isinstance(get, wasmtime.Func)
    assert get(b) == 0
    put(a)
    assert get(b) == 7
    assert ctypes.c_uint32.from_address(mem.address() + 8).value == 7


# --- the compiler ------------------------------------------------------------------------------


def test_every_corpus_test_compiles_to_a_valid_module_or_is_refused_with_its_construct() -> None:
    compiled = refused = 0
    for path in expand([str(CORPUS)]):
        test = load_test(path)
        try:
            c = compile_test(test, 16)
        except Unsupported as e:
            assert e.construct in str(e)
            refused += 1
            continue
        wasmtime.Module(threads_engine(), wasmtime.wat2wasm(c.wat))
        assert c.layout.stride % 64 == 0 and c.layout.stride >= c.layout.footprint
        compiled += 1
    assert compiled >= 60 and refused >= 7


def test_memory_grow_is_refused_naming_the_construct() -> None:
    test = load_test(str(CORPUS / "grow" / "Grow+nondet.litmus"))
    with pytest.raises(Unsupported, match="memory.grow"):
        compile_test(test, 1)


def test_stride_order_is_a_seeded_permutation() -> None:
    a = stride_order(3, 1, 500)
    assert sorted(a) == list(range(500))
    assert a == stride_order(3, 1, 500) and a != stride_order(4, 1, 500)


@pytest.mark.skipif(not HAS_NODE, reason="node missing")
def test_the_harness_shuffles_as_stride_order_does() -> None:
    harness = Path(__file__).resolve().parents[2] / "metatheory" / "engines" / "harness.mjs"
    src = harness.read_text(encoding="utf-8")
    start = src.index("function mulberry32")
    end = src.index("async function main")
    js = src[start:end] + "console.log(JSON.stringify(strideOrder(123456789, 7, 50)));"
    p = subprocess.run(["node", "--input-type=module", "-e", js], capture_output=True,
                       text=True, check=True)
    assert p.stdout.strip() == str(stride_order(123456789, 7, 50)).replace(" ", "")


def test_an_access_beyond_the_footprint_is_an_engine_error_not_a_hang() -> None:
    test = parse_litmus(
        "WASM Far\n{ memory 1 1 shared; x = 0; }\n"
        "thread 0 { (local $r i32) (local.set $r (i32.load (i32.add (i32.const 3000) "
        "(i32.const 3000)))) }\n"
        "thread 1 { (local $s i32) (local.set $s (i32.load (i32.const x))) }\n"
        "exists (0:r=0 /\\ 1:s=0)\n", "far.litmus")
    with pytest.raises(EngineError, match="beyond the 3008 bytes"):
        run_wasmtime(compile_test(test, 10), 10, 0)


# --- runs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_short_sweep_shows_nothing_the_model_forbids(engine: str) -> None:
    scripts = [str(THREADS_TESTS / f"{s}.wast") for s in SCRIPTS]
    # js/ is test_engines_js.py's: a sweep of it would add a minute on node; 20 iterations:
    # every test compiles, runs and is checked (the weak outcomes need many more: the SB test
    # below and docs/engines.md's sweep)
    dirs = [str(d) for d in sorted(CORPUS.iterdir()) if d.is_dir() and d.name != "js"]
    code, out, err = _run(*dirs, *scripts, "--engine", engine, "--iterations", "20")
    assert code == 3, err  # bounds/Count+unroll is skipped: the model's result is incomplete
    summary = out.strip().splitlines()[-1]
    assert summary.endswith(" 0 forbidden-but-observed"), out
    assert "skipped: thread 0: memory.grow" in out
    assert "FORBIDDEN" not in out
    # the 22 refused: grow/ (7), table/Fig12+grow Fig12+size Fig14+grow 2grow, control/Wait+ne,
    # control/Await+never and control/MP+await+plain (they observe N:blocked), bounds/Count+unroll
    # (the model's result is incomplete), wait/ (7: a waiting thread would stall the barrier)
    assert "skipped: wasm is incomplete: thread 0:" in out
    assert "values out of thin air" in out  # control/LB+data*: states admitted, not listed
    assert summary.startswith(f"{69 + len(SCRIPTS)} run, 22 skipped,"), summary


@pytest.mark.parametrize("engine", ENGINES)
def test_emulated_traps_keep_the_locals_as_the_model_does(engine: str) -> None:
    files = [str(CORPUS / "control" / f) for f in
             ("Trap+value.litmus", "Trap+align.litmus",
              "Trap+oob.litmus")]
    code, out, err = _run(*files, "--engine", engine, "--iterations", "500")
    assert code == 0, err
    assert "0:trap=1;" in out and "FORBIDDEN" not in out


@pytest.mark.parametrize("engine", ENGINES)
def test_sb_plain_under_sc_exits_1_naming_the_weak_state(engine: str) -> None:
    # The weak outcome needs both threads on a core at once: on an idle machine a few percent
    # of iterations show it, on one loaded with other work far fewer (docs/engines.md); so up
    # to three seeds, and a skip that says so rather than a pass (the deterministic test
    # below covers the exit status whatever the machine does).
    for seed in range(3):
        code, out, err = _run(SB, "--engine", engine, "--model", "sc", "--iterations",
                              "20000", "--seed", str(seed))
        if code != 0:
            break
    else:
        pytest.skip(f"{engine} did not show SB's weak outcome in 3 x 20000 iterations here")
    assert code == 1, out
    assert "0:r0=0; 1:r1=0;" in err and "sc forbids it" in err
    assert "FORBIDDEN by sc" in out


def test_a_wrong_allowed_set_exits_1_deterministically() -> None:
    args = argparse.Namespace(engine="wasmtime", iterations=100, seed=0, batch=100)
    out, err = io.StringIO(), io.StringIO()
    code = run_command(args, [(SB, True)], out, err, MODELS["wasm"],
                       allowed=lambda t, m: frozenset())
    assert code == 1
    assert "wasm forbids it" in err.getvalue()


def test_a_named_test_the_compiler_cannot_run_is_bad_input_with_its_line() -> None:
    path = CORPUS / "grow" / "Grow+max.litmus"
    code, out, err = _run(str(path), "--engine", "wasmtime", "--iterations", "10")
    assert code == 2
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if "memory.grow" in s)
    assert err.startswith(f"{path}:{line}: expected a test without thread 0: memory.grow")
    assert "Traceback" not in err


def test_bad_input_is_one_message() -> None:
    code, _, err = _run("/nonexistent.litmus", "--engine", "wasmtime")
    assert code == 2 and err.count("\n") == 1 and "expected a readable" in err
    code, _, err = _run(SB, "--engine", "wasmtime", "--model", "nosuch")
    assert code == 2 and "nosuch" in err


# --- setting up node ---------------------------------------------------------------------------


def test_setup_system_leaves_an_installed_node_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert setup_system.ensure_node(run=None).startswith("node found")


def test_setup_system_installs_node_with_apt_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []
    monkeypatch.setattr(shutil, "which",
                        lambda name: "/usr/bin/apt-get" if name == "apt-get" or installed
                        and installed[-1][-1] == "nodejs" else None)
    monkeypatch.setattr(setup_system.os, "geteuid", lambda: 0)

    def run(cmd: list[str], **_: object) -> types.SimpleNamespace:
        installed.append(cmd)
        return types.SimpleNamespace(returncode=0)

    assert setup_system.ensure_node(run=run).startswith("installed node")
    assert installed == [["/usr/bin/apt-get", "update"],
                         ["/usr/bin/apt-get", "install", "-y", "nodejs"]]


def test_setup_system_says_what_to_do_when_it_cannot_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "apt-get is not available" in setup_system.ensure_node(run=None)


def test_setup_system_installs_graphviz_after_node_with_one_update(
        monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get"
                        else f"/usr/bin/{name}" if any(c[-1] in (name, {"node": "nodejs",
                                                       "dot": "graphviz"}.get(name))
                                                       for c in installed) else None)
    monkeypatch.setattr(setup_system.os, "geteuid", lambda: 0)

    def run(cmd: list[str], **_: object) -> types.SimpleNamespace:
        installed.append(cmd)
        return types.SimpleNamespace(returncode=0)

    updated = [False]
    assert setup_system.ensure_node(run=run, updated=updated).startswith("installed node")
    assert setup_system.ensure_graphviz(run=run, updated=updated) == "installed dot: /usr/bin/dot"
    assert installed == [["/usr/bin/apt-get", "update"],
                         ["/usr/bin/apt-get", "install", "-y", "nodejs"],
                         ["/usr/bin/apt-get", "install", "-y", "graphviz"]]
