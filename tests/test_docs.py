"""The README documents every command and every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendeur.settings import Settings, iter_settings


@pytest.fixture(scope="module")
def readme() -> str:
    return (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_docs_readme_documents_every_command(readme: str, command_path: tuple[str, ...]):
    assert f"`opendeur {' '.join(command_path)}" in readme


@pytest.mark.parametrize("key", [key for key, _ in iter_settings(Settings())])
def test_docs_readme_documents_every_setting(readme: str, key: str):
    assert f"| `{key}` |" in readme


def test_docs_readme_names_the_two_set_up_commands(readme: str):
    assert "make demo" in readme
    assert "make test" in readme
