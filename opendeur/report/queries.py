"""The SQL aggregates behind the sections: counts per week, always through an index.

Every query groups inside SQLite; Python only arranges the few rows that come back, so a
year of a million posts still makes a report in seconds (see benchmarks/report.py).
"""

from __future__ import annotations

from collections import defaultdict

from nlp.taxonomy import TROUBLE_TOPICS
from opendeur.report.model import ReportContext, placeholders
from opendeur.report.weeks import Week


def posts_per_week(ctx: ReportContext, weeks: list[Week]) -> dict[Week, int]:
    return _rows_per_week(ctx, "posts", weeks)


def classified_per_week(ctx: ReportContext, weeks: list[Week]) -> dict[Week, int]:
    return _rows_per_week(ctx, "signals", weeks)


def _rows_per_week(ctx: ReportContext, table: str, weeks: list[Week]) -> dict[Week, int]:
    names = [str(w) for w in weeks]
    found = dict(
        ctx.db.execute(
            f"SELECT week, count(*) FROM {table} WHERE week IN ({placeholders(names)}) "
            "GROUP BY week",
            names,
        ).fetchall()
    )
    return {w: found.get(str(w), 0) for w in weeks}


def trouble_per_week_severity(ctx: ReportContext, weeks: list[Week]) -> dict[Week, dict[int, int]]:
    """Money-trouble signals per week and severity (1 worry, 2 arrears or debts, 3 acute)."""
    names = [str(w) for w in weeks]
    rows = ctx.db.execute(
        f"SELECT week, severity, count(*) FROM signals WHERE week IN ({placeholders(names)}) "
        "AND money_trouble = 1 GROUP BY week, severity",
        names,
    ).fetchall()
    result: dict[Week, dict[int, int]] = {w: dict.fromkeys((0, 1, 2, 3), 0) for w in weeks}
    for week, severity, count in rows:
        result[Week.parse(week)][severity] = count
    return result


def trouble_per_topic_week(ctx: ReportContext) -> dict[str, dict[Week, int]]:
    """Money-trouble signals per trouble topic over the trend weeks (shared by sections)."""

    def compute() -> dict[str, dict[Week, int]]:
        names = [str(w) for w in ctx.trend]
        topics = list(TROUBLE_TOPICS)
        rows = ctx.db.execute(
            f"SELECT week, topic, count(*) FROM signal_topics "
            f"WHERE week IN ({placeholders(names)}) AND topic IN ({placeholders(topics)}) "
            "AND money_trouble = 1 GROUP BY week, topic",
            [*names, *topics],
        ).fetchall()
        result = {t: dict.fromkeys(ctx.trend, 0) for t in topics}
        for week, topic, count in rows:
            result[topic][Week.parse(week)] = count
        return result

    return ctx.cached("trouble_per_topic_week", compute)


def trouble_per_region(
    ctx: ReportContext, column: str, weeks: list[Week]
) -> dict[str | None, dict[Week, int]]:
    """Money-trouble signals per province or municipality code, per week."""
    if column not in ("province", "municipality_code"):
        raise ValueError(column)
    names = [str(w) for w in weeks]
    rows = ctx.db.execute(
        f"SELECT {column}, week, count(*) FROM signals WHERE week IN ({placeholders(names)}) "
        f"AND money_trouble = 1 GROUP BY {column}, week",
        names,
    ).fetchall()
    result: dict[str | None, dict[Week, int]] = defaultdict(lambda: dict.fromkeys(weeks, 0))
    for region, week, count in rows:
        result[region][Week.parse(week)] = count
    return dict(result)
