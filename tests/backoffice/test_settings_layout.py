"""Settings by concern: backoffice/settings.py only lists the modules of backoffice/conf/, each setting is defined in
one of them, nothing changes a setting another module defines, and no section is named after an issue (a reader
looks for "mail", not for the ticket that once touched it). Read with `ast`, so nothing is imported."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "backoffice" / "conf"
SETTINGS = ROOT / "backoffice" / "settings.py"
ISSUE_NAMED = re.compile(r"\b(issue|ticket)s?\s*#?\s*\d+|#\d+\b", re.IGNORECASE)
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "remove", "clear"}


def conf_modules():
    return {path.stem: path for path in sorted(CONF.glob("*.py")) if path.name != "__init__.py"}


def is_setting(name):
    return name.isupper()


def root_name(node):
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def assigned_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in assigned_names(t)]
    return []


def module_statements(tree):
    """Module-level statements, with those inside `if`/`else` (and their nesting), never function bodies."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            todo[:0] = [*node.body, *node.orelse, *getattr(node, "finalbody", [])]


def settings_of(path):
    """(names the module defines, [(name, line) of unconditional top-level definitions], [changes made to a setting
    through a subscript, an attribute or a mutating method call: (name, line)])."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined, top_level, changed = set(), [], []
    top = set(map(id, tree.body))
    for node in module_statements(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for name in filter(is_setting, assigned_names(target)):
                defined.add(name)
                if id(node) in top and isinstance(node, (ast.Assign, ast.AnnAssign)):
                    top_level.append((name, node.lineno))
            if isinstance(target, (ast.Subscript, ast.Attribute)) and is_setting(root_name(target) or ""):
                changed.append((root_name(target), node.lineno))
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)) if not isinstance(
                node, (ast.If, ast.Try)) else ():
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in MUTATORS and is_setting(root_name(func.value) or ""):
                changed.append((root_name(func.value), call.lineno))
    return defined, top_level, changed


def test_settings_py_is_a_table_of_contents():
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    listed = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        assert isinstance(node, ast.ImportFrom) and [a.name for a in node.names] == ["*"], (
            f"backoffice/settings.py:{node.lineno} does more than import a conf module")
        assert node.module.startswith("backoffice.conf."), node.module
        listed.append(node.module.rsplit(".", 1)[1])
    assert sorted(listed) == sorted(conf_modules()), "every conf module is listed once, and nothing else"
    assert len(listed) == len(set(listed))


def test_every_setting_is_defined_in_one_module():
    owner, twice, redefined, foreign = {}, [], [], []
    for stem, path in conf_modules().items():
        defined, top_level, changed = settings_of(path)
        for name in sorted(defined):
            if name in owner:
                twice.append(f"{name}: conf/{owner[name]}.py and conf/{stem}.py")
            owner.setdefault(name, stem)
        names = [n for n, _line in top_level]
        redefined += [f"conf/{stem}.py:{line} {name}" for name, line in top_level if names.count(name) > 1]
        foreign += [f"conf/{stem}.py:{line} changes {name}" for name, line in changed if name not in defined]
    assert not twice, "defined in two modules:\n" + "\n".join(twice)
    assert not redefined, "assigned twice in one module:\n" + "\n".join(redefined)
    assert not foreign, "changed outside the module that defines it:\n" + "\n".join(foreign)
    assert len(owner) > 100  # the parse found the settings


def test_no_section_is_named_after_an_issue():
    found = []
    for path in [SETTINGS, *conf_modules().values()]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ISSUE_NAMED.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "name the concern, not the issue:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The parse itself: a second definition, a change from another module and an issue-named section are seen."""
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text("X = 1\nLIMITS = {}\nif X:\n    Y = 2\nelse:\n    Y = 3\n", encoding="utf-8")
    second.write_text("# --- uploads (issue 16) ---\nX = 2\nX = 3\nLIMITS['a'] = 1\nMIDDLEWARE.insert(0, 'm')\n",
                      encoding="utf-8")
    defined_a, top_a, changed_a = settings_of(first)
    defined_b, top_b, changed_b = settings_of(second)
    assert defined_a == {"X", "LIMITS", "Y"} and [n for n, _ in top_a] == ["X", "LIMITS"] and not changed_a
    assert defined_a & defined_b == {"X"}
    assert [n for n, _ in top_b] == ["X", "X"]
    assert {n for n, _ in changed_b} == {"LIMITS", "MIDDLEWARE"}
    assert ISSUE_NAMED.search(second.read_text(encoding="utf-8").splitlines()[0])
