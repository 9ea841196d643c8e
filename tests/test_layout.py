"""The package layout holds: no import circles, and every import points down the layers
(core ← invoices.ledger ← invoices.platform ← invoices.reissue; invoices.reconciliation on ledger and platform;
incidents on invoices; backoffice and bench wire everything). Imports inside functions count too: a late import
hides a circle, it does not remove it. Read with `ast`, so nothing is imported to check it."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "invoices", "incidents", "portal", "backoffice", "bench"]

# What each part may import from the project, by module prefix. A module matches its longest prefix here.
ALLOWED = {
    "core": {"core"},
    "invoices.signals": set(),
    "invoices.ledger": {"core", "invoices.ledger", "invoices.signals"},
    "invoices.platform": {"core", "invoices.ledger", "invoices.platform", "invoices.signals"},
    "invoices.files": {"core", "invoices.ledger", "invoices.platform", "invoices.files", "invoices.signals"},
    "invoices.reissue": {"core", "invoices.ledger", "invoices.platform", "invoices.files", "invoices.reissue",
                         "invoices.signals"},
    "invoices.reconciliation": {"core", "invoices.ledger", "invoices.platform", "invoices.reconciliation",
                                "invoices.signals"},
    # The app's own top level: models/admin/api gather the subdomains, apps connects receivers, demo seeds.
    "invoices": {"core", "invoices"},
    "incidents": {"core", "invoices", "incidents"},
    "portal": {"core", "invoices", "incidents", "portal"},
    "backoffice": {"core", "invoices", "incidents", "portal", "backoffice"},
    "bench": {"core", "invoices", "incidents", "portal", "backoffice", "bench"},
}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(name, path, modules):
    """(target module, line) for every project import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        found += [(t, node.lineno) for t in targets if t.split(".")[0] in PACKAGES]
    return found


def layer(name):
    return max((p for p in ALLOWED if name == p or name.startswith(p + ".")), key=len)


@pytest.fixture(scope="module")
def graph():
    modules = project_modules()
    return modules, {name: imports_of(name, path, modules) for name, path in modules.items()}


def test_every_project_import_names_a_module_that_exists(graph):
    modules, edges = graph
    missing = [f"{name}:{line} imports {target}" for name, targets in edges.items() for target, line in targets
               if target not in modules]
    assert not missing, "\n".join(missing)


def test_imports_point_down_the_layers(graph):
    _modules, edges = graph
    upward = []
    for name, targets in edges.items():
        allowed = ALLOWED[layer(name)]
        for target, line in targets:
            if not any(target == a or target.startswith(a + ".") for a in allowed):
                upward.append(f"{name}:{line} imports {target}")
    assert not upward, "\n".join(upward)


def find_cycles(edges):
    """Strongly connected components of more than one module (or a module importing itself): Tarjan's."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
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
            if len(component) > 1 or v in edges.get(v, ()):
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return cycles


def test_no_import_circles(graph):
    _modules, edges = graph
    simple = {name: {t for t, _line in targets} for name, targets in edges.items()}
    cycles = find_cycles(simple)
    assert not cycles, "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_finder_sees_a_circle_through_a_late_import():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(edges) == [["a", "b", "c"]]


def test_the_layer_check_sees_an_upward_import():
    assert layer("invoices.ledger.services.issue") == "invoices.ledger"
    assert "invoices.platform" not in ALLOWED[layer("invoices.ledger.admin")]
    assert "invoices" not in ALLOWED[layer("core.admin.tables")]
    assert layer("invoices.demo") == "invoices"


@pytest.mark.django_db
def test_models_match_their_migrations():
    """Moving modules must not move tables: the models as the subpackages define them need no new migration."""
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) on any change
