"""What a report section produces: sentences, charts and tables, already privacy-safe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlite_utils import Database

from opendeur.report.counts import SmallCounts
from opendeur.report.weeks import Week

Cell = int | float | str | None


@dataclass
class Table:
    name: str  # file name of its CSV export: "trends" -> trends.csv
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric: bool = True  # columns after the first are numbers (aligned right)


@dataclass
class Item:
    """One entry of a list: a suggestion, an example, a rising term."""

    heading: str
    text: str
    detail: str = ""


@dataclass
class SectionResult:
    name: str
    title: str
    sentences: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # inline SVG made by report.charts
    tables: list[Table] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # for the JSON export


@dataclass
class ReportContext:
    """Everything a section may read: the store, the week, and the privacy settings."""

    db: Database
    week: Week
    now: datetime
    counts: SmallCounts
    show_excerpts: bool = False
    trend_weeks: int = 12
    compare_weeks: int = 4
    sources: tuple[str, ...] = ()  # configured source names, so a silent one shows up
    excerpts_per_topic: int = 3
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def compare_to(self) -> list[Week]:
        return self.week.previous(self.compare_weeks)

    @cached_property
    def trend(self) -> list[Week]:
        return [*self.week.previous(self.trend_weeks - 1), self.week]

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """Share a query's result between sections (trends and suggestions read the same)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def has_table(self, name: str) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", [name]
            ).fetchone()
        )


def placeholders(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)
