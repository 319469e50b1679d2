"""`opendeur report weekly` as a function: build, print to PDF, archive, e-mail.

The order is chosen so a failure loses nothing: the files are written and archived before
the e-mail goes out, so a mail server that is down leaves a finished report to send again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from opendeur.errors import ConfigError
from opendeur.report.build import (
    BuiltReport,
    ReportOptions,
    archive,
    mark_emailed,
    model_versions,
    record_pdf,
    render_html,
    write_report,
)
from opendeur.report.mail import SmtpConfig, build_message, send_message
from opendeur.report.weeks import Week
from opendeur.secrets import Secrets
from opendeur.settings import Settings


def report_options(settings: Settings) -> ReportOptions:
    return ReportOptions(
        sections=tuple(settings.report.sections),
        threshold=settings.privacy.min_count,
        show_excerpts=settings.privacy.show_excerpts,
        trend_weeks=settings.report.trend_weeks,
        compare_weeks=settings.report.compare_weeks,
        organisation=settings.organisation.name,
        sources=tuple(n for n, s in settings.listener.sources.items() if s.enabled),
    )


def make_weekly_report(
    db: Database,
    settings: Settings,
    secrets: Secrets,
    week: Week,
    now: datetime,
    out_dir: Path | None = None,
    pdf: bool = False,
    email: bool = False,
) -> BuiltReport:
    # The mail settings are checked before any work, so a mistake there costs nothing.
    smtp = smtp_config(settings, secrets) if email else None
    folder = out_dir or settings.report.out_dir / str(week)
    options = report_options(settings)
    report = write_report(db, week, folder, now, options)
    archive(db, report)  # archived at once: a failing browser or mail server loses nothing
    if pdf or email:
        from opendeur.report.pdf import html_to_pdf

        report.pdf = html_to_pdf(
            report.html, report.html.with_suffix(".pdf"), settings.report.browser
        )
        report.files.append(report.pdf)
        record_pdf(db, report)
    if smtp is not None:
        send_report(db, report, smtp, options, now)
    return report


def smtp_config(settings: Settings, secrets: Secrets) -> SmtpConfig:
    mail = settings.report.email
    missing = [key for key in ("host", "sender", "recipients") if not getattr(mail, key)]
    if missing:
        raise ConfigError(
            f"--email needs report.email.{', report.email.'.join(missing)} in the configuration"
        )
    return SmtpConfig(
        host=mail.host, port=mail.port, security=mail.security,
        username=mail.username or None,
        password=secrets.get(mail.password_env) if mail.username else None,
        sender=mail.sender, recipients=tuple(mail.recipients), ca_file=mail.ca_file,
        timeout_seconds=mail.timeout_seconds,
    )  # fmt: skip


def send_report(
    db: Database, report: BuiltReport, config: SmtpConfig, options: ReportOptions,
    now: datetime,
) -> list[str]:  # fmt: skip
    """Mail the report: a short HTML summary as the body, the whole report as a PDF."""
    body = render_html(
        report.sections, report.week, now, options, model_versions(db, report.week),
        template="email.html.j2",
    )  # fmt: skip
    attachments = []
    if report.pdf:
        attachments.append((report.pdf.name, report.pdf.read_bytes(), "application/pdf"))
    message = build_message(
        subject=f"{report.title} ({report.week.dutch_range()})",
        html=body, text=report.text_summary(), sender=config.sender,
        recipients=config.recipients, attachments=attachments,
    )  # fmt: skip
    accepted = send_message(config, message)
    if report.archive_id is not None:
        mark_emailed(db, report.archive_id, now, len(accepted))
    return accepted
