"""Running a compiled test on V8: the machine's Node.js runs the harness this package ships
(harness.mjs), one worker thread per litmus thread over one shared ``WebAssembly.Memory``:
a Wasm thread's worker runs its exported function, a JS thread's its body (``js_agent``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from importlib import resources

import attrs
import wasmtime

from metatheory.engines.compile import PAGE, Compiled
from metatheory.engines.observed import EngineError, Observed


def node_binary() -> str | None:
    return shutil.which("node")


def run_node(c: Compiled, iterations: int, seed: int) -> Observed:
    node = node_binary()
    if node is None:
        raise EngineError("node is not on PATH (python -m metatheory.engines.setup_system "
                          "installs Node.js)")
    lay = c.layout
    with tempfile.TemporaryDirectory(prefix="weakwasm-node-") as tmp:
        wasm = os.path.join(tmp, "test.wasm")
        with open(wasm, "wb") as f:
            f.write(wasmtime.wat2wasm(c.wat))
        job = {"wasm": wasm, "threads": c.threads, "pages": lay.pages, "batch": lay.batch,
               "loc": lay.loc, "stride": lay.stride, "rec": lay.rec,
               "record_size": lay.record_size, "iterations": iterations, "seed": seed,
               "init": [[off, bs.hex()] for off, bs in c.init],
               "memory_bytes": c.test.program.memory.min * PAGE,
               "depart_spins": c.depart_spins,
               "agents": [attrs.asdict(a) for a in c.agents]}
        job_path = os.path.join(tmp, "job.json")
        with open(job_path, "w", encoding="utf-8") as f:
            json.dump(job, f)
        harness = resources.files("metatheory.engines").joinpath("harness.mjs")
        with resources.as_file(harness) as script:
            p = subprocess.run([node, str(script), job_path], capture_output=True, text=True,
                               check=False)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines:
        raise EngineError(f"node exited with status {p.returncode}: "
                          f"{(p.stderr.strip().splitlines() or ['no output'])[-1]}")
    out = json.loads(lines[-1])
    if "error" in out:
        raise EngineError(out["error"])
    states = tuple((c.decode(bytes.fromhex(h)), n) for h, n in out["counts"].items())
    return Observed(c.test.name, "node", c.test.condition, states, iterations,
                    float(out["seconds"]), seed)
