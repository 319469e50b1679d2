"""`opendeur campaign`: plan, write, check and approve campaigns.

The commands parse and print; `campaigns.workflow` does the work on ``obj.db`` with the
roles of ``obj.settings.campaigns``. The workflow's commands (submit, approve, schedule,
cancel, edit) live in `campaigns.cli_workflow`; `opendeur publish` in `campaigns.cli_publish`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from campaigns import cli_support as support
from campaigns.cli_support import actor_option, id_argument, json_option
from campaigns.cli_workflow import WORKFLOW_COMMANDS
from campaigns.content_file import CHANNEL_TYPES
from campaigns.records import STATUSES
from nlp.taxonomy import TOPICS


@click.group(invoke_without_command=True)
@click.pass_context
def campaign(ctx: click.Context) -> None:
    """Plan, check, approve and schedule campaigns.

    A campaign goes draft -> review (submit) -> approved (approve, by someone else) ->
    scheduled (schedule); cancel stops it. Roles: [campaigns] editors and approvers.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


for _command in WORKFLOW_COMMANDS:
    campaign.add_command(_command)


@campaign.command()
@click.option("--name", required=True, help="The campaign's name.")
@click.option("--theme", required=True, type=click.Choice(TOPICS), help="The piggyback topic.")
@click.option("--help-page", required=True, help="The help page every item links to.")
@click.option("--start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@click.option("--channel", "channels", required=True, multiple=True,
              type=click.Choice(CHANNEL_TYPES), help="A channel (repeat for more).")  # fmt: skip
@click.option("--message", required=True, help="The one message every item says.")
@click.option("--goal", help="What the campaign should achieve.")
@click.option("--audience", help="Whom it is for.")
@actor_option
@json_option
@click.pass_obj
def new(obj: Any, name: str, theme: str, help_page: str, start: datetime, end: datetime,
        channels: tuple[str, ...], message: str, goal: str | None, audience: str | None,
        actor: str | None, as_json: bool) -> None:  # fmt: skip
    """Create a draft campaign with one item per channel whose body is the message.

    Blog and theme-site items get the name as their title; write their summary and a
    longer body with `campaign edit` before submitting.
    """
    from campaigns.workflow import NewCampaign, create_campaign

    fields = NewCampaign(name=name, theme=theme, help_page=help_page, starts=start.date(),
                         ends=end.date(), channels=channels, message=message, goal=goal,
                         audience=audience)  # fmt: skip
    with support.user_errors():
        campaign_id = create_campaign(
            obj.db, fields, actor=support.actor_name(actor), roles=support.roles_of(obj),
            now=support.utc_now(),
        )  # fmt: skip
    support.echo_stored(obj, campaign_id, as_json)


@campaign.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@actor_option
@json_option
@click.pass_obj
def import_(obj: Any, file: Path, actor: str | None, as_json: bool) -> None:
    """Create a draft campaign from FILE, a campaign in TOML (as `campaign export` writes).

    Besides the items, [campaign] needs name, help_page, theme, starts, ends and message.
    """
    from campaigns.content_file import load_campaign_file
    from campaigns.workflow import import_campaign

    with support.user_errors():
        content = load_campaign_file(file)
        campaign_id = import_campaign(
            obj.db, content, actor=support.actor_name(actor), roles=support.roles_of(obj),
            now=support.utc_now(),
        )  # fmt: skip
    support.echo_stored(obj, campaign_id, as_json)


@campaign.command()
@id_argument
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the TOML to this file (default: print it).")  # fmt: skip
@json_option
@click.pass_obj
def export(obj: Any, campaign_id: int, output: Path | None, as_json: bool) -> None:
    """Write campaign ID and its items as TOML that `campaign import` reads back."""
    from campaigns.cli_output import echo_json
    from campaigns.records import campaign_items, get_campaign
    from campaigns.transfer import campaign_toml

    with support.user_errors():
        stored = get_campaign(obj.db, campaign_id)
    text = campaign_toml(stored, campaign_items(obj.db, campaign_id))
    if output:
        output.write_text(text, encoding="utf-8")
    if as_json:
        echo_json({"id": campaign_id, "file": str(output) if output else None, "toml": text})
    elif output:
        obj.echo(f"wrote campaign {campaign_id} to {output}")
    else:
        click.echo(text, nl=False)


@campaign.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only campaigns in this status.")
@json_option
@click.pass_obj
def list_(obj: Any, status: str | None, as_json: bool) -> None:
    """List the campaigns, newest first."""
    from campaigns.cli_output import echo_json, echo_list
    from campaigns.records import item_counts, list_campaigns

    campaigns, counts = list_campaigns(obj.db, status), item_counts(obj.db)
    if as_json:
        echo_json([{**c.as_dict(), "items": counts.get(c.id, 0)} for c in campaigns])
    else:
        echo_list(campaigns, counts)


@campaign.command()
@id_argument
@json_option
@click.pass_obj
def show(obj: Any, campaign_id: int, as_json: bool) -> None:
    """Show a campaign, its items with link and tracking code, and its audit log."""
    with support.user_errors():
        support.echo_stored(obj, campaign_id, as_json)


