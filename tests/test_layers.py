"""The package's folders are its layers: data in → report computations → build and book → CLI on top.

A module may import from its own layer and the layers below it, never from a layer above
(so there is no import cycle between layers). ``fmt`` and ``paths`` are utilities below everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "informe"
ORDER = {"fmt": 0, "paths": 0, "data": 1, "report": 2, "publish": 3, "cli": 4, "__main__": 5}


def layer_of(module: str) -> str:
    """``informe.data.checks`` → ``data``; ``informe.cli`` → ``cli``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path) -> list[str]:
    """Absolute names of the package modules ``path`` imports (relative imports resolved)."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(relative.parts[:-1]) if relative.name != "__init__" else list(relative.parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                names += [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            elif node.module and node.module.startswith("informe"):
                names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.startswith("informe")]
    return names


def test_no_module_imports_from_a_layer_above_its_own():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = layer_of(module)
        if own not in ORDER:
            continue
        for target in imported_modules(path):
            other = layer_of(target)
            if other in ORDER and ORDER[other] > ORDER[own]:
                offenders.append(f"{module} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_relative_imports_are_resolved_to_their_layer():
    """The check reads relative imports right, so an upward ``from ...publish import x`` could not hide."""
    summary = imported_modules(PACKAGE / "report" / "sections" / "summary.py")
    assert "informe.data.finance" in summary or "informe.data" in " ".join(summary)
    assert "informe.report.display" in summary
    assert {layer_of(t) for t in imported_modules(PACKAGE / "publish" / "pipeline.py")} >= {"data", "publish"}
