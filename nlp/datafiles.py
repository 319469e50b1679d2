"""Where the shipped data files (the repository's ``data/`` folder) live at run time."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

DATA_PACKAGE = "opendeur_data"


class DataFilesMissing(RuntimeError):
    """The ``opendeur_data`` files are not installed alongside the code."""


@cache
def data_dir() -> Path:
    """Return the folder holding the shipped data files.

    ``data/`` is installed as the namespace package ``opendeur_data``. In an editable install
    its search path also holds a path-hook placeholder, which ``importlib.resources`` cannot
    handle on Python 3.11, so the first entry that is a real folder is taken.
    """
    spec = importlib.util.find_spec(DATA_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location)
        if path.is_dir():
            return path
    raise DataFilesMissing(
        f"The data files ({DATA_PACKAGE}) are not installed; reinstall opendeur "
        "(`make demo` or `pip install -e .` from a checkout)."
    )


def data_path(*parts: str) -> Path:
    """Return the path of a shipped data file, for example ``data_path("corpus", "x.jsonl")``."""
    return data_dir().joinpath(*parts)