@campaign.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "campaign_id", type=int, help="Check stored campaign ID instead of a file.")
@json_option
@click.pass_obj
def check(obj: Any, file: Path | None, campaign_id: int | None, as_json: bool) -> None:
    """Check a campaign's content: B1 readability, tone, channel rules, one message.

    FILE is a campaign in TOML (see campaigns/content_file.py); --id ID checks a stored
    campaign. Prints each finding with its item, field, position, explanation and
    suggestion; exits 1 when there is an error.
    """
    from campaigns.checks import check_content
    from campaigns.cli_output import echo_json, echo_report, report_dict
    from campaigns.content_file import load_campaign_file
    from campaigns.records import campaign_items, content_of, get_campaign

    if (file is None) == (campaign_id is None):
        raise click.UsageError("give a campaign FILE or --id ID (one of the two)")
    with support.user_errors():
        if file is not None:
            content = load_campaign_file(file)
        else:
            stored = get_campaign(obj.db, campaign_id)
            content = content_of(stored, campaign_items(obj.db, stored.id))
    report = check_content(content, obj.settings.organisation.address_form)
    if as_json:
        echo_json(report_dict(report))
    else:
        echo_report(content, report)
    if report.errors:
        raise SystemExit(1)


@campaign.command()
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(0, 52),
              help="How many weeks ahead to look.")  # fmt: skip
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]),
              help="Plan as on this day (default: today in campaigns.timezone).")  # fmt: skip
@click.option("--create", "rank", type=click.IntRange(1), metavar="RANK",
              help="Create a draft campaign from the template of suggestion RANK.")  # fmt: skip
@actor_option
@json_option
@click.pass_obj
def plan(obj: Any, weeks: int, on: datetime | None, rank: int | None, actor: str | None,
         as_json: bool) -> None:  # fmt: skip
    """Suggest campaigns for the coming weeks, ranked, with the reasons.

    The suggestions come from the piggyback calendar (data/calendar), rising money-trouble
    signals per topic and the templates in data/templates. --create RANK makes a draft
    campaign from that suggestion's template, filled with [campaigns] help_page, phone and
    team and organisation.name.
    """
    from campaigns.cli_output import echo_json
    from campaigns.planner import suggest

    today = on.date() if on else _today(obj)
    with _plan_errors():
        suggestions = suggest(obj.db, today, weeks)
    if rank is None:
        if as_json:
            echo_json({"date": today.isoformat(), "weeks": weeks,
                       "suggestions": [s.as_dict() for s in suggestions]})  # fmt: skip
        else:
            _echo_plan(today, weeks, suggestions)
        return
    if not 1 <= rank <= len(suggestions):
        raise click.ClickException(
            f"there is no suggestion {rank}; `campaign plan` shows {len(suggestions)}"
        )
    with _plan_errors():
        campaign_id = _create_from(obj, suggestions[rank - 1], actor)
    chosen = suggestions[rank - 1]
    support.echo_stored(obj, campaign_id, as_json,
                        f"created draft campaign {campaign_id} from template "
                        f"{chosen.template_id} for {chosen.moment_name} "
                        f"({chosen.starts} to {chosen.ends})")  # fmt: skip


def _today(obj: Any):
    from zoneinfo import ZoneInfo

    return support.utc_now().astimezone(ZoneInfo(obj.settings.campaigns.timezone)).date()


def _plan_errors():
    """Calendar and template errors, like campaign errors, become one ``Error:`` line."""
    import contextlib

    from campaigns.calendar import CalendarError
    from campaigns.templates import TemplateError

    @contextlib.contextmanager
    def handled():
        try:
            with support.user_errors():
                yield
        except (CalendarError, TemplateError) as error:
            raise click.ClickException(str(error)) from error

    return handled()


def _create_from(obj: Any, suggestion: Any, actor: str | None) -> int:
    from campaigns.planner import campaign_from
    from campaigns.workflow import import_campaign

    settings = obj.settings
    content = campaign_from(
        suggestion, organisation=settings.organisation.name,
        help_page=settings.campaigns.help_page, phone=settings.campaigns.phone,
        team=settings.campaigns.team, address_form=settings.organisation.address_form,
    )  # fmt: skip
    return import_campaign(obj.db, content, actor=support.actor_name(actor),
                           roles=support.roles_of(obj), now=support.utc_now())  # fmt: skip


def _echo_plan(today: Any, weeks: int, suggestions: list) -> None:
    click.echo(f"Campaign suggestions for {today.isoformat()}, {weeks} weeks ahead:")
    if not suggestions:
        click.echo("  no calendar moments in this period")
    for s in suggestions:
        template = f"template {s.template_id}" if s.template_id else "no template"
        click.echo(f"\n{s.rank}. {s.moment_name} ({s.moment_id})  score {s.score:.2f}")
        click.echo(f"   publish from {s.publish_from}, moment {s.starts} to {s.ends}; "
                   f"topics {', '.join(s.topics)}; {template}")  # fmt: skip
        for reason in s.reasons:
            click.echo(f"   - {reason}")
