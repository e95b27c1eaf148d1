"""The layout holds: apps depend downward only, bkb/lib imports no app, and no module circle.

groups <- cadres <- families <- sessions <- reports <- devdata: an app may import
the apps before it in this line, never one after it, not even lazily inside a
function. A string foreign key ("coaching.CoachingSession") is data, not an import.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["groups", "cadres", "families", "sessions", "reports", "devdata"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def _modules() -> dict[str, Path]:
    found = {}
    for top in [*LAYERS, "bkb"]:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module `name` refers to (a module, or the package holding a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """Every project module `module` imports, at any depth (lazy imports count too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from reports import figures` imports the module reports.figures.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.append((node.lineno, target))
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _app(module: str) -> str:
    top = module.split(".")[0]
    return "bkb.lib" if module.startswith("bkb.lib") else top


def test_apps_import_only_the_apps_below_them():
    upward = []
    for module, imports in GRAPH.items():
        app = _app(module)
        for line, target in imports:
            other = _app(target)
            if app == "bkb.lib" and other != "bkb.lib":
                upward.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target} (bkb/lib imports no app)")
            elif app in RANK and other in RANK and RANK[other] > RANK[app]:
                upward.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target} ({other} is above {app})")
    assert upward == []


def test_no_module_imports_itself_in_a_circle():
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for _line, target in GRAPH.get(module, []):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from families import kka", "families.kka"),
        ("from families.models import Child", "families.models"),
        ("import reports.figures", "reports.figures"),
    ],
)
def test_the_graph_reads_each_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(f"def later():\n    {source}\n")
    assert _imports("groups.probe", path) == [(2, expected)]
