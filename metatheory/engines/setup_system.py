"""``python -m metatheory.engines.setup_system``: make sure Node.js is there for the node engine
(tox runs this before the tests). Installs it with apt-get when ``node`` is missing and we are
root with apt-get available; otherwise says what to do. Never fails the run: without node the
node tests skip and say why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def ensure_node(run: Callable[..., Any] = subprocess.run) -> str:
    """What happened, one line."""
    if shutil.which("node"):
        return f"node found: {shutil.which('node')}"
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        why = "apt-get is not available" if apt is None else "not running as root"
        return (f"node is missing and {why}: install Node.js (>= 20) to run the node engine "
                "tests (e.g. `sudo apt-get install -y nodejs`)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in ([apt, "update"], [apt, "install", "-y", "nodejs"]):
        p = run(cmd, env=env, check=False)
        if p.returncode != 0:
            return f"`{' '.join(cmd)}` failed with status {p.returncode}; node tests will skip"
    found = shutil.which("node")
    return f"installed node: {found}" if found else "apt-get installed nodejs, but no node on PATH"


if __name__ == "__main__":
    print(f"setup_system: {ensure_node()}", file=sys.stderr)
