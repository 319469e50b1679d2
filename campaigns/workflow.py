"""The campaign workflow: create, edit, submit, approve, schedule and cancel.

Status flow (``campaigns.transitions.ACTIONS`` says which action each status allows)::

    draft --submit--> review --approve--> approved --schedule--> scheduled --> published
      ^                 |                                            |    \\-> failed
      +------edit-------+          cancel: from any status but published and cancelled

Every function takes the database, the acting person and the time (``now``, timezone-aware)
and writes each change together with its audit row in one transaction. ``published`` and
``failed`` are set by the publisher. A change of status is a conditional UPDATE, so two people
acting on the same campaign at once cannot both succeed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlite_utils import Database

from campaigns.channel_rules import ARTICLE_CHANNELS, CHANNEL_TYPES
from campaigns.checks import CheckReport, check_content
from campaigns.content_file import CampaignContent, ContentItem
from campaigns.errors import (
    CampaignCheckFailed,
    CampaignInputError,
    CampaignNotFound,
    CampaignPermissionError,
    CampaignStateError,
)
from campaigns.links import new_tracking_code, unique_slug, utm_link
from campaigns.records import Campaign, Item, campaign_items, content_of, get_campaign
from campaigns.roles import Roles, same_person
from campaigns.spending import check_schedule
from campaigns.transitions import audit, iso_time, move, require
from nlp.taxonomy import TOPICS

__all__ = [
    "CampaignStateError", "NewCampaign", "approve", "cancel", "create_campaign", "edit_item",
    "import_campaign", "schedule", "submit",
]  # fmt: skip

EDITABLE_FIELDS = ("title", "summary", "body")
IMPORT_NEEDS = ("name", "help_page", "theme", "starts", "ends", "message")


@dataclass(frozen=True)
class Publishing:
    """What scheduling needs to know of the configured channels."""

    channel_types: frozenset[str]  # types of the enabled channels
    paid: Mapping[str, Any]  # name -> settings of enabled, sending channels that charge

    @classmethod
    def from_channels(cls, channels: Mapping[str, Any]) -> Publishing:
        """From the `[channels.NAME]` settings: what the enabled ones carry, which ones pay."""
        enabled = {name: c for name, c in channels.items() if c.enabled}
        carried = {kind for c in enabled.values() for kind in (c.carries or [c.type])}
        paid = {name: c for name, c in enabled.items() if c.type == "x" and not c.dry_run}
        return cls(frozenset(carried), paid)


@dataclass(frozen=True)
class NewCampaign:
    name: str
    theme: str  # one of nlp.taxonomy.TOPICS: the generic topic the campaign rides on
    help_page: str
    starts: date
    ends: date
    channels: tuple[str, ...]
    message: str  # the one core message every item says in its own format
    goal: str | None = None
    audience: str | None = None
    address_form: str | None = None  # "je" or "u"; None: organisation.address_form


def create_campaign(
    db: Database, new: NewCampaign, *, actor: str, roles: Roles, now: datetime
) -> int:
    """A draft with one item per channel whose body is the message; returns its id."""
    roles.require_editor(actor, "create campaigns")
    items = [
        ContentItem(channel=channel, body=new.message,
                    title=new.name if channel in ARTICLE_CHANNELS else None)
        for channel in dict.fromkeys(new.channels)  # each channel once, in order
    ]  # fmt: skip
    return _insert(db, new, items, actor, now, "created")


def import_campaign(
    db: Database, content: CampaignContent, *, actor: str, roles: Roles, now: datetime
) -> int:
    """A draft from a campaign file (`campaigns.content_file`); returns its id."""
    roles.require_editor(actor, "import campaigns")
    missing = [key for key in IMPORT_NEEDS if not getattr(content, key)]
    if missing:
        raise CampaignInputError(
            f"the campaign file lacks {', '.join(missing)} in [campaign]; importing needs "
            f"{', '.join(IMPORT_NEEDS)}"
        )
    new = NewCampaign(
        name=content.name, theme=str(content.theme), help_page=str(content.help_page),
        starts=date.fromisoformat(str(content.starts)), ends=date.fromisoformat(str(content.ends)),
        channels=tuple(item.channel for item in content.items), message=str(content.message),
        goal=content.goal, audience=content.audience, address_form=content.address_form,
    )  # fmt: skip
    return _insert(db, new, list(content.items), actor, now, "imported")


def submit(
    db: Database, campaign_id: int, *, actor: str, roles: Roles, now: datetime,
    address_form: str = "je",
) -> CheckReport:  # fmt: skip
    """draft -> review, when the content checks find no errors (CampaignCheckFailed if so)."""
    roles.require_editor(actor, "submit campaigns for review")
    campaign = require(get_campaign(db, campaign_id), "submit")
    report = check_content(content_of(campaign, campaign_items(db, campaign_id)), address_form)
    if report.errors:
        raise CampaignCheckFailed(
            f"campaign {campaign_id} has {report.errors} error(s) in its content; fix them "
            f"(`opendeur campaign check --id {campaign_id}` lists them) and submit again",
            report,
        )
    with db.atomic():
        move(db, campaign, "review", now)
        audit(db, campaign, actor, "submitted", now, to="review", warnings=report.warnings)
    return report


def approve(db: Database, campaign_id: int, *, actor: str, roles: Roles, now: datetime) -> None:
    """review -> approved, by an approver who neither created nor last edited it."""
    roles.require_approver(actor)
    campaign = require(get_campaign(db, campaign_id), "approve")
    for person, did in ((campaign.created_by, "created"), (campaign.edited_by, "last edited")):
        if same_person(actor, person):
            raise CampaignPermissionError(
                f"{actor} {did} campaign {campaign_id} and so may not approve it (four-eyes); "
                "ask another approver"
            )
    with db.atomic():
        move(db, campaign, "approved", now)
        audit(db, campaign, actor, "approved", now, to="approved")


def schedule(
    db: Database, campaign_id: int, *, at: datetime | None = None,
    item_times: Mapping[int, datetime] | None = None, zone: tzinfo, actor: str, roles: Roles,
    now: datetime, publishing: Publishing | None = None,
) -> dict[int, str]:  # fmt: skip
    """approved (or scheduled) -> scheduled: each item gets a time within the period.

    ``at`` is for every item, ``item_times`` (item number -> time) for single items; an item
    of a scheduled campaign keeps its time when given none. Times must be timezone-aware; the
    period's dates are read in ``zone``. Returns item number -> the time recorded.
    ``publishing`` (the configured channels) refuses items no channel carries and X posts
    beyond a budget cap.
    """
    roles.require_any_role(actor, "schedule campaigns")
    campaign = require(get_campaign(db, campaign_id), "schedule")
    items = [i for i in campaign_items(db, campaign_id) if i.status in ("approved", "scheduled")]
    item_times = dict(item_times or {})
    unknown = sorted(set(item_times) - {item.position for item in items})
    if unknown:
        raise CampaignNotFound(
            f"campaign {campaign_id} has no item {', '.join(map(str, unknown))} to schedule; "
            f"its items: {', '.join(str(i.position) for i in items) or 'none'}"
        )
    times: dict[int, str] = {}
    problems: list[str] = []
    for item in items:
        when = item_times.get(item.position, at)
        problem = _time_problem(campaign, item, when, zone, now)
        if problem:
            problems.append(problem)
        elif when is not None:
            times[item.position] = when.astimezone(zone).isoformat(timespec="seconds")
        else:
            times[item.position] = str(item.scheduled_at)
    if publishing is not None:
        problems += [
            f"item {item.position} is for {item.channel}, and no enabled channel has that type "
            f'(add [channels.NAME] with type = "{item.channel}")'
            for item in items if item.channel not in publishing.channel_types
        ]  # fmt: skip
    if problems:
        raise CampaignInputError(f"cannot schedule campaign {campaign_id}: " + "; ".join(problems))
    if publishing is not None:
        check_schedule(db, campaign_id, {p: datetime.fromisoformat(t) for p, t in times.items()},
                       publishing.paid, zone)  # fmt: skip
    with db.atomic():
        for position, stamp in times.items():
            db.execute(
                "UPDATE content_items SET scheduled_at = ?, status = 'scheduled', updated_at = ? "
                "WHERE campaign_id = ? AND position = ?",
                [stamp, iso_time(now), campaign_id, position],
            )
        move(db, campaign, "scheduled", now, items=False)
        action = "rescheduled" if campaign.status == "scheduled" else "scheduled"
        audit(db, campaign, actor, action, now, to="scheduled",
              items={str(position): stamp for position, stamp in times.items()})  # fmt: skip
    return times


def cancel(
    db: Database, campaign_id: int, *, reason: str, actor: str, roles: Roles, now: datetime
) -> None:
    """Any status but published and cancelled -> cancelled; items not yet published too."""
    roles.require_any_role(actor, "cancel campaigns")
    if not reason.strip():
        raise CampaignInputError("give a reason for cancelling (--reason TEXT); it is logged")
    campaign = require(get_campaign(db, campaign_id), "cancel")
    with db.atomic():
        move(db, campaign, "cancelled", now)
        audit(db, campaign, actor, "cancelled", now, to="cancelled", reason=reason.strip())


def edit_item(
    db: Database, campaign_id: int, position: int, changes: Mapping[str, str | None], *,
    actor: str, roles: Roles, now: datetime,
) -> list[str]:  # fmt: skip
    """Change an item's title, summary or body in draft or review; review goes back to draft.

    Returns the fields that changed; nothing is written when none did.
    """
    roles.require_editor(actor, "edit campaigns")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise CampaignInputError(
            f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE_FIELDS)}"
        )
    campaign = require(get_campaign(db, campaign_id), "edit")
    item = _item(db, campaign_id, position)
    changed = {key: value for key, value in changes.items() if getattr(item, key) != value}
    if "body" in changed and not (changed["body"] or "").strip():
        raise CampaignInputError(f"item {position}: the body cannot be empty")
    if not changed:
        return []
    to = "draft"  # an edit in review needs a new review
    with db.atomic():
        move(db, campaign, to, now)  # first: it checks the campaign is as it was read
        assignments = ", ".join(f"{key} = ?" for key in changed)
        db.execute(
            f"UPDATE content_items SET {assignments}, updated_at = ? WHERE id = ?",
            [*changed.values(), iso_time(now), item.id],
        )
        db.execute(
            "UPDATE campaigns SET edited_by = ?, edited_at = ? WHERE id = ?",
            [actor, iso_time(now), campaign_id],
        )
        before = {key: getattr(item, key) for key in changed}
        audit(db, campaign, actor, "item_edited", now, to=to, item=position,
              fields=list(changed), before=before)  # fmt: skip
    return list(changed)


def _insert(
    db: Database, new: NewCampaign, items: Iterable[ContentItem], actor: str, now: datetime,
    action: str,
) -> int:  # fmt: skip
    channels = tuple(dict.fromkeys(new.channels))  # each once, in order
    _validate(new, channels)
    created = iso_time(now)
    with db.atomic():
        slug = unique_slug(db, new.name)
        campaign_id = int(db["campaigns"].insert({
            "name": new.name.strip(), "slug": slug, "goal": new.goal, "theme": new.theme,
            "audience": new.audience, "help_page": new.help_page,
            "starts": new.starts.isoformat(), "ends": new.ends.isoformat(),
            "channels": json.dumps(channels), "message": new.message,
            "address_form": new.address_form, "status": "draft", "created_by": actor,
            "created_at": created, "edited_by": actor, "edited_at": created, "updated_at": created,
        }).last_pk)  # fmt: skip
        count = 0
        for count, item in enumerate(items, start=1):
            db["content_items"].insert({
                "campaign_id": campaign_id, "position": count, "channel": item.channel,
                "title": item.title, "summary": item.summary, "body": item.body,
                "link": utm_link(item.link or new.help_page, item.channel, slug),
                "tracking_code": new_tracking_code(db), "status": "draft", "updated_at": created,
            })  # fmt: skip
        audit(db, campaign_id, actor, action, now, to="draft", slug=slug, items=count)
    return campaign_id


def _validate(new: NewCampaign, channels: tuple[str, ...]) -> None:
    problems = []
    if not new.name.strip():
        problems.append("the name is empty")
    if new.theme not in TOPICS:
        problems.append(f"theme must be one of {', '.join(TOPICS)}, not {new.theme!r}")
    if not re.match(r"^https?://[^\s/]+\S*$", new.help_page):
        problems.append(f"the help page must be an http(s) address, not {new.help_page!r}")
    if new.starts > new.ends:
        problems.append(f"the campaign starts ({new.starts}) after it ends ({new.ends})")
    if not channels:
        problems.append("no channels: give at least one")
    problems += [f"unknown channel {c!r}; channels: {', '.join(CHANNEL_TYPES)}"
                 for c in channels if c not in CHANNEL_TYPES]  # fmt: skip
    if not new.message.strip():
        problems.append("the message is empty")
    if new.address_form not in (None, "je", "u"):
        problems.append(f'address form must be "je" or "u", not {new.address_form!r}')
    if problems:
        raise CampaignInputError("; ".join(problems))


def _time_problem(
    campaign: Campaign, item: Item, when: datetime | None, zone: tzinfo, now: datetime
) -> str | None:
    where = f"item {item.position} ({item.channel})"
    if when is None:
        if item.scheduled_at:
            return None
        return f"{where} has no time; give --at TIME, or --item {item.position} --at TIME"
    if when.tzinfo is None:
        return f"{where}: the time {when.isoformat()} has no time zone"
    local = when.astimezone(zone)
    if not campaign.starts <= local.date().isoformat() <= campaign.ends:
        return (
            f"{where} at {local:%Y-%m-%d %H:%M} is outside the campaign period "
            f"{campaign.starts} to {campaign.ends}"
        )
    if when < now:
        return f"{where} at {local:%Y-%m-%d %H:%M} is in the past"
    return None


def _item(db: Database, campaign_id: int, position: int) -> Item:
    items = campaign_items(db, campaign_id)
    for item in items:
        if item.position == position:
            return item
    raise CampaignNotFound(
        f"campaign {campaign_id} has no item {position}; its items: "
        f"{', '.join(str(i.position) for i in items) or 'none'}"
    )
