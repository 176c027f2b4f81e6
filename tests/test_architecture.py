"""The package layers point one way (docs/architecture.md): `db` <- domain packages <- `web` and
`cli`. Read from the source with `ast`, so an import added anywhere (at the top, inside a
function, under `TYPE_CHECKING`) is caught before it runs.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "streetlight"

# Modules every layer may use: the error tree, progress reporting, shift hours, TOML reading.
KERNEL = frozenset({"", "errors", "progress", "shifts", "tomlfile"})

# Each domain package and the other domain packages (and `db`) it may import. Anything not
# listed is forbidden, so a new dependency is a decision written here, not an accident.
DOMAIN: dict[str, frozenset[str]] = {
    "geo": frozenset(),
    "maps": frozenset({"geo"}),
    "store": frozenset({"geo"}),
    "ingest": frozenset({"geo", "store"}),
    "hotspots": frozenset({"geo", "store", "maps", "cluster"}),
    "evaluate": frozenset({"geo", "store", "hotspots", "cluster"}),
    "reports": frozenset({"db", "geo", "store", "hotspots", "maps"}),
    "deploy": frozenset(
        {"geo", "store", "ingest", "hotspots", "evaluate", "maps", "reports", "cluster"}
    ),
    "verify": frozenset({"db"}),
    "staff": frozenset({"db"}),
    "unit": frozenset({"db", "geo", "linkage"}),
    "linkage": frozenset(),
    # Runs any per-force function on Dask; knows no domain (docs/cluster.md).
    "cluster": frozenset(),
    "conduct": frozenset({"db", "staff", "verify"}),
}
# The demo runs the whole library on the sample; only the front ends use it.
DEMO = "demo"
FRONT_ENDS = frozenset({"web", "cli"})
# The web package's one face for the command line: serving it.
WEB_FOR_CLI = frozenset({"web", "web.server"})


@dataclass(frozen=True)
class Import:
    module: str  # importer, without the "streetlight." prefix ("" for the package itself)
    target: str  # imported module, likewise
    line: int

    def __str__(self) -> str:
        return f"{ROOT}.{self.module} -> {ROOT}.{self.target} (line {self.line})"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = path.relative_to(SRC / ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The longest known module `name` starts with ("streetlight.x.y.Name" -> "x.y")."""
    if name != ROOT and not name.startswith(ROOT + "."):
        return None
    rest = name[len(ROOT) + 1 :]
    while rest not in MODULES and rest:
        rest = rest.rpartition(".")[0]
    return rest


def _imports_of(module: str, path: Path) -> Iterator[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = [ROOT, *package.split(".")] if package else [ROOT]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                yield Import(module, target, node.lineno)


IMPORTS = sorted(
    {i for module, path in MODULES.items() for i in _imports_of(module, path)},
    key=lambda i: (i.module, i.line, i.target),
)


def _top(module: str) -> str:
    return module.partition(".")[0]


def _is_command(module: str) -> bool:
    return module.startswith("cli.") and module.endswith("_cmd")


def forbidden(i: Import) -> str | None:
    """Why `i` breaks the layers, or None when it is allowed."""
    source, target = _top(i.module), _top(i.target)
    if source == target:
        if _is_command(i.module) and _is_command(i.target):
            return "a command module imports another (shared parts belong in cli/options.py)"
        if i.module.startswith("web.core") and not i.target.startswith("web.core"):
            return "web.core imports a feature package of the web app"
        return None
    if target in KERNEL:
        return None
    if source in KERNEL:
        return f"the kernel module {source or ROOT!r} imports {target!r}"
    if source == "db":
        return "db imports a package above it"
    if source in DOMAIN:
        if target in DOMAIN[source]:
            return None
        return f"the domain package {source!r} may not import {target!r}"
    if source == DEMO:
        return "the demo imports a front end" if target in FRONT_ENDS else None
    if source == "web":
        return "web imports the command line or the demo" if target in {"cli", DEMO} else None
    if source == "cli":
        if target == "web" and i.target not in WEB_FOR_CLI:
            return "the command line reaches into the web app's internals"
        return None
    if source == "__main__":
        return None if target == "cli" else "__main__ only starts the command line"
    return f"{source!r} is in no layer: add it to DOMAIN or to docs/architecture.md's map"


def test_every_import_points_down_the_layers() -> None:
    wrong = [f"{i}: {why}" for i in IMPORTS if (why := forbidden(i))]
    assert not wrong, "\n".join(wrong)


def test_every_package_is_placed_in_a_layer() -> None:
    placed = KERNEL | DOMAIN.keys() | FRONT_ENDS | {"db", DEMO, "__main__"}
    assert {_top(m) for m in MODULES} <= placed


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back() -> None:
    """Two modules that import each other (even under TYPE_CHECKING) are one module in two
    files: whichever a reader opens first, they must read the other."""
    edges: dict[str, set[str]] = defaultdict(set)
    for i in IMPORTS:
        # A package's __init__ re-exporting its modules is not a cycle of meaning.
        if not i.module or not i.target.startswith(i.module + "."):
            edges[i.module].add(i.target)
    for module in MODULES:
        edges[module]
    assert not _cycles(edges)


# The imports the restructuring removed: each must still be refused by the rules above.
REMOVED = [
    ("db.models.reports", "reports.categories"),
    ("maps.plan", "deploy.plan"),
    ("maps.plan", "hotspots.forecast"),
    ("hotspots.export", "reports.perception"),
    ("cli.staff_cmd", "web.auth.accounts"),
    ("cli.staff_cmd", "web.settings"),
    ("cli.serve_cmd", "web.core.settings"),
    ("cli.hotspots_cmd", "cli.reports_cmd"),
    ("cli.plan_cmd", "cli.reports_cmd"),
    ("cli.plan_backtest_cmd", "cli.plan_cmd"),
    ("cli.hotspots_cmd", "cli.db_cmd"),
    ("demo", "web.demo_force"),
    ("reports.categories", "web.report_words"),
    ("verify.service", "web.core.context"),
    ("ingest.pipeline", "cli.terminal"),
    ("hotspots.forecast", "deploy.plan"),
    ("staff.accounts", "web.core.settings"),
    ("web.core.context", "web.verify.checks"),
]


@pytest.mark.parametrize(("module", "target"), REMOVED)
def test_the_rules_refuse_the_old_wrong_way_imports(module: str, target: str) -> None:
    assert forbidden(Import(module, target, 1)) is not None


def package_graph() -> dict[str, set[str]]:
    """Each top-level package and the others it imports: the picture docs/architecture.md draws."""
    graph: dict[str, set[str]] = defaultdict(set)
    for i in IMPORTS:
        source, target = _top(i.module), _top(i.target)
        if source != target and target not in KERNEL:
            graph[source or ROOT].add(target)
    return graph


if __name__ == "__main__":  # uv run python -m tests.test_architecture
    for package, targets in sorted(package_graph().items()):
        print(f"{package:10} -> {', '.join(sorted(targets))}")
