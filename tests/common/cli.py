"""The ``weakwasm`` command run in-process."""

import io

from metatheory.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    """``weakwasm ARGV``: the exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()
