"""The one module of ``semantics/`` that reads files: a litmus test from a path."""

from __future__ import annotations

import os

from semantics.litmus.format import LitmusError, LitmusTest, parse_litmus
from semantics.text.sexp import ParseError


def read_source(path: str) -> str:
    """The text of ``path``: UTF-8, a leading byte order mark dropped (raises ``LitmusError``
    at the first byte that is not UTF-8, or when the file cannot be read)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise LitmusError(path, 1, 1, f"expected a readable file, found {e.strerror or e}") from e
    return decode(raw, path)


def decode(raw: bytes, path: str) -> str:
    """``raw`` as UTF-8 text without a leading byte order mark (``LitmusError`` at the first
    byte that is not UTF-8)."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        before = raw[:e.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        raise LitmusError(path, line, col, f"expected UTF-8 text, found the byte "
                          f"0x{raw[e.start]:02x}") from e


def read_litmus(path: str) -> LitmusTest:
    return parse_litmus(read_source(path), path)


def load_test(path: str) -> LitmusTest:
    """A ``.litmus`` file, or a ``.wast`` litmus script (by extension)."""
    src = read_source(path)
    if path.endswith(".wast"):
        # The script reader (the whole .wast grammar) is imported only for a script.
        from semantics.litmus.script import litmus_of_script
        from semantics.text import wast

        try:
            script = wast.parse_script(src)
        except ParseError as e:
            raise LitmusError(path, e.line, e.col,
                              f"expected {e.expected}, found {e.found}") from e
        stem = os.path.splitext(os.path.basename(path))[0]
        return litmus_of_script(script, stem, path)
    return parse_litmus(src, path)
