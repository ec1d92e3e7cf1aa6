"""enumerator_eq_solver on the whole golden corpus: per test, whether the Z3 encoding
(proofs/litmus.py) finds exactly the explicit enumerator's outcomes, the outcome counts, and the
seconds of both sides; then totals per model.

    python bench/solver_outcomes.py [--model wasm ...] [--mutants] [DIR_OR_FILES...]

Exits with status 1 when some test disagrees.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import attrs  # noqa: E402
import z3  # noqa: E402

from metatheory.mutants import MUTANTS  # noqa: E402
from proofs.litmus import compare, corpus  # noqa: E402
from semantics.memory.model import MODELS, Model, get_model  # noqa: E402


def _files(args: list[str]) -> list[str]:
    out: list[str] = []
    for a in args or [str(Path(__file__).resolve().parents[1] / "tests" / "litmus")]:
        p = Path(a)
        out += corpus(p) if p.is_dir() else [str(p)]
    return out


def run(model: str | Model, files: list[str], root: Path) -> bool:
    name = model if isinstance(model, str) else model.name
    print(f"\n== model {name}")
    print(f"{'test':52s} {'equal':>5s} {'expl':>5s} {'z3':>5s} {'z3 s':>7s} {'expl s':>7s}")
    ok = True
    solver_s = explicit_s = 0.0
    start = time.perf_counter()
    for f in files:
        c = compare(f, get_model(model) if isinstance(model, str) else model)
        row = c.row
        ok &= row.equal
        solver_s += row.seconds
        explicit_s += c.explicit.seconds
        shown = Path(f).relative_to(root).as_posix() if Path(f).is_relative_to(root) else f
        print(f"{shown:52s} {'yes' if row.equal else 'NO':>5s} {row.explicit_count:5d} "
              f"{row.solver_count:5d} {row.seconds:7.2f} {c.explicit.seconds:7.2f}", flush=True)
        if not row.equal:
            print(f"    explicit only: {sorted(c.explicit_only)}")
            print(f"    solver only:   {sorted(c.solver_only)}")
    wall = time.perf_counter() - start
    print(f"total {name}: {len(files)} tests, {'all equal' if ok else 'DISAGREEMENT'}; "
          f"solver {solver_s:.1f} s, explicit {explicit_s:.1f} s, wall {wall:.1f} s")
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*")
    p.add_argument("--model", action="append", choices=sorted(MODELS),
                   help="a model (repeatable; default: wasm)")
    p.add_argument("--mutants", action="store_true",
                   help="also every mutant of metatheory/mutants.py and wasm with hb not closed")
    args = p.parse_args()
    files = _files(args.paths)
    root = Path(__file__).resolve().parents[1] / "tests" / "litmus"
    models: list[str | Model] = list(args.model or ["wasm"])
    if args.mutants:
        models += [m.model() for m in MUTANTS.values()]
        models.append(attrs.evolve(get_model("wasm"), name="wasm-hb-open", hb_transitive=False))
    print(f"z3 {z3.get_version_string()}, {len(files)} litmus files")
    ok = all([run(m, files, root) for m in models])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
