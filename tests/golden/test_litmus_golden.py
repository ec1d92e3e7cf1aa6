"""The golden corpus: every tests/litmus/**/X.litmus is the test named X and prints
X.litmus.expected (herd's block without its Time line) under the default model and bounds.
Every run is complete except under tests/litmus/bounds/, whose tests hit a bound on purpose
(docs/litmus.md#bounds). Regenerate with ``tox -e golden``."""

from pathlib import Path

import pytest

from semantics.litmus.loader import load_test
from semantics.litmus.result import herd_block, run_test
from tests.common.corpus import CORPUS

FILES = sorted(CORPUS.rglob("*.litmus"))


def test_corpus_is_large_and_complete() -> None:
    assert len(FILES) >= 60
    missing = [f for f in FILES if not Path(f"{f}.expected").is_file()]
    assert not missing


def test_every_test_is_named_after_its_file() -> None:
    misnamed = [f"{f.relative_to(CORPUS)}: {name}" for f in FILES
                if (name := load_test(str(f)).name) != f.stem]
    assert not misnamed


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_golden(path: Path) -> None:
    run = run_test(load_test(str(path)))
    assert run.enumeration.complete != (path.parent.name == "bounds"), run.enumeration.bound_reports
    expected = Path(f"{path}.expected").read_text(encoding="utf-8")
    assert herd_block(run.result, time=False) == expected
