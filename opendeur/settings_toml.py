"""Write settings back as TOML: for ``config init``, ``config check`` and the demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from opendeur.settings import Settings


def toml_value(value: Any) -> str:
    """A TOML literal for a scalar setting (JSON string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def render_settings(settings: Settings, comments: bool = True) -> str:
    """Every section and key of ``settings``; unset optional keys appear commented out."""
    blocks = []
    for section_name in type(settings).model_fields:
        section: BaseModel = getattr(settings, section_name)
        lines = [f"[{section_name}]"]
        if comments and type(section).__doc__:
            lines.insert(0, f"# {type(section).__doc__.strip()}")
        for key, field in type(section).model_fields.items():
            value = getattr(section, key)
            if comments and field.description:
                lines.append(f"# {field.description}")
            if value is None:
                lines.append(f"# {key} =")
            else:
                lines.append(f"{key} = {toml_value(value)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
