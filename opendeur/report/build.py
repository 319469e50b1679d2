"""Build the weekly report: run the sections, write HTML, JSON and CSV, archive the result.

Files are written to a temporary name and renamed into place, so a crash never leaves a
half-written report under its real name; the archive row is added after the files exist.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlite_utils import Database

from opendeur.report.counts import SmallCounts, dutch_number
from opendeur.report.model import Cell, ReportContext, SectionResult
from opendeur.report.sections import SECTIONS, section_builder
from opendeur.report.weeks import Week, dutch_date

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class ReportOptions:
    sections: Sequence[str] = SECTIONS
    threshold: int = 5
    show_excerpts: bool = False
    trend_weeks: int = 12
    compare_weeks: int = 4
    organisation: str = ""
    sources: tuple[str, ...] = ()


@dataclass
class BuiltReport:
    week: Week
    folder: Path
    html: Path
    json: Path
    csv: list[Path]
    sections: list[SectionResult]
    title: str
    created_at: datetime
    archive_id: int | None = None
    pdf: Path | None = None
    files: list[Path] = field(default_factory=list)

    def text_summary(self) -> str:
        """The report's sentences as plain text (the e-mail's text part)."""
        lines = [self.title, ""]
        for section in self.sections:
            if section.sentences:
                lines += [section.title, *section.sentences, ""]
        return "\n".join(lines)


def report_title(week: Week) -> str:
    return f"Signalenrapport week {week.number} van {week.year}"


def build_sections(
    db: Database, week: Week, now: datetime, options: ReportOptions
) -> list[SectionResult]:
    ctx = ReportContext(
        db=db, week=week, now=now, counts=SmallCounts(options.threshold),
        show_excerpts=options.show_excerpts, trend_weeks=options.trend_weeks,
        compare_weeks=options.compare_weeks, sources=options.sources,
    )  # fmt: skip
    return [section_builder(name)(ctx) for name in options.sections]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _cell_text
    return env


def _cell_text(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float):
        return dutch_number(value)
    return str(value)


def model_versions(db: Database, week: Week) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT model_version FROM signals WHERE week = ? ORDER BY 1", [str(week)]
        )
    ]


def render_html(
    sections: list[SectionResult], week: Week, now: datetime, options: ReportOptions,
    models: list[str], template: str = "report.html.j2", json_name: str = "",
) -> str:  # fmt: skip
    return (
        _environment()
        .get_template(template)
        .render(
            title=report_title(week),
            organisation=options.organisation,
            week=week,
            week_range=week.dutch_range(),
            made_on=dutch_date(now.date()),
            sections=sections,
            threshold=options.threshold,
            models=", ".join(models) or "–",
            json_name=json_name,
        )
    )


def write_report(
    db: Database, week: Week, folder: Path, now: datetime, options: ReportOptions
) -> BuiltReport:
    """Build every configured section for ``week`` and write its files into ``folder``."""
    sections = build_sections(db, week, now, options)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"rapport-{week}"
    models = model_versions(db, week)
    html_path = folder / f"{stem}.html"
    json_path = folder / f"cijfers-{week}.json"
    html = render_html(sections, week, now, options, models, json_name=json_path.name)
    figures = {
        "week": str(week),
        "created_at": now.isoformat(timespec="seconds"),
        "organisation": options.organisation,
        "small_count_threshold": options.threshold,
        "model_versions": models,
        "sections": {s.name: s.figures for s in sections},
        "tables": {t.name: {"columns": t.columns, "rows": t.rows}
                   for s in sections for t in s.tables},
    }  # fmt: skip
    _write_atomically(json_path, json.dumps(figures, ensure_ascii=False, indent=2))
    csv_paths = []
    for section in sections:
        for table in section.tables:
            path = folder / f"{table.name}-{week}.csv"
            _write_atomically(path, _csv_text(table.columns, table.rows))
            csv_paths.append(path)
    # The HTML goes last: its presence says the report is complete.
    _write_atomically(html_path, html)
    return BuiltReport(
        week=week, folder=folder, html=html_path, json=json_path, csv=csv_paths,
        sections=sections, title=report_title(week), created_at=now,
        files=[html_path, json_path, *csv_paths],
    )  # fmt: skip


def archive(db: Database, report: BuiltReport) -> int:
    with db.atomic():
        report.archive_id = (
            db["reports"]
            .insert(
                {
                    "week": str(report.week),
                    "created_at": report.created_at.isoformat(timespec="seconds"),
                    "folder": str(report.folder),
                    "html_file": report.html.name,
                    "pdf_file": report.pdf.name if report.pdf else None,
                    "summary": json.dumps(
                        {s.name: s.figures for s in report.sections if s.name == "headline"},
                        ensure_ascii=False,
                    ),
                }
            )
            .last_pk
        )
    return report.archive_id


def record_pdf(db: Database, report: BuiltReport) -> None:
    if report.archive_id is not None and report.pdf is not None:
        with db.atomic():
            db["reports"].update(report.archive_id, {"pdf_file": report.pdf.name})


def mark_emailed(db: Database, archive_id: int, when: datetime, recipients: int) -> None:
    with db.atomic():
        db["reports"].update(
            archive_id, {"emailed_at": when.isoformat(timespec="seconds"), "recipients": recipients}
        )


def archived_reports(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT id, week, created_at, folder, html_file, pdf_file, emailed_at, recipients "
        "FROM reports ORDER BY created_at DESC, id DESC LIMIT ?",
        [limit],
    ).fetchall()
    keys = ("id", "week", "created_at", "folder", "html_file", "pdf_file", "emailed_at",
            "recipients")  # fmt: skip
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _csv_text(columns: list[str], rows: list[list[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        # Spreadsheets run cells that start with = + - @ as formulas; a leading apostrophe
        # keeps a hostile term from a post inert.
        writer.writerow([_safe_cell(c) for c in row])
    return buffer.getvalue()


def _safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def as_json(report: BuiltReport) -> dict[str, Any]:
    return {
        "week": str(report.week),
        "folder": str(report.folder),
        "html": str(report.html),
        "json": str(report.json),
        "csv": [str(p) for p in report.csv],
        "pdf": str(report.pdf) if report.pdf else None,
        "archive_id": report.archive_id,
        "sections": [s.name for s in report.sections],
    }
