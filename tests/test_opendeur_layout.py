"""The three floors of DESIGN §3: imports only go down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOORS = {"opendeur": 3, "listener": 2, "campaigns": 2, "themesites": 2, "nlp": 1}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(FLOORS)


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_opendeur_layout_imports_only_go_down(package: str, repo_root: Path):
    wrong = []
    for path in sorted((repo_root / package).rglob("*.py")):
        for imported in _imported_packages(path):
            # Floor-2 packages share data through tables, never by importing each other.
            if imported != package and FLOORS[imported] >= FLOORS[package]:
                wrong.append(f"{path.relative_to(repo_root)} imports {imported}")
    assert wrong == []


def test_opendeur_layout_data_holds_no_python(repo_root: Path):
    assert list((repo_root / "data").rglob("*.py")) == []
