"""docs/architecture.md's app table against the code and the layers contract (pyproject.toml).

The contract itself is checked by ``lint-imports`` in ``make test``; this test keeps the table a
newcomer reads honest: each app's "depends on" cell is exactly the apps it imports (tests,
migrations, management commands and demo seeders left out, as in the contract), and each of them
sits in a lower layer. On a mismatch the message prints the cell to paste.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "shoulian"
# The modules the contract leaves out (its ignore_imports).
WIRING = {"tests", "migrations", "management"}
WIRING_FILES = {"demo.py", "conftest.py"}
# Modules of audit that are its screens: they sit above accounts (the contract's own layer).
AUDIT_SCREENS = {"forms", "selectors", "templatetags", "timeline", "urls", "views"}


def _node(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "shoulian" or not (PACKAGE / parts[1]).is_dir():
        return None
    if parts[1] == "audit" and len(parts) > 2 and parts[2] in AUDIT_SCREENS:
        return "audit screens"
    return parts[1]


def actual_dependencies() -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        if WIRING & set(rel.parts) or path.name in WIRING_FILES:
            continue
        source = _node(".".join(rel.parts))
        if source is None:
            continue
        deps.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = _node(name)
                if target is not None and target != source:
                    deps[source].add(target)
    return deps


def contract_layers() -> list[set[str]]:
    """The contract's layers, lowest first, as sets of table rows."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    layers = []
    for layer in reversed(contract["layers"]):
        modules = re.split(r"[|:]", layer)
        layers.append({_node(m.strip().strip("()")) or m for m in modules})
    return layers


def table() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\| `(\w+)`( screens)? \|.*\| ([^|]*) \|$", line)
        if match:
            name = match.group(1) + (match.group(2) or "")
            cell = match.group(3).strip()
            rows[name] = set() if cell == "—" else {c.strip().strip("`") for c in cell.split(",")}
    return rows


def test_every_app_is_in_one_layer_of_the_contract() -> None:
    placed = set().union(*contract_layers())
    assert set(actual_dependencies()) <= placed


def test_the_app_table_names_each_apps_real_dependencies() -> None:
    layers = contract_layers()

    def rank(app: str) -> int:
        return next(i for i, layer in enumerate(layers) if app in layer)

    rows = table()
    wrong = []
    for app, deps in sorted(actual_dependencies().items()):
        cell = ", ".join(sorted(deps, key=lambda d: (rank(d), d))) or "—"
        if rows.get(app) != deps:
            wrong.append(
                f"{app}: the table says {sorted(rows.get(app, {'(no row)'}))}, write: {cell}"
            )
    assert not wrong, "docs/architecture.md, column 'depends on':\n" + "\n".join(wrong)


def test_no_app_depends_on_a_layer_above_its_own() -> None:
    layers = contract_layers()

    def rank(app: str) -> int:
        return next(i for i, layer in enumerate(layers) if app in layer)

    upward = {
        f"{app} -> {dep}"
        for app, deps in actual_dependencies().items()
        for dep in deps
        if rank(dep) >= rank(app)
    }
    assert not upward, sorted(upward)


# Apps whose modules import other apps only at module level: an import hidden inside a function
# (or behind TYPE_CHECKING) is how the old circles were dodged. Apps above may still have some,
# each with a comment saying why (docs/architecture.md, "Layers").
NO_HIDDEN_IMPORTS = {"core", "audit", "audit screens", "org", "accounts", "privacy"}


def test_the_lower_apps_hide_no_import_of_another_app_inside_a_function() -> None:
    hidden = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        if WIRING & set(rel.parts) or path.name in WIRING_FILES:
            continue
        source = _node(".".join(rel.parts))
        if source not in NO_HIDDEN_IMPORTS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = _node(name)
                if target is not None and target != source and id(node) not in top:
                    hidden.append(f"{rel}:{node.lineno} {name}")
    assert not hidden, hidden
