"""What a ``--model`` argument names, for every command that takes one (docs/models.md):

- a variant, ``semantics.memory.model.MODELS`` (``wasm``, ``wasm-oopsla19``, ``es2017``,
  ``es2020``);
- a mutant, ``metatheory.mutants.MUTANTS`` (``wasm`` with one injected error);
- ``sc``, the SC machine (``semantics.litmus.result.SC``): no axioms, so only ``weakwasm litmus``
  runs it;
- ``FILE.py``, a Python file of the user's that defines ``MODEL``, a ``Model`` built from the
  library's axioms and relations (docs/examples/no_dagger.py), so that a changed model is run,
  hunted and proved without an edit of the package.

A bad argument raises ``BadModel`` with a one-line message naming what was expected.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Literal, overload

from metatheory.mutants import MUTANTS
from semantics.litmus.result import SC, SCMachine
from semantics.memory.model import MODELS, Model

EXPECTED = "a Python file that defines MODEL, a semantics.memory.model.Model"


class BadModel(ValueError):
    """A ``--model`` argument that names no model (a one-line message)."""


def known() -> str:
    return (f"variants: {', '.join(MODELS)}; mutants: {', '.join(MUTANTS)}; "
            f"{SC.name} (the SC machine: litmus and run only); or FILE.py, {EXPECTED}")


@overload
def resolve_model(spec: str, *, sc: Literal[False] = False) -> Model: ...


@overload
def resolve_model(spec: str, *, sc: Literal[True]) -> Model | SCMachine: ...


def resolve_model(spec: str, *, sc: bool = False) -> Model | SCMachine:
    """The model ``spec`` names; ``sc=True`` where the SC machine may stand in for one."""
    if spec.endswith(".py"):
        return load_model_file(spec)
    if spec == SC.name:
        if sc:
            return SC
        raise BadModel(f"{spec!r} is the SC machine, which has no axioms: only weakwasm litmus "
                       f"runs it; {known()}")
    if spec in MUTANTS:
        return MUTANTS[spec].model()
    if spec in MODELS:
        return MODELS[spec]
    raise BadModel(f"unknown model {spec!r}; {known()}")


def load_model_file(path: str) -> Model:
    """``MODEL`` of the Python file at ``path``, run as a module of its own."""
    file = Path(path)
    if not file.is_file():
        raise BadModel(f"{path}: no such file; expected {EXPECTED}")
    name = f"weakwasm_model_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise BadModel(f"{path}: cannot be loaded as Python; expected {EXPECTED}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look a class's module up there
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:
        del sys.modules[name]
        why = " ".join(f"{type(e).__name__}: {e}".split())
        raise BadModel(f"{path}: {why}; expected {EXPECTED}") from None
    if not hasattr(module, "MODEL"):
        raise BadModel(f"{path}: defines no MODEL; expected {EXPECTED}")
    model = module.MODEL
    if not isinstance(model, Model):
        raise BadModel(f"{path}: MODEL is a {type(model).__name__}, not a Model; "
                       f"expected {EXPECTED}")
    return model
