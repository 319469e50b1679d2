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


def _source_types():
    from typing import get_args

    from listener.settings import SourceSettings

    return get_args(get_args(SourceSettings)[0])


@pytest.mark.parametrize("model", _source_types(), ids=lambda m: m.__name__)
def test_docs_readme_documents_every_source_type_and_key(readme: str, model):
    source_type = get_args_type(model)
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{source_type}` |"))
    common = {"type", "purpose", "enabled", "region", "every"}
    for key in set(model.model_fields) - common:
        assert f"`{key}`" in row, f"{source_type}.{key}"
    for key in common:
        assert f"`{key}`" in readme


def get_args_type(model) -> str:
    return model.model_fields["type"].annotation.__args__[0]
