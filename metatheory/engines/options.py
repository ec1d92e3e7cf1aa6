"""The command line of ``weakwasm run``, apart from the engines themselves, so that parsing
any ``weakwasm`` command does not import them."""

from __future__ import annotations

import argparse

ENGINES = ("wasmtime", "node")


def add_arguments(p: argparse.ArgumentParser, models: str) -> None:
    p.add_argument("files", metavar="FILE|DIR", nargs="+",
                   help="litmus tests (.litmus), threads-proposal scripts (.wast), or "
                        "directories of .litmus tests")
    p.add_argument("--engine", choices=ENGINES, required=True,
                   help="wasmtime (the Python bindings) or node (V8)")
    p.add_argument("--iterations", type=int, default=100_000,
                   help="runs of each test (default 100000)")
    p.add_argument("--seed", type=int, default=0,
                   help="placement of iterations on strides of memory (default 0); the same "
                        "seed gives the same placement, not the same outcomes")
    p.add_argument("--model", default="wasm", help=f"{models} (default: wasm)")
    p.add_argument("--batch", type=int, default=1000,
                   help="iterations per launch of the threads (default 1000)")
