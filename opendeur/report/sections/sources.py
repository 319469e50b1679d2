"""Sources: posts per source, failed pages and runs, and the last good run, so a broken
source is noticed before its silence is read as good news."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from opendeur.report.counts import shown_text
from opendeur.report.model import ReportContext, SectionResult, Table
from opendeur.report.weeks import dutch_date

TITLE = "Bronnen"
STALE_AFTER = timedelta(days=7)
STATUS_WORDS = {"ok": "gelukt", "failed": "mislukt", "stopped": "gestopt", "running": "bezig"}


def build(ctx: ReportContext) -> SectionResult:
    section = SectionResult("sources", TITLE)
    week = str(ctx.week)
    posts = dict(
        ctx.db.execute(
            "SELECT source, count(*) FROM posts WHERE week = ? GROUP BY source", [week]
        ).fetchall()
    )
    start = datetime.combine(ctx.week.monday, time.min).isoformat()
    end = datetime.combine(ctx.week.sunday + timedelta(days=1), time.min).isoformat()
    runs: dict[str, dict] = {}
    for source, status, counts, error in ctx.db.execute(
        "SELECT source, status, counts, error FROM source_runs "
        "WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
        [start, end],
    ):
        entry = runs.setdefault(source, {"runs": 0, "failed": 0, "errors": 0, "last_error": None})
        entry["runs"] += 1
        entry["failed"] += status == "failed"
        entry["errors"] += sum(
            v for k, v in json.loads(counts or "{}").items()
            if k.startswith("error/") and isinstance(v, int)
        )  # fmt: skip
        if error:
            entry["last_error"] = error
    last_ok = dict(
        ctx.db.execute(
            "SELECT source, max(finished_at) FROM source_runs WHERE status = 'ok' "
            "AND started_at < ? GROUP BY source",
            [end],
        ).fetchall()
    )
    names = sorted(set(ctx.sources) | set(posts) | set(runs))
    if not names:
        section.sentences.append("Er zijn nog geen bronnen ingesteld of gelezen.")
        return section
    week_end = datetime.combine(ctx.week.sunday + timedelta(days=1), time.min)
    # The total is in the sentence below, so the sources are a breakdown of it.
    shown_posts = ctx.counts.breakdown({name: posts.get(name, 0) for name in names})
    rows, worries = [], []
    for name in names:
        entry = runs.get(name, {"runs": 0, "failed": 0, "errors": 0, "last_error": None})
        good = last_ok.get(name)
        good_text = dutch_date(datetime.fromisoformat(good).date()) if good else "nooit"
        if not good or week_end - _naive(datetime.fromisoformat(good)) > STALE_AFTER:
            worries.append(f"{name} (laatst gelukt: {good_text})")
        elif entry["failed"]:
            worries.append(f"{name} ({entry['failed']} keer mislukt deze week)")
        rows.append(
            [name, shown_posts[name], entry["runs"], entry["failed"], entry["errors"],
             good_text, _short(entry["last_error"])]
        )  # fmt: skip
    read = sum(posts.values())
    section.sentences.append(
        f"Deze week lazen we {shown_text(ctx.counts.show(read))} berichten uit "
        f"{sum(1 for n in names if posts.get(n))} van de {len(names)} bronnen."
    )
    if worries:
        section.sentences.append(
            "Let op: deze bronnen werkten deze week niet of niet goed: "
            + "; ".join(worries)
            + ". Minder berichten uit een bron betekent dan niet dat er minder aan de hand is."
        )
    else:
        section.sentences.append("Alle bronnen werkten deze week.")
    section.tables.append(
        Table(
            "sources",
            "Bronnen deze week",
            [
                "Bron",
                "Berichten",
                "Runs",
                "Mislukte runs",
                "Fouten (pagina’s)",
                "Laatst gelukt",
                "Laatste fout",
            ],
            rows,
        )
    )
    section.figures = {
        "sources": {row[0]: {"posts": row[1], "runs": row[2], "failed_runs": row[3],
                             "page_errors": row[4], "last_ok": last_ok.get(row[0])}
                    for row in rows},
        "needs_attention": [w.split(" (")[0] for w in worries],
    }  # fmt: skip
    return section


def _short(error: str | None, limit: int = 80) -> str:
    """The first line of a run's error, short enough for a table cell."""
    if not error:
        return ""
    line = error.strip().splitlines()[0] if error.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment
