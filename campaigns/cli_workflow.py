"""The workflow's commands: `campaign submit`, `approve`, `schedule`, `cancel` and `edit`.

`campaigns.cli` adds them to the `campaign` group.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from campaigns import cli_support as support
from campaigns.cli_support import actor_option, id_argument, json_option


@click.command()
@id_argument
@actor_option
@json_option
@click.pass_obj
def submit(obj: Any, campaign_id: int, actor: str | None, as_json: bool) -> None:
    """Submit a draft for review; refused, with the findings, when the checks find errors."""
    from campaigns.cli_output import echo_json, echo_report, report_dict
    from campaigns.errors import CampaignCheckFailed
    from campaigns.records import campaign_items, content_of, get_campaign
    from campaigns.workflow import submit as submit_campaign

    try:
        with support.user_errors():
            report = submit_campaign(
                obj.db, campaign_id, actor=support.actor_name(actor), roles=support.roles_of(obj),
                now=support.utc_now(), address_form=obj.settings.organisation.address_form,
            )  # fmt: skip
    except click.ClickException as error:
        refused = error.__cause__
        if isinstance(refused, CampaignCheckFailed):
            if as_json:
                echo_json({"id": campaign_id, "submitted": False, **report_dict(refused.report)})
            else:
                stored = get_campaign(obj.db, campaign_id)
                content = content_of(stored, campaign_items(obj.db, campaign_id))
                echo_report(content, refused.report)
        raise
    if as_json:
        echo_json({"id": campaign_id, "submitted": True, **report_dict(report)})
    else:
        click.echo(f"campaign {campaign_id} is in review ({report.warnings} warnings); "
                   "an approver can approve it now")  # fmt: skip


@click.command()
@id_argument
@actor_option
@json_option
@click.pass_obj
def approve(obj: Any, campaign_id: int, actor: str | None, as_json: bool) -> None:
    """Approve a campaign in review: an approver who neither created nor last edited it."""
    from campaigns.workflow import approve as approve_campaign

    with support.user_errors():
        approve_campaign(obj.db, campaign_id, actor=support.actor_name(actor),
                         roles=support.roles_of(obj), now=support.utc_now())  # fmt: skip
    support.echo_stored(obj, campaign_id, as_json, f"campaign {campaign_id} is approved")


@click.command()
@id_argument
@click.option("--at", "times", multiple=True, metavar="TIME",
              help="2026-12-01T09:00 (campaigns.timezone unless it has an offset).")  # fmt: skip
@click.option("--item", "items", multiple=True, type=int, metavar="N",
              help="Item N gets the --at that follows it.")  # fmt: skip
@actor_option
@json_option
@click.pass_obj
def schedule(obj: Any, campaign_id: int, times: tuple[str, ...], items: tuple[int, ...],
             actor: str | None, as_json: bool) -> None:  # fmt: skip
    """Record when each item of an approved campaign is to be published; status: scheduled.

    `--at TIME` for every item; `--item N --at TIME` (repeatable) for one item, after the
    general --at. Every time must lie within the campaign period. A scheduled campaign can
    be scheduled again; items given no new time keep theirs.
    """
    from zoneinfo import ZoneInfo

    from campaigns.workflow import schedule as schedule_campaign

    zone = ZoneInfo(obj.settings.campaigns.timezone)
    parsed = [_parse_time(value, zone) for value in times]
    if len(parsed) not in (len(items), len(items) + 1) or len(set(items)) != len(items):
        raise click.UsageError(
            "give --at TIME for every item, and --item N --at TIME for single items "
            "(each item once, each --item followed by its --at)"
        )
    general = parsed[0] if len(parsed) > len(items) else None
    item_times = dict(zip(items, parsed[len(parsed) - len(items) :], strict=True))
    with support.user_errors():
        recorded = schedule_campaign(
            obj.db, campaign_id, at=general, item_times=item_times, zone=zone,
            actor=support.actor_name(actor), roles=support.roles_of(obj), now=support.utc_now(),
            publishing=support.publishing_of(obj),
        )  # fmt: skip
    lines = [f"item {n} at {at}" for n, at in recorded.items()]
    support.echo_stored(obj, campaign_id, as_json,
                        f"campaign {campaign_id} is scheduled: " + ", ".join(lines))  # fmt: skip


def _parse_time(value: str, zone: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a time like 2026-12-01T09:00", param_hint="--at"
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


@click.command()
@id_argument
@click.option("--reason", required=True, help="Why; it goes into the audit log.")
@actor_option
@json_option
@click.pass_obj
def cancel(obj: Any, campaign_id: int, reason: str, actor: str | None, as_json: bool) -> None:
    """Cancel a campaign that is not published or cancelled already."""
    from campaigns.workflow import cancel as cancel_campaign

    with support.user_errors():
        cancel_campaign(obj.db, campaign_id, reason=reason, actor=support.actor_name(actor),
                        roles=support.roles_of(obj), now=support.utc_now())  # fmt: skip
    support.echo_stored(obj, campaign_id, as_json, f"campaign {campaign_id} is cancelled")


@click.command()
@id_argument
@click.option("--item", "position", required=True, type=int, metavar="N", help="Item number.")
@click.option("--title", help='New title ("" removes it).')
@click.option("--summary", help='New summary ("" removes it).')
@click.option("--body", help="New body text.")
@actor_option
@json_option
@click.pass_obj
def edit(obj: Any, campaign_id: int, position: int, title: str | None, summary: str | None,
         body: str | None, actor: str | None, as_json: bool) -> None:  # fmt: skip
    """Change an item of a campaign in draft or review; a campaign in review goes back to draft."""
    from campaigns.workflow import edit_item

    changes = {key: value or None for key, value in
               (("title", title), ("summary", summary)) if value is not None}  # fmt: skip
    if body is not None:
        changes["body"] = body
    if not changes:
        raise click.UsageError("nothing to change: give --title, --summary or --body")
    with support.user_errors():
        changed = edit_item(obj.db, campaign_id, position, changes,
                            actor=support.actor_name(actor), roles=support.roles_of(obj),
                            now=support.utc_now())  # fmt: skip
    message = (f"item {position}: changed {', '.join(changed)}" if changed
               else f"item {position}: nothing changed")  # fmt: skip
    support.echo_stored(obj, campaign_id, as_json, message)


WORKFLOW_COMMANDS = (submit, approve, schedule, cancel, edit)
