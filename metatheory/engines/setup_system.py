"""``python -m metatheory.engines.setup_system``: make sure the system programs the tests use
are there (tox runs this before the tests): Node.js for the node engine and Graphviz's ``dot``
for the rendering of the corpus's graphs (``tests/golden/test_graphviz_corpus.py``). Each is
installed with apt-get when missing and we are root with apt-get available; otherwise a line
says what to do. Never fails the run: without node the node tests skip and say why; without
dot the Graphviz test skips, except under ``CI=true``, where it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def ensure(program: str, package: str, purpose: str,
           run: Callable[..., Any] = subprocess.run, updated: list[bool] | None = None) -> str:
    """``program`` on PATH, installing the apt ``package`` if need be; what happened, one
    line. ``updated`` remembers across calls that ``apt-get update`` ran."""
    if shutil.which(program):
        return f"{program} found: {shutil.which(program)}"
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        why = "apt-get is not available" if apt is None else "not running as root"
        return (f"{program} is missing and {why}: install it to run {purpose} "
                f"(e.g. `sudo apt-get install -y {package}`)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = updated if updated is not None else [False]
    cmds = ([] if done[0] else [[apt, "update"]]) + [[apt, "install", "-y", package]]
    for cmd in cmds:
        p = run(cmd, env=env, check=False)
        if p.returncode != 0:
            return f"`{' '.join(cmd)}` failed with status {p.returncode}; {purpose} will skip"
        done[0] = done[0] or cmd[-1] == "update"
    found = shutil.which(program)
    return (f"installed {program}: {found}" if found
            else f"apt-get installed {package}, but no {program} on PATH")


def ensure_node(run: Callable[..., Any] = subprocess.run,
                updated: list[bool] | None = None) -> str:
    return ensure("node", "nodejs", "the node engine tests (Node.js >= 20)", run, updated)


def ensure_graphviz(run: Callable[..., Any] = subprocess.run,
                    updated: list[bool] | None = None) -> str:
    return ensure("dot", "graphviz", "the Graphviz rendering test", run, updated)


if __name__ == "__main__":
    apt_updated = [False]
    for setup in (ensure_node, ensure_graphviz):
        print(f"setup_system: {setup(updated=apt_updated)}", file=sys.stderr)
