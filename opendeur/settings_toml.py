"""Write settings back as TOML: for ``config init``, ``config check`` and the demo."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from opendeur.settings import Settings


def toml_value(value: Any) -> str:
    """A TOML literal for a setting value (JSON string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def render_settings(settings: Settings, comments: bool = True) -> str:
    """Every table and key of ``settings``; unset optional keys appear commented out."""
    blocks: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, dict):  # tables of named tables: [channels.NAME]
            if not value and comments:
                blocks.append(f"# [{name}.NAME] tables: see the README")
            for key, table in value.items():
                _render_table(table, f"{name}.{key}", comments, blocks)
            continue
        _render_table(value, name, comments, blocks)
    return "\n\n".join(blocks) + "\n"


def _render_table(table: BaseModel, path: str, comments: bool, blocks: list[str]) -> None:
    lines = [f"[{path}]"]
    if comments and type(table).__doc__:
        lines.insert(0, f"# {' '.join(type(table).__doc__.split())}")
    nested: list[tuple[str, BaseModel]] = []
    for key, field in type(table).model_fields.items():
        value = getattr(table, key)
        if isinstance(value, BaseModel):
            nested.append((f"{path}.{key}", value))
            continue
        if isinstance(value, dict) and all(isinstance(v, BaseModel) for v in value.values()):
            nested.extend((f"{path}.{key}.{name}", item) for name, item in value.items())
            if not value and comments:
                lines.append(f"# [{path}.{key}.NAME] tables: see the README")
            continue
        if comments and field.description:
            lines.append(f"# {field.description}")
        lines.append(f"# {key} =" if value is None else f"{key} = {toml_value(value)}")
    blocks.append("\n".join(lines))
    for nested_path, nested_table in nested:
        _render_table(nested_table, nested_path, comments, blocks)
