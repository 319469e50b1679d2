"""How `opendeur campaign` prints: campaigns, items, audit rows and check findings.

Only the command line prints (STYLE.md); this module turns records into text lines and
JSON-ready dicts for `campaigns.cli`.
"""

from __future__ import annotations

import json
from typing import Any

import click

from campaigns.checks import CheckReport
from campaigns.content_file import CampaignContent
from campaigns.records import AuditEntry, Campaign, Item

SEVERITY_WORDS = {"error": "fout", "warning": "let op", "info": "tip"}


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def shown(campaign: Campaign, items: list[Item], audit: list[AuditEntry]) -> dict[str, Any]:
    """The JSON shape of `campaign show` (and of the commands that change a campaign)."""
    return {
        "campaign": campaign.as_dict(),
        "items": [item.as_dict() for item in items],
        "audit": [entry.as_dict() for entry in audit],
    }


def echo_campaign(campaign: Campaign, items: list[Item], audit: list[AuditEntry]) -> None:
    c = campaign
    click.echo(f"Campaign {c.id}: {c.name} [{c.status}]")
    click.echo(
        f"  theme {c.theme}, {c.starts} to {c.ends}, channels {', '.join(c.channels)}, "
        f"utm_campaign={c.slug}"
    )
    click.echo(f"  help page {c.help_page}")
    for label, value in (("goal", c.goal), ("audience", c.audience), ("message", c.message)):
        if value:
            click.echo(f"  {label}: {value}")
    click.echo(f"  created by {c.created_by} at {c.created_at}; "
               f"last edited by {c.edited_by} at {c.edited_at}")  # fmt: skip
    click.echo("Items:")
    for item in items:
        when = item.scheduled_at or "not scheduled"
        click.echo(f"  {item.position}. {item.channel} [{item.status}] code {item.tracking_code}, "
                   f"{when}")  # fmt: skip
        click.echo(f"     link {item.link}")
        for field in ("title", "summary", "body"):
            value = getattr(item, field)
            if value:
                click.echo(f"     {field}: {_short(value)}")
    click.echo("Audit log:")
    for entry in audit:
        click.echo(f"  {entry.at}  {entry.actor}  {audit_words(entry)}")


def audit_words(entry: AuditEntry) -> str:
    detail = entry.detail
    words = entry.action
    if detail.get("from") and detail.get("from") != detail.get("to"):
        words += f" ({detail['from']} -> {detail['to']})"
    if "item" in detail:
        words += f": item {detail['item']}, {', '.join(detail.get('fields', []))}"
    if "reason" in detail:
        words += f": {detail['reason']}"
    if isinstance(detail.get("items"), dict):
        words += ": " + ", ".join(f"item {n} at {at}" for n, at in detail["items"].items())
    return words


def echo_list(campaigns: list[Campaign], counts: dict[int, int]) -> None:
    if not campaigns:
        click.echo("No campaigns yet; `opendeur campaign new` or `campaign import` makes one.")
    for c in campaigns:
        click.echo(f"{c.id:>4}  {c.status:<9}  {c.theme:<10}  {c.starts} to {c.ends}  {c.name} "
                   f"({counts.get(c.id, 0)} items: {', '.join(c.channels)})")  # fmt: skip


def report_dict(report: CheckReport) -> dict[str, Any]:
    return {
        "errors": report.errors,
        "warnings": report.warnings,
        "readability": [
            {"item": n, "flesch_douma": round(score.flesch_douma, 1)}
            for n, score in enumerate(report.readability, start=1)
        ],
        "findings": [f.as_dict() for f in report.findings],
    }


def echo_report(content: CampaignContent, report: CheckReport) -> None:
    for number, (item, score) in enumerate(
        zip(content.items, report.readability, strict=True), start=1
    ):
        click.echo(
            f"item {number} ({item.channel}): leesbaarheid {score.flesch_douma:.0f} "
            "(Flesch-Douma; 60 of hoger is goed voor B1)"
        )
    for found in report.findings:
        f = found.finding
        where = f"item {found.item} ({found.channel})"
        if found.field:
            where += f", {found.field} {f.start}-{f.end}"
        span = f' "{f.text}"' if f.text else ""
        click.echo(f"{where}{span}: {SEVERITY_WORDS[f.severity]} [{f.check}] {f.explanation}")
        if f.suggestion:
            click.echo(f"    -> {f.suggestion}")
    click.echo(f"{report.errors} fouten, {report.warnings} waarschuwingen")


def _short(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
