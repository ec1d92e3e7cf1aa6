"""Every litmus test quoted in docs/ parses, validates and runs: the docs cannot drift from
the tool. The verdicts the docs claim in prose are checked where a doc states them in the
``Observation`` form (``Never``/``Always``/``Sometimes`` right after the block)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from semantics.litmus.format import parse_litmus
from semantics.litmus.result import run_test
from semantics.memory.model import get_model

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```\n(WASM .*?)```\n(?P<after>(?:[^\n]*\n){0,3})", re.S)
CLAIM = re.compile(r"`(Never|Always|Sometimes)`( under every variant)?")


def _examples() -> list[tuple[str, str, str]]:
    out = []
    for doc in sorted(DOCS.glob("*.md")):
        for i, m in enumerate(BLOCK.finditer(doc.read_text(encoding="utf-8"))):
            out.append((f"{doc.name}#{i}", m.group(1), m.group("after")))
    return out


EXAMPLES = _examples()


def test_docs_quote_litmus_tests() -> None:
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize(("where", "src", "after"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_doc_example_runs(where: str, src: str, after: str) -> None:
    test = parse_litmus(src, where)
    models = ["wasm"]
    claim = CLAIM.search(after)
    if claim and claim.group(2):
        models = ["wasm", "wasm-oopsla19", "es2017", "es2020"]
    for model in models:
        run = run_test(test, get_model(model))
        if claim:
            assert run.result.observation == claim.group(1), (where, model)
