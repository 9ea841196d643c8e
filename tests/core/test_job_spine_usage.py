"""Every effect after a commit goes through the spine: no bare on_commit(lambda …), no async_task outside
core/jobs, no task named by a module path. Walks the source with ast, tests and the virtualenv aside."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "invoices", "incidents", "portal", "backoffice", "bench"]


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _name(node):
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def test_no_bare_on_commit_lambda_and_no_async_task_outside_the_spine():
    found = []
    for path in _sources():
        rel = path.relative_to(ROOT)
        in_spine = rel.parts[:2] == ("core", "jobs")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name == "on_commit" and node.args and isinstance(node.args[0], ast.Lambda):
                found.append(f"{rel}:{node.lineno} on_commit(lambda …)")
            if name == "async_task" and not in_spine:
                found.append(f"{rel}:{node.lineno} async_task outside core/jobs")
    assert not found, "use core.jobs.enqueue_on_commit / dispatch_on_commit with a registered name:\n" + "\n".join(found)


def test_no_task_is_named_by_a_module_path():
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if value.startswith(("invoices.", "incidents.", "portal.")) and ".tasks." in value:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {value}")
    assert not found, found
