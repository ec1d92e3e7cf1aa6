"""The golden corpus: every tests/litmus/**/X.litmus prints X.litmus.expected (herd's block
without its Time line) under the default model. Regenerate with ``tox -e golden``."""

from pathlib import Path

import pytest

from semantics.litmus.loader import load_test
from semantics.litmus.result import herd_block, run_test

CORPUS = Path(__file__).parent / "litmus"
FILES = sorted(CORPUS.rglob("*.litmus"))


def test_corpus_is_large_and_complete() -> None:
    assert len(FILES) >= 60
    missing = [f for f in FILES if not Path(f"{f}.expected").is_file()]
    assert not missing


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_golden(path: Path) -> None:
    run = run_test(load_test(str(path)))
    assert run.enumeration.complete, run.enumeration.bound_reports
    expected = Path(f"{path}.expected").read_text(encoding="utf-8")
    assert herd_block(run.result, time=False) == expected
