"""Reading the TOML files staff and the project write (campaigns, templates, the calendar)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The parsed file; ``error`` with one line naming ``what`` and ``path`` if it cannot be."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as cause:
        raise error(f"{what} {path} does not exist") from cause
    except UnicodeDecodeError as cause:
        raise error(f"{what} {path} is not UTF-8 text; save it as UTF-8") from cause
    except OSError as cause:
        raise error(f"cannot read {what} {path}: {cause.strerror}") from cause
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as cause:
        raise error(f"{what} {path} is not valid TOML: {cause}") from cause
