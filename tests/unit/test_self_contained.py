"""The repository is self-contained: code, tests and docs cite docs/ and the primary sources,
never design or reference files that live outside the repository (only the threads proposal's
.wast test data is read from outside, through WEAKWASM_SHARED)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import semantics

ROOT = Path(semantics.__file__).resolve().parent.parent
OUTSIDE = re.compile(r"DESIGN\.md|memory-model\.md|seed-status|shared/(?:reference|hooks)")


def outside_citations(files: list[Path]) -> list[str]:
    out = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                out.append(f"{f}:{n}: {line.strip()}")
    return out


def test_no_file_cites_a_file_outside_the_repository() -> None:
    listed = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.ini", "*.toml", "*.cff",
                             "*.mjs"], cwd=ROOT, capture_output=True, text=True, check=True)
    files = [ROOT / f for f in listed.stdout.split() if f != "tests/unit/test_self_contained.py"]
    assert files
    assert outside_citations(files) == []


def test_the_check_sees_a_citation(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text('"""As DESIGN.md section 6 says."""\n', encoding="utf-8")
    assert outside_citations([f]) == [f'{f}:1: """As DESIGN.md section 6 says."""']
