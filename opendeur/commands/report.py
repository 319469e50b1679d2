"""`opendeur report`: write the weekly signal report, and list the reports written."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from opendeur.commands.output import echo_json, json_option

if TYPE_CHECKING:
    from opendeur.context import AppContext


def _week(_ctx: click.Context, _param: click.Parameter, value: str | None):
    from opendeur.report.weeks import Week

    if value is None:
        return None
    try:
        return Week.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@click.group()
def report() -> None:
    """Write the weekly signal report (HTML, JSON and CSV; PDF and e-mail on request)."""


@report.command()
@click.option(
    "--week",
    callback=_week,
    metavar="YYYY-Www",
    help="ISO week, e.g. 2026-W47 (default: the last complete week).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the files here (default: report.out_dir/WEEK).",
)
@click.option("--pdf", is_flag=True, help="Also print the report to PDF (headless Chromium).")
@click.option(
    "--email", is_flag=True, help="Mail it to report.email.recipients, with the PDF attached."
)
@json_option
@click.pass_obj
def weekly(obj: AppContext, week, out_dir: Path | None, pdf: bool, email: bool,
           as_json: bool) -> None:  # fmt: skip
    """Write the weekly signal report for staff: what changed among tenants this week.

    Counts below privacy.min_count are shown as "< N" everywhere. The report is archived;
    `opendeur report list` shows the reports written.
    """
    from opendeur.jobs import job_run, utc_now
    from opendeur.report.build import as_json as report_json
    from opendeur.report.weekly import make_weekly_report
    from opendeur.report.weeks import Week

    now = utc_now()
    week = week or Week.last_complete(now)
    with job_run(obj.db, "report") as run:
        built = make_weekly_report(
            obj.db, obj.settings, obj.secrets, week, now, out_dir=out_dir, pdf=pdf, email=email
        )
        run.summary.update(report_json(built))
    if as_json:
        echo_json(report_json(built))
        return
    click.echo(f"Report for {week} ({week.dutch_range()}): {built.html}")
    if built.pdf:
        click.echo(f"PDF: {built.pdf}")
    click.echo(f"Figures: {built.json} and {len(built.csv)} CSV files in {built.folder}")
    if email:
        click.echo(f"Mailed to {len(obj.settings.report.email.recipients)} recipient(s).")


@report.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@json_option
@click.pass_obj
def list_reports(obj: AppContext, limit: int, as_json: bool) -> None:
    """List the reports written, newest first."""
    from opendeur.report.build import archived_reports

    rows = archived_reports(obj.db, limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No reports yet; write one with `opendeur report weekly`.")
        return
    for row in rows:
        mailed = f", mailed to {row['recipients']}" if row["emailed_at"] else ""
        pdf = " + PDF" if row["pdf_file"] else ""
        click.echo(
            f"{row['week']}  {row['created_at']}  {Path(row['folder']) / row['html_file']}"
            f"{pdf}{mailed}"
        )
