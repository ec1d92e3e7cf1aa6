"""JS-only tests under es2020 agree with their Wasm twins wherever the languages agree, and
differ where they should (tests/litmus/js/PAIRS; docs/js.md, "Where JS and Wasm differ").

The results compared are the golden ``.expected`` blocks, which tests/golden/test_litmus_golden.py
keeps equal to what the tool prints under the default model ``wasm``; es2020 is the same axiom
list over the same tear-free predicate (checked here), so they are the es2020 results too.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from semantics.memory.model import get_model

CORPUS = Path(__file__).resolve().parent.parent / "litmus"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "js.md"


@attrs.frozen
class Pair:
    js: str
    wasm: str
    relation: str
    reason: str


def _pairs() -> list[Pair]:
    out = []
    for line in (CORPUS / "js" / "PAIRS").read_text(encoding="utf-8").splitlines():
        words = line.split("#")[0].split()
        if words:
            out.append(Pair(words[0], words[1], words[2], words[3] if len(words) > 3 else ""))
    return out


PAIRS = _pairs()


@attrs.frozen
class Block:
    states: frozenset[str]
    verdict: str  # Ok, No
    observation: tuple[str, ...]  # Always/Sometimes/Never and the two counts


def _block(name: str) -> Block:
    lines = (CORPUS / f"{name}.litmus.expected").read_text(encoding="utf-8").splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("States "))
    n = int(lines[k].split()[1])
    obs = lines[-1].split()
    return Block(frozenset(lines[k + 1:k + 1 + n]), lines[k + 1 + n], tuple(obs[2:]))


def test_es2020_is_the_model_of_the_golden_blocks() -> None:
    wasm, es2020 = get_model("wasm"), get_model("es2020")
    assert es2020.axioms == wasm.axioms and es2020.tearfree is wasm.tearfree
    assert es2020.hb_generators == wasm.hb_generators


def test_every_js_only_test_has_a_twin() -> None:
    named = {p.js for p in PAIRS}
    for path in sorted((CORPUS / "js").glob("*.litmus")):
        text = path.read_text(encoding="utf-8")
        has_wasm = any(ln.startswith("thread ") and " js " not in ln
                       for ln in text.splitlines())
        if not has_wasm:
            assert f"js/{path.stem}" in named, f"{path.name} has no Wasm twin in PAIRS"


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.js)
def test_js_and_its_wasm_twin(pair: Pair) -> None:
    if pair.relation == "alone":
        assert pair.wasm == "-" and pair.reason, pair
        return
    js, wasm = _block(pair.js), _block(pair.wasm)
    if pair.relation == "same":
        assert js == wasm
        return
    assert pair.relation == "differ" and pair.reason, pair
    assert f"`{pair.reason}`" in DOCS.read_text(encoding="utf-8"), (
        f"docs/js.md does not list the difference {pair.reason}")
    assert js.states != wasm.states and js.verdict != wasm.verdict
