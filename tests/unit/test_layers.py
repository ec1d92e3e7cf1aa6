"""The layering of the packages (docs/models.md, "Layers"): metatheory imports properties and
proofs, which import semantics; semantics imports none of them; properties and proofs never
import metatheory; no import circle between packages (the semantics sub-packages wasm, text, js,
memory and litmus count as packages) nor, at module level, between the modules of one package.

Imports are read with ``ast`` from the source files, those inside functions included (a lazy
import still ties the packages together; only module circles look at module level alone).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs

import semantics

ROOT = Path(semantics.__file__).resolve().parent.parent
TOP = ("metatheory", "properties", "proofs", "semantics")
SUB = ("semantics.wasm", "semantics.text", "semantics.memory", "semantics.litmus", "semantics.js")
# (importer, imported): top packages that must never import the other
FORBIDDEN = tuple(("semantics", p) for p in ("metatheory", "properties", "proofs")) + (
    ("properties", "metatheory"), ("proofs", "metatheory"))



@attrs.frozen
class Problem:
    kind: str  # "package circle", "module circle", "forbidden import"
    where: tuple[str, ...]  # the packages or modules involved, sorted
    evidence: str

    def __str__(self) -> str:
        return f"{self.kind}: {', '.join(self.where)} ({self.evidence})"


@attrs.frozen
class Import:
    importer: str
    imported: str
    top_level: bool  # executed when the importer is imported (not inside a function)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the packages under ``root``, by dotted name."""
    found: dict[str, Path] = {}
    for top in TOP:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _walk(node: ast.AST, top_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        inside = top_level and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
        yield child, inside
        yield from _walk(child, inside)


def imports(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    """The modules of ``known`` that ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[Import] = []
    for node, top_level in _walk(ast.parse(path.read_text(encoding="utf-8")), True):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from p import m`` imports the module p.m if there is one, else a name of p
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for t in targets:
            if t in known and t != name:
                out.append(Import(name, t, top_level))
    return out


def package_of(module: str) -> str:
    for sub in SUB:
        if module == sub or module.startswith(sub + "."):
            return sub
    return module.split(".")[0]


def circles(edges: dict[str, dict[str, str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[tuple[str, ...]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(tuple(sorted(comp)))

    nodes = sorted(set(edges) | {w for ws in edges.values() for w in ws})
    for v in nodes:
        if v not in index:
            visit(v)
    return sorted(found)


def _evidence(comp: tuple[str, ...], edges: dict[str, dict[str, str]]) -> str:
    return "; ".join(edges[a][b] for a in comp for b in sorted(edges.get(a, {})) if b in comp)


def problems(root: Path) -> list[Problem]:
    known = modules(root)
    found = [i for name, path in known.items() for i in imports(name, path, known)]
    out: list[Problem] = []
    packages: dict[str, dict[str, str]] = {}
    for i in found:
        a, b = package_of(i.importer), package_of(i.imported)
        if a != b:
            packages.setdefault(a, {}).setdefault(b, f"{i.importer} imports {i.imported}")
        pair = (i.importer.split(".")[0], i.imported.split(".")[0])
        bad = Problem("forbidden import", pair, f"{i.importer} imports {i.imported}")
        if pair in FORBIDDEN and bad not in out:
            out.append(bad)
    out += [Problem("package circle", c, _evidence(c, packages)) for c in circles(packages)]
    mods: dict[str, dict[str, str]] = {}
    for i in found:
        if i.top_level and package_of(i.importer) == package_of(i.imported):
            mods.setdefault(i.importer, {}).setdefault(i.imported,
                                                       f"{i.importer} imports {i.imported}")
    out += [Problem("module circle", c, _evidence(c, mods)) for c in circles(mods)]
    return out


def test_the_packages_are_layered_without_circles() -> None:
    found = problems(ROOT)
    assert not found, "\n".join(map(str, found))


def _tree(root: Path, files: dict[str, str]) -> Path:
    for top in (*TOP, *SUB):
        d = root.joinpath(*top.split("."))
        d.mkdir(parents=True, exist_ok=True)
        (d / "__init__.py").touch()
    for rel, text in files.items():
        (root / rel).write_text(text)
    return root


def test_the_checker_reports_circles_and_bad_imports(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        # a package circle through a lazy import
        "semantics/memory/m.py": "def f():\n    from semantics.litmus import l\n",
        "semantics/litmus/l.py": "from semantics.memory.m import f\n",
        # a module circle at module level; p2 -> p3 is lazy, so p3 is in no circle
        "properties/p1.py": "import properties.p2\n",
        "properties/p2.py": "from properties import p1\n\ndef g():\n    import properties.p3\n",
        "properties/p3.py": "from . import p2\n",
        # semantics importing upwards, and properties importing metatheory
        "semantics/wasm/w.py": "def h():\n    import metatheory.t\n",
        "metatheory/t.py": "import properties.p3\n",
        "properties/p4.py": "from metatheory.t import x\n",
    })
    found = {(p.kind, p.where): str(p) for p in problems(root)}
    assert set(found) == {
        ("package circle", ("semantics.litmus", "semantics.memory")),
        ("package circle", ("metatheory", "properties")),
        ("module circle", ("properties.p1", "properties.p2")),
        ("forbidden import", ("semantics", "metatheory")),
        ("forbidden import", ("properties", "metatheory")),
    }, found
    assert "semantics.memory.m imports semantics.litmus.l" in found[
        ("package circle", ("semantics.litmus", "semantics.memory"))]
    assert "semantics.wasm.w imports metatheory.t" in found[("forbidden import",
                                                              ("semantics", "metatheory"))]


def test_a_layered_tree_has_no_problems(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "semantics/memory/m.py": "X = 1\n",
        "semantics/litmus/l.py": "from semantics.memory.m import X\n",
        "properties/p.py": "from semantics.litmus import l\n\ndef f():\n    import properties.q\n",
        "properties/q.py": "import properties.p\n",
        "proofs/z.py": "import semantics.memory.m\n",
        "metatheory/t.py": "import properties.p\nimport proofs.z\n",
    })
    assert problems(root) == []
