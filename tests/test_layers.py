"""The layout is the architecture (ARCHITECTURE.md): every import of the package, inside
functions too, goes to the module's own layer package or to a layer below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kg"
FOUNDATIONS = {"kg", "kg.paths", "kg.namespaces", "kg.terms", "kg.formats", "kg.dates"}
# Each layer, and the layers it may import (besides its own package and the foundations).
LAYERS = {
    "kg.engine": set(),
    "kg.sparql": {"kg.engine"},
    "kg.pipeline": {"kg.engine"},
    "kg.writes": {"kg.pipeline", "kg.engine"},
    "kg.dataset": {"kg.pipeline", "kg.engine"},
    "kg.linking": {"kg.pipeline"},
    "kg.backend": {"kg.sparql", "kg.pipeline", "kg.engine"},
    "kg.curation": {"kg.linking", "kg.writes", "kg.dataset", "kg.pipeline", "kg.engine"},
    "kg.server": {"kg.engine", "kg.sparql", "kg.pipeline", "kg.writes", "kg.dataset",
                  "kg.linking", "kg.backend", "kg.curation"},
    "kg.cli": set(),  # the top: it may import anything
}
MAX_TOP_LEVEL_MODULES = 8


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("kg", *path.relative_to(PACKAGE).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """Every kg module `name` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {target for target in found if target == "kg" or target.startswith("kg.")}


def layer_of(module: str) -> str | None:
    if module in FOUNDATIONS:
        return None
    return next((layer for layer in LAYERS if module == layer or module.startswith(layer + ".")),
                module)


def test_every_import_goes_down_or_stays_in_its_layer():
    known = modules()
    wrong = []
    for name, path in known.items():
        own = layer_of(name)
        for target in imports(name, path):
            while target not in known and "." in target:
                target = target.rpartition(".")[0]  # `from kg.x import name` names a module's member
            theirs = layer_of(target)
            allowed = own == "kg.cli" or theirs is None or theirs == own or \
                (own in LAYERS and theirs in LAYERS[own])
            if own is None and theirs is not None:
                allowed = False  # a foundation imports only foundations
            if not allowed:
                wrong.append(f"{name} imports {target}")
    assert not wrong, "imports against the layering of ARCHITECTURE.md:\n" + "\n".join(sorted(wrong))


def test_every_module_belongs_to_a_layer():
    stray = [name for name in modules() if layer_of(name) not in (None, *LAYERS)]
    assert not stray, f"modules outside the layers of ARCHITECTURE.md: {stray}"


def test_few_modules_directly_under_the_package():
    top = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
