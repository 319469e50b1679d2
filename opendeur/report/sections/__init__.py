"""Report sections, registered by name, in the order the report shows them.

Each section module has ``TITLE`` and ``build(ctx) -> SectionResult``; configuration
(``report.sections``) chooses which appear. Modules are imported when a report is built, so
reading the settings stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # reading the settings needs only the names, not sqlite-utils
    from opendeur.report.model import ReportContext, SectionResult

SECTIONS = (
    "headline",
    "trends",
    "regions",
    "terms",
    "examples",
    "sources",
    "campaigns",
    "suggestions",
)


def section_builder(name: str) -> Callable[[ReportContext], SectionResult]:
    if name not in SECTIONS:
        raise KeyError(f"no report section {name!r}; known: {', '.join(SECTIONS)}")
    return importlib.import_module(f"opendeur.report.sections.{name}").build
