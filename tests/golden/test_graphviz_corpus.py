"""Graphviz reads every graph ``--show`` draws: the first ``PER_TEST`` valid executions of each
golden test, with
every edge kind and the length location, run through the real ``dot``, one process per graph
as ``--show svg`` does (Graphviz 2.43 crashes with a double free on some inputs of several
graphs). Without ``dot`` the test skips, except under ``CI=true``,
where a missing Graphviz is a failure (``python -m metatheory.engines.setup_system`` installs
it before the tests)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from properties.render import EDGE_KINDS, dot_graph
from semantics.litmus.condition import state_line
from semantics.litmus.loader import load_test
from semantics.litmus.result import judge, run_test
from semantics.memory.check import hb
from semantics.memory.model import MODELS
from tests.common.corpus import CORPUS

FILES = sorted(CORPUS.rglob("*.litmus"))
WASM = MODELS["wasm"]
PER_TEST = 6


def _dot() -> str:
    found = shutil.which("dot")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Graphviz's dot is not installed, and CI=true requires it "
                        "(python -m metatheory.engines.setup_system installs it)")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    return found


def graphs(path: Path) -> list[str]:
    test = load_test(str(path))
    names = {a: n for n, a in test.names}
    out = []
    # the first executions of each test: every shape of graph the corpus has, in CI time
    for i, v in enumerate(run_test(test).enumeration.valid[:PER_TEST]):
        st, _ = judge(test, v)
        out.append(dot_graph(v.execution, f"{test.name} execution {i}: {state_line(st)}",
                             names, edges=EDGE_KINDS, hb=hb(v.execution, WASM),
                             show_len=True))
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_graphviz_renders_the_executions(path: Path) -> None:
    dot = _dot()
    drawn = graphs(path)
    assert drawn or path.parent.name == "bounds"
    for i, text in enumerate(drawn):
        done = subprocess.run([dot, "-Tsvg"], input=text.encode("utf-8"), capture_output=True,
                              check=False, timeout=120)
        errors = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 0 and not errors.strip(), f"execution {i}: {errors}\n{text}"
        assert done.stdout.count(b"<svg") == 1
