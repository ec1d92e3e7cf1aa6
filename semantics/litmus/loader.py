"""The one module of ``semantics/`` that reads files: a litmus test from a path."""

from __future__ import annotations

import os

from semantics.litmus.format import LitmusError, LitmusTest, parse_litmus
from semantics.litmus.script import litmus_of_script
from semantics.text import wast
from semantics.text.sexp import ParseError


def read_litmus(path: str) -> LitmusTest:
    with open(path, encoding="utf-8") as f:
        return parse_litmus(f.read(), path)


def load_test(path: str) -> LitmusTest:
    """A ``.litmus`` file, or a ``.wast`` litmus script (by extension)."""
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise LitmusError(path, 1, 1, f"expected a readable UTF-8 file ({e})") from e
    if path.endswith(".wast"):
        try:
            script = wast.parse_script(src)
        except ParseError as e:
            raise LitmusError(path, e.line, e.col,
                              f"expected {e.expected}, found {e.found}") from e
        stem = os.path.splitext(os.path.basename(path))[0]
        return litmus_of_script(script, stem, path)
    return parse_litmus(src, path)
