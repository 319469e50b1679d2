"""What the `opendeur campaign` commands share: options, the actor, roles, the clock, errors.

Library modules are imported inside the functions, so that `opendeur --help` stays fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON for scripts."
)
actor_option = click.option(
    "--as", "actor", metavar="NAME", help="Who acts (default: your user name); see the roles."
)
id_argument = click.argument("campaign_id", metavar="ID", type=int)


def utc_now() -> datetime:
    """The one place the campaign commands read the clock (tests replace it)."""
    return datetime.now(UTC)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Campaign and file errors become one line: ``Error: ...``, exit status 1."""
    from campaigns.content_file import CampaignFileError
    from campaigns.errors import CampaignError

    try:
        yield
    except (CampaignError, CampaignFileError) as error:
        raise click.ClickException(str(error)) from error


def actor_name(actor: str | None) -> str:
    """``--as NAME``, else the user name of this session."""
    if actor and actor.strip():
        return actor.strip()
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError) as error:
        raise click.ClickException("cannot tell who you are; give --as NAME") from error


def roles_of(obj: Any):
    from campaigns.roles import Roles

    settings = obj.settings.campaigns
    return Roles.from_names(settings.editors, settings.approvers)


def publishing_of(obj: Any):
    """The configured channels as scheduling sees them: types carried, paid channels."""
    from campaigns.workflow import Publishing

    return Publishing.from_channels(obj.settings.channels)


def echo_stored(obj: Any, campaign_id: int, as_json: bool, message: str = "") -> None:
    """A stored campaign as JSON, as ``message`` when given, else in full."""
    from campaigns.cli_output import echo_campaign, echo_json, shown
    from campaigns.records import audit_log, campaign_items, get_campaign

    parts = (get_campaign(obj.db, campaign_id), campaign_items(obj.db, campaign_id),
             audit_log(obj.db, campaign_id))  # fmt: skip
    if as_json:
        echo_json(shown(*parts))
    elif message:
        click.echo(message)
    else:
        echo_campaign(*parts)
